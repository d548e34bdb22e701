// Hostile input against the local REST API: the server answers with a clear 4xx and keeps serving.
import { request } from 'node:http';
import { PARENT, queueConfig, runCleanup, startLocal } from './helpers';

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
});
