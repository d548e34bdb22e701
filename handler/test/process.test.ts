import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { loadHandlerConfig } from '../src/config';
import { taskHeaders } from './harness';

const root = join(__dirname, '..', '..');
const register = join(root, 'scripts', 'register.js');

interface Fixture {
  child: ChildProcess;
  port: number;
  exited: Promise<number | null>;
  /** Resolves when the fixture's work function has started. */
  workStarted: Promise<void>;
}

function startFixture(env: Record<string, string> = {}): Promise<Fixture> {
  const child = spawn(process.execPath, ['-r', register, join(__dirname, 'fixtures', 'slow-server.ts')], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  let started!: () => void;
  const workStarted = new Promise<void>((r) => (started = r));
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (d) => {
      for (const line of String(d).split('\n').filter(Boolean)) {
        const msg = JSON.parse(line);
        if (msg.port) resolve({ child, port: msg.port, exited, workStarted });
        if (msg.started) started();
      }
    });
    child.once('exit', (code) => reject(new Error(`fixture exited early with ${code}`)));
  });
}

describe('handler process', () => {
  test('SIGTERM during in-flight work: the request completes and the process exits 0', async () => {
    const { child, port, exited, workStarted } = await startFixture({ WORK_MS: '800' });
    const inflight = fetch(`http://127.0.0.1:${port}/tasks`, { method: 'POST', headers: taskHeaders('in-flight'), body: '{}' });
    await workStarted;
    child.kill('SIGTERM');
    const res = await inflight;
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ task: 'in-flight', status: 'processed' });
    expect(await exited).toBe(0);
  }, 15_000);

  test('SIGTERM gives up on work that outlasts the grace period, still exiting 0 before Cloud Run kills it', async () => {
    const { child, port, exited, workStarted } = await startFixture({ WORK_MS: '5000', TASKS_SHUTDOWN_GRACE_SECONDS: '1' });
    const inflight = fetch(`http://127.0.0.1:${port}/tasks`, { method: 'POST', headers: taskHeaders('too-slow'), body: '{}' }).catch(() => 'dropped');
    await workStarted;
    const sent = Date.now();
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(Date.now() - sent).toBeLessThan(3000);
    expect(await inflight).toBe('dropped'); // never acknowledged: Cloud Tasks will retry it
  }, 15_000);

  test('startup with missing configuration exits non-zero with a clear message', () => {
    const r = spawnSync(process.execPath, ['-r', register, join(__dirname, '..', 'src', 'main.ts')], {
      env: { PATH: process.env.PATH ?? '' },
      encoding: 'utf8',
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/Invalid handler environment:/);
    expect(r.stderr).toMatch(/'TASKS_AUDIENCE' must be set to the token audience/);
    expect(r.stderr).toMatch(/'TASKS_SERVICE_ACCOUNT' must be set to the queue's token service account email, got ""/);
  });
});

