// Property-based fuzzing of both faces of the local Cloud Tasks API: generated malformed requests (URLs,
// percent-encoding, methods, headers, JSON, base64, huge and slow bodies; undecodable or odd protobuf) never
// get a 5xx / INTERNAL and never take the server down; afterwards it still answers and the store lost nothing.
import * as grpc from '@grpc/grpc-js';
import * as fc from 'fast-check';
import { connect } from 'node:net';
import { LocalCloudTasks } from '../../local';
import { fuzzSeed } from '../fuzz-seed';
import { PARENT, queueConfig, runCleanup, startLocal } from './helpers';

const KEEP = `${PARENT}/queues/keep`;
const FUZZ = `${PARENT}/queues/fuzz`;
const KEPT = Array.from({ length: 10 }, (_, i) => `${KEEP}/tasks/kept-${i}`);

/** One raw HTTP/1.1 exchange over a socket (nothing normalizes the hostile parts); the status, or 0 if none. */
function rawHttp(port: number, head: string, body: Buffer, slow: boolean): Promise<number> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let got = '';
    const done = () => resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(got)?.[1] ?? 0));
    socket.setTimeout(3000, () => socket.destroy());
    socket.on('data', (d) => (got += d.toString('latin1')));
    socket.on('close', done);
    socket.on('error', () => undefined);
    socket.on('connect', async () => {
      socket.write(head);
      if (slow && body.length > 1) {
        // A slow body: a few pieces with pauses between them.
        const third = Math.ceil(body.length / 3);
        for (let i = 0; i < body.length && !socket.destroyed; i += third) {
          socket.write(body.subarray(i, i + third));
          await new Promise((r) => setTimeout(r, 5));
        }
        socket.end();
      } else socket.end(body);
    });
  });
}

async function seed(local: LocalCloudTasks): Promise<void> {
  for (const name of KEPT) local.core.createTask(KEEP, { name, url: 'http://127.0.0.1:9/x', body: Buffer.from(name) });
}

function storeIntact(local: LocalCloudTasks): void {
  expect(local.core.listTasks(KEEP).tasks.map((t) => t.name)).toEqual(KEPT);
  expect(local.core.getQueue(KEEP).config.rate.maxConcurrentDispatches).toBe(100);
}

