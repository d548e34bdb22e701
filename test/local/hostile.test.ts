// Hostile input against the local REST API: the server answers with a clear 4xx and keeps serving.
import { request } from 'node:http';
import { connect } from 'node:net';
import { PARENT, queueConfig, runCleanup, startLocal } from './helpers';
import { MAX_REQUEST_BYTES } from '../../local';

/** A raw request (fetch would refuse or normalize the hostile parts). */
function raw(endpoint: string, path: string, o: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {}): Promise<{ status: number; body: string }> {
  const u = new URL(endpoint);
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, path, method: o.method ?? 'GET', headers: { Authorization: 'Bearer local', ...o.headers } }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    });
    req.on('error', reject);
    req.end(o.body);
  });
}

/**
 * Sends a request head alone over a raw socket and resolves with the answer up to the end of its headers, then
 * closes the socket: the tests check that the server answers without waiting for the body the head promises.
 */
async function answerToHead(endpoint: string, head: string): Promise<string> {
  const socket = connect(Number(new URL(endpoint).port), '127.0.0.1');
  try {
    return await new Promise<string>((resolve) => {
      let got = '';
      socket.on('data', (d) => {
        got += d;
        if (got.includes('\r\n\r\n')) resolve(got);
      });
      socket.write(head);
    });
  } finally {
    socket.destroy();
  }
}

describe('local REST API under hostile input', () => {
  afterEach(runCleanup);
  const queue = `${PARENT}/queues/orders`;

  test('a query string that is not valid percent-encoding gets 400 and the server keeps serving', async () => {
    const { local } = await startLocal([queueConfig('http://127.0.0.1:9')]);
    const bad = await raw(local.endpoint, `/v2/${queue}/tasks?%`);
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body).error.status).toBe('INVALID_ARGUMENT');
    const ok = await raw(local.endpoint, `/v2/${queue}`);
    expect(ok.status).toBe(200);
  });

  test.each([
    ['a foreign name (DNS rebinding)', 'evil.example', 403],
    ['a name ending in a loopback address', '127.0.0.1.evil.example', 403],
    ['localhost', 'localhost', 200],
    ['[::1]', '[::1]', 200],
  ])('Host header: %s (%s) gets %i', async (_what, host, status) => {
    const { local } = await startLocal([queueConfig('http://127.0.0.1:9')]);
    const res = await raw(local.endpoint, `/v2/${queue}`, { headers: { Host: `${host}:${new URL(local.endpoint).port}` } });
    expect(res.status).toBe(status);
    if (status === 403) expect(JSON.parse(res.body).error).toMatchObject({ status: 'PERMISSION_DENIED', message: expect.stringContaining('not a loopback name') });
  });

  test.each([
    ['without a bearer token', '', `/v2/${queue}/tasks`, 401],
    ['to an unknown route', 'Authorization: Bearer local\r\n', '/v2/nothing/here', 404],
  ])('a request %s is answered before its body is read', async (_what, auth, path, status) => {
    const { local } = await startLocal([queueConfig('http://127.0.0.1:9')]);
    // Headers promise half a megabyte that never comes.
    const answer = await answerToHead(local.endpoint, `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n${auth}Content-Type: application/json\r\nContent-Length: 500000\r\n\r\n`);
    expect(answer).toMatch(new RegExp(`^HTTP/1.1 ${status} `));
    expect(answer).toMatch(/connection: close/i);
  });

  test('a body over the limit is read to its end and answered 400 like Google, whether declared or streamed (chunked)', async () => {
    const { local } = await startLocal([queueConfig('http://127.0.0.1:9')]);
    const big = Buffer.alloc(MAX_REQUEST_BYTES + 1, 'a');
    const declared = await raw(local.endpoint, `/v2/${queue}/tasks:buffer`, { method: 'POST', body: big });
    expect(declared.status).toBe(400);
    expect(JSON.parse(declared.body).error).toEqual({ code: 400, status: 'INVALID_ARGUMENT', message: `Request payload size exceeds the limit: ${MAX_REQUEST_BYTES} bytes.` });
    const chunked = await new Promise<number>((resolve, reject) => {
      const u = new URL(local.endpoint);
      const req = request({ host: u.hostname, port: u.port, path: `/v2/${queue}/tasks:buffer`, method: 'POST', headers: { Authorization: 'Bearer local' } }, (res) => {
        res.resume();
        resolve(res.statusCode!);
      });
      req.on('error', reject);
      for (let i = 0; i < 8; i++) req.write(big.subarray(0, 300 * 1024)); // no Content-Length: chunked, 2.4 MB
      req.end();
    });
    expect(chunked).toBe(400);
    expect(local.store.count(queue)).toBe(0);
    expect((await raw(local.endpoint, `/v2/${queue}`)).status).toBe(200);
  });

  test('a body far over the limit (past the drain bound) is answered 413 at once and the connection closed, unread', async () => {
    const { local } = await startLocal([queueConfig('http://127.0.0.1:9')]);
    const answer = await answerToHead(local.endpoint, `POST /v2/${queue}/tasks:buffer HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer local\r\nContent-Length: 100000000000\r\n\r\n`);
    expect(answer).toMatch(/^HTTP\/1.1 413 /);
    expect(answer).toMatch(/connection: close/i);
  });
});

