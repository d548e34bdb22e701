/**
 * Mints Google-like OIDC ID tokens (RS256, iss https://accounts.google.com, email, email_verified) with a
 * local key and serves the matching JWKS over HTTP, so the handler runs with verification on.
 */
import { exportJWK, generateKeyPair, KeyLike, SignJWT } from 'jose';
import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export class TokenSigner {
  private key?: { privateKey: KeyLike; jwk: Record<string, unknown> };
  private server?: Server;
  private readonly cache = new Map<string, { token: string; expiresAt: number }>();
  readonly kid = `local-${Date.now().toString(36)}`;
  jwksUrl = '';

  async start(port = 0, host = '127.0.0.1'): Promise<this> {
    const { privateKey, publicKey } = await generateKeyPair('RS256');
    this.key = { privateKey, jwk: { ...(await exportJWK(publicKey)), kid: this.kid, alg: 'RS256', use: 'sig' } };
    const body = JSON.stringify({ keys: [this.key.jwk] });
    this.server = createServer((_req, res) => res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'max-age=3600' }).end(body));
    await new Promise<void>((r) => this.server!.listen(port, host, r));
    this.jwksUrl = `http://${host}:${(this.server.address() as AddressInfo).port}/oauth2/v3/certs`;
    return this;
  }

  /** An ID token for `email` and `audience`, reused until 5 minutes before it expires (as Google's are). */
  async idToken(email: string, audience: string): Promise<string> {
    const key = `${email}\n${audience}`;
    const now = Date.now();
    const hit = this.cache.get(key);
    if (hit && hit.expiresAt - 300_000 > now) return hit.token;
    const iat = Math.floor(now / 1000);
    const token = await new SignJWT({ email, email_verified: true, azp: email })
      .setProtectedHeader({ alg: 'RS256', kid: this.kid, typ: 'JWT' })
      .setIssuer('https://accounts.google.com')
      .setAudience(audience)
      .setSubject(`local-${email}`)
      .setIssuedAt(iat)
      .setExpirationTime(iat + 3600)
      .sign(this.key!.privateKey);
    this.cache.set(key, { token, expiresAt: (iat + 3600) * 1000 });
    return token;
  }

  stop(): Promise<void> {
    return new Promise((r) => (this.server ? this.server.close(() => r()) : r()));
  }
}