const segment = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.constantFrom('%', '%zz', '%E0%A4%A', '%00', '%2F', '%C0%AF', '..', '', 'tasks', 'queues', 'fuzz', 'nope', 'x'.repeat(600), '\u00e9', '%F0%9F%98'),
);
const suffix = fc.constantFrom('', ':run', ':buffer', ':pause', ':resume', ':purge', ':getIamPolicy', ':setIamPolicy', ':testIamPermissions', ':bogus', '/tasks', '/tasks:buffer');
const base = fc.constantFrom(`/v2/${FUZZ}`, `/v2/${FUZZ}/tasks/`, `/v2/${PARENT}/queues/`, `/v2/${PARENT}/queues`, '/v2/projects/', '/v2/', '/', '/oauth2/v3/certs', `/v2/${PARENT}/queues/nope/tasks/`);
const path = fc.oneof(
  fc.tuple(base, segment, suffix).map(([b, s, x]) => `${b}${s}${x}`),
  fc.string({ maxLength: 40 }).map((s) => `/${s}`),
);
const query = fc.oneof(fc.constant(''), fc.constantFrom('?%', '?$alt=json;enum-encoding=int', '?pageSize=-1', '?pageSize=abc', '?pageToken=!!', '?updateMask=rateLimits.bogus', '?responseView=9'), fc.string({ maxLength: 20 }).map((s) => `?${s}`));
const weird = fc.oneof(fc.string(), fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.array(fc.string(), { maxLength: 3 }), fc.dictionary(fc.string(), fc.string(), { maxKeys: 3 }));
const task = fc.record(
  {
    name: fc.oneof(weird, fc.constant(`${FUZZ}/tasks/ok-1`), segment.map((s) => `${FUZZ}/tasks/${s}`)),
    httpRequest: fc.oneof(
      weird,
      fc.record(
        {
          url: fc.oneof(weird, fc.webUrl(), fc.constantFrom('ftp://x', 'http://', '//x', 'http://127.0.0.1:9/')),
          httpMethod: fc.oneof(weird, fc.integer({ min: -2, max: 9 }), fc.constantFrom('GET', 'HEAD', 'POST', 'BREW', '2')),
          headers: weird,
          body: fc.oneof(weird, fc.base64String({ maxLength: 40 }), fc.constantFrom('@@@', 'QQ=', '====', 'A')),
          oidcToken: fc.oneof(weird, fc.record({ serviceAccountEmail: weird, audience: weird })),
          oauthToken: weird,
        },
        { requiredKeys: [] },
      ),
    ),
    scheduleTime: fc.oneof(weird, fc.constantFrom('2099-01-01T00:00:00Z', '1970-01-01T00:00:00Z', 'yesterday'), fc.record({ seconds: weird, nanos: weird })),
    dispatchDeadline: fc.oneof(weird, fc.constantFrom('15s', '1e3s', '-1s', '9999999999999s'), fc.record({ seconds: weird })),
  },
  { requiredKeys: [] },
);
const queue = fc.record(
  {
    name: fc.oneof(weird, segment.map((s) => `${PARENT}/queues/${s}`)),
    rateLimits: fc.oneof(weird, fc.record({ maxDispatchesPerSecond: weird, maxConcurrentDispatches: weird }, { requiredKeys: [] })),
    retryConfig: fc.oneof(weird, fc.record({ maxAttempts: weird, minBackoff: weird, maxBackoff: weird, maxDoublings: weird }, { requiredKeys: [] })),
    httpTarget: fc.oneof(weird, fc.record({ uriOverride: weird, headerOverrides: fc.oneof(weird, fc.array(weird, { maxLength: 2 })), httpMethod: weird }, { requiredKeys: [] })),
  },
  { requiredKeys: [] },
);
const jsonBody = fc.oneof(
  fc.json({ maxDepth: 3 }),
  fc.record({ task, responseView: weird }, { requiredKeys: [] }).map((o) => JSON.stringify(o)),
  queue.map((o) => JSON.stringify(o)),
  fc.record({ policy: fc.oneof(weird, fc.record({ bindings: fc.oneof(weird, fc.array(fc.record({ role: weird, members: weird }), { maxLength: 2 })), etag: weird })), permissions: weird }).map((o) => JSON.stringify(o)),
  fc.constantFrom('{', '[]', 'null', '"x"', '{"task":', '\u0000'),
);
const body = fc.oneof(
  { arbitrary: jsonBody.map((s) => Buffer.from(s)), weight: 8 },
  { arbitrary: fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b)), weight: 2 },
  { arbitrary: fc.constantFrom(1024 * 1024 + 1, 3 * 1024 * 1024).map((n) => Buffer.alloc(n, 'a')), weight: 1 },
);
const header = fc.tuple(fc.oneof(fc.constantFrom('Content-Type', 'X-Goog-Foo', 'Transfer-Encoding', 'Expect', 'X-Bad Name', 'Té'), fc.string({ maxLength: 8 })), fc.string({ maxLength: 20 }));
const request = fc.record({
  method: fc.constantFrom('GET', 'POST', 'PATCH', 'DELETE', 'PUT', 'HEAD', 'OPTIONS', 'PROPFIND', 'BREW', 'get'),
  target: fc.tuple(path, query).map(([p, q]) => p + q),
  host: fc.oneof({ arbitrary: fc.constant('127.0.0.1'), weight: 6 }, { arbitrary: fc.constantFrom('localhost', 'evil.example', '', '127.0.0.1.evil.example', '[::1]', 'a b'), weight: 2 }),
  auth: fc.oneof({ arbitrary: fc.constant('Bearer fuzz'), weight: 6 }, { arbitrary: fc.constantFrom(undefined, 'Basic x', 'Bearer', 'Bearer '), weight: 1 }),
  headers: fc.array(header, { maxLength: 3 }),
  body,
  lengthLies: fc.oneof({ arbitrary: fc.constant(false), weight: 8 }, { arbitrary: fc.constant(true), weight: 1 }),
  slow: fc.oneof({ arbitrary: fc.constant(false), weight: 8 }, { arbitrary: fc.constant(true), weight: 1 }),
});

