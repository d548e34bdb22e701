// The real CLI process against a local recorder: exit codes, output and what reaches the API.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { googleError, Recorder } from './recorder';
import { tempDir } from '../temp';

const root = join(__dirname, '..', '..');

function cli(args: string[], env: Record<string, string> = {}, cwd = root): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['-r', join(root, 'scripts', 'register.js'), join(root, 'client', 'cli.ts'), ...args], {
      cwd,
      env: { PATH: process.env.PATH ?? '', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('enqueue CLI', () => {
  let api: Recorder;
  let env: Record<string, string>;
  beforeAll(async () => {
    api = await new Recorder().start();
    env = { CLOUD_TASKS_ENDPOINT: api.endpoint, CLOUD_TASKS_ACCESS_TOKEN: 'cli-token' };
  });
  afterAll(() => api.stop());
  beforeEach(() => {
    api.requests.length = 0;
    api.fallback = (r) =>
      r.url.includes(':buffer')
        ? { status: 200, body: { task: { name: 'projects/my-gcp-project/locations/us-central1/queues/tasks/99', scheduleTime: '2026-11-25T21:00:00Z' } } }
        : { status: 200, body: { name: JSON.parse(r.body.toString()).task.name, scheduleTime: '2026-11-25T21:01:00Z' } };
  });

  test('buffer: targets the queue the app synthesizes, prints JSON', async () => {
    const r = await cli(['buffer', '--data', '{"order":42}', '--json'], env);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      method: 'buffer',
      name: 'projects/my-gcp-project/locations/us-central1/queues/tasks/99',
      scheduleTime: '2026-11-25T21:00:00.000Z',
      deduplicated: false,
    });
    expect(api.requests[0].url).toBe('/v2/projects/my-gcp-project/locations/us-central1/queues/tasks/tasks:buffer');
    expect(api.requests[0].headers.authorization).toBe('Bearer cli-token');
    expect(api.requests[0].headers['content-type']).toBe('application/json');
    expect(api.requests[0].body.toString()).toBe('{"order":42}');
  });

  test('create: name, schedule, deadline, OIDC token and headers reach the API; human output', async () => {
    const r = await cli(['create', '--name', 'order-42', '--in', '60s', '--deadline', '300s', '--oidc-sa', 'enq@my-gcp-project.iam.gserviceaccount.com', '--audience', 'aud', '--header', 'X-Team: payments', '--data', 'plain text'], env);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('Created task [projects/my-gcp-project/locations/us-central1/queues/tasks/tasks/order-42], scheduled for 2026-11-25T21:01:00.000Z.\n');
    const task = JSON.parse(api.requests[0].body.toString()).task;
    expect(task.name).toBe('projects/my-gcp-project/locations/us-central1/queues/tasks/tasks/order-42');
    expect(task.dispatchDeadline).toBe('300s');
    expect(task.httpRequest.oidcToken).toEqual({ serviceAccountEmail: 'enq@my-gcp-project.iam.gserviceaccount.com', audience: 'aud' });
    // 300 s is shorter than the queue's 600 s: the task announces it to the handler, which budgets it.
    expect(task.httpRequest.headers).toEqual({ 'Content-Type': 'text/plain; charset=utf-8', 'X-Team': 'payments', 'X-Tasks-Dispatch-Deadline': '300' });
    expect(Buffer.from(task.httpRequest.body, 'base64').toString()).toBe('plain text');
  });

  test('--env picks an environment from cdktf.json; flags override parts of the queue', async () => {
    const cwd = tempDir('cli-');
    writeFileSync(join(cwd, 'cdktf.json'), JSON.stringify({ context: { pipeline: { queueId: 'orders', environments: { dev: { project: 'acme-dev' }, prod: { project: 'acme-prod', region: 'europe-west1' } } } } }));
    expect((await cli(['buffer', '--env', 'prod'], env, cwd)).code).toBe(0);
    expect(api.requests[0].url).toBe('/v2/projects/acme-prod/locations/europe-west1/queues/orders/tasks:buffer');
    expect((await cli(['buffer', '--env', 'prod', '--queue', 'other'], env, cwd)).code).toBe(0);
    expect(api.requests[1].url).toBe('/v2/projects/acme-prod/locations/europe-west1/queues/other/tasks:buffer');
  });

  test('--queue takes a queue name from the queues map; without it the first queue is used', async () => {
    const cwd = tempDir('cli-');
    writeFileSync(join(cwd, 'cdktf.json'), JSON.stringify({ context: { pipeline: { project: 'acme-dev', queues: { emails: {}, fast: { queueId: 'orders-fast' } } } } }));
    expect((await cli(['buffer', '--queue', 'fast'], env, cwd)).code).toBe(0);
    expect(api.requests[0].url).toBe('/v2/projects/acme-dev/locations/us-central1/queues/orders-fast/tasks:buffer');
    expect((await cli(['buffer'], env, cwd)).code).toBe(0);
    expect(api.requests[1].url).toBe('/v2/projects/acme-dev/locations/us-central1/queues/emails/tasks:buffer');
  });

  test('--help reads like gcloud help and exits 0', async () => {
    const r = await cli(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^NAME\n {4}cloud-tasks-enqueue - /);
    for (const section of ['SYNOPSIS', 'DESCRIPTION', 'FLAGS', 'EXIT STATUS']) expect(r.stdout).toContain(`\n${section}\n`);
  });

  test.each([
    [['push'], /expected "buffer", "create", "pause" or "resume", got "push"/],
    [['buffer', '--in', '60s'], /--in is for "create"/],
    [['create', '--header', 'no-colon'], /--header must be KEY:VALUE/],
    [['create', '--data', 'a', '--data-file', 'b'], /mutually exclusive/],
    [['buffer', '--bogus'], /Unknown option '--bogus'/],
  ])('usage error %j: exit 2, one line', async (args, message) => {
    const r = await cli(args, env);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(api.requests).toHaveLength(0);
  });

  test('an API failure: exit 1 with a one-line reason', async () => {
    api.script.push(googleError(404, 'NOT_FOUND', 'Queue does not exist.'));
    const r = await cli(['buffer', '--data', 'x'], env);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: BufferTask on projects\/my-gcp-project\/locations\/us-central1\/queues\/tasks: queue not found at .*\n$/);
  });

  test('invalid input: exit 1 before any call', async () => {
    const r = await cli(['create', '--deadline', '5s'], env);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/dispatchDeadline must be from 15s to 1800s/);
    expect(api.requests).toHaveLength(0);
  });
});

