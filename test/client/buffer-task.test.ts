import { bufferTask, DuplicateTaskError, PermissionDeniedError, QueueNotFoundError, TaskValidationError, UnavailableError } from '../../client';
import { googleError, Recorder } from './recorder';

const QUEUE = 'projects/test-project/locations/us-central1/queues/orders';

describe('bufferTask', () => {
  let api: Recorder;
  beforeEach(async () => {
    api = await new Recorder().start();
    api.fallback = (r) => ({ status: 200, body: { task: { name: `${QUEUE}/tasks/${r.url.includes('/tasks/') ? r.url.split('/tasks/')[1].split(':')[0] : '7431'}`, scheduleTime: '2026-11-25T21:00:00Z' } } });
  });
  afterEach(() => api.stop());
  const opts = (more = {}) => ({ endpoint: api.endpoint, accessToken: 'token-abc', retry: { baseDelayMs: 1, maxDelayMs: 2 }, ...more });

  test('POSTs the raw JSON body to tasks:buffer with the bearer token and Content-Type', async () => {
    const task = await bufferTask(QUEUE, opts({ payload: { order: 42 } }));
    expect(api.requests).toHaveLength(1);
    const [req] = api.requests;
    expect(req.method).toBe('POST');
    expect(req.url).toBe(`/v2/${QUEUE}/tasks:buffer`);
    expect(req.headers.authorization).toBe('Bearer token-abc');
    expect(req.headers['content-type']).toBe('application/json');
    expect(req.body.toString()).toBe('{"order":42}');
    expect(task).toEqual({ name: `${QUEUE}/tasks/7431`, scheduleTime: new Date('2026-11-25T21:00:00Z') });
  });

  test('with a task id the URL is tasks/ID:buffer', async () => {
    const task = await bufferTask({ project: 'test-project', location: 'us-central1', queue: 'orders' }, opts({ taskId: 'order-42', payload: 'hello' }));
    expect(api.requests[0].url).toBe(`/v2/${QUEUE}/tasks/order-42:buffer`);
    expect(api.requests[0].headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(task.name).toBe(`${QUEUE}/tasks/order-42`);
  });

  test('bytes go as octet-stream; a caller Content-Type wins; extra headers pass through', async () => {
    await bufferTask(QUEUE, opts({ payload: Buffer.from([1, 2, 3]), headers: { 'content-type': 'application/x-protobuf', 'X-Team': 'a' } }));
    const [req] = api.requests;
    expect(req.headers['content-type']).toBe('application/x-protobuf');
    expect(req.headers['x-team']).toBe('a');
    expect([...req.body]).toEqual([1, 2, 3]);
  });

  test('uses CLOUD_TASKS_ENDPOINT when no endpoint is given', async () => {
    process.env.CLOUD_TASKS_ENDPOINT = api.endpoint;
    try {
      await bufferTask(QUEUE, { accessToken: 't', payload: 'x' });
    } finally {
      delete process.env.CLOUD_TASKS_ENDPOINT;
    }
    expect(api.requests).toHaveLength(1);
  });

  test('409 is a DuplicateTaskError and is not retried', async () => {
    api.script.push(googleError(409, 'ALREADY_EXISTS', 'Requested entity already exists'));
    await expect(bufferTask(QUEUE, opts({ taskId: 'dup' }))).rejects.toThrow(DuplicateTaskError);
    expect(api.requests).toHaveLength(1);
  });

  test('403 names the missing role', async () => {
    api.script.push(googleError(403, 'PERMISSION_DENIED', 'The principal lacks cloudtasks.tasks.create'));
    const err = await bufferTask(QUEUE, opts()).catch((e) => e);
    expect(err).toBeInstanceOf(PermissionDeniedError);
    expect(err.message).toMatch(/needs Cloud Tasks Enqueuer \(roles\/cloudtasks.enqueuer\) on the queue/);
  });

  test('404 shows the queue path', async () => {
    api.script.push(googleError(404, 'NOT_FOUND', 'Queue does not exist'));
    const err = await bufferTask(QUEUE, opts()).catch((e) => e);
    expect(err).toBeInstanceOf(QueueNotFoundError);
    expect(err.message).toContain(`queue not found at ${QUEUE}`);
  });

  test('503 then 200: a named task is retried and succeeds', async () => {
    api.script.push(googleError(503, 'UNAVAILABLE', 'try again'));
    const task = await bufferTask(QUEUE, opts({ taskId: 'safe-1' }));
    expect(api.requests).toHaveLength(2);
    expect(task.name).toBe(`${QUEUE}/tasks/safe-1`);
  });

  test('503 for an unnamed task is surfaced with the reason, not retried', async () => {
    api.script.push(googleError(503, 'UNAVAILABLE', 'try again'));
    const err = await bufferTask(QUEUE, opts()).catch((e) => e);
    expect(err).toBeInstanceOf(UnavailableError);
    expect(err.message).toMatch(/Not retried: the task has no name .* pass a taskId/);
    expect(api.requests).toHaveLength(1);
  });

  test('429 honours Retry-After', async () => {
    api.script.push({ ...googleError(429, 'RESOURCE_EXHAUSTED', 'slow down'), headers: { 'Retry-After': '1' } });
    const started = Date.now();
    await bufferTask(QUEUE, opts({ taskId: 'polite' }));
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(api.requests).toHaveLength(2);
  });

  test('a retry that finds the name taken reports the task as created once', async () => {
    api.script.push(googleError(503, 'UNAVAILABLE', 'lost response'), googleError(409, 'ALREADY_EXISTS', 'exists'));
    const task = await bufferTask(QUEUE, opts({ taskId: 'landed' }));
    expect(task).toEqual({ name: `${QUEUE}/tasks/landed`, deduplicated: true });
  });

  test('gives up after the configured attempts', async () => {
    api.fallback = () => googleError(503, 'UNAVAILABLE', 'down');
    const err = await bufferTask(QUEUE, opts({ taskId: 'doomed', retry: { attempts: 3, baseDelayMs: 1 } })).catch((e) => e);
    expect(err).toBeInstanceOf(UnavailableError);
    expect(err.message).toMatch(/Gave up after 3 attempts/);
    expect(api.requests).toHaveLength(3);
  });

  test.each([
    // Titles name each case: a title holding the 1 MB payload becomes part of Stryker's test-name pattern,
    // which then exceeds V8's regular-expression size limit and turns every covering mutant into an error.
    ['a task id with a space', { taskId: 'bad id!' }, /taskId must be letters, digits, "-" or "_", 1-500 characters, got "bad id!"/],
    ['a 501-character task id', { taskId: 'x'.repeat(501) }, /taskId must be/],
    ['a payload one byte over 1 MB', { payload: 'x'.repeat(1_000_001) }, /payload plus headers must be at most 1000000 bytes \(1 MB\), got 1000001/],
    ['a reserved X-CloudTasks- header', { headers: { 'X-CloudTasks-TaskName': 'spoof' } }, /header "X-CloudTasks-TaskName" uses a reserved prefix/],
  ] as const)('rejects %s before any network call', async (_case, bad, message) => {
    await expect(bufferTask(QUEUE, opts(bad))).rejects.toThrow(TaskValidationError);
    await expect(bufferTask(QUEUE, opts(bad))).rejects.toThrow(message);
    expect(api.requests).toHaveLength(0);
  });

  test('rejects a malformed queue path before any network call', async () => {
    await expect(bufferTask('orders', opts())).rejects.toThrow(/queue must be "projects\/PROJECT\/locations\/LOCATION\/queues\/QUEUE", got "orders"/);
    await expect(bufferTask({ project: 'test-project', location: 'us-central1', queue: 'bad_queue' }, opts())).rejects.toThrow(/queue must be letters, digits and hyphens/);
    expect(api.requests).toHaveLength(0);
  });

  test('a 307 from the endpoint is not followed: the payload is sent once, to the endpoint given', async () => {
    const elsewhere = await new Recorder().start();
    try {
      api.script.push({ status: 307, headers: { Location: `${elsewhere.endpoint}/steal` } });
      const err = await bufferTask(QUEUE, opts({ payload: { secret: 1 } })).catch((e) => e);
      expect(err.message).toMatch(/HTTP 307 redirect to ".*\/steal", not followed/);
      expect(api.requests).toHaveLength(1);
      expect(elsewhere.requests).toHaveLength(0);
    } finally {
      await elsewhere.stop();
    }
  });

  test('a header value with CR/LF is refused before any request', async () => {
    await expect(bufferTask(QUEUE, opts({ payload: 'x', headers: { 'X-A': 'b\r\nX-Injected: 1' } }))).rejects.toThrow(/header "X-A" contains a line break \(CR\/LF\) or NUL/);
    expect(api.requests).toHaveLength(0);
  });

});
