// Producers send the queue's deadline on CreateTask, never a longer one, and refuse BufferTask for a
// CreateTask-only queue: the library, the enqueue CLI (settings from cdktf.json) and dead-letter replay.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bufferTask, createTask, replayDeadLetter, TaskValidationError } from '../../client';
import { Recorder, recorderForSuite } from './recorder';

const root = join(__dirname, '..', '..');
const SLOW = { project: 'acme-dev', location: 'us-central1', queue: 'orders-slow', dispatchDeadlineSeconds: 1800, bufferTask: false };
const FAST = { project: 'acme-dev', location: 'us-central1', queue: 'orders-fast', dispatchDeadlineSeconds: 300 };
const PATH = 'projects/acme-dev/locations/us-central1/queues/orders';

describe('the library', () => {
  const api = recorderForSuite();
  beforeEach(() => {
    api.requests.length = 0;
    api.fallback = (r) =>
      r.url.includes(':buffer') ? { status: 200, body: { task: { name: `${PATH}/tasks/1` } } } : { status: 200, body: { name: JSON.parse(r.body.toString()).task.name ?? `${PATH}/tasks/1` } };
  });
  const opts = (more = {}) => ({ endpoint: api.endpoint, accessToken: 'token', ...more });
  const sentDeadline = (i = 0) => JSON.parse(api.requests[i].body.toString()).task.dispatchDeadline;

  test('GIVEN a queue path WHEN creating a task without a deadline THEN the default 600 s is sent, not left to the service', async () => {
    await createTask(PATH, opts());
    expect(sentDeadline()).toBe('600s');
  });

  test('GIVEN a queue with its dispatchDeadlineSeconds WHEN creating a task THEN that deadline is sent', async () => {
    await createTask(SLOW, opts());
    expect(sentDeadline()).toBe('1800s');
  });

  test('GIVEN a queue of 1800 s WHEN a shorter deadline is asked for THEN it is sent', async () => {
    await createTask(SLOW, opts({ dispatchDeadline: '900s' }));
    expect(sentDeadline()).toBe('900s');
  });

  test('GIVEN a queue of 300 s WHEN exactly 300 s is asked for THEN it is sent, with no announcement header', async () => {
    await createTask(FAST, opts({ dispatchDeadline: 300 }));
    expect(sentDeadline()).toBe('300s');
    expect(JSON.parse(api.requests[0].body.toString()).task.httpRequest.headers).not.toHaveProperty('X-Tasks-Dispatch-Deadline');
  });

  test('GIVEN a queue of 1800 s WHEN a shorter deadline is asked for THEN the task announces it to the handler', async () => {
    await createTask(SLOW, opts({ dispatchDeadline: 900 }));
    expect(JSON.parse(api.requests[0].body.toString()).task.httpRequest.headers['X-Tasks-Dispatch-Deadline']).toBe('900');
  });

  test('GIVEN a dead letter that carried an announcement WHEN replayed THEN it is not copied (the replay has its own deadline)', async () => {
    const announced = { ...letter, letter: { ...letter.letter, headers: { 'X-Tasks-Dispatch-Deadline': '60', 'X-Order': '4' } } };
    await replayDeadLetter(announced, SLOW, opts());
    expect(JSON.parse(api.requests[0].body.toString()).task.httpRequest.headers).toEqual({ 'Content-Type': 'application/octet-stream', 'X-Order': '4' });
  });

  test('GIVEN a queue of 300 s WHEN a longer deadline is asked for THEN it is refused before any call', async () => {
    const err = await createTask(FAST, opts({ dispatchDeadline: '301s' })).catch((e) => e);
    expect(err).toBeInstanceOf(TaskValidationError);
    expect(err.message).toBe("Invalid task: dispatchDeadline must be at most the queue's dispatchDeadlineSeconds, 300s: the handler budgets that, so a longer deadline buys no time; got 301s");
    expect(api.requests).toHaveLength(0);
  });

  test('GIVEN a queue path WHEN a deadline above 600 s is asked for THEN it is refused, saying to pass the queue settings', async () => {
    const err = await createTask(PATH, opts({ dispatchDeadline: '900s' })).catch((e) => e);
    expect(err.message).toMatch(/at most the queue's dispatchDeadlineSeconds, 600s \(the default; pass the queue's dispatchDeadlineSeconds with the queue when it is configured longer\)/);
    expect(api.requests).toHaveLength(0);
  });

  test('GIVEN a queue reference with a deadline out of range THEN it is refused', async () => {
    const err = await createTask({ ...FAST, dispatchDeadlineSeconds: 1801 }, opts()).catch((e) => e);
    expect(err.message).toMatch(/queue dispatchDeadlineSeconds must be whole seconds from 15 to 1800 .*got 1801/);
    expect(api.requests).toHaveLength(0);
  });

  test('GIVEN a CreateTask-only queue WHEN buffering THEN it is refused before any call', async () => {
    const err = await bufferTask(SLOW, opts({ payload: 'x' })).catch((e) => e);
    expect(err).toBeInstanceOf(TaskValidationError);
    expect(err.message).toMatch(/BufferTask is refused: the queue is CreateTask-only \(bufferTask: false\)/);
    expect(api.requests).toHaveLength(0);
  });

  test('GIVEN a queue of 900 s without bufferTask false WHEN buffering THEN it is refused (BufferTask gives 600 s)', async () => {
    const err = await bufferTask({ ...FAST, dispatchDeadlineSeconds: 900 }, opts()).catch((e) => e);
    expect(err.message).toMatch(/BufferTask is refused: the queue's dispatchDeadlineSeconds is 900, and BufferTask tasks always get 600 s/);
    expect(api.requests).toHaveLength(0);
  });

  test('GIVEN a queue of 600 s WHEN buffering THEN it goes through', async () => {
    await bufferTask({ ...FAST, dispatchDeadlineSeconds: 600, bufferTask: true }, opts());
    expect(api.requests[0].url).toBe('/v2/projects/acme-dev/locations/us-central1/queues/orders-fast/tasks:buffer');
  });

  const letter = { messageId: 'm1', letter: { queue: 'orders-slow', task: 't1', attempts: 3, retryCount: 2, executionCount: 3, body: Buffer.from('x').toString('base64'), headers: {}, error: { status: 500, outcome: 'failed', message: 'x' }, deadLetteredAt: '2026-12-01T00:00:00Z' } as any };

  test('GIVEN a CreateTask-only queue WHEN replaying a dead letter without --via THEN CreateTask carries the queue deadline', async () => {
    await replayDeadLetter(letter, SLOW, opts());
    expect(api.requests[0].url).not.toContain(':buffer');
    expect(sentDeadline()).toBe('1800s');
  });

  test('GIVEN a queue that allows BufferTask WHEN replaying without --via THEN BufferTask is used', async () => {
    await replayDeadLetter({ ...letter, letter: { ...letter.letter, queue: 'orders-fast' } }, FAST, opts());
    expect(api.requests[0].url).toContain(':buffer');
  });
});

