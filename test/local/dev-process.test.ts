// `npm run dev` as users run it: stopping it by signalling only the npm process leaves nothing holding its ports.
import { ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { resolveConfig } from '../../config';
import { buildApp } from '../../main';
import { cleanup, eventually, freePort, runCleanup } from './helpers';
import { tempDir } from '../temp';

const root = join(__dirname, '..', '..');

/** True when nothing listens on the port any more (we can bind it ourselves). */
const portFree = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = createServer()
      .once('error', () => resolve(false))
      .listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });

/** The ops endpoint's port, as the banner shows it. */
const opsPortOf = (banner: string) => Number(/ops {5}http:\/\/127\.0\.0\.1:(\d+)/.exec(banner)?.[1]);

/** REST, gRPC and handler ports; by default three free ones. */
async function startNpmDev(ports?: number[]): Promise<{ npm: ChildProcess; ports: number[]; banner: string }> {
  const out = join(tempDir('dev-proc-'), 'cdktf.out');
  buildApp(resolveConfig({ project: 'test-project', queueId: 'orders' }, {}), out).synth();
  ports ??= [await freePort(), await freePort(), await freePort()];
  const db = join(tempDir('dev-proc-db-'), 'tasks.sqlite');
  const args = ['run', 'dev', '--', '--out', out, '--db', db, '--port', String(ports[0]), '--grpc-port', String(ports[1]), '--handler-port', String(ports[2])];
  // Its own process group, so a failing test can still clean up every process of the tree.
  const npm = spawn('npm', args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CHECKPOINT_DISABLE: '1' }, detached: true });
  cleanup.push(() => {
    try {
      process.kill(-npm.pid!, 'SIGKILL');
    } catch {
      // the whole group is gone already
    }
  });
  const banner = await new Promise<string>((resolve, reject) => {
    let text = '';
    npm.stdout!.on('data', (d) => {
      text += d;
      if (text.includes('Ctrl-C stops everything.')) resolve(text);
    });
    npm.stderr!.on('data', (d) => (text += d));
    npm.once('exit', (code) => reject(new Error(`npm run dev exited with ${code}: ${text}`)));
  });
  return { npm, ports, banner };
}

describe('npm run dev as a process tree', () => {
  afterEach(runCleanup);

  test('the banner shows all three endpoints and comes only once the handler answers', async () => {
    const { ports, banner } = await startNpmDev();
    expect(banner).toContain(`REST    http://127.0.0.1:${ports[0]}`);
    expect(banner).toContain(`gRPC    127.0.0.1:${ports[1]}`);
    expect(opsPortOf(banner)).toBeGreaterThan(0);
    expect((await fetch(`http://127.0.0.1:${opsPortOf(banner)}/stats`)).status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${ports[2]}/healthz`)).status).toBe(200);
  }, 30_000);

  test('GIVEN --handler-port is --port + 2 (the ops default) WHEN started THEN ops moves to a free port and the handler keeps its own', async () => {
    let rest = await freePort();
    while (!(await portFree(rest + 2))) rest = await freePort();
    const { npm, banner } = await startNpmDev([rest, await freePort(), rest + 2]);
    expect(opsPortOf(banner)).not.toBe(rest + 2);
    expect(banner).toContain(`--pubsub-endpoint http://127.0.0.1:${opsPortOf(banner)} --endpoint http://127.0.0.1:${rest}`);
    // The handler (not the ops face) answers on its port, and it is still running a moment later.
    await new Promise((r) => setTimeout(r, 1000));
    expect(npm.exitCode).toBeNull();
    const health = await fetch(`http://127.0.0.1:${rest + 2}/healthz`);
    expect(health.status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${rest + 2}/stats`)).status).not.toBe(200);
  }, 30_000);

  test.each(['SIGTERM', 'SIGINT', 'SIGKILL'] as const)('%s to the npm process only: no process is left holding the API, gRPC, ops or handler port', async (signal) => {
    const { npm, ports, banner } = await startNpmDev();
    npm.kill(signal);
    await eventually(async () => (await Promise.all([...ports, opsPortOf(banner)].map(portFree))).every(Boolean), 10_000);
  }, 30_000);
});