describe('loadHandlerConfig', () => {
  const valid = { TASKS_AUDIENCE: 'aud', TASKS_SERVICE_ACCOUNT: 'a@p.iam.gserviceaccount.com' };

  test('defaults: port 8080, /tasks, Google JWKS and issuers, 1 MiB, work timeout 5 s under the 600 s deadline', () => {
    expect(loadHandlerConfig(valid)).toEqual({
      port: 8080,
      path: '/tasks',
      auth: {
        audience: 'aud',
        serviceAccount: 'a@p.iam.gserviceaccount.com',
        jwksUrl: 'https://www.googleapis.com/oauth2/v3/certs',
        issuers: ['https://accounts.google.com', 'accounts.google.com'],
        clockSkewSeconds: 120,
      },
      maxBodyBytes: 1048576,
      dispatchDeadlineSeconds: 600,
      workTimeoutMs: 595_000,
      queueDeadlines: {},
      shutdownGraceMs: 8000,
      bodyTimeoutMs: 10_000,
      maxConnections: 1000,
      headTimeoutMs: 5000,
      project: undefined,
    });
  });

  test('TASKS_AUTH=disabled needs no audience or account', () => {
    expect(loadHandlerConfig({ TASKS_AUTH: 'disabled' }).auth).toBeUndefined();
  });

  test('refuses TASKS_AUTH=disabled on Cloud Run (K_SERVICE set)', () => {
    // GIVEN the variables Cloud Run sets WHEN verification is disabled THEN startup fails naming K_SERVICE
    expect(() => loadHandlerConfig({ TASKS_AUTH: 'disabled', K_SERVICE: 'orders-handler' })).toThrow(
      /'TASKS_AUTH' must be "enabled" on Cloud Run \(K_SERVICE is set to "orders-handler"\).*got "disabled"/,
    );
  });

  test('accepts verification on Cloud Run', () => {
    expect(loadHandlerConfig({ ...valid, K_SERVICE: 'orders-handler' }).auth?.audience).toBe('aud');
  });

  test.each(['http://127.0.0.1:8123/oauth2/v3/certs', 'http://localhost:9/certs', 'http://[::1]:9/certs', 'https://keys.example.com/certs'])(
    'accepts the JWKS URL %s (https, or http to loopback)',
    (url) => {
      expect(loadHandlerConfig({ ...valid, TASKS_JWKS_URL: url }).auth?.jwksUrl).toBe(url);
    },
  );

  test.each([
    [{ TASKS_AUTH: 'off' }, /'TASKS_AUTH' must be "enabled" \(default\) or "disabled"/],
    [{ PORT: 'http' }, /'PORT' must be an integer from 0 to 65535, got NaN/],
    [{ TASKS_DISPATCH_DEADLINE_SECONDS: '3600' }, /'TASKS_DISPATCH_DEADLINE_SECONDS' must be whole seconds from 15 to 1800, got 3600/],
    [{ TASKS_DISPATCH_DEADLINE_SECONDS: '60', TASKS_WORK_TIMEOUT_SECONDS: '60' }, /'TASKS_WORK_TIMEOUT_SECONDS' must be whole seconds, at least 1 and below TASKS_DISPATCH_DEADLINE_SECONDS \(60\), got 60/],
    [{ TASKS_SHUTDOWN_GRACE_SECONDS: '15' }, /'TASKS_SHUTDOWN_GRACE_SECONDS' must be whole seconds from 0 to 9/],
    [{ TASKS_JWKS_URL: 'file:///etc/passwd' }, /'TASKS_JWKS_URL' must be an https URL \(plain http only to a loopback host/],
    [{ TASKS_JWKS_URL: 'http://keys.example.com/certs' }, /'TASKS_JWKS_URL' must be an https URL.*got "http:\/\/keys.example.com\/certs"/],
    [{ TASKS_JWKS_URL: 'http://127.0.0.1.evil.example/certs' }, /'TASKS_JWKS_URL' must be an https URL/],
    [{ TASKS_SERVICE_ACCOUNT: 'nobody' }, /'TASKS_SERVICE_ACCOUNT' must be set to the queue's token service account email, got "nobody"/],
    [{ TASKS_PATH: 'tasks' }, /'TASKS_PATH' must be a path starting with "\/"/],
    [{ TASKS_BODY_TIMEOUT_SECONDS: '0' }, /'TASKS_BODY_TIMEOUT_SECONDS' must be whole seconds from 1 to 300, got 0/],
    [{ TASKS_BODY_TIMEOUT_SECONDS: '301' }, /'TASKS_BODY_TIMEOUT_SECONDS' must be whole seconds from 1 to 300, got 301/],
    [{ TASKS_MAX_CONNECTIONS: '0' }, /'TASKS_MAX_CONNECTIONS' must be an integer from 1 to 100000, got 0/],
  ])('rejects %j', (env, message) => {
    expect(() => loadHandlerConfig({ ...valid, ...env })).toThrow(message);
  });
});
