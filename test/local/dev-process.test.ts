// `npm run dev` as users run it: stopping it by signalling only the npm process leaves nothing holding its ports.
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { AddressInfo, createServer } from 'node:net';
import { join } from 'node:path';
import { resolveConfig } from '../../config';
import { buildApp } from '../../main';
import { bufferTask } from '../../client';
import { LocalCloudTasks, queuesOf, readStacks, servicesOf } from '../../local';
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
    // The handler listens on loopback only, not on every interface of the developer's machine.
    expect(banner).toContain(`"listening on 127.0.0.1:${ports[2]}/tasks"`);
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

/** `npm run dev` on a synthesized config; resolves with its output once the banner is out (or it exited). */
async function runDev(config: object, extra: string[] = [], db = join(tempDir('dev-db-'), 'tasks.sqlite')): Promise<{ npm: ChildProcess; out: () => string; exit: Promise<number | null>; ports: number[]; db: string; outdir: string }> {
  const outdir = join(tempDir('dev-cfg-'), 'cdktf.out');
  buildApp(resolveConfig(config, {}), outdir).synth();
  const ports = [await freePort(), await freePort(), await freePort()];
  const args = ['run', 'dev', '--', '--out', outdir, '--db', db, '--port', String(ports[0]), '--grpc-port', String(ports[1]), '--handler-port', String(ports[2]), ...extra];
  const npm = spawn('npm', args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CHECKPOINT_DISABLE: '1' }, detached: true });
  cleanup.push(() => {
    try {
      process.kill(-npm.pid!, 'SIGKILL');
    } catch {
      // gone already
    }
  });
  let text = '';
  npm.stdout!.on('data', (d) => (text += d));
  npm.stderr!.on('data', (d) => (text += d));
  let exited = false;
  const exit = new Promise<number | null>((r) => npm.once('exit', (code) => ((exited = true), r(code))));
  // Until the banner is out or the process is gone (no poll left running after either).
  await eventually(() => exited || text.includes('Ctrl-C stops everything.'), 25_000);
  return { npm, out: () => text, exit, ports, db, outdir };
}

describe('npm run dev: first contact', () => {
  afterEach(runCleanup);

  test('GIVEN a due task in the store WHEN the dev server starts THEN its first attempt reaches a handler that answers', async () => {
    const db = join(tempDir('dev-due-'), 'tasks.sqlite');
    const config = { project: 'test-project', queueId: 'orders' };
    // The task is stored (due now) while nothing dispatches, as after a stop of the dev server.
    const outdir = join(tempDir('dev-seed-'), 'cdktf.out');
    buildApp(resolveConfig(config, {}), outdir).synth();
    const [stack] = readStacks(outdir);
    const seed = await LocalCloudTasks.start({ queues: queuesOf(stack, { [`${servicesOf(stack)[0].address}.uri`]: 'http://127.0.0.1:9' }), db, grpcPort: false, dispatch: false });
    await bufferTask('projects/test-project/locations/us-central1/queues/orders', { endpoint: seed.endpoint, accessToken: 'local', taskId: 'due-at-start', payload: { hello: 'world' } });
    await seed.stop();

    const dev = await runDev(config, [], db);
    await eventually(() => /"task":"due-at-start".*"startDelayMs"/.test(dev.out()), 15_000);
    // The dispatcher's lines (the handler logs the task too).
    const attempts = dev.out().split('\n').filter((l) => l.includes('"task":"due-at-start"') && l.includes('"startDelayMs"')).map((l) => JSON.parse(l));
    expect(attempts[0]).toMatchObject({ attempt: 1, status: 200, outcome: 'acknowledged' });
  }, 60_000);

  test('GIVEN two environments WHEN the banner\'s "Try:" command runs THEN it reaches the queue the server serves', async () => {
    const config = { project: 'test-project', environments: { staging: { queueId: 'staging-q' }, dev: { queueId: 'dev-q' } } };
    const dev = await runDev(config);
    const banner = dev.out();
    expect(banner).toContain('stack "dev"');
    const tryLine = /Try: CLOUD_TASKS_ENDPOINT=(\S+) CLOUD_TASKS_ACCESS_TOKEN=local npm run enqueue -- (.*)$/m.exec(banner);
    expect(tryLine?.[2]).toBe(`buffer --env dev --data '{"hello":"world"}'`);
    // The CLI as `npm run enqueue` runs it, in a project whose cdktf.json holds that config.
    const project = tempDir('dev-try-');
    writeFileSync(join(project, 'cdktf.json'), JSON.stringify({ app: 'x', context: { pipeline: config } }));
    const cli = spawnSync(process.execPath, ['-r', join(root, 'scripts', 'register.js'), join(root, 'client', 'cli.ts'), 'buffer', '--env', 'dev', '--data', '{"hello":"world"}'], {
      cwd: project,
      encoding: 'utf8',
      env: { ...process.env, CLOUD_TASKS_ENDPOINT: tryLine![1], CLOUD_TASKS_ACCESS_TOKEN: 'local' },
    });
    expect([cli.status, cli.stderr]).toEqual([0, '']);
    expect(cli.stdout).toContain('projects/test-project/locations/us-central1/queues/dev-q/tasks/');
    // And without --env, the CLI's default is the environment the server serves.
    const bare = spawnSync(process.execPath, ['-r', join(root, 'scripts', 'register.js'), join(root, 'client', 'cli.ts'), 'buffer', '--data', '{}'], {
      cwd: project,
      encoding: 'utf8',
      env: { ...process.env, CLOUD_TASKS_ENDPOINT: tryLine![1], CLOUD_TASKS_ACCESS_TOKEN: 'local' },
    });
    expect(bare.status).toBe(0);
  }, 60_000);

  test('GIVEN another process on the REST port WHEN npm run dev starts THEN it names the port and the flag that moves it', async () => {
    const squatter = createServer().listen(0, '127.0.0.1');
    await new Promise((r) => squatter.once('listening', r));
    cleanup.push(() => new Promise((r) => squatter.close(r)));
    const port = (squatter.address() as AddressInfo).port;
    const dev = await runDev({ project: 'test-project', queueId: 'orders' }, ['--port', String(port)]);
    expect(await dev.exit).toBe(1);
    expect(dev.out()).toContain(`port ${port} (local Cloud Tasks REST API) is in use: choose another with --port N`);
    expect(dev.out()).not.toContain('EADDRINUSE');
  }, 60_000);
});
