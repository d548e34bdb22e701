// The dispatcher alone, driven tick by tick against a scripted target: deadlines, Retry-After, retry
// duration, pause, and the queue's URI override as the target sees it.
import { ServerResponse } from 'node:http';
import { Dispatcher, QueueConfig, targetUrl } from '../../local';
import { dispatcherSuite, queue, QUEUE, sleep, task } from './dispatcher-harness';
import { eventually } from './helpers';

describe('Dispatcher', () => {
  const h = dispatcherSuite({ signer: { idToken: async () => 'test-token' } as never });

  /** One tick, then wait until the attempt is logged. */
  async function attempt(dispatcher: Dispatcher, count = 1): Promise<Record<string, unknown>> {
    dispatcher.tick();
    await eventually(() => h.logs.length >= count);
    return h.logs[count - 1];
  }

  test('a handler that never answers is cut off at the dispatch deadline and reported as 504', async () => {
    const { dispatcher } = await h.setup(() => true /* never answers */, (port) => queue(port));
    h.store.add(task('slow', { deadlineSeconds: 0.2 }));
    const started = Date.now();
    const log = await attempt(dispatcher);
    expect(log).toMatchObject({ status: 504, outcome: 'retry' });
    expect(Date.now() - started).toBeLessThan(3000);
    expect(h.store.get(`${QUEUE}/tasks/slow`)?.previousResponse).toBe(504);
  });

  // Each row: status, Retry-After header, and the delay the task must wait (the queue's backoff is 50 ms).
  const retryAfter: Array<[number, string | undefined, number]> = [
    [429, '7', 7000],
    [503, '7', 7000],
    [503, '2.5', 2500],
    [500, '7', 50], // only 429 and 503 honour Retry-After
    [429, 'soon', 50], // not a number: ignored
    [429, '0', 50], // zero: ignored
    [503, undefined, 50],
  ];
  test.each(retryAfter)('a %i with Retry-After %p waits %i ms', async (status, header, delay) => {
    const { dispatcher } = await h.setup((res) => {
      res.writeHead(status, header === undefined ? {} : { 'Retry-After': header }).end();
    }, (port) => queue(port));
    h.store.add(task('busy'));
    const before = Date.now();
    const log = await attempt(dispatcher);
    expect(log).toMatchObject({ status, outcome: 'retry', retryInMs: delay });
    const next = h.store.get(`${QUEUE}/tasks/busy`)!.scheduleMs;
    expect(next).toBeGreaterThanOrEqual(before + delay);
    expect(next).toBeLessThan(Date.now() + delay + 1);
  });

  test('Retry-After shorter than the backoff does not shorten it', async () => {
    const { dispatcher } = await h.setup((res) => void res.writeHead(429, { 'Retry-After': '1' }).end(), (port) => queue(port, { retry: { minBackoff: 5, maxBackoff: 10 } }));
    h.store.add(task('patient'));
    expect(await attempt(dispatcher)).toMatchObject({ retryInMs: 5000 });
  });

  test('maxRetryDuration counts from the first attempt, not the current one', async () => {
    const { dispatcher } = await h.setup((res) => void res.writeHead(500).end(), (port) => queue(port, { retry: { maxAttempts: 1, maxRetryDuration: 5 } }));
    const t = task('old');
    h.store.add(t);
    // An earlier attempt 10 s ago: the 5 s retry window has passed, and the attempt limit (1) is reached.
    const tenSecondsAgo = Date.now() - 10_000;
    h.store.recordFailure(t, { scheduleTime: tenSecondsAgo, dispatchTime: tenSecondsAgo, responseStatus: 500 }, 500, true, 'INTERNAL', Date.now());
    const log = await attempt(dispatcher);
    expect(log).toMatchObject({ outcome: 'dropped', attempt: 2 });
    expect(h.store.get(t.name)).toBeUndefined();
    expect(h.store.droppedTasks()).toEqual([expect.objectContaining({ name: t.name, attempts: 2, lastStatus: 500 })]);
  });

  test('within maxRetryDuration a task is retried even past maxAttempts', async () => {
    const { dispatcher } = await h.setup((res) => void res.writeHead(500).end(), (port) => queue(port, { retry: { maxAttempts: 1, maxRetryDuration: 60 } }));
    h.store.add(task('young'));
    expect(await attempt(dispatcher)).toMatchObject({ outcome: 'retry', attempt: 1 });
  });

  test('a paused queue dispatches nothing; resuming dispatches the waiting task once', async () => {
    const { dispatcher, target, config } = await h.setup((res) => void res.end('ok'), (port) => queue(port));
    h.store.add(task('waiting'));
    h.store.setPaused(config.path, true);
    dispatcher.tick();
    dispatcher.tick();
    await new Promise((r) => setTimeout(r, 100)); // time enough for a dispatch to arrive, if one had started
    expect(target.seen).toHaveLength(0);
    expect(h.store.get(`${QUEUE}/tasks/waiting`)).toBeDefined();
    h.store.setPaused(config.path, false);
    expect(await attempt(dispatcher)).toMatchObject({ outcome: 'acknowledged', status: 200 });
    expect(target.seen).toHaveLength(1);
  });

  test('the queue URI override (path and query) is what the target receives', async () => {
    const { dispatcher, target } = await h.setup((res) => void res.end('ok'), (port) => queue(port, { uri: { path: '/override', query: 'source=queue' } }));
    h.store.add(task('routed', { url: 'http://producer.invalid:1/producer-path?producer=1' }));
    await attempt(dispatcher);
    expect(target.seen[0]).toMatchObject({ method: 'POST', url: '/override?source=queue' });
    expect(target.seen[0].headers.host).toBe(`127.0.0.1:${target.port}`);
  });
});