describe('fuzzing the local API', () => {
  let local: LocalCloudTasks;

  beforeAll(async () => {
    const target = 'http://127.0.0.1:9';
    ({ local } = await startLocal([queueConfig(target, { id: 'keep' }), queueConfig(target, { id: 'fuzz' })]));
    local.store.setPaused(KEEP, true);
    local.store.setPaused(FUZZ, true);
    await seed(local);
  });
  afterAll(runCleanup);

  test('REST: generated hostile requests get an answer below 500, and the server keeps serving', async () => {
    const port = Number(new URL(local.endpoint).port);
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        const extra = r.headers.map(([k, v]) => `${k}: ${v}\r\n`).join('');
        // A lying Content-Length claims more than is sent (the server must not hang on it forever).
        const length = r.lengthLies ? r.body.length + 10 : r.body.length;
        const head = `${r.method} ${r.target} HTTP/1.1\r\nHost: ${r.host}:${port}\r\n${r.auth ? `Authorization: ${r.auth}\r\n` : ''}${extra}Content-Length: ${length}\r\nConnection: close\r\n\r\n`;
        const status = await rawHttp(port, head, r.body, r.slow);
        // 0: the server closed without an answer (a lying length, or the parser refused the bytes): allowed, as long as it survives.
        expect(status === 0 || (status >= 200 && status < 500)).toBe(true);
      }),
      { numRuns: 250, interruptAfterTimeLimit: 8000, seed: fuzzSeed() },
    );
    const res = await fetch(`${local.endpoint}/v2/${KEEP}/tasks`, { headers: { Authorization: 'Bearer local' } });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { tasks: { name: string }[] }).tasks.map((t) => t.name)).toEqual(KEPT);
    storeIntact(local);
  }, 30_000);

  test('gRPC: undecodable, odd or unknown calls get a client error code, never INTERNAL, and the server keeps serving', async () => {
    const client = new grpc.Client(local.grpcEndpoint!, grpc.credentials.createInsecure());
    const methods = ['ListQueues', 'GetQueue', 'CreateQueue', 'UpdateQueue', 'DeleteQueue', 'PurgeQueue', 'PauseQueue', 'ResumeQueue', 'GetIamPolicy', 'SetIamPolicy', 'TestIamPermissions', 'ListTasks', 'GetTask', 'CreateTask', 'DeleteTask', 'RunTask', 'BufferTask', 'Nope'];
    // Protobuf-ish payloads: random bytes, and field-shaped bytes (tag, length, data) naming our queues.
    const field = fc.tuple(fc.integer({ min: 1, max: 15 }), fc.constantFrom(0, 2), fc.oneof(fc.constantFrom(FUZZ, `${FUZZ}/tasks/g`, PARENT, 'x'), fc.string({ maxLength: 10 })));
    const protoish = fc.array(field, { maxLength: 4 }).map((fields) =>
      Buffer.concat(fields.map(([n, wire, s]) => (wire === 0 ? Buffer.from([(n << 3) | 0, s.length & 0x7f]) : Buffer.concat([Buffer.from([(n << 3) | 2, Buffer.byteLength(s) & 0x7f]), Buffer.from(s)])))),
    );
    const message = fc.oneof(fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b)), protoish, fc.constant(Buffer.alloc(2 * 1024 * 1024, 1)));
    const call = (method: string, payload: Buffer) =>
      new Promise<number>((resolve) => {
        client.makeUnaryRequest(
          `/google.cloud.tasks.v2.CloudTasks/${method}`,
          (b: Buffer) => b,
          (b: Buffer) => b,
          payload,
          { deadline: Date.now() + 3000 },
          (err) => resolve(err ? err.code : 0),
        );
      });
    const allowed = [0, 3, 5, 6, 8, 9, 10, 12]; // OK and client errors; never UNKNOWN 2, INTERNAL 13, UNAVAILABLE 14
    try {
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...methods), message, async (method, payload) => {
          expect(allowed).toContain(await call(method, payload));
        }),
        { numRuns: 250, interruptAfterTimeLimit: 8000, seed: fuzzSeed() },
      );
      // Not gRPC at all: HTTP/1.1 and garbage at the gRPC port.
      const port = Number(local.grpcEndpoint!.split(':')[1]);
      await rawHttp(port, 'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n', Buffer.alloc(0), false);
      await rawHttp(port, 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\u0000\u0000\u0004garbage', Buffer.alloc(0), false);
      expect(await call('GetQueue', Buffer.concat([Buffer.from([0x0a, Buffer.byteLength(KEEP)]), Buffer.from(KEEP)]))).toBe(0);
    } finally {
      client.close();
    }
    storeIntact(local);
  }, 30_000);
});
