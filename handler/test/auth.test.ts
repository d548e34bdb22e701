import { createHmac, createPublicKey, KeyObject } from 'node:crypto';
import { AUDIENCE, claims, Harness, JwksServer, Keys, makeKey, recordingWork, sign, startHandler, taskHeaders } from './harness';

const b64 = (v: object | string) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');

describe('handler authentication', () => {
  let key: Keys;
  let other: Keys;
  let jwks: JwksServer;
  let h: Harness;
  let rec: ReturnType<typeof recordingWork>;
  let n = 0;
  const nextTask = () => `task-${++n}`;

  beforeAll(async () => {
    [key, other] = await Promise.all([makeKey('key-1'), makeKey('key-2')]);
    jwks = await new JwksServer().start();
    jwks.keys = [key.publicJwk];
  });
  afterAll(() => jwks.stop());
  beforeEach(async () => {
    rec = recordingWork();
    h = await startHandler(rec.work, { jwks });
  });
  afterEach(() => h.close());

  const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

  test('a valid Cloud Tasks token is processed, and the work sees the verified caller', async () => {
    const name = nextTask();
    const res = await h.post({ ...taskHeaders(name), ...bearer(await sign(key)) });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ task: name, status: 'processed' });
    expect(rec.ran).toHaveLength(1);
    expect(rec.ran[0].caller?.email).toBe(claims().email);
  });

  test('the legacy issuer "accounts.google.com" is accepted too', async () => {
    const res = await h.post({ ...taskHeaders(nextTask()), ...bearer(await sign(key, claims({ iss: 'accounts.google.com' }))) });
    expect(res.status).toBe(200);
  });

  // Each row: how the request is broken, the status, and a fragment of the error message.
  const rejected: Array<[string, () => Promise<Record<string, string>>, number, RegExp]> = [
    ['no Authorization header', async () => ({}), 401, /missing Authorization header/],
    ['a Basic header', async () => ({ Authorization: 'Basic dXNlcjpwYXNz' }), 401, /malformed Authorization header/],
    ['a Bearer that is not a JWT', async () => bearer('not-a-jwt'), 401, /malformed Authorization header/],
    ['a bad signature (right kid, wrong key)', async () => bearer(await sign({ ...other, kid: 'key-1' })), 401, /bad signature/],
    ['an unknown kid', async () => bearer(await sign(other)), 401, /unknown key/],
    ['alg none', async () => bearer(`${b64({ alg: 'none', kid: 'key-1' })}.${b64(claims())}.`), 401, /invalid token/],
    [
      'HS256 signed with the public key as the secret',
      async () => {
        const pem = (createPublicKey({ key: key.publicJwk as any, format: 'jwk' }) as KeyObject).export({ type: 'spki', format: 'pem' });
        const head = `${b64({ alg: 'HS256', kid: 'key-1', typ: 'JWT' })}.${b64(claims())}`;
        return bearer(`${head}.${createHmac('sha256', pem).update(head).digest('base64url')}`);
      },
      401,
      /algorithm not allowed|invalid token/,
    ],
    ['an expired token', async () => bearer(await sign(key, claims({ exp: Math.floor(Date.now() / 1000) - 3600 }))), 401, /expired/],
    ['a not-yet-valid token', async () => bearer(await sign(key, claims({ nbf: Math.floor(Date.now() / 1000) + 3600 }))), 401, /claim "nbf"/],
    ['a token issued far in the future', async () => bearer(await sign(key, claims({ iat: Math.floor(Date.now() / 1000) + 3600, exp: Math.floor(Date.now() / 1000) + 7200 }))), 401, /claim "iat"/],
    ['a wrong issuer', async () => bearer(await sign(key, claims({ iss: 'https://evil.example.com' }))), 401, /claim "iss"/],
    ['a wrong audience', async () => bearer(await sign(key, claims({ aud: 'https://other-service.run.app' }))), 401, /claim "aud"/],
    ['a token without email', async () => bearer(await sign(key, claims({ email: undefined }))), 401, /claim "email"/],
    ['another service account', async () => bearer(await sign(key, claims({ email: 'attacker@evil-project.iam.gserviceaccount.com' }))), 403, /not the queue's service account/],
    ['an unverified email', async () => bearer(await sign(key, claims({ email_verified: false }))), 403, /email_verified must be true/],
  ];

  test.each(rejected)('rejects %s and never runs the work', async (_what, auth, status, message) => {
    const res = await h.post({ ...taskHeaders(nextTask()), ...(await auth()) });
    expect(res.status).toBe(status);
    expect(res.body.error).toMatch(message);
    expect(rec.ran).toHaveLength(0);
    expect(h.logs[h.logs.length - 1]).toMatchObject({ status, severity: 'WARNING' });
  });

  test('the JWKS is fetched once, not per request', async () => {
    const before = jwks.fetches;
    for (let i = 0; i < 10; i++) {
      expect((await h.post({ ...taskHeaders(nextTask()), ...bearer(await sign(key)) })).status).toBe(200);
    }
    expect(jwks.fetches - before).toBe(1);
  });

  test('a rotated key is picked up by refetching on an unknown kid; a still-unknown kid stays rejected', async () => {
    await h.close();
    h = await startHandler(rec.work, { jwks, jwksCooldownMs: 0 });
    const before = jwks.fetches;
    expect((await h.post({ ...taskHeaders(nextTask()), ...bearer(await sign(key)) })).status).toBe(200);
    expect(jwks.fetches - before).toBe(1);

    jwks.keys = [key.publicJwk, other.publicJwk]; // Google publishes a new key
    expect((await h.post({ ...taskHeaders(nextTask()), ...bearer(await sign(other)) })).status).toBe(200);
    expect(jwks.fetches - before).toBe(2);

    const stranger = await makeKey('key-3');
    const res = await h.post({ ...taskHeaders(nextTask()), ...bearer(await sign(stranger)) });
    expect(res.status).toBe(401);
    expect(jwks.fetches - before).toBe(3); // refreshed once, still unknown
    jwks.keys = [key.publicJwk];
  });

  test('auth is checked before anything else: a bad token with a missing task name is still 401', async () => {
    const res = await h.post({});
    expect(res.status).toBe(401);
  });

  test('the audience is compared exactly', async () => {
    const res = await h.post({ ...taskHeaders(nextTask()), ...bearer(await sign(key, claims({ aud: `${AUDIENCE}/` }))) });
    expect(res.status).toBe(401);
  });
});

describe('a handler shared by several queues', () => {
  const second = 'slow-lane-enq@test-project.iam.gserviceaccount.com';
  let key: Keys;
  let jwks: JwksServer;
  let h: Harness;

  beforeAll(async () => {
    key = await makeKey('key-1');
    jwks = await new JwksServer().start();
    jwks.keys = [key.publicJwk];
  });
  afterAll(() => jwks.stop());
  beforeEach(async () => {
    // GIVEN TASKS_SERVICE_ACCOUNT lists each queue's token account
    h = await startHandler(recordingWork().work, { jwks, env: { TASKS_SERVICE_ACCOUNT: `${claims().email}, ${second}` } });
  });
  afterEach(() => h.close());

  test('accepts a token of any listed account', async () => {
    const res = await h.post({ ...taskHeaders('shared-1'), Authorization: `Bearer ${await sign(key, claims({ email: second }))}` });
    expect(res.status).toBe(200);
  });

  test('still refuses an account that is not listed', async () => {
    const res = await h.post({ ...taskHeaders('shared-2'), Authorization: `Bearer ${await sign(key, claims({ email: 'other@test-project.iam.gserviceaccount.com' }))}` });
    expect(res.status).toBe(403);
  });
});
