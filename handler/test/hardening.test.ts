// Slow, oversized and unauthenticated clients: each is answered promptly and cannot hold a connection.
import { request } from 'node:http';
import { BadRequestError } from '../src/context';
import { gate, Harness, recordingWork, startHandler, taskHeaders } from './harness';
import { rawClient } from './raw-client';

const noAuth = { TASKS_AUTH: 'disabled' };

function head(headers: Record<string, string>, path = '/tasks'): string {
  return `POST ${path} HTTP/1.1\r\nHost: localhost\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`;
}

async function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} not within ${ms} ms`)), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

describe('handler hardening', () => {
  let h: Harness;
  afterEach(() => h?.close());

  test('an unauthenticated request is answered 401 and its connection closed without reading the rest of its body', async () => {
    const rec = recordingWork();
    h = await startHandler(rec.work); // auth on
    const c = await rawClient(Number(new URL(h.base).port));
    c.socket.write(head({ ...taskHeaders('unauth'), 'Content-Length': String(10 * 1024 * 1024) }));
    c.socket.write(Buffer.alloc(16 * 1024, 'x')); // 16 KB of the declared 10 MB, then nothing more
    await within(c.closed, 3000, 'connection close');
    expect(c.received()).toMatch(/^HTTP\/1\.1 401 /);
    expect(c.received()).toMatch(/\r\nconnection: close\r\n/i);
    expect(rec.ran).toHaveLength(0);
    expect(h.logs.at(-1)).toMatchObject({ status: 401, outcome: 'unauthenticated', severity: 'WARNING' });
  });

  test('a body that arrives too slowly is answered 408 and logged as a body timeout, not a failed task', async () => {
    const rec = recordingWork();
    h = await startHandler(rec.work, { env: { ...noAuth, TASKS_BODY_TIMEOUT_SECONDS: '1' } });
    const c = await rawClient(Number(new URL(h.base).port));
    c.socket.write(head({ ...taskHeaders('slow-body'), 'Content-Length': '100' }));
    c.socket.write('{"partial":');
    const started = Date.now();
    await within(c.closed, 4000, 'connection close');
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(c.received()).toMatch(/^HTTP\/1\.1 408 /);
    expect(c.received()).toContain('request body not received within 1000 ms');
    expect(rec.ran).toHaveLength(0);
    expect(h.logs.at(-1)).toMatchObject({ status: 408, outcome: 'body-timeout', severity: 'WARNING', task: 'slow-body' });
  });

  test('the body timeout defaults to 10 s, far below the work timeout', async () => {
    h = await startHandler(recordingWork().work, { env: noAuth });
    expect(h.config.bodyTimeoutMs).toBe(10_000);
    expect(h.config.workTimeoutMs).toBe(595_000);
  });

  test('a chunked body over the limit is a 413 and the work never runs', async () => {
    const rec = recordingWork();
    h = await startHandler(rec.work, { env: { ...noAuth, TASKS_MAX_BODY_BYTES: '1024' } });
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(`${h.base}/tasks`, { method: 'POST', headers: taskHeaders('chunked') }, (res) => {
        res.resume();
        resolve(res.statusCode!);
      });
      req.on('error', reject);
      expect(req.getHeader('content-length')).toBeUndefined(); // chunked transfer encoding
      for (let i = 0; i < 4; i++) req.write(Buffer.alloc(512, 'x'));
      req.end();
    });
    expect(status).toBe(413);
    expect(rec.ran).toHaveLength(0);
    expect(h.logs.at(-1)).toMatchObject({ status: 413, outcome: 'too-large', severity: 'WARNING' });
  });

  test('a declared Content-Length over the limit is a 413 at once, before any body arrives', async () => {
    const rec = recordingWork();
    h = await startHandler(rec.work, { env: { ...noAuth, TASKS_MAX_BODY_BYTES: '1024' } });
    const c = await rawClient(Number(new URL(h.base).port));
    c.socket.write(head({ ...taskHeaders('declared'), 'Content-Length': '2000' })); // no body sent at all
    await within(c.closed, 3000, 'connection close');
    expect(c.received()).toMatch(/^HTTP\/1\.1 413 /);
    expect(rec.ran).toHaveLength(0);
  });

  test('at TASKS_MAX_CONNECTIONS with every connection serving a request, a new connection is closed on arrival', async () => {
    const g = gate();
    const rec = recordingWork(() => g.promise);
    h = await startHandler(rec.work, { env: { ...noAuth, TASKS_MAX_CONNECTIONS: '2' } });
    const port = Number(new URL(h.base).port);
    const busy = [await rawClient(port), await rawClient(port)];
    busy.forEach((c, i) => c.socket.write(head({ ...taskHeaders(`busy-${i}`), 'Content-Length': '2' }) + '{}'));
    await new Promise<void>((r) => {
      const poll = () => (rec.ran.length === 2 ? r() : setTimeout(poll, 5));
      poll();
    });
    const third = await rawClient(port);
    third.socket.write(head(taskHeaders('third')));
    await within(third.closed, 3000, 'third connection close');
    expect(third.received()).toBe('');
    g.open();
    for (const c of busy) {
      await within(new Promise<void>((r) => c.socket.on('data', () => c.received().includes('processed') && r())), 3000, 'busy answer');
      c.socket.destroy();
    }
  });

  test('at TASKS_MAX_CONNECTIONS a new connection evicts the oldest idle one and is served', async () => {
    h = await startHandler(recordingWork().work, { env: { ...noAuth, TASKS_MAX_CONNECTIONS: '2' } });
    const port = Number(new URL(h.base).port);
    const oldest = await rawClient(port);
    oldest.socket.write('POST /tasks HTTP/1.1\r\n'); // half a request head: not serving anything yet
    await new Promise((r) => setTimeout(r, 50));
    const newer = await rawClient(port);
    await new Promise((r) => setTimeout(r, 50));
    expect((await h.post(taskHeaders('newcomer'))).status).toBe(200);
    await within(oldest.closed, 1000, 'oldest idle connection close');
    expect(newer.socket.destroyed).toBe(false);
    newer.socket.destroy();
  });

  test('CONNECT is answered 405 rather than dropped', async () => {
    h = await startHandler(recordingWork().work, { env: noAuth });
    const c = await rawClient(Number(new URL(h.base).port));
    c.socket.write('CONNECT evil.example:443 HTTP/1.1\r\nHost: evil.example:443\r\n\r\n');
    await within(c.closed, 3000, 'connection close');
    expect(c.received()).toMatch(/^HTTP\/1\.1 405 Method Not Allowed\r\nAllow: POST\r\n/);
  });

  test('Node never cuts a request that Cloud Tasks is still waiting for', async () => {
    h = await startHandler(recordingWork().work, { env: { ...noAuth, TASKS_DISPATCH_DEADLINE_SECONDS: '900' } });
    expect(h.server.server.requestTimeout).toBeGreaterThan(900_000);
  });
});

describe('log severity follows the status class', () => {
  let h: Harness;
  afterEach(() => h?.close());

  test.each([
    [200, 'INFO', () => undefined],
    [400, 'WARNING', () => {
      throw new BadRequestError('bad payload');
    }],
    [500, 'ERROR', () => {
      throw new Error('boom');
    }],
  ])('a %i is logged as %s', async (status, severity, impl) => {
    h = await startHandler(recordingWork(impl).work, { env: noAuth });
    expect((await h.post(taskHeaders(`sev-${status}`))).status).toBe(status);
    expect(h.logs.at(-1)).toMatchObject({ status, severity });
  });

  test('a 409 (duplicate in progress) is a WARNING and a 503 (work timeout) an ERROR', async () => {
    const g = gate();
    h = await startHandler(recordingWork(() => g.promise).work, { env: { ...noAuth, TASKS_DISPATCH_DEADLINE_SECONDS: '15', TASKS_WORK_TIMEOUT_SECONDS: '1' } });
    const first = h.post(taskHeaders('sev-busy'));
    const second = await h.post(taskHeaders('sev-busy')).catch(() => undefined);
    expect(second?.status).toBe(409);
    expect(h.logs.at(-1)).toMatchObject({ status: 409, severity: 'WARNING' });
    expect((await first).status).toBe(503);
    expect(h.logs.at(-1)).toMatchObject({ status: 503, severity: 'ERROR' });
    g.open();
  });
});

describe('shutdown', () => {
  let h: Harness;
  afterEach(() => h?.close());

  test('a request arriving on an open connection after shutdown starts is answered 503 with Retry-After', async () => {
    const g = gate();
    const rec = recordingWork(() => g.promise);
    h = await startHandler(rec.work, { env: noAuth });
    const inflight = h.post(taskHeaders('first'));
    await new Promise<void>((r) => {
      const poll = () => (rec.ran.length === 1 ? r() : setTimeout(poll, 5));
      poll();
    });
    const c = await rawClient(Number(new URL(h.base).port));
    c.socket.write('POST /tasks HTTP/1.1\r\nHost: localhost\r\n'); // the request has begun: not an idle connection
    await new Promise((r) => setTimeout(r, 50));
    const stopping = h.server.shutdown(5000);
    c.socket.write(`${Object.entries(taskHeaders('late')).map(([k, v]) => `${k}: ${v}\r\n`).join('')}Content-Length: 2\r\n\r\n{}`);
    await within(new Promise<void>((r) => c.socket.on('data', () => c.received().includes('\r\n\r\n') && r())), 3000, 'answer');
    expect(c.received()).toMatch(/^HTTP\/1\.1 503 /);
    expect(c.received()).toMatch(/\r\nretry-after: 10\r\n/i);
    g.open();
    expect((await inflight).status).toBe(200);
    await stopping;
    expect(rec.ran.map((t) => t.context.taskName)).toEqual(['first']);
  });

  test('shutdown returns as soon as the last in-flight task ends, not after the grace period', async () => {
    const g = gate();
    const rec = recordingWork(() => g.promise);
    h = await startHandler(rec.work, { env: noAuth });
    const inflight = h.post(taskHeaders('draining'));
    await new Promise<void>((r) => {
      const poll = () => (rec.ran.length === 1 ? r() : setTimeout(poll, 5));
      poll();
    });
    expect(h.server.activeTasks).toBe(1);
    const started = Date.now();
    const stopping = h.server.shutdown(20_000);
    g.open();
    expect((await inflight).status).toBe(200);
    await stopping;
    expect(Date.now() - started).toBeLessThan(3000);
    expect(h.server.activeTasks).toBe(0);
  });
});
