// pause / resume a queue (REST :pause / :resume) for the routing-change runbook, against a loopback recorder.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { pauseQueue, PermissionDeniedError, QueueNotFoundError, resumeQueue } from '../../client';
import { googleError, Recorder } from './recorder';

const root = join(__dirname, '..', '..');
const queue = 'projects/acme-orders/locations/us-central1/queues/orders';

describe('pauseQueue / resumeQueue', () => {
  let api: Recorder;
  beforeAll(async () => {
    api = await new Recorder().start();
  });
  afterAll(() => api.stop());
  beforeEach(() => {
    api.requests.length = 0;
    api.script.length = 0;
  });

  test('pause POSTs :pause with the bearer token and reports the new state', async () => {
    api.script.push({ status: 200, body: { name: queue, state: 'PAUSED' } });
    const result = await pauseQueue(queue, { endpoint: api.endpoint, accessToken: 't0k' });
    expect(result).toEqual({ name: queue, state: 'PAUSED' });
    expect(api.requests[0]).toMatchObject({ method: 'POST', url: `/v2/${queue}:pause` });
    expect(api.requests[0].headers.authorization).toBe('Bearer t0k');
  });

  test('a 307 is not followed: the call (and its token) goes to the endpoint given only', async () => {
    const elsewhere = await new Recorder().start();
    try {
      api.script.push({ status: 307, headers: { Location: `${elsewhere.endpoint}/v2/${queue}:pause` } });
      await expect(pauseQueue(queue, { endpoint: api.endpoint, accessToken: 't0k' })).rejects.toThrow();
      expect(api.requests).toHaveLength(1);
      expect(elsewhere.requests).toHaveLength(0);
    } finally {
      await elsewhere.stop();
    }
  });

  test('resume POSTs :resume; integer enums are mapped to names', async () => {
    api.script.push({ status: 200, body: { name: queue, state: 1 } });
    expect(await resumeQueue({ project: 'acme-orders', location: 'us-central1', queue: 'orders' }, { endpoint: api.endpoint, accessToken: 't' })).toEqual({ name: queue, state: 'RUNNING' });
    expect(api.requests[0].url).toBe(`/v2/${queue}:resume`);
  });

  test('permission denied names the permission and the role', async () => {
    api.script.push(googleError(403, 'PERMISSION_DENIED', 'denied'));
    await expect(pauseQueue(queue, { endpoint: api.endpoint, accessToken: 't' })).rejects.toThrow(PermissionDeniedError);
    api.script.push(googleError(403, 'PERMISSION_DENIED', 'denied'));
    await expect(pauseQueue(queue, { endpoint: api.endpoint, accessToken: 't' })).rejects.toThrow(/cloudtasks\.queues\.pause.*roles\/cloudtasks\.queueAdmin/);
  });

  test('an unknown queue is a QueueNotFoundError', async () => {
    api.script.push(googleError(404, 'NOT_FOUND', 'no queue'));
    await expect(resumeQueue(queue, { endpoint: api.endpoint, accessToken: 't' })).rejects.toThrow(QueueNotFoundError);
  });

  test('CLI: `pause --json` uses the synthesized queue and prints the state; data flags are refused', async () => {
    api.fallback = () => ({ status: 200, body: { name: 'projects/my-gcp-project/locations/us-central1/queues/tasks', state: 'PAUSED' } });
    // The CLI runs as its own process (async: this process serves the recorder meanwhile).
    const run = (args: string[]) =>
      new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
        execFile(process.execPath, ['-r', join(root, 'scripts', 'register.js'), join(root, 'client', 'cli.ts'), ...args], {
          cwd: root,
          env: { PATH: process.env.PATH ?? '', CLOUD_TASKS_ENDPOINT: api.endpoint, CLOUD_TASKS_ACCESS_TOKEN: 'cli' },
        }, (error, stdout, stderr) => resolve({ code: error ? Number(error.code) : 0, stdout, stderr }));
      });
    const ok = await run(['pause', '--json']);
    expect([ok.code, ok.stderr]).toEqual([0, '']);
    expect(JSON.parse(ok.stdout)).toEqual({ name: 'projects/my-gcp-project/locations/us-central1/queues/tasks', state: 'PAUSED' });
    expect(api.requests.at(-1)!.url).toBe('/v2/projects/my-gcp-project/locations/us-central1/queues/tasks:pause');
    const bad = await run(['resume', '--data', 'x']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--data is not a "resume" flag/);
  });
});