describe('local ops face (stats, metadata token, dead-letter Pub/Sub) under hostile input', () => {
  afterEach(runCleanup);

  test.each([
    ['GET', '/stats'],
    ['GET', '/computeMetadata/v1/instance/service-accounts/default/token'],
    ['POST', '/v1/projects/p/subscriptions/s:pull'],
  ])('a foreign Host (DNS rebinding) gets 403 on %s %s', async (method, path) => {
    const { local } = await startLocal([queueConfig('http://127.0.0.1:9')]);
    local.deadLetters.publish('projects/p/topics/t', Buffer.from('{"body":"secret"}').toString('base64'), { queue: 'orders' });
    const res = await raw(local.opsEndpoint, path, { method, headers: { Host: `evil.example:${new URL(local.opsEndpoint).port}`, 'Metadata-Flavor': 'Google' }, body: method === 'POST' ? '{}' : undefined });
    expect(res.status).toBe(403);
    expect(JSON.parse(res.body).error).toMatchObject({ status: 'PERMISSION_DENIED', message: expect.stringContaining('not a loopback name') });
    expect(res.body).not.toContain('secret');
    expect(local.deadLetters.pendingByQueue()).toEqual({ orders: 1 });
  });

  test.each([
    ['without a bearer token', '', '/v1/projects/p/subscriptions/s:pull', 401],
    ['to an unknown route', 'Authorization: Bearer local\r\n', '/v1/nothing/here', 404],
    ['far over the body bound', 'Authorization: Bearer local\r\n', '/v1/projects/p/topics/t:publish', 413],
  ])('a request %s is answered before its body is read, and the connection closed', async (_what, auth, path, status) => {
    const { local } = await startLocal([queueConfig('http://127.0.0.1:9')]);
    // Headers promise 100 GB that never come.
    const answer = await answerToHead(local.opsEndpoint, `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n${auth}Content-Length: 100000000000\r\n\r\n`);
    expect(answer).toMatch(new RegExp(`^HTTP/1.1 ${status} `));
    expect(answer).toMatch(/connection: close/i);
  });

  test('a subscription named QUEUE-dead-letters reads only that queue\'s letters', async () => {
    const { local } = await startLocal([queueConfig('http://127.0.0.1:9'), queueConfig('http://127.0.0.1:9', { id: 'emails' })]);
    local.deadLetters.publish('projects/p/topics/t', 'e30=', { queue: 'orders' });
    local.deadLetters.publish('projects/p/topics/t', 'e30=', { queue: 'emails' });
    const pull = async (sub: string) => JSON.parse((await raw(local.opsEndpoint, `/v1/projects/p/subscriptions/${sub}:pull`, { method: 'POST', body: '{}' })).body).receivedMessages.map((m: { message: { attributes: { queue: string } } }) => m.message.attributes.queue);
    expect(await pull('emails-dead-letters')).toEqual(['emails']);
    expect(await pull('other')).toEqual(['orders']);
  });
});
