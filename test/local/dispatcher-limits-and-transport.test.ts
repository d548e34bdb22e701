// The dispatcher against a scripted target: the concurrency limit when RunTask has overfilled a queue,
// RunTask's answers, HEAD bodies, log entries, TLS for https targets, a quick stop, and no timer left behind.
import { createServer as createTcpServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { Dispatcher, QueueConfig, targetUrl } from '../../local';
import { dispatcherSuite, queue, QUEUE, sleep, task } from './dispatcher-harness';
import { eventually } from './helpers';

describe('Dispatcher: limits, RunTask, logs and transport', () => {
  // A minute between interval ticks: after start() the interval dispatches nothing during a test; the tests tick by hand.
  const h = dispatcherSuite({ signer: { idToken: async () => 'test-token' } as never, tickMs: 60_000 });

  test('GIVEN RunTask pushed a queue past maxConcurrentDispatches WHEN the dispatcher ticks THEN no further due task starts', async () => {
    const { target, dispatcher, config } = await h.setup(() => true /* never answers */, (port) => queue(port, { rate: { maxDispatchesPerSecond: 500, maxConcurrentDispatches: 1 } }));
    dispatcher.start();
    h.store.add(task('forced-1', { scheduleMs: Date.now() + 60_000 }));
    h.store.add(task('forced-2', { scheduleMs: Date.now() + 60_000 }));
    expect(dispatcher.runNow(config, `${QUEUE}/tasks/forced-1`)).toBe(true);
    expect(dispatcher.runNow(config, `${QUEUE}/tasks/forced-2`)).toBe(true);
    await eventually(() => target.seen.length === 2);
    h.store.add(task('due-1'));
    h.store.add(task('due-2'));
    dispatcher.tick();
    await sleep(100); // time enough for a dispatch to arrive, if one had started
    expect(target.seen.map((s) => s.headers['x-cloudtasks-taskname'])).toEqual(['forced-1', 'forced-2']);
  });

  test('GIVEN a started dispatcher WHEN RunTask names a missing task or one already in flight THEN it answers false; a stored task THEN true', async () => {
    const { target, dispatcher, config } = await h.setup(() => true /* never answers */, (port) => queue(port));
    dispatcher.start();
    h.store.add(task('run-me', { scheduleMs: Date.now() + 60_000 }));
    expect(dispatcher.runNow(config, `${QUEUE}/tasks/missing`)).toBe(false);
    expect(dispatcher.runNow(config, `${QUEUE}/tasks/run-me`)).toBe(true);
    await eventually(() => target.seen.length === 1);
    expect(dispatcher.runNow(config, `${QUEUE}/tasks/run-me`)).toBe(false);
    expect(target.seen).toHaveLength(1);
  });

  test('GIVEN a dispatcher that was never started WHEN RunTask names a task THEN it answers true, sends nothing and makes the task due now', async () => {
    const { target, dispatcher, config } = await h.setup(() => void 0, (port) => queue(port));
    h.store.add(task('later', { scheduleMs: Date.now() + 60_000 }));
    const before = Date.now();
    expect(dispatcher.runNow(config, `${QUEUE}/tasks/later`)).toBe(true);
    await sleep(50);
    expect(target.seen).toHaveLength(0);
    expect(h.store.get(`${QUEUE}/tasks/later`)!.scheduleMs).toBeLessThanOrEqual(Date.now());
    expect(h.store.get(`${QUEUE}/tasks/later`)!.scheduleMs).toBeGreaterThanOrEqual(before);
  });

  test('GIVEN a HEAD queue WHEN a task with a body is dispatched THEN the target gets no body', async () => {
    const { target, dispatcher } = await h.setup((res) => void res.end(), (port) => ({ ...queue(port), httpTarget: { ...queue(port).httpTarget!, httpMethod: 'HEAD' } }));
    h.store.add(task('head', { body: Buffer.from('ignored') }));
    dispatcher.tick();
    await eventually(() => h.logs.length === 1);
    expect(target.seen[0]).toMatchObject({ method: 'HEAD' });
    expect(target.seen[0].headers['content-length']).toBe('0');
  });

  test('GIVEN a handler that acknowledges WHEN the attempt is logged THEN it is INFO with a plausible latency', async () => {
    const { dispatcher } = await h.setup((res) => void res.end('ok'), (port) => queue(port));
    h.store.add(task('fine'));
    const before = Date.now();
    dispatcher.tick();
    await eventually(() => h.logs.length === 1);
    expect(h.logs[0]).toMatchObject({ severity: 'INFO', queue: 'orders', task: 'fine', attempt: 1, status: 200, outcome: 'acknowledged' });
    expect(h.logs[0].latencyMs).toBeGreaterThanOrEqual(0);
    expect(h.logs[0].latencyMs).toBeLessThanOrEqual(Date.now() - before);
  });

  test('GIVEN a failing handler WHEN the task is retried and finally dropped THEN the log messages say so', async () => {
    const { dispatcher } = await h.setup((res) => void res.writeHead(500).end(), (port) => queue(port, { retry: { maxAttempts: 2, maxRetryDuration: 0, minBackoff: 0.05, maxBackoff: 0.05, maxDoublings: 0 } }));
    h.store.add(task('doomed'));
    dispatcher.tick();
    await eventually(() => h.logs.length === 1);
    expect(h.logs[0]).toMatchObject({ severity: 'WARNING', message: 'task doomed failed (500); retry in 50 ms', outcome: 'retry', retryInMs: 50 });
    h.store.runNow(`${QUEUE}/tasks/doomed`);
    dispatcher.tick();
    await eventually(() => h.logs.length === 2);
    expect(h.logs[1]).toMatchObject({ severity: 'ERROR', message: 'task doomed dropped after 2 attempts (last 500)', outcome: 'dropped' });
  });

  test('GIVEN a 429 with a negative Retry-After WHEN the retry is scheduled THEN the queue backoff applies', async () => {
    const { dispatcher } = await h.setup((res) => void res.writeHead(429, { 'Retry-After': '-5' }).end(), (port) => queue(port));
    h.store.add(task('negative'));
    dispatcher.tick();
    await eventually(() => h.logs.length === 1);
    expect(h.logs[0]).toMatchObject({ status: 429, outcome: 'retry', retryInMs: 50 });
  });

  test('GIVEN an https target WHEN a task is dispatched THEN the connection starts with a TLS handshake', async () => {
    const firstBytes: Buffer[] = [];
    const tcp = createTcpServer((socket) => {
      socket.once('data', (d: Buffer) => {
        firstBytes.push(d);
        socket.destroy();
      });
    });
    await new Promise<void>((r) => tcp.listen(0, '127.0.0.1', r));
    h.stops.push(() => new Promise<void>((r) => tcp.close(() => r())));
    const port = (tcp.address() as AddressInfo).port;
    const dispatcher = new Dispatcher({ store: h.store, signer: h.signer, queues: [queue(0, { httpTarget: undefined })], log: (e) => h.logs.push(e) });
    h.stops.push(() => dispatcher.stop());
    h.store.add(task('tls', { url: `https://127.0.0.1:${port}/tasks` }));
    dispatcher.tick();
    await eventually(() => h.logs.length === 1);
    expect(firstBytes[0][0]).toBe(0x16); // TLS record type: handshake (a plain-HTTP request would start with 'P')
    expect(h.logs[0]).toMatchObject({ status: 503, outcome: 'retry' });
  });

  test('GIVEN nothing in flight WHEN the dispatcher stops THEN stop() returns at once', async () => {
    const { dispatcher } = await h.setup((res) => void res.end('ok'), (port) => queue(port));
    dispatcher.start();
    const started = Date.now();
    await dispatcher.stop();
    expect(Date.now() - started).toBeLessThan(1000);
  });
});

describe('targetUrl: an override without a host', () => {
  test('GIVEN a task without a URL and an override without host or scheme WHEN the URL is built THEN it is https://invalid with the override path', () => {
    const q: QueueConfig = {
      path: QUEUE,
      httpTarget: { uriOverride: { enforceMode: 'ALWAYS', path: '/tasks' }, headers: {} },
      rate: { maxDispatchesPerSecond: 1, maxConcurrentDispatches: 1 },
      retry: { maxAttempts: 1, maxRetryDuration: 0, minBackoff: 1, maxBackoff: 1, maxDoublings: 0 },
    };
    expect(targetUrl({}, q)).toBe('https://invalid/tasks');
  });
});
