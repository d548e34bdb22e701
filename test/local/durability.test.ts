// The dev server as a real process, reading a synthesized stack: kill -9 mid-run loses no acknowledged task.
import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { bufferTask } from '../../client';
import { resolveConfig } from '../../config';
import { queuesOf, readStacks, servicesOf } from '../../local';
import { buildApp } from '../../main';
import { cleanup, freePort, runCleanup, startHandler, eventually } from './helpers';
import { tempDir } from '../temp';

const root = join(__dirname, '..', '..');

function synthesize(): string {
  const out = join(tempDir('local-stack-'), 'cdktf.out');
  buildApp(resolveConfig({ project: 'test-project', queueId: 'orders', maxDispatchesPerSecond: 40, minBackoff: '1s', maxBackoff: '1s' }, {}), out).synth();
  return out;
}

function startDev(args: string[]): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['-r', join(root, 'scripts', 'register.js'), join(root, 'local', 'dev.ts'), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  cleanup.push(() => child.exitCode === null && child.kill('SIGKILL'));
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      if (out.includes('Ctrl-C stops everything.')) resolve(child);
    });
    child.stderr!.on('data', (d) => (out += d));
    child.once('exit', (code) => reject(new Error(`dev server exited with ${code}: ${out}`)));
  });
}

describe('local dev server', () => {
  afterEach(runCleanup);

  test('loads the synthesized queue; references come from explicit rules or mappings, never guesses', () => {
    const [stack] = readStacks(synthesize());
    const [service] = servicesOf(stack);
    expect(() => queuesOf(stack, {})).toThrow(new RegExp(`no local value for "${service.address}.uri".*--resolve REFERENCE=VALUE`));
    const [q] = queuesOf(stack, { [`${service.address}.uri`]: 'http://127.0.0.1:9000' });
    expect(q).toMatchObject({
      path: 'projects/test-project/locations/us-central1/queues/orders',
      httpTarget: {
        httpMethod: 'POST',
        uriOverride: { scheme: 'HTTP', host: '127.0.0.1', port: 9000, path: '/tasks', enforceMode: 'ALWAYS' },
        oidcToken: { serviceAccountEmail: 'orders-enq@test-project.iam.gserviceaccount.com', audience: 'https://orders-handler.us-central1.cloudtasks.audience' },
      },
      rate: { maxDispatchesPerSecond: 40, maxConcurrentDispatches: 1000 },
      retry: { maxAttempts: 100, minBackoff: 1, maxBackoff: 1, maxDoublings: 16, maxRetryDuration: 0 },
    });
  });

  test('kill -9 mid-run and restart: every acknowledged task is still dispatched', async () => {
    const out = synthesize();
    const [service] = servicesOf(readStacks(out)[0]);
    const port = await freePort();
    const processed = new Set<string>();
    const handler = await startHandler(async (task) => {
      await new Promise((r) => setTimeout(r, 10));
      processed.add(task.context.taskName);
    }, port);
    const db = join(tempDir('local-db-'), 'tasks.sqlite');
    const args = ['--out', out, '--no-handler', '--resolve', `${service.address}.uri=${handler.url}`, '--db', db, '--port', String(port), '--grpc-port', String(await freePort())];
    const endpoint = `http://127.0.0.1:${port}`;

    const first = await startDev(args);
    const queue = 'projects/test-project/locations/us-central1/queues/orders';
    const acknowledged: string[] = [];
    for (let i = 0; i < 80; i++) {
      const task = await bufferTask(queue, { endpoint, accessToken: 'local', taskId: `durable-${i}`, payload: { i } });
      acknowledged.push(task.name.split('/').pop()!);
    }
    await eventually(() => processed.size >= 10);
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));
    const beforeRestart = processed.size;
    expect(beforeRestart).toBeLessThan(80); // the kill really happened mid-run

    await startDev(args);
    await eventually(() => acknowledged.every((name) => processed.has(name)), 15_000);
    const res = await fetch(`${endpoint}/v2/${queue}/tasks`, { headers: { Authorization: 'Bearer local' } });
    expect(((await res.json()) as { tasks: unknown[] }).tasks).toEqual([]);
  }, 30_000);
});
