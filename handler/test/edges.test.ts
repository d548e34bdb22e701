// Edges of the request cycle that the main suites do not pin down: what is logged, odd bodies, odd failures.
import { request } from 'node:http';
import { connect } from 'node:net';
import { parseTaskContext } from '../src/context';
import { InMemoryIdempotencyStore } from '../src/idempotency';
import { sampleWork } from '../src/work';
import { claims, gate, Harness, JwksServer, makeKey, recordingWork, sign, startHandler, taskHeaders } from './harness';

const noAuth = { TASKS_AUTH: 'disabled' };

describe('request edges', () => {
  let h: Harness;
  afterEach(() => h?.close());

  test('the log line of a failed retry carries the error, attempt, execution count, previous response and a sane latency', async () => {
    h = await startHandler(recordingWork(() => Promise.reject(new Error('db down'))).work, { env: noAuth });
    await h.post(taskHeaders('failing', { 'X-CloudTasks-TaskRetryCount': '4', 'X-CloudTasks-TaskExecutionCount': '2', 'X-CloudTasks-TaskPreviousResponse': '503' }));
    const line = h.logs.at(-1)!;
    expect(line).toMatchObject({
      severity: 'ERROR',
      message: 'task failing failed (500)',
      queue: 'orders',
      task: 'failing',
      attempt: 5,
      executionCount: 2,
      previousResponse: 503,
      outcome: 'failed',
      status: 500,
      detail: 'work failed: db down',
    });
    const latency = line.latencyMs as number;
    expect(latency).toBeGreaterThan(0);
    expect(latency).toBeLessThan(5000);
    expect(Math.round(latency * 100)).toBeCloseTo(latency * 100, 6); // at most two decimals
  });

  test('a successful task logs no detail field', async () => {
    h = await startHandler(recordingWork().work, { env: noAuth });
    await h.post(taskHeaders('fine'));
    expect(h.logs.at(-1)).not.toHaveProperty('detail');
  });

  test('work that throws a non-Error is still a clear 500', async () => {
    h = await startHandler(recordingWork(() => {
      throw 'plain string';
    }).work, { env: noAuth });
    const res = await h.post(taskHeaders('odd-throw'));
    expect(res).toMatchObject({ status: 500, body: { task: 'odd-throw', error: 'work failed: plain string' } });
  });

  test('an empty body is JSON null to the work', async () => {
    let seen: unknown = 'unset';
    h = await startHandler(recordingWork((t) => (seen = t.json())).work, { env: noAuth });
    expect((await h.post(taskHeaders('empty'), '')).status).toBe(200);
    expect(seen).toBeNull();
  });

  test('a chunked body in several pieces under the limit reaches the work whole', async () => {
    const rec = recordingWork();
    h = await startHandler(rec.work, { env: { ...noAuth, TASKS_MAX_BODY_BYTES: '1024' } });
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(`${h.base}/tasks`, { method: 'POST', headers: taskHeaders('pieces') }, (res) => {
        res.resume();
        resolve(res.statusCode!);
      });
      req.on('error', reject);
      req.write('{"a":"');
      setTimeout(() => {
        req.write('x'.repeat(500));
        req.end('"}');
      }, 20);
    });
    expect(status).toBe(200);
    expect(rec.ran[0].json()).toEqual({ a: 'x'.repeat(500) });
  });

  test('a client that hangs up mid-body is logged as client-closed (a WARNING), and the work never runs', async () => {
    const rec = recordingWork();
    h = await startHandler(rec.work, { env: noAuth });
    const socket = connect(Number(new URL(h.base).port), '127.0.0.1');
    socket.on('error', () => undefined);
    await new Promise((r) => socket.once('connect', r));
    socket.write(`POST /tasks HTTP/1.1\r\nHost: x\r\n${Object.entries(taskHeaders('hang-up')).map(([k, v]) => `${k}: ${v}\r\n`).join('')}Content-Length: 100\r\n\r\n{"part`);
    await new Promise((r) => setTimeout(r, 50));
    socket.destroy();
    const until = Date.now() + 3000;
    while (h.logs.length === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
    expect(h.logs.at(-1)).toMatchObject({ task: 'hang-up', status: 400, outcome: 'client-closed', severity: 'WARNING' });
    expect(rec.ran).toHaveLength(0);
  });

  test('the health check reports shutting-down (503) once shutdown starts', async () => {
    const g = gate();
    const rec = recordingWork(() => g.promise);
    h = await startHandler(rec.work, { env: noAuth });
    const inflight = h.post(taskHeaders('holding'));
    while (rec.ran.length === 0) await new Promise((r) => setTimeout(r, 5));
    const socket = connect(Number(new URL(h.base).port), '127.0.0.1');
    let text = '';
    socket.on('data', (d) => (text += d));
    await new Promise((r) => socket.once('connect', r));
    socket.write('GET /healthz HTTP/1.1\r\n'); // begun before shutdown: the connection is not idle
    await new Promise((r) => setTimeout(r, 50));
    const stopping = h.server.shutdown(5000);
    socket.write('Host: x\r\n\r\n');
    while (!text.includes('}')) await new Promise((r) => setTimeout(r, 5));
    expect(text).toMatch(/^HTTP\/1\.1 503 /);
    expect(text).toContain('{"status":"shutting-down"}');
    g.open();
    await inflight;
    await stopping;
  });
});

describe('small pieces', () => {
  test('complete() without begin() still marks the task done', () => {
    const store = new InMemoryIdempotencyStore();
    store.complete('q/t');
    expect(store.begin('q/t')).toBe('completed');
  });

  test('an empty retry count header counts as 0', () => {
    expect(parseTaskContext({ 'x-cloudtasks-taskname': 't', 'x-cloudtasks-taskretrycount': '' }).retryCount).toBe(0);
  });

  test('the sample work logs a payload up to 1024 characters as is, a longer one cut with an ellipsis', () => {
    const run = (payload: unknown) => {
      const logFields: Record<string, unknown> = {};
      const body = Buffer.from(JSON.stringify(payload));
      sampleWork({ body, logFields, json: () => JSON.parse(body.toString()) } as never);
      return logFields.payload;
    };
    const exact = { d: 'x'.repeat(1024 - 8) };
    expect(JSON.stringify(exact)).toHaveLength(1024);
    expect(run(exact)).toEqual(exact);
    const long = run({ d: 'y'.repeat(2000) }) as string;
    expect(long).toBe(`${JSON.stringify({ d: 'y'.repeat(2000) }).slice(0, 1024)}…`);
  });
});

describe('a valid token for the wrong account', () => {
  test('is a 403, logged as forbidden, and its connection is closed', async () => {
    const key = await makeKey('key-1');
    const jwks = await new JwksServer().start();
    jwks.keys = [key.publicJwk];
    const rec = recordingWork();
    const h = await startHandler(rec.work, { jwks });
    try {
      const res = await h.post({ ...taskHeaders('wrong-account'), Authorization: `Bearer ${await sign(key, claims({ email: 'other@p.iam.gserviceaccount.com' }))}` });
      expect(res.status).toBe(403);
      expect(res.headers.get('connection')).toBe('close');
      expect(h.logs.at(-1)).toMatchObject({ status: 403, outcome: 'forbidden', severity: 'WARNING' });
      expect(rec.ran).toHaveLength(0);
    } finally {
      await h.close();
      await jwks.stop();
    }
  });
});
