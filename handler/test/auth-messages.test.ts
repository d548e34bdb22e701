// The exact reason a token is refused, as the caller and the logs see it.
import { createHmac, createPublicKey, KeyObject } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AuthError, TokenVerifier } from '../src/auth';
import { loadHandlerConfig } from '../src/config';
import { AUDIENCE, claims, JwksServer, Keys, makeKey, SA, sign } from './harness';

const b64 = (v: object) => Buffer.from(JSON.stringify(v)).toString('base64url');

describe('why a token is refused', () => {
  let key: Keys;
  let other: Keys;
  let jwks: JwksServer;
  let verifier: TokenVerifier;

  beforeAll(async () => {
    [key, other] = await Promise.all([makeKey('key-1'), makeKey('key-2')]);
    jwks = await new JwksServer().start();
    jwks.keys = [key.publicJwk];
    const { auth } = loadHandlerConfig({ TASKS_AUDIENCE: AUDIENCE, TASKS_SERVICE_ACCOUNT: SA, TASKS_JWKS_URL: jwks.url });
    verifier = new TokenVerifier(auth!);
  });
  afterAll(() => jwks.stop());

  async function refusal(token: string | Promise<string>): Promise<string> {
    try {
      await verifier.verify(`Bearer ${await token}`);
      return 'accepted';
    } catch (e) {
      return e instanceof AuthError ? `${e.status} ${e.message}` : `unexpected ${String(e)}`;
    }
  }
  const now = () => Math.floor(Date.now() / 1000);

  test.each([
    ['a wrong issuer', () => sign(key, claims({ iss: 'https://evil.example.com' })), '401 invalid token: claim "iss" is wrong'],
    ['a wrong audience', () => sign(key, claims({ aud: 'https://other.example' })), '401 invalid token: claim "aud" is wrong'],
    ['no email claim', () => sign(key, claims({ email: undefined })), '401 invalid token: claim "email" missing'],
    ['a future nbf', () => sign(key, claims({ nbf: now() + 3600 })), '401 invalid token: claim "nbf" is wrong'],
    ['an expired token', () => sign(key, claims({ exp: now() - 3600 })), '401 invalid token: expired'],
    ['an unknown kid', () => sign(other), '401 invalid token: signed by an unknown key'],
    ['a bad signature', () => sign({ ...other, kid: 'key-1' }), '401 invalid token: bad signature'],
    [
      'HS256 keyed with the public key',
      async () => {
        const pem = (createPublicKey({ key: key.publicJwk as any, format: 'jwk' }) as KeyObject).export({ type: 'spki', format: 'pem' });
        const head = `${b64({ alg: 'HS256', kid: 'key-1', typ: 'JWT' })}.${b64(claims())}`;
        return `${head}.${createHmac('sha256', pem).update(head).digest('base64url')}`;
      },
      '401 invalid token: algorithm not allowed (RS256 only)',
    ],
    ['another account', () => sign(key, claims({ email: 'x@evil.iam.gserviceaccount.com' })), '403 token is for "x@evil.iam.gserviceaccount.com", not the queue\'s service account'],
    ['an unverified email', () => sign(key, claims({ email_verified: false })), '403 token email is not verified (email_verified must be true)'],
  ])('%s', async (_what, token, message) => {
    expect(await refusal(token())).toBe(message);
  });

  test('a failing JWKS endpoint is reported as keys unavailable', async () => {
    const failing = createServer((_req, res) => void res.writeHead(500).end());
    await new Promise<void>((r) => failing.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(failing.address() as AddressInfo).port}/certs`;
      const { auth } = loadHandlerConfig({ TASKS_AUDIENCE: AUDIENCE, TASKS_SERVICE_ACCOUNT: SA, TASKS_JWKS_URL: url });
      await expect(new TokenVerifier(auth!).verify(`Bearer ${await sign(key)}`)).rejects.toThrow(/^invalid token: keys unavailable \(/);
    } finally {
      failing.closeAllConnections();
      await new Promise((r) => failing.close(r));
    }
  });

  test.each([
    ['no header', undefined, /^missing Authorization header/],
    ['a lower-case scheme', 'bearer a.b.c', /^malformed Authorization header/],
    ['two tokens', 'Bearer a.b.c Bearer d.e.f', /^malformed Authorization header/],
    ['a prefix before Bearer', 'xBearer a.b.c', /^malformed Authorization header/],
  ])('%s is refused before any verification', (_what, header, message) => {
    expect(() => verifier.verify(header)).toThrow(message);
  });
});
