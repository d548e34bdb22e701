// Every connection is bounded on every path: answers that do not read the body close the connection, idle
// connections are closed and evicted, and a valid task is served while hostile sockets are shed.
import { KEEP_ALIVE_MS, LINGER_MS } from '../src/server';
import { eventually, gate, Harness, JwksServer, Keys, makeKey, recordingWork, sign, startHandler, taskHeaders } from './harness';
import { head, rawClient, within } from './raw-client';

describe('answers that do not read the body', () => {
  let jwks: JwksServer;
  let key: Keys;
  let h: Harness;
  let token: string;

  beforeAll(async () => {
    key = await makeKey('k1');
    jwks = await new JwksServer().start();
    jwks.keys = [key.publicJwk];
    token = await sign(key);
  });
  afterAll(() => jwks.stop());
  beforeEach(async () => {
    h = await startHandler(recordingWork().work, { jwks });
  });
  afterEach(() => h.close());

  const huge = { 'Content-Length': '100000000000' };
  const routes: [string, string, string, () => Record<string, string>, number][] = [
    ['an unknown path', 'POST', '/nope', () => huge, 404],
    ['another method on the task path', 'PUT', '/tasks', () => huge, 405],
    ['GET /healthz', 'GET', '/healthz', () => huge, 200],
    ['POST /healthz', 'POST', '/healthz', () => huge, 405],
    ['an authenticated task without its task headers', 'POST', '/tasks', () => ({ ...huge, Authorization: `Bearer ${token}` }), 400],
    ['an unauthenticated task', 'POST', '/tasks', () => huge, 401],
  ];

  test.each(routes)('%s announcing 100 GB is answered and its connection closed while the client is still sending', async (_what, method, path, headers, status) => {
    const c = await rawClient(Number(new URL(h.base).port));
    c.socket.write(head(method, path, headers()));
    const chunk = Buffer.alloc(64 * 1024, 'x');
    const pump = setInterval(() => c.socket.writable && c.socket.write(chunk), 5);
    try {
      await within(c.closed, 2000, 'connection close');
    } finally {
      clearInterval(pump);
    }
    expect(c.received()).toMatch(new RegExp(`^HTTP/1\\.1 ${status} `));
    expect(c.received()).toMatch(/\r\nconnection: close\r\n/i);
  });

  test.each(routes)('%s whose body trickles in is answered and closed at once, not held until the request timeout', async (_what, method, path, headers, status) => {
    const c = await rawClient(Number(new URL(h.base).port));
    c.socket.write(head(method, path, headers()) + '{"a":');
    await within(c.closed, 1000, 'connection close');
    expect(c.received()).toMatch(new RegExp(`^HTTP/1\\.1 ${status} `));
  });

  test('a client that keeps its side open and sends no more is closed after the lingering time', async () => {
    const c = await rawClient(Number(new URL(h.base).port), true);
    c.socket.write(head('POST', '/nope', huge) + 'xxxx');
    await within(new Promise<void>((r) => c.socket.on('data', () => r())), 1000, 'answer');
    // The client has the server's FIN and never answers it: only the server's side shows the close.
    const ms = await within(eventually(() => h.server.openConnections === 0, LINGER_MS + 1500), LINGER_MS + 2000, 'lingering close');
    expect(ms).toBeGreaterThanOrEqual(LINGER_MS - 200);
    c.socket.destroy();
  });

  test('a client that keeps its side open and keeps sending is closed once TASKS_MAX_BODY_BYTES more has arrived', async () => {
    const c = await rawClient(Number(new URL(h.base).port), true);
    c.socket.write(head('POST', '/nope', huge));
    const chunk = Buffer.alloc(64 * 1024, 'x');
    const pump = setInterval(() => c.socket.writable && c.socket.write(chunk), 2);
    try {
      expect(await within(c.closed, LINGER_MS, 'close on the byte bound')).toBeLessThan(LINGER_MS - 500);
    } finally {
      clearInterval(pump);
    }
    expect(c.received()).toMatch(/^HTTP\/1\.1 404 /);
  });

  test('a chunked body on an unknown path is answered and its connection closed', async () => {
    const c = await rawClient(Number(new URL(h.base).port));
    c.socket.write(head('POST', '/nope', { 'Transfer-Encoding': 'chunked' }) + '5\r\nhello\r\n');
    await within(c.closed, 1000, 'connection close');
    expect(c.received()).toMatch(/^HTTP\/1\.1 404 [^]*\r\nconnection: close\r\n/i);
  });

  test('a request with Content-Length: 0 keeps its connection', async () => {
    const c = await rawClient(Number(new URL(h.base).port));
    c.socket.write(head('POST', '/nope', { 'Content-Length': '0' }));
    await within(new Promise<void>((r) => c.socket.on('data', () => c.received().includes('\r\n\r\n') && r())), 1000, 'answer');
    expect(c.received()).toMatch(/^HTTP\/1\.1 404 /);
    expect(c.received()).toMatch(/\r\nconnection: keep-alive\r\n/i);
  });

  test('a processed task, its body read, keeps its connection', async () => {
    const c = await rawClient(Number(new URL(h.base).port));
    c.socket.write(head('POST', '/tasks', { ...taskHeaders('kept'), Authorization: `Bearer ${token}`, 'Content-Length': '2' }) + '{}');
    await within(new Promise<void>((r) => c.socket.on('data', () => c.received().includes('processed') && r())), 2000, 'answer');
    expect(c.received()).toMatch(/^HTTP\/1\.1 200 [^]*\r\nconnection: keep-alive\r\n/i);
    c.socket.destroy();
  });

  test('a request without a body keeps its connection for the next request', async () => {
    const c = await rawClient(Number(new URL(h.base).port));
    c.socket.write(head('GET', '/healthz', {}) + head('GET', '/healthz', {}));
    await within(new Promise<void>((r) => c.socket.on('data', () => c.received().split('HTTP/1.1 200').length === 3 && r())), 2000, 'two answers');
    expect(c.received()).not.toMatch(/connection: close/i);
    expect(c.socket.destroyed).toBe(false);
    c.socket.destroy();
  });
});