describe('enqueue CLI: names and warnings', () => {
  test('GIVEN the repository source WHEN asking for help THEN the synopsis shows the npm script', async () => {
    const r = await cli(['--help']);
    expect(r.stdout).toContain('\nSYNOPSIS\n    npm run enqueue -- buffer|create ');
  });

  test('GIVEN a usage error WHEN run from the repository THEN it points at the npm script help', async () => {
    const r = await cli(['push']);
    expect(r.stderr).toBe('error: expected "buffer", "create", "pause" or "resume", got "push" (see npm run enqueue -- --help)\n');
  });

  test('GIVEN zero config and Google as the endpoint WHEN enqueuing THEN it warns about the placeholder project', async () => {
    // An invalid deadline stops the call before any request: nothing leaves the machine.
    const r = await cli(['create', '--deadline', '5s']);
    expect(r.code).toBe(1);
    expect(r.stderr.split('\n')[0]).toBe(
      'warning: queue projects/my-gcp-project/locations/us-central1/queues/tasks uses the placeholder project "my-gcp-project": ' +
        'set "project" in cdktf.json (context.pipeline or per environment) or PIPELINE_PROJECT, or pass --project',
    );
  });

  test('GIVEN --project WHEN enqueuing THEN there is no placeholder warning', async () => {
    const r = await cli(['create', '--project', 'acme-prod', '--deadline', '5s']);
    expect(r.stderr).toBe('error: Invalid task: dispatchDeadline must be from 15s to 1800s (15 s-30 min), got 5s\n');
  });

  test('GIVEN a plain http endpoint off loopback WHEN enqueuing with a token THEN exit 1 with the reason, nothing sent', async () => {
    const r = await cli(['buffer', '--project', 'acme-prod', '--endpoint', 'http://10.1.2.3:8123', '--token', 'ya29.secret']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: endpoint "http:\/\/10\.1\.2\.3:8123" uses plain http, which would send the bearer token in clear text; use https/);
    expect(r.stderr).not.toMatch(/\.\.\s*$/);
  });
});