describe('targetUrl (the queue URI override)', () => {
  const q = (uriOverride: NonNullable<NonNullable<QueueConfig['httpTarget']>['uriOverride']>): QueueConfig => ({
    path: QUEUE,
    httpTarget: { uriOverride, headers: {} },
    rate: { maxDispatchesPerSecond: 1, maxConcurrentDispatches: 1 },
    retry: { maxAttempts: 1, maxRetryDuration: 0, minBackoff: 1, maxBackoff: 1, maxDoublings: 0 },
  });
  const producerUrl = 'https://producer.example.com/original/path?original=1';

  test.each([
    ['scheme', { scheme: 'HTTP' as const }, 'http://producer.example.com/original/path?original=1'],
    ['host', { host: 'handler.example.com' }, 'https://handler.example.com/original/path?original=1'],
    ['port', { port: 8443 }, 'https://producer.example.com:8443/original/path?original=1'],
    ['path', { path: '/tasks' }, 'https://producer.example.com/tasks?original=1'],
    ['query', { query: 'a=1&b=2' }, 'https://producer.example.com/original/path?a=1&b=2'],
  ])('ALWAYS replaces the %s and keeps the rest', (_field, over, expected) => {
    expect(targetUrl({ url: producerUrl }, q({ enforceMode: 'ALWAYS', ...over }))).toBe(expected);
  });

  test('IF_NOT_EXISTS keeps a URL the producer set', () => {
    expect(targetUrl({ url: producerUrl }, q({ enforceMode: 'IF_NOT_EXISTS', host: 'handler.example.com', path: '/tasks' }))).toBe(producerUrl);
  });

  test('a task without a URL (BufferTask) gets the override, HTTPS by default', () => {
    expect(targetUrl({}, q({ enforceMode: 'IF_NOT_EXISTS', host: 'handler.example.com', path: '/tasks' }))).toBe('https://handler.example.com/tasks');
    expect(targetUrl({}, q({ enforceMode: 'ALWAYS', scheme: 'HTTP', host: 'h.example.com', port: 8080 }))).toBe('http://h.example.com:8080/');
  });

  test('a task without a URL on a queue without an override is an error', () => {
    const none: QueueConfig = { ...q({ enforceMode: 'ALWAYS' }), httpTarget: { headers: {} } };
    expect(() => targetUrl({}, none)).toThrow('task has no URL and its queue no URI override');
  });
});

