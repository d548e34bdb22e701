// The unmodified official client (REST transport) and plain HTTP calls against the local server.
import { CloudTasksClient } from '@google-cloud/tasks';
import { OAuth2Client } from 'google-auth-library';
import { bufferTask, createTask } from '../../client';
import { LocalCloudTasks } from '../../local';
import { PARENT, queueConfig, runCleanup, startLocal } from './helpers';

describe('local Cloud Tasks REST API', () => {
  let local: LocalCloudTasks;
  let client: CloudTasksClient;
  const queue = `${PARENT}/queues/orders`;

  beforeAll(async () => {
    // Nothing listens at the handler URL: these tests are about the API, and the queue stays paused.
    ({ local } = await startLocal([queueConfig('http://127.0.0.1:9')]));
    local.store.setPaused(queue, true);
    const url = new URL(local.endpoint);
    const authClient = new OAuth2Client({ transporterOptions: { fetchImplementation: fetch } });
    authClient.setCredentials({ access_token: 'local', expiry_date: Date.now() + 3600_000 });
    client = new CloudTasksClient({ fallback: true, protocol: 'http', apiEndpoint: url.hostname, port: Number(url.port), authClient });
  });
  afterAll(async () => {
    await client.close();
    await runCleanup();
  });

  test('create, get, list and delete tasks with the official client', async () => {
    const [named] = await client.createTask({
      parent: queue,
      task: { name: `${queue}/tasks/order-1`, httpRequest: { httpMethod: 'PUT', body: Buffer.from('{"a":1}'), headers: { 'Content-Type': 'application/json' } }, dispatchDeadline: { seconds: 900 } },
    });
    expect(named.name).toBe(`${queue}/tasks/order-1`);
    expect(named.httpRequest?.httpMethod).toBe('PUT');
    const [unnamed] = await client.createTask({ parent: queue, task: { httpRequest: { url: 'https://example.com/x' } } });
    expect(unnamed.name).toMatch(new RegExp(`^${queue}/tasks/\\d{20}$`));

    const [got] = await client.getTask({ name: `${queue}/tasks/order-1`, responseView: 'FULL' });
    expect(Buffer.from(got.httpRequest!.body as Uint8Array).toString()).toBe('{"a":1}');
    expect(Number(got.dispatchDeadline?.seconds)).toBe(900);

    const [tasks] = await client.listTasks({ parent: queue });
    expect(tasks.map((t) => t.name).sort()).toEqual([named.name, unnamed.name].sort());

    await client.deleteTask({ name: named.name });
    const [after] = await client.listTasks({ parent: queue });
    expect(after.map((t) => t.name)).toEqual([unnamed.name]);
    await client.deleteTask({ name: unnamed.name });
  });

  test('an oversize task is answered INVALID_ARGUMENT every time, never a broken pipe (the body is read first, as Google does)', async () => {
    const huge = Buffer.alloc(2 * 1024 * 1024, 'x');
    const outcomes = new Set<string>();
    for (let i = 0; i < 30; i++) {
      const e = await client.createTask({ parent: queue, task: { httpRequest: { url: 'https://example.com/x', body: huge } } }).then(() => undefined, (err) => err);
      outcomes.add(`${e?.code} ${e?.message?.includes('Request payload size exceeds the limit') ? 'limit' : e?.message}`);
    }
    expect([...outcomes]).toEqual(['400 limit']);
  }, 60_000);

  test('an HTTP task stores User-Agent: Google-Cloud-Tasks itself (CreateTask, GetTask BASIC and FULL); Host is ignored', async () => {
    const [created] = await client.createTask({ parent: queue, task: { name: `${queue}/tasks/ua-1`, httpRequest: { url: 'https://example.com/x', headers: { 'X-Mixed-Case': 'preserve-me', Host: 'evil.example' } } } });
    const [basic] = await client.getTask({ name: created.name, responseView: 'BASIC' });
    const [full] = await client.getTask({ name: created.name, responseView: 'FULL' });
    for (const t of [created, full]) expect(t.httpRequest?.headers).toEqual({ 'User-Agent': 'Google-Cloud-Tasks', 'X-Mixed-Case': 'preserve-me' });
    // BASIC leaves the body out; the recordings show the headers there too.
    expect(basic.httpRequest?.headers).toEqual({ 'User-Agent': 'Google-Cloud-Tasks', 'X-Mixed-Case': 'preserve-me' });
    await client.deleteTask({ name: created.name });
  });

  test('lists page by page', async () => {
    for (let i = 0; i < 5; i++) await client.createTask({ parent: queue, task: { name: `${queue}/tasks/page-${i}`, httpRequest: {} } });
    const [first, next] = await client.listTasks({ parent: queue, pageSize: 2 }, { autoPaginate: false });
    expect(first).toHaveLength(2);
    expect(next?.pageToken).toBeTruthy();
    const names: string[] = [];
    let pageToken: string | undefined;
    do {
      const [page, req] = await client.listTasks({ parent: queue, pageSize: 2, pageToken }, { autoPaginate: false });
      names.push(...page.map((t) => t.name!));
      pageToken = req?.pageToken ?? undefined;
    } while (pageToken);
    expect(names).toEqual([0, 1, 2, 3, 4].map((i) => `${queue}/tasks/page-${i}`));
    await client.purgeQueue({ name: queue });
    expect((await client.listTasks({ parent: queue }))[0]).toEqual([]);
  });

  test('queues: get, list, pause, resume (state as the client expects it)', async () => {
    const [q] = await client.getQueue({ name: queue });
    expect(q.state).toBe('PAUSED');
    expect(q.rateLimits?.maxDispatchesPerSecond).toBe(500);
    const [queues] = await client.listQueues({ parent: PARENT });
    expect(queues.map((x) => x.name)).toEqual([queue]);
    expect((await client.resumeQueue({ name: queue }))[0].state).toBe('RUNNING');
    expect((await client.pauseQueue({ name: queue }))[0].state).toBe('PAUSED');
  });

  test.each([
    ['a duplicate name', async () => {
      await client.createTask({ parent: queue, task: { name: `${queue}/tasks/dup`, httpRequest: {} } });
      await client.createTask({ parent: queue, task: { name: `${queue}/tasks/dup`, httpRequest: {} } });
    }, 409, /already exists/],
    ['a missing task', () => client.getTask({ name: `${queue}/tasks/missing` }), 404, /^Requested entity was not found\.$/],
    ['a missing queue', () => client.createTask({ parent: `${PARENT}/queues/nope`, task: { httpRequest: {} } }), 404, /^Queue does not exist\. If you just created the queue, wait at least a minute for the queue to initialize\.$/],
    ['a deadline over 30 min', () => client.createTask({ parent: queue, task: { httpRequest: {}, dispatchDeadline: { seconds: 3600 } } }), 400, /dispatchDeadline must be between 15s and 1800s/],
  ])('rejects %s with the Google error shape', async (_what, call, code, message) => {
    const err = await (call as () => Promise<unknown>)().then(() => undefined, (e) => e);
    expect(err.code).toBe(code);
    expect(JSON.parse(err.message).error).toMatchObject({ code, message: expect.stringMatching(message) });
  });

  test('BufferTask the way the guide does it: curl -X POST .../tasks:buffer with a bearer token (a paused queue accepts it)', async () => {
    const ok = await fetch(`${local.endpoint}/v2/${queue}/tasks/buffered-1:buffer`, {
      method: 'POST',
      headers: { Authorization: 'Bearer local', 'Content-Type': 'application/json' },
      body: '{"message":"hello"}',
    });
    expect(ok.status).toBe(200);
    const { task } = (await ok.json()) as any;
    expect(task.name).toBe(`${queue}/tasks/buffered-1`);
    const stored = local.store.get(task.name)!;
    expect(stored.body.toString()).toBe('{"message":"hello"}');
    expect(stored.headers['content-type']).toBe('application/json');
    expect(stored.headers).not.toHaveProperty('authorization');
  });

  test('calls without a bearer token are UNAUTHENTICATED', async () => {
    const res = await fetch(`${local.endpoint}/v2/${queue}/tasks`);
    expect(res.status).toBe(401);
    expect(((await res.json()) as any).error.status).toBe('UNAUTHENTICATED');
  });

  test("the project's own producers work against it", async () => {
    const opts = { endpoint: local.endpoint, accessToken: 'local' };
    const created = await createTask(queue, { ...opts, taskId: 'producer-1', payload: { a: 1 }, schedule: 'in 1h' });
    expect(created.name).toBe(`${queue}/tasks/producer-1`);
    expect(local.store.get(created.name)!.scheduleMs).toBe(created.scheduleTime!.getTime());
    local.store.setPaused(queue, false);
    const buffered = await bufferTask(queue, { ...opts, taskId: 'producer-2', payload: 'text' });
    expect(local.store.get(buffered.name)!.body.toString()).toBe('text');
    local.store.setPaused(queue, true);
  });
});
