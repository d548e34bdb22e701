// Rate and concurrency limits, and a queue whose token the handler must refuse.
import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Task } from '../../handler/src/server';
import { backoffSeconds, QUEUE_DEFAULTS, retriesExhausted, targetUrl } from '../../local';
import { cleanup, freePort, queueConfig, runCleanup, startHandler, startLocal, eventually } from './helpers';

const auth = { Authorization: 'Bearer local', 'Content-Type': 'application/json' };

/** A bare recording endpoint: arrival times and how many requests are open at once. */
async function recorder(holdMs: number): Promise<{ url: string; arrivals: number[]; peak: () => number }> {
  const arrivals: number[] = [];
  let open = 0;
  let peak = 0;
  const server: Server = createServer((req, res) => {
    arrivals.push(Date.now());
    peak = Math.max(peak, ++open);
    req.resume();
    setTimeout(() => {
      open--;
      res.end('ok');
    }, holdMs);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanup.push(() => {
    server.closeAllConnections();
    return new Promise((r) => server.close(() => r(undefined)));
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, arrivals, peak: () => peak };
}

describe('dispatch limits', () => {
  afterEach(runCleanup);

  test('the observed dispatch rate stays within 10% of max_dispatches_per_second', async () => {
    const target = await recorder(0);
    const q = queueConfig(target.url, { rate: { maxDispatchesPerSecond: 20, maxConcurrentDispatches: 100 } });
    const { local } = await startLocal([q]);
    local.store.setPaused(q.path, true); // queue up first (CreateTask works on a paused queue), then release at once
    for (let i = 0; i < 41; i++) {
      const res = await fetch(`${local.endpoint}/v2/${q.path}/tasks`, { method: 'POST', headers: auth, body: '{"task":{"httpRequest":{}}}' });
      expect(res.status).toBe(200);
    }
    await fetch(`${local.endpoint}/v2/${q.path}:resume`, { method: 'POST', headers: auth });
    await eventually(() => target.arrivals.length === 41, 10_000);
    const a = target.arrivals;
    const rate = (a.length - 1) / ((a[a.length - 1] - a[0]) / 1000);
    expect(rate).toBeGreaterThan(18);
    expect(rate).toBeLessThan(22);
  }, 15_000);

  test('concurrency never exceeds max_concurrent_dispatches', async () => {
    const target = await recorder(100);
    const q = queueConfig(target.url, { rate: { maxDispatchesPerSecond: 500, maxConcurrentDispatches: 3 } });
    const { local } = await startLocal([q]);
    await Promise.all(Array.from({ length: 15 }, () => fetch(`${local.endpoint}/v2/${q.path}/tasks:buffer`, { method: 'POST', headers: auth, body: '{}' })));
    await eventually(() => target.arrivals.length === 15 && local.store.count(q.path) === 0);
    expect(target.peak()).toBe(3);
    expect(local.dispatcher.peakConcurrency.get(q.path)).toBe(3);
  });

  test('a queue whose audience the handler does not accept: every dispatch is 401 and retried, never processed', async () => {
    const port = await freePort();
    const ran: Task[] = [];
    const handler = await startHandler((t) => void ran.push(t), port, 'https://the-real-handler.example');
    const q = queueConfig(handler.url, { retry: { maxAttempts: 3, maxRetryDuration: 0, minBackoff: 0.02, maxBackoff: 0.05, maxDoublings: 1 } });
    const { local, logs } = await startLocal([q], { port });
    await fetch(`${local.endpoint}/v2/${q.path}/tasks/wrong-aud:buffer`, { method: 'POST', headers: auth, body: '{}' });
    await eventually(() => local.store.droppedTasks().length === 1);
    expect(ran).toHaveLength(0);
    const attempts = logs.filter((l) => l.task === 'wrong-aud');
    expect(attempts.map((l) => l.status)).toEqual([401, 401, 401]);
    expect(attempts.map((l) => l.outcome)).toEqual(['retry', 'retry', 'dropped']);
  });
});

describe('retry arithmetic', () => {
  test('backoff follows the documented example: 10, 20, 40, 80, 160, 240, 300, 300', () => {
    const retry = { ...QUEUE_DEFAULTS.retry, minBackoff: 10, maxBackoff: 300, maxDoublings: 3 };
    expect([1, 2, 3, 4, 5, 6, 7, 8].map((n) => backoffSeconds(n, retry))).toEqual([10, 20, 40, 80, 160, 240, 300, 300]);
  });

  test('retries stop only when both max attempts and max retry duration are used up', () => {
    const retry = { ...QUEUE_DEFAULTS.retry, maxAttempts: 3, maxRetryDuration: 60 };
    expect(retriesExhausted(3, 0, 30_000, retry)).toBe(false); // attempts used, time left
    expect(retriesExhausted(2, 0, 90_000, retry)).toBe(false); // time used, attempts left
    expect(retriesExhausted(3, 0, 60_000, retry)).toBe(true);
    expect(retriesExhausted(1000, 0, 1e9, { ...retry, maxAttempts: -1 })).toBe(false); // unlimited attempts
    expect(retriesExhausted(3, 0, 0, { ...retry, maxRetryDuration: 0 })).toBe(true); // 0 = no time limit
  });

  test('URI override: ALWAYS rewrites the set parts; IF_NOT_EXISTS keeps a task URL', () => {
    const q = queueConfig('http://127.0.0.1:8081');
    expect(targetUrl({ url: 'https://elsewhere.example/p?x=1' }, q)).toBe('http://127.0.0.1:8081/tasks?x=1');
    expect(targetUrl({}, q)).toBe('http://127.0.0.1:8081/tasks');
    const keep = { ...q, httpTarget: { ...q.httpTarget!, uriOverride: { ...q.httpTarget!.uriOverride!, enforceMode: 'IF_NOT_EXISTS' as const } } };
    expect(targetUrl({ url: 'https://elsewhere.example/p' }, keep)).toBe('https://elsewhere.example/p');
    expect(targetUrl({}, keep)).toBe('http://127.0.0.1:8081/tasks');
  });
});

