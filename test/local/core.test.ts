// The core's rules (shared by the REST and gRPC faces), plain REST JSON for what the official client's protos
// cannot carry (Queue.httpTarget), and queues that persist in the store.
import { join } from 'node:path';
import { ApiError, LocalCloudTasks, QueueConfig } from '../../local';
import { PARENT, queueConfig, runCleanup, startLocal } from './helpers';
import { tempDir } from '../temp';

const auth = { Authorization: 'Bearer local', 'Content-Type': 'application/json' };
const ORDERS = `${PARENT}/queues/orders`;

/** The canonical status of a core call that must fail. */
function statusOf(call: () => unknown): string {
  try {
    call();
  } catch (e) {
    if (e instanceof ApiError) return `${e.status}: ${e.message}`;
    throw e;
  }
  return 'OK';
}

describe('core rules', () => {
  let local: LocalCloudTasks;
  beforeAll(async () => {
    ({ local } = await startLocal([{ ...queueConfig('http://127.0.0.1:9'), logging: { samplingRatio: 0.25 } }]));
    local.store.setPaused(ORDERS, true);
  });
  afterAll(runCleanup);

  test.each([
    ['maxDispatchesPerSecond above 500', { rate: { maxDispatchesPerSecond: 501 } }, /maxDispatchesPerSecond must be above 0 and at most 500, got 501/],
    ['maxConcurrentDispatches above 5000', { rate: { maxConcurrentDispatches: 5001 } }, /maxConcurrentDispatches must be an integer from 1 to 5000, got 5001/],
    ['maxAttempts below -1', { retry: { maxAttempts: -2 } }, /maxAttempts must be -1 \(unlimited\) or more, got -2/],
    ['a negative backoff', { retry: { minBackoff: -1 } }, /minBackoff must be a duration of 0s or more, got -1s/],
    ['minBackoff above maxBackoff', { retry: { minBackoff: 20, maxBackoff: 10 } }, /minBackoff \(20s\) must not exceed maxBackoff \(10s\)/],
    ['fractional maxDoublings', { retry: { maxDoublings: 1.5 } }, /maxDoublings must be an integer of 0 or more, got 1.5/],
    ['a sampling ratio above 1', { logging: { samplingRatio: 1.5 } }, /samplingRatio must be from 0.0 to 1.0, got 1.5/],
    ['a URI override port above 65535', { httpTarget: { headers: {}, uriOverride: { host: 'h', port: 70000, enforceMode: 'ALWAYS' as const } } }, /port must be from 1 to 65535, got 70000/],
    ['a header override with CR/LF', { httpTarget: { headers: { 'X-A': 'b\r\nHost: evil.example' } } }, /headerOverrides: the value of "X-A" contains a line break/],
    ['a header override name that is not a token', { httpTarget: { headers: { 'X:A': 'b' } } }, /headerOverrides: "X:A" is not a valid header name/],
    ['header overrides of 80 KB or more', { httpTarget: { headers: { 'X-Big': 'b'.repeat(80 * 1024) } } }, /headerOverrides must stay below 81920 bytes in total, got 819\d\d/],
  ])('CreateQueue refuses %s with INVALID_ARGUMENT', (_what, input, message) => {
    const status = statusOf(() => local.core.createQueue(PARENT, { name: `${PARENT}/queues/bad`, ...input }));
    expect(status).toMatch(/^INVALID_ARGUMENT: /);
    expect(status).toMatch(message);
  });

  test.each([
    ['a name outside the parent', `projects/other/locations/l/queues/q`, /^INVALID_ARGUMENT: Queue name must be formatted: "projects\/<PROJECT_ID>\/locations\/<LOCATION_ID>\/queues\/<QUEUE_ID>"\.$/],
    ['an underscore in the id', `${PARENT}/queues/has_underscore`, /^INVALID_ARGUMENT: Queue name must be formatted/],
  ])('CreateQueue refuses %s (Google\'s text)', (_what, name, message) => {
    expect(statusOf(() => local.core.createQueue(PARENT, { name }))).toMatch(message);
  });

  test('UpdateQueue creates a missing queue with defaults for what it leaves unset, and a mask keeps the rest', () => {
    const name = `${PARENT}/queues/upserted`;
    const made = local.core.updateQueue({ name, rate: { maxConcurrentDispatches: 5 } });
    expect(made.config.rate).toEqual({ maxDispatchesPerSecond: 500, maxConcurrentDispatches: 5 });
    const masked = local.core.updateQueue({ name, retry: { maxAttempts: 7 }, rate: { maxConcurrentDispatches: 99 } }, ['retryConfig.maxAttempts']);
    expect(masked.config.retry.maxAttempts).toBe(7);
    expect(masked.config.rate.maxConcurrentDispatches).toBe(5);
    const whole = local.core.updateQueue({ name, retry: { maxAttempts: 3 } }, ['retry_config']);
    expect(whole.config.retry).toEqual({ maxAttempts: 3, maxRetryDuration: 0, minBackoff: 0.1, maxBackoff: 3600, maxDoublings: 16 });
    expect(statusOf(() => local.core.updateQueue({ name }, ['rate_limits.max_burst_size']))).toBe('OK'); // output only: ignored
  });

  test.each([
    ['a URL that is not http(s)', { url: 'ftp://x/y' }, /url must be an absolute http\(s\) URL, got "ftp:\/\/x\/y"/],
    ['an unknown method', { method: 'BREW' }, /httpMethod must be one of POST, GET, PUT, PATCH, DELETE, HEAD, OPTIONS, got "BREW"/],
    ['both OIDC and OAuth tokens', { oidcToken: { serviceAccountEmail: 'a@b.c' }, oauthToken: { serviceAccountEmail: 'a@b.c' } }, /oidcToken or oauthToken, not both/],
    ['a token without an account', { oidcToken: { serviceAccountEmail: '' } }, /must name a serviceAccountEmail/],
    ['a schedule time over 30 days ahead', { scheduleMs: Date.now() + 31 * 86400_000 }, /at most 30 days ahead/],
    ['an unreadable schedule time', { scheduleMs: NaN }, /at most 30 days ahead/],
    ['a deadline under 15 s', { deadlineSeconds: 14 }, /between 15s and 1800s, got 14s/],
    ['a body on a DELETE', { method: 'DELETE', body: Buffer.from('x') }, /a body must use POST, PUT or PATCH, got DELETE/],
    ['a body on a HEAD', { method: 'HEAD', body: Buffer.from('x') }, /got HEAD/],
    ['body plus headers over 1 MB', { body: Buffer.alloc(1_000_000 - 10), headers: { 'X-Pad': 'y'.repeat(20) } }, /maximum task size is 1000000 bytes \(1 MB\)/],
    ['a task id with a slash-free but invalid character', { name: `${ORDERS}/tasks/bad.id` }, /Task ID "bad.id" can contain only letters \(\[A-Za-z\]\), numbers \(\[0-9\]\), hyphens \(-\), or underscores \(_\)\. Task ID must between 1 and 500 characters\.$/],
    ['a task id with a space', { name: `${ORDERS}/tasks/a b` }, /Task ID "a b" can contain only/],
    ['an empty task id', { name: `${ORDERS}/tasks/` }, /Task ID "" can contain only/],
    ['a task name in another queue', { name: `${PARENT}/queues/other/tasks/x` }, /The queue name from request \('projects\/test-project\/locations\/us-central1\/queues\/orders'\) must be the same as the queue name in the named task \('projects\/test-project\/locations\/us-central1\/queues\/other'\)\.$/],
    ['a header value with CR/LF', { headers: { 'X-A': 'b\r\nX-Injected: 1' } }, /the value of "X-A" contains a line break \(CR\/LF\) or NUL/],
    ['a header value with a bare LF', { headers: { 'X-A': 'b\nc' } }, /contains a line break/],
    ['a header name that is not a token', { headers: { 'X A': 'b' } }, /"X A" is not a valid header name/],
  ])('CreateTask refuses %s with INVALID_ARGUMENT', (_what, input, message) => {
    const status = statusOf(() => local.core.createTask(ORDERS, input));
    expect(status).toMatch(/^INVALID_ARGUMENT: /);
    expect(status).toMatch(message);
  });

  test('task headers as the v2 reference says: Host, Content-Length, X-Google-*, X-AppEngine-*, X-CloudTasks-* and hop-by-hop ones ignored, User-Agent stored as Google-Cloud-Tasks', () => {
    const task = local.core.createTask(ORDERS, {
      headers: {
        Host: 'evil.example',
        'Content-Length': '1',
        'Transfer-Encoding': 'chunked',
        Connection: 'keep-alive',
        'X-Google-Internal': '1',
        'X-AppEngine-User': '1',
        'X-CloudTasks-TaskName': 'spoofed',
        'x-cloudtasks-queuename': 'victim',
        'User-Agent': 'me',
        Authorization: 'Bearer static',
        'X-Mixed-Case': 'preserve-me',
      },
    });
    expect(task.headers).toEqual({ 'User-Agent': 'Google-Cloud-Tasks', Authorization: 'Bearer static', 'X-Mixed-Case': 'preserve-me' });
  });

  test('a task without headers still stores User-Agent: Google-Cloud-Tasks (visible in CreateTask and GetTask)', () => {
    const task = local.core.createTask(ORDERS, { name: `${ORDERS}/tasks/ua-1` });
    expect(task.headers).toEqual({ 'User-Agent': 'Google-Cloud-Tasks' });
    expect(local.core.getTask(`${ORDERS}/tasks/ua-1`).headers).toEqual({ 'User-Agent': 'Google-Cloud-Tasks' });
  });

  test.each([
    ['GetTask', (name: string) => local.core.getTask(name)],
    ['DeleteTask', (name: string) => local.core.deleteTask(name)],
    ['RunTask', (name: string) => local.core.runTask(name)],
  ])('%s refuses a task id with a space with Google\'s text, and a missing task is "Requested entity was not found."', (_rpc, call) => {
    expect(statusOf(() => call(`${ORDERS}/tasks/a b`))).toMatch(/^INVALID_ARGUMENT: Task ID "a b" can contain only/);
    expect(statusOf(() => call(`${ORDERS}/tasks/missing`))).toBe('NOT_FOUND: Requested entity was not found.');
  });

  test('a missing queue is Google\'s "Queue does not exist..." text, but DeleteQueue says "Requested entity was not found."', () => {
    expect(statusOf(() => local.core.getQueue(`${PARENT}/queues/nope`))).toBe('NOT_FOUND: Queue does not exist. If you just created the queue, wait at least a minute for the queue to initialize.');
    expect(statusOf(() => local.core.createTask(`${PARENT}/queues/nope`, {}))).toMatch(/^NOT_FOUND: Queue does not exist/);
    expect(statusOf(() => local.core.deleteQueue(`${PARENT}/queues/nope`))).toBe('NOT_FOUND: Requested entity was not found.');
    expect(statusOf(() => local.core.createQueue(PARENT, { name: ORDERS }))).toBe('ALREADY_EXISTS: Queue already exists');
  });

  test.each([
    ['garbage', /^INVALID_ARGUMENT: Policy members must be of the form "<type>:<value>"\.$/],
    ['', /^INVALID_ARGUMENT: Policy members must be of the form/],
    ['user:', /^INVALID_ARGUMENT: Policy members must be of the form/],
    ['user:not-an-email', /^INVALID_ARGUMENT: Invalid member "user:not-an-email"/],
    ['serviceAccount:a b@c.d', /^INVALID_ARGUMENT: Invalid member/],
    ['domain:', /^INVALID_ARGUMENT: Policy members must be of the form/],
    ['robot:x@y.z', /^INVALID_ARGUMENT: Invalid member "robot:x@y.z"/],
  ])('setIamPolicy refuses the member %j', (member, message) => {
    expect(statusOf(() => local.core.setIamPolicy(ORDERS, { bindings: [{ role: 'roles/cloudtasks.enqueuer', members: [member] }] }))).toMatch(message);
  });

  test('setIamPolicy takes every member form IAM knows', () => {
    const members = ['user:a@b.c', 'serviceAccount:x@p.iam.gserviceaccount.com', 'group:g@b.c', 'domain:example.com', 'allUsers', 'allAuthenticatedUsers', 'projectViewer:my-project', 'deleted:user:a@b.c?uid=123', 'principal://iam.googleapis.com/x', 'principalSet://iam.googleapis.com/y'];
    expect(statusOf(() => local.core.setIamPolicy(ORDERS, { bindings: [{ role: 'roles/cloudtasks.enqueuer', members }] }))).toBe('OK');
  });

  test('a task of exactly 1 MB (1,000,000 bytes of body plus headers) is accepted, above the proto comment\'s 100 KB', () => {
    // "X-A: bcde\r\n" is 11 bytes on the wire
    expect(statusOf(() => local.core.createTask(ORDERS, { body: Buffer.alloc(1_000_000 - 11), headers: { 'X-A': 'bcde' } }))).toBe('OK');
  });

  test('BufferTask on a queue without a URI override is FAILED_PRECONDITION; a GET queue refuses a body', () => {
    local.core.createQueue(PARENT, { name: `${PARENT}/queues/plain` });
    expect(statusOf(() => local.core.bufferTask(`${PARENT}/queues/plain`, undefined, Buffer.from('x'), {}))).toMatch(/^FAILED_PRECONDITION: .*queue-level routing/);
    const get = queueConfig('http://127.0.0.1:9', { id: 'getter' });
    local.core.createQueue(PARENT, { name: get.path, httpTarget: { ...get.httpTarget!, httpMethod: 'GET' } });
    expect(statusOf(() => local.core.bufferTask(get.path, undefined, Buffer.from('x'), {}))).toMatch(/^INVALID_ARGUMENT: A task with a body must use POST, PUT or PATCH, got GET/);
    expect(statusOf(() => local.core.bufferTask(get.path, undefined, Buffer.alloc(0), {}))).toBe('OK');
  });

  test('REST GetQueue / ListQueues show httpTarget and stackdriverLoggingConfig as the REST reference spells them', async () => {
    const res = await fetch(`${local.endpoint}/v2/${ORDERS}`, { headers: auth });
    const q = (await res.json()) as Record<string, any>;
    expect(q.httpTarget).toEqual({
      httpMethod: 'POST',
      uriOverride: { scheme: 'HTTP', host: '127.0.0.1', port: '9', pathOverride: { path: '/tasks' }, uriOverrideEnforceMode: 'ALWAYS' },
      headerOverrides: [{ header: { key: 'X-Team', value: 'payments' } }],
      oidcToken: { serviceAccountEmail: 'orders-enq@test-project.iam.gserviceaccount.com', audience: 'https://orders-handler.us-central1.cloudtasks.audience' },
    });
    expect(q.stackdriverLoggingConfig).toEqual({ samplingRatio: 0.25 });
    const list = (await (await fetch(`${local.endpoint}/v2/${PARENT}/queues?$alt=json;enum-encoding=int`, { headers: auth })).json()) as { queues: Record<string, any>[] };
    expect(list.queues.find((x) => x.name === ORDERS)!.httpTarget.uriOverride).toMatchObject({ scheme: 1, uriOverrideEnforceMode: 2 });
  });

  test('REST CreateQueue with an httpTarget: BufferTask routes through it', async () => {
    const name = `${PARENT}/queues/routed`;
    const res = await fetch(`${local.endpoint}/v2/${PARENT}/queues`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ name, httpTarget: { httpMethod: 'PUT', uriOverride: { scheme: 'HTTP', host: '127.0.0.1', port: '9', pathOverride: { path: '/in' } }, oauthToken: { serviceAccountEmail: 'x@p.iam.gserviceaccount.com' } } }),
    });
    expect(res.status).toBe(200);
    expect(local.core.getQueue(name).config.httpTarget).toMatchObject({ httpMethod: 'PUT', uriOverride: { host: '127.0.0.1', port: 9, path: '/in', enforceMode: 'ALWAYS' }, oauthToken: { scope: 'https://www.googleapis.com/auth/cloud-platform' } });
    local.core.pauseQueue(name);
    const buffered = await fetch(`${local.endpoint}/v2/${name}/tasks:buffer`, { method: 'POST', headers: auth, body: 'hi' });
    expect(buffered.status).toBe(200);
    expect(local.store.list(name, '', 10).map((t) => t.method)).toEqual(['PUT']);
  });
});