describe('Dispatcher: what the target receives, and the dispatcher lifecycle', () => {
  const h = dispatcherSuite({ signer: { idToken: async (email: string, audience: string) => `oidc:${email}:${audience}` } as never });
  const ok = (res: ServerResponse) => void res.end('ok');

  test('first attempt: Cloud Tasks headers, no previous-response headers; a retry carries them', async () => {
    let n = 0;
    const { target, dispatcher } = await h.setup((res) => void res.writeHead(++n === 1 ? 500 : 200).end(), (port) => queue(port));
    const t = task('headers', { scheduleMs: 1764100000123 });
    h.store.add(t);
    dispatcher.tick();
    await eventually(() => h.logs.length === 1);
    h.store.runNow(t.name);
    dispatcher.tick();
    await eventually(() => h.logs.length === 2);
    const [first, second] = target.seen.map((s) => s.headers);
    expect(first).toMatchObject({
      'user-agent': 'Google-Cloud-Tasks',
      'x-cloudtasks-queuename': 'orders',
      'x-cloudtasks-taskname': 'headers',
      'x-cloudtasks-taskretrycount': '0',
      'x-cloudtasks-taskexecutioncount': '0',
      'x-cloudtasks-tasketa': '1764100000.123000',
    });
    expect(first).not.toHaveProperty('x-cloudtasks-taskpreviousresponse');
    expect(first).not.toHaveProperty('x-cloudtasks-taskretryreason');
    // Present but empty on every retry, as recorded from the real service (whatever the previous failure).
    expect(second).toMatchObject({ 'x-cloudtasks-taskretrycount': '1', 'x-cloudtasks-taskpreviousresponse': '500', 'x-cloudtasks-taskretryreason': '' });
    expect(h.logs[1]).toMatchObject({ outcome: 'acknowledged', message: 'task headers acknowledged (200)', attempt: 2 });
    expect(h.logs[1].startDelayMs).toBeGreaterThanOrEqual(0);
  });

  test('headers Cloud Tasks ignores are never forwarded, even when stored or set by a queue override', async () => {
    const { target, dispatcher } = await h.setup(ok, (port) => ({ ...queue(port), httpTarget: { ...queue(port).httpTarget!, headers: { Host: 'override.example', 'X-Google-Foo': '1' } } }));
    h.store.add(task('reserved', { headers: { host: 'evil.example', 'x-cloudtasks-queuename': 'victim', 'Transfer-Encoding': 'chunked', 'X-AppEngine-Country': 'ZZ', 'X-Kept': 'yes' } }));
    dispatcher.tick();
    await eventually(() => h.logs.length === 1);
    const [seen] = target.seen.map((s) => s.headers);
    expect(seen.host).toBe(`127.0.0.1:${target.port}`);
    expect(seen['x-cloudtasks-queuename']).toBe('orders');
    expect(seen['transfer-encoding']).toBeUndefined();
    expect(seen['x-appengine-country']).toBeUndefined();
    expect(seen['x-google-foo']).toBeUndefined();
    expect(seen['x-kept']).toBe('yes');
  });

  test('a queue header override replaces a task header of any letter case', async () => {
    const { target, dispatcher } = await h.setup(ok, (port) => ({ ...queue(port), httpTarget: { ...queue(port).httpTarget!, headers: { 'X-Team': 'queue' } } }));
    h.store.add(task('case', { headers: { 'x-team': 'task', 'X-Other': 'kept' } }));
    dispatcher.tick();
    await eventually(() => h.logs.length === 1);
    expect(target.seen[0].headers['x-team']).toBe('queue');
    expect(target.seen[0].headers['x-other']).toBe('kept');
  });

  test('a queue without http_target: the task URL and the task OIDC token (audience defaulting to the URL)', async () => {
    const { target, dispatcher } = await h.setup(ok, () => ({ ...queue(0), httpTarget: undefined }));
    const url = `http://127.0.0.1:${target.port}/own?x=1`;
    h.store.add(task('own', { url, oidcToken: { serviceAccountEmail: 'sa@p.iam.gserviceaccount.com' } }));
    dispatcher.tick();
    await eventually(() => h.logs.length === 1);
    expect(target.seen[0]).toMatchObject({ url: '/own?x=1' });
    expect(target.seen[0].headers.authorization).toBe(`Bearer oidc:sa@p.iam.gserviceaccount.com:${url}`);
  });

  test('queue-level OAuth replaces a task OIDC token', async () => {
    const { target, dispatcher } = await h.setup(ok, (port) => ({ ...queue(port), httpTarget: { ...queue(port).httpTarget!, oauthToken: { serviceAccountEmail: 'q@p.iam.gserviceaccount.com', scope: 's' } } }));
    h.store.add(task('oauth', { oidcToken: { serviceAccountEmail: 'task@p.iam.gserviceaccount.com', audience: 'a' } }));
    dispatcher.tick();
    await eventually(() => h.logs.length === 1);
    expect(target.seen[0].headers.authorization).toBe('Bearer local-oauth-token-for-q@p.iam.gserviceaccount.com');
  });

  test('a GET dispatch sends no body', async () => {
    const { target, dispatcher } = await h.setup(ok, (port) => ({ ...queue(port), httpTarget: { ...queue(port).httpTarget!, httpMethod: 'GET' } }));
    h.store.add(task('get', { body: Buffer.from('ignored') }));
    dispatcher.tick();
    await eventually(() => h.logs.length === 1);
    expect(target.seen[0]).toMatchObject({ method: 'GET' });
    expect(target.seen[0].headers['content-length']).toBe('0');
  });

  test('a 3xx is not an acknowledgement', async () => {
    const { dispatcher } = await h.setup((res) => void res.writeHead(300).end(), (port) => queue(port));
    h.store.add(task('redirect'));
    dispatcher.tick();
    await eventually(() => h.logs.length === 1);
    expect(h.logs[0]).toMatchObject({ status: 300, outcome: 'retry' });
  });

  test('kick() dispatches at once between ticks, and again on a later kick', async () => {
    const { target, dispatcher } = await h.setup(ok, (port) => queue(port), { tickMs: 60_000 });
    dispatcher.start();
    h.store.add(task('k1'));
    await sleep(50);
    expect(target.seen).toHaveLength(0); // the interval tick is a minute away
    dispatcher.kick();
    await eventually(() => h.logs.length === 1);
    h.store.add(task('k2'));
    dispatcher.kick();
    await eventually(() => h.logs.length === 2);
    expect(target.seen.map((s) => s.headers['x-cloudtasks-taskname'])).toEqual(['k1', 'k2']);
  });

  test('kick() on a dispatcher that was never started dispatches nothing', async () => {
    const { target, dispatcher } = await h.setup(ok, (port) => queue(port));
    h.store.add(task('idle'));
    dispatcher.kick();
    await sleep(50);
    expect(target.seen).toHaveLength(0);
  });

  test('stop() aborts an attempt in flight: the task stays stored, unchanged and free to run again', async () => {
    const { dispatcher } = await h.setup(() => true /* never answers */, (port) => queue(port));
    const t = task('interrupted');
    h.store.add(t);
    dispatcher.tick();
    await eventually(() => h.store.takeDue(QUEUE, Date.now(), 10).length === 0); // leased: in flight
    const started = Date.now();
    await dispatcher.stop();
    expect(Date.now() - started).toBeLessThan(1500);
    expect(h.logs).toHaveLength(0); // not the handler's failure: nothing recorded
    expect(h.store.get(t.name)).toMatchObject({ dispatchCount: 0 });
    expect(h.store.takeDue(QUEUE, Date.now(), 10).map((r) => r.name)).toEqual([t.name]); // released
  });

  test('without a log function, attempts are logged as JSON lines on stdout', async () => {
    const write = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      const { dispatcher } = await h.setup(ok, (port) => queue(port), { log: false });
      h.store.add(task('stdout'));
      dispatcher.tick();
      await eventually(() => write.mock.calls.some((c) => String(c[0]).includes('"outcome":"acknowledged"')));
      const line = write.mock.calls.map((c) => String(c[0])).find((l) => l.includes('acknowledged'))!;
      expect(line.endsWith('\n')).toBe(true);
      expect(JSON.parse(line)).toMatchObject({ task: 'stdout', status: 200 });
    } finally {
      write.mockRestore();
    }
  });
});