describe('/healthz', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHandler(recordingWork().work, { env: { TASKS_AUTH: 'disabled' } });
  });
  afterEach(() => h.close());

  test.each(['POST', 'PUT', 'DELETE', 'OPTIONS'])('answers %s with 405 and Allow: GET, HEAD', async (method) => {
    const res = await fetch(`${h.base}/healthz`, { method });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET, HEAD');
  });

  test.each(['GET', 'HEAD'])('answers %s with 200', async (method) => {
    expect((await fetch(`${h.base}/healthz`, { method })).status).toBe(200);
  });
});

describe('idle connections', () => {
  let h: Harness;
  afterEach(() => h?.close());

  test('a connection that sends nothing is closed after TASKS_HEAD_TIMEOUT_SECONDS', async () => {
    h = await startHandler(recordingWork().work, { env: { TASKS_AUTH: 'disabled', TASKS_HEAD_TIMEOUT_SECONDS: '1' } });
    const c = await rawClient(Number(new URL(h.base).port));
    const ms = await within(c.closed, 2500, 'idle close');
    expect(ms).toBeGreaterThanOrEqual(900);
    expect(h.server.openConnections).toBe(0);
  });

  test('a request head trickled a byte at a time is cut at TASKS_HEAD_TIMEOUT_SECONDS, not reset by each byte', async () => {
    h = await startHandler(recordingWork().work, { env: { TASKS_AUTH: 'disabled', TASKS_HEAD_TIMEOUT_SECONDS: '1' } });
    const c = await rawClient(Number(new URL(h.base).port));
    const text = head('POST', '/tasks', taskHeaders('trickle'));
    let i = 0;
    const drip = setInterval(() => c.socket.writable && i < text.length && c.socket.write(text[i++]), 100);
    try {
      await within(c.closed, 2500, 'trickled head close');
    } finally {
      clearInterval(drip);
    }
    expect(i).toBeLessThan(text.length);
  });

  test('a keep-alive connection idle after its answer outlives the head timeout, and is the first evicted at the cap', async () => {
    h = await startHandler(recordingWork().work, { env: { TASKS_AUTH: 'disabled', TASKS_HEAD_TIMEOUT_SECONDS: '1', TASKS_MAX_CONNECTIONS: '2' } });
    const port = Number(new URL(h.base).port);
    const kept = await rawClient(port);
    kept.socket.write(head('GET', '/healthz', {}));
    await within(new Promise<void>((r) => kept.socket.on('data', () => r())), 1000, 'answer');
    const idleMs = 1500;
    await new Promise((r) => setTimeout(r, idleMs));
    expect(kept.socket.destroyed).toBe(false);
    const fresh = await rawClient(port); // a second, newer idle connection: the cap is reached
    expect((await h.post({ ...taskHeaders('newcomer'), Connection: 'close' })).status).toBe(200);
    await within(kept.closed, 1000, 'eviction of the oldest idle connection');
    expect(fresh.socket.destroyed).toBe(false);
    fresh.socket.destroy();
  });

  test("Node's head timer follows TASKS_HEAD_TIMEOUT_SECONDS; keep-alive stays KEEP_ALIVE_MS (65 s)", async () => {
    h = await startHandler(recordingWork().work, { env: { TASKS_AUTH: 'disabled', TASKS_HEAD_TIMEOUT_SECONDS: '3' } });
    expect(h.server.server.headersTimeout).toBe(3000);
    expect(h.server.server.keepAliveTimeout).toBe(KEEP_ALIVE_MS);
    expect(KEEP_ALIVE_MS).toBe(65_000);
  });

  test('a connection serving a request is not closed as idle while its work runs', async () => {
    const g = gate();
    const rec = recordingWork(() => g.promise);
    h = await startHandler(rec.work, { env: { TASKS_AUTH: 'disabled', TASKS_HEAD_TIMEOUT_SECONDS: '1' } });
    const answer = h.post(taskHeaders('long-work'));
    await new Promise((r) => setTimeout(r, 1500));
    g.open();
    expect((await answer).status).toBe(200);
  });
});