function cli(args: string[], env: Record<string, string>, cwd: string): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['-r', join(root, 'scripts', 'register.js'), join(root, 'client', 'cli.ts'), ...args], { cwd, env: { PATH: process.env.PATH ?? '', ...env } });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

describe('the enqueue CLI reads each queue\'s deadline settings from cdktf.json', () => {
  jest.setTimeout(30_000); // each test starts the CLI process (TypeScript source): seconds on a busy machine
  let api: Recorder;
  let env: Record<string, string>;
  let cwd: string;
  beforeAll(async () => {
    api = await new Recorder().start();
    env = { CLOUD_TASKS_ENDPOINT: api.endpoint, CLOUD_TASKS_ACCESS_TOKEN: 'cli-token' };
    cwd = mkdtempSync(join(tmpdir(), 'cli-deadlines-'));
    const pipeline = { project: 'acme-dev', queues: { 'orders-fast': {}, 'orders-slow': { dispatchDeadlineSeconds: 1800, bufferTask: false } } };
    writeFileSync(join(cwd, 'cdktf.json'), JSON.stringify({ context: { pipeline } }));
  });
  afterAll(async () => {
    await api.stop();
    rmSync(cwd, { recursive: true, force: true });
  });
  beforeEach(() => {
    api.requests.length = 0;
    api.fallback = () => ({ status: 200, body: { name: 'projects/acme-dev/locations/us-central1/queues/orders-slow/tasks/1' } });
  });
  const sentDeadline = () => JSON.parse(api.requests[0].body.toString()).task.dispatchDeadline;

  test('create on the slow lane sends its 1800 s', async () => {
    expect((await cli(['create', '--queue', 'orders-slow', '--data', 'x'], env, cwd)).code).toBe(0);
    expect(sentDeadline()).toBe('1800s');
  });

  test('create on the slow lane by full path still sends its 1800 s', async () => {
    expect((await cli(['create', '--queue', 'projects/acme-dev/locations/us-central1/queues/orders-slow'], env, cwd)).code).toBe(0);
    expect(sentDeadline()).toBe('1800s');
  });

  test('create on the fast lane sends the default 600 s', async () => {
    expect((await cli(['create', '--queue', 'orders-fast'], env, cwd)).code).toBe(0);
    expect(sentDeadline()).toBe('600s');
  });

  test('buffer on the slow lane is refused with the reason, nothing sent', async () => {
    const r = await cli(['buffer', '--queue', 'orders-slow', '--data', 'x'], env, cwd);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: Invalid task: BufferTask is refused: the queue is CreateTask-only \(bufferTask: false\)/);
    expect(api.requests).toHaveLength(0);
  });
});