describe('queues in the store', () => {
  afterEach(runCleanup);

  test('queues made through the API survive a restart; Terraform queues are re-applied from the config', async () => {
    const db = join(tempDir('local-queues-'), 'tasks.sqlite');
    const tf: QueueConfig = queueConfig('http://127.0.0.1:9', { id: 'from-terraform' });
    const first = await LocalCloudTasks.start({ queues: [tf], db, grpcPort: false });
    first.core.createQueue(PARENT, { name: `${PARENT}/queues/made-at-runtime`, rate: { maxDispatchesPerSecond: 3 } });
    first.core.updateQueue({ name: tf.path, rate: { maxDispatchesPerSecond: 1 } }, ['rate_limits.max_dispatches_per_second']);
    await first.stop();

    const second = await LocalCloudTasks.start({ queues: [tf], db, grpcPort: false });
    try {
      expect(second.core.getQueue(`${PARENT}/queues/made-at-runtime`).config.rate.maxDispatchesPerSecond).toBe(3);
      expect(second.core.getQueue(tf.path).config.rate.maxDispatchesPerSecond).toBe(500); // Terraform's value again
    } finally {
      await second.stop();
    }
    const third = await LocalCloudTasks.start({ queues: [], db, grpcPort: false }); // removed from Terraform
    try {
      expect(statusOf(() => third.core.getQueue(tf.path))).toMatch(/^NOT_FOUND/);
      expect(third.core.listQueues(PARENT).queues.map((q) => q.config.path)).toEqual([`${PARENT}/queues/made-at-runtime`]);
    } finally {
      await third.stop();
    }
  });

  test('deleting a queue deletes its tasks and its policy', async () => {
    const { local } = await startLocal([queueConfig('http://127.0.0.1:9')]);
    local.core.pauseQueue(ORDERS);
    local.core.createTask(ORDERS, { name: `${ORDERS}/tasks/t1` });
    local.core.setIamPolicy(ORDERS, { bindings: [{ role: 'roles/cloudtasks.viewer', members: ['user:a@b.c'] }] });
    local.core.deleteQueue(ORDERS);
    expect(local.store.get(`${ORDERS}/tasks/t1`)).toBeUndefined();
    expect(local.store.policy(ORDERS)).toBeUndefined();
    local.core.createQueue(PARENT, { name: ORDERS });
    expect(local.core.getIamPolicy(ORDERS).bindings).toEqual([]);
    expect(local.core.getQueue(ORDERS).state).toBe('RUNNING');
  });

  test('SetIamPolicy with a stale etag is ABORTED', async () => {
    const { local } = await startLocal([queueConfig('http://127.0.0.1:9')]);
    const first = local.core.setIamPolicy(ORDERS, { bindings: [] });
    local.core.setIamPolicy(ORDERS, { bindings: [], etag: first.etag });
    expect(statusOf(() => local.core.setIamPolicy(ORDERS, { bindings: [], etag: first.etag }))).toMatch(/^ABORTED/);
  });
});
