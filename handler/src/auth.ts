import { createRemoteJWKSet, errors, JWTPayload, jwtVerify } from 'jose';
import type { AuthConfig } from './config';

/** Why a request is refused: 401 = who are you?, 403 = you are not the queue's account. */
export class AuthError extends Error {
  constructor(
    readonly status: 401 | 403,
    message: string,
  ) {
    super(message);
  }
}

/** Test seams of the verifier; production uses the defaults. */
export interface TokenVerifierOptions {
  /** The clock for token times and the cache. @default Date.now */
  readonly now?: () => number;
  /** Most verified tokens remembered; the oldest is forgotten first. @default 1000 */
  readonly maxCachedTokens?: number;
}

export interface VerifiedCaller {
  readonly email: string;
  readonly subject?: string;
}

/**
 * Verifies Google-signed OIDC ID tokens the way Cloud Tasks sends them: RS256 only, signature by `kid`
 * against a cached JWKS (refetched only for an unknown `kid`, with a cooldown), issuer, audience, time
 * claims with a small skew, then `email` == the queue's account and `email_verified` (libraries check
 * neither for you).
 */
export class TokenVerifier {
  private readonly jwks: ReturnType<typeof createRemoteJWKSet>;
  // Verified tokens by their exact bytes: a repeated token skips the RSA check until it expires.
  // Safe because identical bytes carry an identical signature; bounded so it cannot grow without limit.
  private readonly verified = new Map<string, { caller: VerifiedCaller; expiresAt: number }>();
  private readonly now: () => number;
  private readonly maxCached: number;

  constructor(
    private readonly config: AuthConfig,
    options: TokenVerifierOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.maxCached = options.maxCachedTokens ?? 1000;
    this.jwks = createRemoteJWKSet(new URL(config.jwksUrl), {
      cooldownDuration: config.jwksCooldownMs ?? 30_000,
      cacheMaxAge: 6 * 3600_000,
    });
  }

  /**
   * Verifies the `Authorization` header. Returns the caller directly when this exact token was verified
   * before and has not expired (no promise, no RSA work on the hot path), else a promise.
   */
  verify(authorization: string | undefined): VerifiedCaller | Promise<VerifiedCaller> {
    if (!authorization) throw new AuthError(401, 'missing Authorization header: Cloud Tasks sends "Bearer <OIDC token>"');
    const match = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*)$/.exec(authorization);
    if (!match) throw new AuthError(401, 'malformed Authorization header: expected "Bearer <JWT>"');
    const token = match[1];
    const hit = this.verified.get(token);
    if (hit && hit.expiresAt > this.now()) return hit.caller;
    if (hit) this.verified.delete(token);
    return this.verifyToken(token);
  }

  /** Tokens remembered as verified (bounded by maxCachedTokens). */
  get cachedTokens(): number {
    return this.verified.size;
  }

  private async verifyToken(token: string): Promise<VerifiedCaller> {
    const now = this.now();
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.jwks, {
        algorithms: ['RS256'],
        issuer: [...this.config.issuers],
        audience: this.config.audience,
        clockTolerance: this.config.clockSkewSeconds,
        requiredClaims: ['exp', 'iat', 'email'],
        // Google ID tokens live 1 h; an older iat means a replayed or forged token.
        maxTokenAge: 3600 + this.config.clockSkewSeconds,
        currentDate: new Date(now),
      }));
    } catch (e) {
      throw new AuthError(401, `invalid token: ${describe(e)}`);
    }
    // Several queues may front one handler: TASKS_SERVICE_ACCOUNT lists each queue's token account.
    const accounts = this.config.serviceAccounts ?? [this.config.serviceAccount];
    if (typeof payload.email !== 'string' || !accounts.includes(payload.email)) {
      throw new AuthError(403, `token is for ${JSON.stringify(payload.email)}, not the queue's service account`);
    }
    if (payload.email_verified !== true) throw new AuthError(403, 'token email is not verified (email_verified must be true)');

    const caller: VerifiedCaller = { email: payload.email as string, subject: payload.sub };
    if (this.verified.size >= this.maxCached) this.verified.delete(this.verified.keys().next().value!);
    this.verified.set(token, { caller, expiresAt: Math.min((payload.exp as number) * 1000, now + 3600_000) });
    return caller;
  }
}

function describe(e: unknown): string {
  if (e instanceof errors.JWTExpired) return 'expired';
  if (e instanceof errors.JWTClaimValidationFailed) return `claim "${e.claim}" ${e.reason === 'check_failed' ? 'is wrong' : e.reason}`;
  if (e instanceof errors.JWKSNoMatchingKey) return 'signed by an unknown key';
  if (e instanceof errors.JOSEAlgNotAllowed) return 'algorithm not allowed (RS256 only)';
  if (e instanceof errors.JWSSignatureVerificationFailed) return 'bad signature';
  if (e instanceof errors.JWKSTimeout || (e as { code?: string })?.code === 'ERR_JOSE_GENERIC') return `keys unavailable (${(e as Error).message})`;
  return (e as Error)?.message ?? String(e);
}
