// The verified-token cache and JWKS refetching, with an injected clock: no sleeps.
import { AuthError, TokenVerifier, TokenVerifierOptions } from '../src/auth';
import { loadHandlerConfig } from '../src/config';
import { AUDIENCE, claims, JwksServer, Keys, makeKey, SA, sign } from './harness';

const SKEW = 120;

describe('TokenVerifier cache', () => {
  let key: Keys;
  let jwks: JwksServer;
  let clock: number;
  const t0 = Math.floor(Date.now() / 1000);

  beforeAll(async () => {
    key = await makeKey('key-1');
    jwks = await new JwksServer().start();
    jwks.keys = [key.publicJwk];
  });
  afterAll(() => jwks.stop());
  beforeEach(() => (clock = t0 * 1000));

  function verifier(options: TokenVerifierOptions = {}, cooldown?: number): TokenVerifier {
    const { auth } = loadHandlerConfig({ TASKS_AUDIENCE: AUDIENCE, TASKS_SERVICE_ACCOUNT: SA, TASKS_JWKS_URL: jwks.url });
    return new TokenVerifier({ ...auth!, jwksCooldownMs: cooldown }, { now: () => clock, ...options });
  }
  const bearer = (token: string) => `Bearer ${token}`;
  const outcome = async (v: TokenVerifier, token: string) => {
    try {
      return (await v.verify(bearer(token))).email;
    } catch (e) {
      return e instanceof AuthError ? `${e.status} ${e.message}` : `unexpected ${String(e)}`;
    }
  };

  test('a repeated token is answered from the cache, synchronously', async () => {
    const v = verifier();
    const token = await sign(key, claims({ iat: t0, exp: t0 + 3600 }));
    await v.verify(bearer(token));
    const again = v.verify(bearer(token));
    expect(again).not.toBeInstanceOf(Promise);
    expect(again).toEqual({ email: SA, subject: '1234567890' });
  });

  test('a cached token is refused once it has expired (beyond the clock skew)', async () => {
    const v = verifier();
    const token = await sign(key, claims({ iat: t0, exp: t0 + 600 }));
    expect(await outcome(v, token)).toBe(SA);
    clock = (t0 + 600 + SKEW + 1) * 1000;
    expect(await outcome(v, token)).toBe('401 invalid token: expired');
  });

  test('the cache never outlives the token: a token that expires in 30 min is not cached for the full hour', async () => {
    const v = verifier();
    const token = await sign(key, claims({ iat: t0, exp: t0 + 1800 }));
    expect(await outcome(v, token)).toBe(SA);
    clock = (t0 + 1800 + SKEW + 1) * 1000; // well inside the hour a cache entry may otherwise live
    expect(await outcome(v, token)).toBe('401 invalid token: expired');
  });

  test('a token with an unusually late exp is cached for at most an hour after it was verified', async () => {
    const v = verifier();
    const token = await sign(key, claims({ iat: t0, exp: t0 + 7200 }));
    expect(await outcome(v, token)).toBe(SA);
    clock = (t0 + 3600 + 2 * SKEW + 1) * 1000; // unexpired, but older than a Google token can be (1 h + skew on both ends)
    expect(await outcome(v, token)).toBe('401 invalid token: expired'); // jose reports an over-age iat as expired
  });

  test('the cache is bounded: the oldest token is forgotten first', async () => {
    const v = verifier({ maxCachedTokens: 2 });
    const tokens = await Promise.all([1, 2, 3].map((i) => sign(key, claims({ iat: t0, exp: t0 + 3600, sub: `s${i}` }))));
    for (const token of tokens) await v.verify(bearer(token));
    expect(v.cachedTokens).toBe(2);
    expect(v.verify(bearer(tokens[0]))).toBeInstanceOf(Promise); // forgotten: verified again
    expect(v.verify(bearer(tokens[2]))).not.toBeInstanceOf(Promise);
  });

  test('without a configured cooldown, an unknown kid refetches the JWKS at most once per 30 s', async () => {
    const v = verifier();
    expect(await outcome(v, await sign(key, claims({ iat: t0, exp: t0 + 3600 })))).toBe(SA);
    const before = jwks.fetches;
    const strangers = await Promise.all(['k-a', 'k-b', 'k-c'].map(makeKey));
    for (const s of strangers) expect(await outcome(v, await sign(s, claims({ iat: t0, exp: t0 + 3600 })))).toMatch(/^401 invalid token: signed by an unknown key/);
    expect(jwks.fetches - before).toBe(0); // the first fetch was just now: still cooling down
  });

  test('at the exact expiry instant the cache no longer answers, and a refused token leaves the cache', async () => {
    const v = verifier();
    const token = await sign(key, claims({ iat: t0, exp: t0 + 600 }));
    await v.verify(bearer(token));
    clock = (t0 + 600) * 1000;
    const again = v.verify(bearer(token));
    expect(again).toBeInstanceOf(Promise); // verified again (still within the skew)
    await again;
    clock = (t0 + 600 + SKEW + 1) * 1000;
    await expect(v.verify(bearer(token))).rejects.toThrow('invalid token: expired');
    expect(v.cachedTokens).toBe(0);
  });

  test('a token issued 59 minutes ago is still accepted (Google tokens live an hour)', async () => {
    const v = verifier();
    expect(await outcome(v, await sign(key, claims({ iat: t0 - 3540, exp: t0 + 60 })))).toBe(SA);
  });
});