describe('timers and shutdown', () => {
  let h: Harness;
  afterEach(() => h?.close());

  test('a finished task leaves no work-timeout timer behind', async () => {
    h = await startHandler(recordingWork().work, { env: { TASKS_AUTH: 'disabled' } });
    const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    expect((await h.post(taskHeaders('warm-up'))).status).toBe(200);
    const before = timers();
    for (let i = 0; i < 20; i++) expect((await h.post(taskHeaders(`t-${i}`))).status).toBe(200);
    expect(timers() - before).toBeLessThan(5);
  });

  test('shutdown with no work running returns at once, though a body is still arriving', async () => {
    h = await startHandler(recordingWork().work, { env: { TASKS_AUTH: 'disabled' } });
    const c = await rawClient(Number(new URL(h.base).port));
    c.socket.write(head('POST', '/tasks', { ...taskHeaders('half'), 'Content-Length': '100' }) + '{"a":');
    await new Promise((r) => setTimeout(r, 100));
    const ms = await within(h.server.shutdown(5000), 4000, 'shutdown');
    expect(ms).toBeLessThan(1000);
  });

  test('a body completed after shutdown began starts no work: 503 while other work drains', async () => {
    const g = gate();
    const rec = recordingWork(() => g.promise);
    h = await startHandler(rec.work, { env: { TASKS_AUTH: 'disabled' } });
    const first = h.post(taskHeaders('running'));
    await new Promise<void>((r) => {
      const poll = () => (rec.ran.length === 1 ? r() : setTimeout(poll, 5));
      poll();
    });
    const c = await rawClient(Number(new URL(h.base).port));
    c.socket.write(head('POST', '/tasks', { ...taskHeaders('late-body'), 'Content-Length': '2' }));
    await new Promise((r) => setTimeout(r, 50));
    const stopping = h.server.shutdown(5000);
    c.socket.write('{}');
    await within(new Promise<void>((r) => c.socket.on('data', () => c.received().includes('\r\n\r\n') && r())), 2000, 'answer');
    expect(c.received()).toMatch(/^HTTP\/1\.1 503 /);
    g.open();
    expect((await first).status).toBe(200);
    await stopping;
    expect(rec.ran.map((t) => t.context.taskName)).toEqual(['running']);
  });
});
