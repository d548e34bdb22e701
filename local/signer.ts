/**
 * Mints Google-like OIDC ID tokens (RS256, iss https://accounts.google.com, email, email_verified) with a
 * local key; the API server publishes the matching JWKS at /oauth2/v3/certs, so the handler runs with
 * verification on. With a key file the key survives restarts (a restarted server's tokens still verify).
 */
import { exportJWK, generateKeyPair, importJWK, JWK, KeyLike, SignJWT } from 'jose';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export class TokenSigner {
  private privateKey?: KeyLike | Uint8Array;
  private publicJwk?: JWK;
  private readonly cache = new Map<string, { token: string; expiresAt: number }>();

  /** @param keyFile where to keep the private key (JWK); none = a fresh key per process */
  constructor(private readonly keyFile?: string) {}

  async init(): Promise<this> {
    let jwk: JWK | undefined;
    if (this.keyFile) {
      try {
        jwk = JSON.parse(readFileSync(this.keyFile, 'utf8'));
      } catch {
        // first run: generated below
      }
    }
    if (!jwk) {
      const { privateKey } = await generateKeyPair('RS256', { extractable: true });
      jwk = { ...(await exportJWK(privateKey)), kid: `local-${Date.now().toString(36)}`, alg: 'RS256' };
      if (this.keyFile) {
        mkdirSync(dirname(this.keyFile), { recursive: true });
        writeFileSync(this.keyFile, JSON.stringify(jwk), { mode: 0o600 });
      }
    }
    this.privateKey = await importJWK(jwk, 'RS256');
    const { kty, n, e, kid } = jwk;
    this.publicJwk = { kty, n, e, kid, alg: 'RS256', use: 'sig' };
    return this;
  }

  /** The JWKS document, as Google serves it at https://www.googleapis.com/oauth2/v3/certs. */
  jwks(): { keys: JWK[] } {
    return { keys: [this.publicJwk!] };
  }

  /** An ID token for `email` and `audience`, reused until 5 minutes before it expires (as Google's are). */
  async idToken(email: string, audience: string): Promise<string> {
    const key = `${email}\n${audience}`;
    const now = Date.now();
    const hit = this.cache.get(key);
    if (hit && hit.expiresAt - 300_000 > now) return hit.token;
    const iat = Math.floor(now / 1000);
    const token = await new SignJWT({ email, email_verified: true, azp: email })
      .setProtectedHeader({ alg: 'RS256', kid: this.publicJwk!.kid, typ: 'JWT' })
      .setIssuer('https://accounts.google.com')
      .setAudience(audience)
      .setSubject(`local-${email}`)
      .setIssuedAt(iat)
      .setExpirationTime(iat + 3600)
      .sign(this.privateKey!);
    this.cache.set(key, { token, expiresAt: (iat + 3600) * 1000 });
    return token;
  }
}
