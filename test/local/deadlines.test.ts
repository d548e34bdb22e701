// One number per producer path, on one machine: the deadline the local dispatcher applies to a task (what Cloud
// Tasks would) and the budget the handler, built from the synthesized env, gives that task agree, through
// BufferTask, library CreateTask, the CLI's create and dead-letter replay. The app: a fast lane (600 s, BufferTask
// allowed) and a slow lane (1800 s, CreateTask-only) in front of one shared handler.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bufferTask, closeClients, createTask } from '../../client';
import { resolveConfig } from '../../config';
import { loadHandlerConfig, workTimeoutMsFor } from '../../handler/src/config';
import { LocalCloudTasks } from '../../local';
import { derivedReferences, queuesOf, readStacks, Resolver, servicesOf } from '../../local/terraform';
import { buildApp } from '../../main';
import { runCleanup, startLocal } from './helpers';

const root = join(__dirname, '..', '..');
const pipeline = {
  project: 'acme-dev',
  handlers: { orders: { image: 'europe-docker.pkg.dev/acme/handlers/orders:1.0' } },
  queues: { 'orders-fast': { handler: 'orders' }, 'orders-slow': { handler: 'orders', dispatchDeadlineSeconds: 1800, bufferTask: false } },
};
const FAST = 'projects/acme-dev/locations/us-central1/queues/orders-fast';
const SLOW = 'projects/acme-dev/locations/us-central1/queues/orders-slow';

function run(script: string, args: string[], cwd: string): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['-r', join(root, 'scripts', 'register.js'), join(root, 'client', script), ...args], { cwd, env: { PATH: process.env.PATH ?? '' } });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('close', (code) => resolve({ code, out }));
  });
}

describe('deadlines per producer path on the local server', () => {
  jest.setTimeout(30_000); // the CLI paths start a process from the TypeScript source: seconds on a busy machine
  let dir: string;
  let local: LocalCloudTasks;
  let handlerEnv: Record<string, string>;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'local-deadlines-'));
    writeFileSync(join(dir, 'cdktf.json'), JSON.stringify({ context: { pipeline } }));
    const outdir = join(dir, 'cdktf.out');
    buildApp(resolveConfig(pipeline, {}), outdir).synth();
    const stack = readStacks(outdir).find((s) => s.name === 'dev')!;
    // Nothing listens at the handler's address: the queues are paused, the tasks stay to be read.
    const [service] = servicesOf(stack);
    const refs = { [`${service.address}.uri`]: 'http://127.0.0.1:9' };
    ({ local } = await startLocal(queuesOf(stack, refs), { grpcPort: false }));
    for (const q of [FAST, SLOW]) local.core.pauseQueue(q);
    const resolver = new Resolver({ ...derivedReferences(stack), ...refs });
    handlerEnv = Object.fromEntries(Object.entries(service.rawEnv).map(([k, v]) => [k, resolver.value(v) ?? '']));
  });
  afterAll(async () => {
    await closeClients();
    await runCleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The deadline the local dispatcher will apply to the queue's only task, and the handler's budget for it. */
  function numbers(queue: string): { deadlineSeconds: number; budgetSeconds: number } {
    const { tasks } = local.core.listTasks(queue);
    expect(tasks).toHaveLength(1);
    const config = loadHandlerConfig(handlerEnv);
    const queueId = queue.split('/').pop()!;
    // What the handler sees: the queue's name, and the announcement of a shorter deadline when the producer sent one.
    const announced = tasks[0].headers['X-Tasks-Dispatch-Deadline'];
    const numbers = { deadlineSeconds: tasks[0].deadlineSeconds, budgetSeconds: workTimeoutMsFor(config, queueId, announced) / 1000 };
    local.core.deleteTask(tasks[0].name);
    return numbers;
  }

  test('BufferTask on the fast lane: 600 s applied, 595 s budgeted', async () => {
    await bufferTask(FAST, { endpoint: local.endpoint, accessToken: 'local', payload: { order: 1 } });
    expect(numbers(FAST)).toEqual({ deadlineSeconds: 600, budgetSeconds: 595 });
  });

  test('library CreateTask on the slow lane (queue given with its settings): 1800 s applied, 1795 s budgeted', async () => {
    await createTask({ project: 'acme-dev', location: 'us-central1', queue: 'orders-slow', dispatchDeadlineSeconds: 1800, bufferTask: false }, { endpoint: local.endpoint, accessToken: 'local', payload: { order: 2 } });
    expect(numbers(SLOW)).toEqual({ deadlineSeconds: 1800, budgetSeconds: 1795 });
  });

  test('library CreateTask on the slow lane with a shorter deadline: 900 s applied, 895 s budgeted', async () => {
    await createTask({ project: 'acme-dev', location: 'us-central1', queue: 'orders-slow', dispatchDeadlineSeconds: 1800, bufferTask: false }, { endpoint: local.endpoint, accessToken: 'local', dispatchDeadline: '900s' });
    expect(numbers(SLOW)).toEqual({ deadlineSeconds: 900, budgetSeconds: 895 });
  });

  test('CLI create on the slow lane (settings from cdktf.json): 1800 s applied, 1795 s budgeted', async () => {
    const r = await run('cli.ts', ['create', '--queue', 'orders-slow', '--data', '{"order":3}', '--endpoint', local.endpoint, '--token', 'local'], dir);
    expect(r.code).toBe(0);
    expect(numbers(SLOW)).toEqual({ deadlineSeconds: 1800, budgetSeconds: 1795 });
  });

  test('dead-letter replay on the slow lane (CLI, CreateTask by default for a CreateTask-only queue): 1800 s applied, 1795 s budgeted', async () => {
    const letter = { queue: 'orders-slow', task: 'order-4', attempts: 3, retryCount: 2, executionCount: 3, headers: {}, body: Buffer.from('{"order":4}').toString('base64'), error: { status: 500, outcome: 'failed', message: 'x' }, deadLetteredAt: new Date().toISOString() };
    const published = await fetch(`${local.opsEndpoint}/v1/projects/acme-dev/topics/orders-slow-dead-letters:publish`, {
      method: 'POST',
      headers: { Authorization: 'Bearer local', 'Content-Type': 'application/json' },
      body: JSON.stringify({ messages: [{ data: Buffer.from(JSON.stringify(letter)).toString('base64'), attributes: { queue: 'orders-slow' } }] }),
    });
    expect(published.status).toBe(200);
    const r = await run('dead-letters-cli.ts', ['replay', '--all', '--queue', 'orders-slow', '--pubsub-endpoint', local.opsEndpoint, '--endpoint', local.endpoint, '--token', 'local'], dir);
    expect({ code: r.code, out: r.out }).toEqual({ code: 0, out: expect.stringMatching(/Replayed \d+ \(task order-4\)/) });
    expect(numbers(SLOW)).toEqual({ deadlineSeconds: 1800, budgetSeconds: 1795 });
  });

  test('BufferTask sent by hand to the slow lane (not through the library): the local server applies 600 s, as Google does', async () => {
    const res = await fetch(`${local.endpoint}/v2/${SLOW}/tasks:buffer`, { method: 'POST', headers: { Authorization: 'Bearer local' }, body: 'x' });
    expect(res.status).toBe(200);
    expect(numbers(SLOW).deadlineSeconds).toBe(600);
  });
});
