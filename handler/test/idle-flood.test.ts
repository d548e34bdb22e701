// Idle-socket floods (1,100 and 1,300 sockets, in waves) and slow bodies on every route: a valid signed task is
// still answered 200 within 1 s. Left out of the Stryker run (jest.stryker.config.js): the small tests in
// connections.test.ts and hardening.test.ts kill the same mutants in milliseconds.
import { Harness, JwksServer, makeKey, recordingWork, sign, startHandler, taskHeaders } from './harness';
import { head, idleFlood, Raw, rawClient, within } from './raw-client';

/** A valid signed task on a fresh connection: status and milliseconds to the answer. */
async function timedTask(h: Harness, token: string, name: string): Promise<{ status: number; ms: number }> {
  const started = Date.now();
  const res = await h.post({ ...taskHeaders(name), Authorization: `Bearer ${token}`, Connection: 'close' });
  return { status: res.status, ms: Date.now() - started };
}

describe('a valid task is served while idle sockets flood the handler', () => {
  let jwks: JwksServer;
  let token: string;
  let h: Harness;
  let flood: Raw[] = [];

  beforeAll(async () => {
    const key = await makeKey('k1');
    jwks = await new JwksServer().start();
    jwks.keys = [key.publicJwk];
    token = await sign(key);
  });
  afterAll(() => jwks.stop());
  afterEach(async () => {
    for (const c of flood) c.socket.destroy();
    flood = [];
    await h?.close();
  });

  test.each([1100, 1300])('with %i idle sockets opened in waves (cap 1000), three valid tasks each get 200 within 1 s', async (count) => {
    h = await startHandler(recordingWork().work, { jwks });
    const port = Number(new URL(h.base).port);
    expect((await timedTask(h, token, 'warm-up')).status).toBe(200); // keys fetched once, as on a warm instance
    for (let round = 0; round < 3; round++) {
      flood.push(...(await idleFlood(port, count)));
      const { status, ms } = await timedTask(h, token, `valid-${count}-${round}`);
      expect(status).toBe(200);
      expect(ms).toBeLessThan(1000);
      expect(h.server.openConnections).toBeLessThanOrEqual(1000);
    }
  }, 30_000);

  test('with 1100 idle sockets plus slow bodies on every route, a valid task gets 200 within 1 s and the slow bodies are cut', async () => {
    h = await startHandler(recordingWork().work, { jwks });
    const port = Number(new URL(h.base).port);
    expect((await timedTask(h, token, 'warm-up')).status).toBe(200);
    flood = await idleFlood(port, 1100);
    const slow: Raw[] = [];
    const routes: [string, string, Record<string, string>][] = [
      ['POST', '/nope', {}],
      ['PUT', '/tasks', {}],
      ['GET', '/healthz', {}],
      ['POST', '/tasks', { Authorization: `Bearer ${token}` }], // authenticated, no task headers: 400
      ['POST', '/tasks', {}], // unauthenticated: 401
    ];
    for (const [method, path, headers] of routes) {
      for (let i = 0; i < 5; i++) {
        const c = await rawClient(port);
        c.socket.write(head(method, path, { ...headers, 'Content-Length': '100000000000' }) + 'x');
        slow.push(c);
      }
    }
    const { status, ms } = await timedTask(h, token, 'valid-among-slow');
    expect(status).toBe(200);
    expect(ms).toBeLessThan(1000);
    await within(Promise.all(slow.map((c) => c.closed)), 2000, 'every slow body cut');
  }, 30_000);

  test('the flood is shed: every socket that sent no request head is closed by the head timeout', async () => {
    h = await startHandler(recordingWork().work, { jwks, env: { TASKS_HEAD_TIMEOUT_SECONDS: '1' } });
    flood = await idleFlood(Number(new URL(h.base).port), 500);
    await within(Promise.all(flood.map((c) => c.closed)), 3000, 'every idle socket closed');
    expect(h.server.openConnections).toBe(0);
  });
});
