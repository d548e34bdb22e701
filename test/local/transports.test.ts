// Acceptance: the unmodified official client (@google-cloud/tasks) against the local server over both of its
// transports: gRPC (its default) and REST. One core serves both, so every behaviour is checked on each.
import { CloudTasksClient } from '@google-cloud/tasks';
import * as grpc from '@grpc/grpc-js';
import { OAuth2Client } from 'google-auth-library';
import { createServer, IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { LocalCloudTasks, MAX_REQUEST_BYTES } from '../../local';
import { cleanup, eventually, PARENT, runCleanup, startLocal } from './helpers';

interface Received {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A plain HTTP target that records what the dispatcher sends. */
async function recorder(): Promise<{ url: string; got: Received[] }> {
  const got: Received[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      got.push({ method: req.method!, url: req.url!, headers: req.headers, body });
      res.end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanup.push(() => {
    server.closeAllConnections();
    return new Promise((r) => server.close(r));
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, got };
}

const GRPC_CODES: Record<number, string> = { 3: 'INVALID_ARGUMENT', 5: 'NOT_FOUND', 6: 'ALREADY_EXISTS', 8: 'RESOURCE_EXHAUSTED', 9: 'FAILED_PRECONDITION' };

function makeClient(transport: 'grpc' | 'rest', local: LocalCloudTasks): CloudTasksClient {
  if (transport === 'grpc') {
    const [host, port] = local.grpcEndpoint!.split(':');
    // universeDomain set: the client then does not probe the GCE metadata server for one (no traffic off loopback).
    return new CloudTasksClient({ apiEndpoint: host, port: Number(port), sslCreds: grpc.credentials.createInsecure(), universeDomain: 'googleapis.com' });
  }
  const url = new URL(local.endpoint);
  const authClient = new OAuth2Client({ transporterOptions: { fetchImplementation: fetch } });
  authClient.setCredentials({ access_token: 'local', expiry_date: Date.now() + 3600_000 });
  return new CloudTasksClient({ fallback: true, protocol: 'http', apiEndpoint: url.hostname, port: Number(url.port), authClient });
}

describe.each(['grpc', 'rest'] as const)('the official client over %s', (transport) => {
  let local: LocalCloudTasks;
  let client: CloudTasksClient;
  let target: Awaited<ReturnType<typeof recorder>>;
  let n = 0;
  /** A fresh queue made through the API, so tests do not share state. */
  const newQueue = async (over: Record<string, unknown> = {}) => {
    const name = `${PARENT}/queues/${transport}-q${++n}`;
    const [q] = await client.createQueue({ parent: PARENT, queue: { name, rateLimits: { maxDispatchesPerSecond: 100 }, retryConfig: { maxAttempts: 2, minBackoff: { nanos: 100e6 }, maxBackoff: { seconds: 1 } }, ...over } });
    return q.name!;
  };
  /** The canonical code of a failed call, whichever the transport. */
  const codeOf = async (call: Promise<unknown>): Promise<string> => {
    const err = await call.then(
      () => undefined,
      (e: { code: number; message: string }) => e,
    );
    if (!err) return 'OK';
    return transport === 'grpc' ? GRPC_CODES[err.code] ?? String(err.code) : JSON.parse(err.message).error.status;
  };

  beforeAll(async () => {
    ({ local } = await startLocal([]));
    client = makeClient(transport, local);
    target = await recorder();
  });
  afterAll(async () => {
    await client.close();
    await runCleanup();
  });

  test('create a named, scheduled task with task-level OIDC; get it in FULL view', async () => {
    const queue = await newQueue();
    const at = Math.floor(Date.now() / 1000) + 3600;
    const [created] = await client.createTask({
      parent: queue,
      task: {
        name: `${queue}/tasks/named-1`,
        scheduleTime: { seconds: at },
        httpRequest: { url: `${target.url}/work`, httpMethod: 'PUT', body: Buffer.from('{"a":1}'), oidcToken: { serviceAccountEmail: 'caller@p.iam.gserviceaccount.com', audience: 'aud-1' } },
      },
    });
    expect(created.name).toBe(`${queue}/tasks/named-1`);
    const [got] = await client.getTask({ name: created.name, responseView: 'FULL' });
    expect(Buffer.from(got.httpRequest!.body as Uint8Array).toString()).toBe('{"a":1}');
    expect(got.httpRequest!.httpMethod).toBe('PUT');
    expect(got.httpRequest!.oidcToken).toMatchObject({ serviceAccountEmail: 'caller@p.iam.gserviceaccount.com', audience: 'aud-1' });
    expect(Number(got.scheduleTime!.seconds)).toBe(at);
    expect(got.view).toBe('FULL');
    const [basic] = await client.getTask({ name: created.name });
    expect(basic.httpRequest!.body ?? Buffer.alloc(0)).toHaveLength(0);
  });

  test('list tasks page by page, then delete one', async () => {
    const queue = await newQueue();
    await client.pauseQueue({ name: queue });
    for (let i = 0; i < 5; i++) await client.createTask({ parent: queue, task: { name: `${queue}/tasks/page-${i}`, httpRequest: { url: target.url } } });
    const names: string[] = [];
    let pageToken: string | undefined;
    let pages = 0;
    do {
      const [tasks, next] = await client.listTasks({ parent: queue, pageSize: 2, pageToken }, { autoPaginate: false });
      names.push(...tasks.map((t) => t.name!));
      pageToken = next?.pageToken || undefined;
      pages++;
    } while (pageToken);
    expect(pages).toBe(3);
    expect(names).toEqual([0, 1, 2, 3, 4].map((i) => `${queue}/tasks/page-${i}`));
    await client.deleteTask({ name: names[0] });
    expect(await codeOf(client.getTask({ name: names[0] }))).toBe('NOT_FOUND');
  });

  test('errors carry the canonical codes: ALREADY_EXISTS, NOT_FOUND, INVALID_ARGUMENT, an oversize request refused', async () => {
    const queue = await newQueue();
    await client.pauseQueue({ name: queue });
    await client.createTask({ parent: queue, task: { name: `${queue}/tasks/dup`, httpRequest: { url: target.url } } });
    expect(await codeOf(client.createTask({ parent: queue, task: { name: `${queue}/tasks/dup`, httpRequest: { url: target.url } } }))).toBe('ALREADY_EXISTS');
    expect(await codeOf(client.getTask({ name: `${queue}/tasks/missing` }))).toBe('NOT_FOUND');
    expect(await codeOf(client.createTask({ parent: `${PARENT}/queues/nope`, task: { httpRequest: { url: target.url } } }))).toBe('NOT_FOUND');
    const oversize = Buffer.alloc(1_000_001, 'x'); // over the 1 MB task limit, under the request cap
    expect(await codeOf(client.createTask({ parent: queue, task: { httpRequest: { url: target.url, body: oversize } } }))).toBe('INVALID_ARGUMENT');
    expect(await codeOf(client.createTask({ parent: queue, task: { httpRequest: { url: target.url, httpMethod: 'GET', body: Buffer.from('x') } } }))).toBe('INVALID_ARGUMENT');
    expect(await codeOf(client.createTask({ parent: queue, task: { httpRequest: { url: target.url }, dispatchDeadline: { seconds: 3600 } } }))).toBe('INVALID_ARGUMENT');
    // A request over the 2 MiB cap is refused before it is decoded (REST: HTTP 413).
    const huge = Buffer.alloc(MAX_REQUEST_BYTES, 'x');
    expect(await codeOf(client.createTask({ parent: queue, task: { httpRequest: { url: target.url, body: huge } } }))).toBe(transport === 'grpc' ? 'RESOURCE_EXHAUSTED' : 'INVALID_ARGUMENT');
  });

  test('create, update (field mask) and delete a queue; tasks dispatch through it', async () => {
    const queue = await newQueue({ stackdriverLoggingConfig: { samplingRatio: 0.5 } });
    const [got] = await client.getQueue({ name: queue });
    expect(got).toMatchObject({ state: 'RUNNING', rateLimits: { maxDispatchesPerSecond: 100, maxConcurrentDispatches: 1000 }, retryConfig: { maxAttempts: 2 }, stackdriverLoggingConfig: { samplingRatio: 0.5 } });
    expect(await codeOf(client.createQueue({ parent: PARENT, queue: { name: queue } }))).toBe('ALREADY_EXISTS');

    const [updated] = await client.updateQueue({
      queue: { name: queue, rateLimits: { maxDispatchesPerSecond: 7, maxConcurrentDispatches: 3 }, retryConfig: { maxAttempts: 9 } },
      updateMask: { paths: ['rate_limits.max_dispatches_per_second'] },
    });
    expect(updated.rateLimits).toMatchObject({ maxDispatchesPerSecond: 7, maxConcurrentDispatches: 1000 }); // only the masked field changed
    expect(updated.retryConfig?.maxAttempts).toBe(2);
    expect(await codeOf(client.updateQueue({ queue: { name: queue }, updateMask: { paths: ['no_such_field'] } }))).toBe('INVALID_ARGUMENT');

    await client.createTask({ parent: queue, task: { name: `${queue}/tasks/through`, httpRequest: { url: `${target.url}/through`, body: Buffer.from('via queue') } } });
    await eventually(() => target.got.some((r) => r.url === '/through'));
    expect(target.got.find((r) => r.url === '/through')).toMatchObject({ method: 'POST', body: 'via queue', headers: { 'x-cloudtasks-taskname': 'through' } });

    await client.deleteQueue({ name: queue });
    expect(await codeOf(client.getQueue({ name: queue }))).toBe('NOT_FOUND');
    const [queues] = await client.listQueues({ parent: PARENT });
    expect(queues.map((q) => q.name)).not.toContain(queue);
  });

  test('a paused queue accepts tasks and holds them; resume dispatches them', async () => {
    const queue = await newQueue();
    expect((await client.pauseQueue({ name: queue }))[0].state).toBe('PAUSED');
    await client.createTask({ parent: queue, task: { name: `${queue}/tasks/held`, httpRequest: { url: `${target.url}/held` } } });
    await new Promise((r) => setTimeout(r, 150));
    expect(target.got.some((r) => r.url === '/held')).toBe(false);
    expect((await client.getTask({ name: `${queue}/tasks/held` }))[0].name).toBe(`${queue}/tasks/held`);
    expect((await client.resumeQueue({ name: queue }))[0].state).toBe('RUNNING');
    await eventually(() => target.got.some((r) => r.url === '/held'));
  });

  test('RunTask dispatches at once, even on a paused queue', async () => {
    const queue = await newQueue();
    await client.pauseQueue({ name: queue });
    await client.createTask({ parent: queue, task: { name: `${queue}/tasks/forced`, httpRequest: { url: `${target.url}/forced` }, scheduleTime: { seconds: Math.floor(Date.now() / 1000) + 3600 } } });
    const [ran] = await client.runTask({ name: `${queue}/tasks/forced` });
    expect(ran.name).toBe(`${queue}/tasks/forced`);
    await eventually(() => target.got.some((r) => r.url === '/forced'));
    expect(await codeOf(client.runTask({ name: `${queue}/tasks/gone` }))).toBe('NOT_FOUND');
  });

  test('task-level tokens reach the target: OIDC as a signed ID token, OAuth as a local placeholder', async () => {
    const queue = await newQueue();
    await client.createTask({ parent: queue, task: { httpRequest: { url: `${target.url}/oidc`, oidcToken: { serviceAccountEmail: 'a@p.iam.gserviceaccount.com', audience: 'https://aud.example' } } } });
    await client.createTask({ parent: queue, task: { httpRequest: { url: `${target.url}/oauth`, oauthToken: { serviceAccountEmail: 'b@p.iam.gserviceaccount.com' } } } });
    await eventually(() => target.got.some((r) => r.url === '/oidc') && target.got.some((r) => r.url === '/oauth'));
    const jwt = target.got.find((r) => r.url === '/oidc')!.headers.authorization!.replace(/^Bearer /, '');
    const claims = JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString());
    expect(claims).toMatchObject({ aud: 'https://aud.example', email: 'a@p.iam.gserviceaccount.com', iss: 'https://accounts.google.com' });
    expect(target.got.find((r) => r.url === '/oauth')!.headers.authorization).toBe('Bearer local-oauth-token-for-b@p.iam.gserviceaccount.com');
  });

  test('IAM policies are stored and returned (not enforced)', async () => {
    const queue = await newQueue();
    const [empty] = await client.getIamPolicy({ resource: queue });
    expect(empty.bindings).toEqual([]);
    const [set] = await client.setIamPolicy({ resource: queue, policy: { bindings: [{ role: 'roles/cloudtasks.enqueuer', members: ['user:a@example.com'] }] } });
    const [read] = await client.getIamPolicy({ resource: queue });
    expect(read.bindings).toEqual([expect.objectContaining({ role: 'roles/cloudtasks.enqueuer', members: ['user:a@example.com'] })]);
    expect(Buffer.from(read.etag as Uint8Array).equals(Buffer.from(set.etag as Uint8Array))).toBe(true);
    const [perms] = await client.testIamPermissions({ resource: queue, permissions: ['cloudtasks.tasks.create'] });
    expect(perms.permissions).toEqual(['cloudtasks.tasks.create']);
  });

  test('a task made over one transport is visible over the other (one store)', async () => {
    const queue = await newQueue();
    await client.pauseQueue({ name: queue });
    await client.createTask({ parent: queue, task: { name: `${queue}/tasks/shared`, httpRequest: { url: target.url } } });
    const other = makeClient(transport === 'grpc' ? 'rest' : 'grpc', local);
    try {
      const [got] = await other.getTask({ name: `${queue}/tasks/shared` });
      expect(got.name).toBe(`${queue}/tasks/shared`);
    } finally {
      await other.close();
    }
  });
});
