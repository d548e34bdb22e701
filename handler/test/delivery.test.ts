import { parseTaskContext } from '../src/context';
import { InMemoryIdempotencyStore } from '../src/idempotency';
import { BadRequestError } from '../src/context';
import { eventually, gate, Harness, recordingWork, sleep, startHandler, taskHeaders } from './harness';

// Auth is covered in auth.test.ts; here it is off so each test is about delivery semantics alone.
const noAuth = { TASKS_AUTH: 'disabled' };

describe('task delivery', () => {
  let h: Harness;
  afterEach(() => h?.close());

  test('a duplicate delivery of a completed task answers "duplicate" without running the work again', async () => {
    const rec = recordingWork();
    h = await startHandler(rec.work, { env: noAuth });
    expect((await h.post(taskHeaders('t1'))).body).toEqual({ task: 't1', status: 'processed' });
    const again = await h.post(taskHeaders('t1', { 'X-CloudTasks-TaskRetryCount': '1' }));
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ task: 't1', status: 'duplicate' });
    expect(rec.ran).toHaveLength(1);
  });

  test('the same task name on another queue is a different task', async () => {
    const rec = recordingWork();
    h = await startHandler(rec.work, { env: noAuth });
    await h.post(taskHeaders('same'));
    expect((await h.post(taskHeaders('same', { 'X-CloudTasks-QueueName': 'emails' }))).body.status).toBe('processed');
    expect(rec.ran).toHaveLength(2);
  });

  test('concurrent duplicates run the work once; the others are told to retry', async () => {
    const g = gate();
    const rec = recordingWork(() => g.promise); // the first delivery holds until the others are answered
    h = await startHandler(rec.work, { env: noAuth });
    const first = h.post(taskHeaders('busy'));
    await eventually(() => rec.ran.length === 1);
    const others = await Promise.all(Array.from({ length: 4 }, () => h.post(taskHeaders('busy'))));
    expect(others.map((r) => r.status)).toEqual([409, 409, 409, 409]);
    expect(others[0].headers.get('retry-after')).toBe('5');
    g.open();
    expect((await first).body).toEqual({ task: 'busy', status: 'processed' });
    expect(rec.ran).toHaveLength(1);
    expect((await h.post(taskHeaders('busy'))).body.status).toBe('duplicate');
  });

  test('work that throws is a 500 and the retry runs it again', async () => {
    let calls = 0;
    const rec = recordingWork(() => {
      if (++calls === 1) throw new Error('database unavailable');
    });
    h = await startHandler(rec.work, { env: noAuth });
    const first = await h.post(taskHeaders('flaky'));
    expect(first.status).toBe(500);
    expect(first.body).toEqual({ task: 'flaky', error: 'work failed: database unavailable' });
    const retry = await h.post(taskHeaders('flaky', { 'X-CloudTasks-TaskRetryCount': '1', 'X-CloudTasks-TaskPreviousResponse': '500' }));
    expect(retry.body.status).toBe('processed');
    expect(rec.ran).toHaveLength(2);
    expect(rec.ran[1].context.previousResponse).toBe(500);
  });

  test('work over the timeout is a 503 with Retry-After and its signal aborts; the claim holds until the work ends', async () => {
    const g = gate();
    let aborted = false;
    const rec = recordingWork(async (task) => {
      task.signal.addEventListener('abort', () => (aborted = true));
      await g.promise; // ignores the abort, like work stuck in a call
    });
    h = await startHandler(rec.work, { env: { ...noAuth, TASKS_DISPATCH_DEADLINE_SECONDS: '15', TASKS_WORK_TIMEOUT_SECONDS: '1' } });
    const res = await h.post(taskHeaders('slow'));
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('30');
    expect(res.body.error).toMatch(/did not finish within 1000 ms/);
    expect(aborted).toBe(true);
    expect((await h.post(taskHeaders('slow'))).status).toBe(409); // still running: not started twice
    g.open();
    await eventually(async () => (await h.post(taskHeaders('slow'))).body.status === 'duplicate'); // it did finish
    expect(rec.ran).toHaveLength(1);
  });

  test('a body over the limit is a 413 and the work never runs', async () => {
    const rec = recordingWork();
    h = await startHandler(rec.work, { env: { ...noAuth, TASKS_MAX_BODY_BYTES: '1024' } });
    const res = await h.post(taskHeaders('big'), JSON.stringify({ data: 'x'.repeat(2000) }));
    expect(res.status).toBe(413);
    expect(res.body.error).toBe('body exceeds 1024 bytes');
    expect(rec.ran).toHaveLength(0);
  });

  test('a body at the limit is accepted', async () => {
    const rec = recordingWork();
    h = await startHandler(rec.work, { env: { ...noAuth, TASKS_MAX_BODY_BYTES: '1024' } });
    const body = JSON.stringify({ d: 'x'.repeat(1024 - 8) });
    expect(body.length).toBe(1024);
    expect((await h.post(taskHeaders('edge'), body)).status).toBe(200);
    expect(rec.ran[0].body.length).toBe(1024);
  });

  test('a missing X-CloudTasks-TaskName is a 400 with a message', async () => {
    const rec = recordingWork();
    h = await startHandler(rec.work, { env: noAuth });
    const res = await h.post({ 'X-CloudTasks-QueueName': 'orders' });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatch(/missing X-CloudTasks-TaskName/);
    expect(rec.ran).toHaveLength(0);
  });

  test('malformed JSON in the sample work is a 400, and the claim is released', async () => {
    const { sampleWork } = await import('../src/work');
    h = await startHandler(sampleWork, { env: noAuth });
    const res = await h.post(taskHeaders('bad-json'), '{"unterminated":');
    expect(res.status).toBe(400);
    expect(res.body.error).toMatch(/body is not valid JSON/);
    expect((await h.post(taskHeaders('bad-json'), '{"fixed":true}')).body.status).toBe('processed');
  });

  test('the sample work logs the parsed payload on the task line', async () => {
    const { sampleWork } = await import('../src/work');
    h = await startHandler(sampleWork, { env: noAuth });
    await h.post(taskHeaders('logged'), '{"order":42}');
    expect(h.logs.at(-1)).toMatchObject({ task: 'logged', outcome: 'processed', payload: { order: 42 } });
  });

  test('one structured log line per task with queue, task, attempt, outcome, latency and trace', async () => {
    h = await startHandler(recordingWork().work, { env: { ...noAuth, GOOGLE_CLOUD_PROJECT: 'test-project' } });
    await h.post({ ...taskHeaders('traced', { 'X-CloudTasks-TaskRetryCount': '2' }), 'X-Cloud-Trace-Context': '105445aa7843bc8bf206b12000100000/1;o=1' });
    expect(h.logs).toHaveLength(1);
    expect(h.logs[0]).toMatchObject({
      severity: 'INFO',
      message: 'task traced processed (200)',
      'logging.googleapis.com/trace': 'projects/test-project/traces/105445aa7843bc8bf206b12000100000',
      queue: 'orders',
      task: 'traced',
      attempt: 3,
      outcome: 'processed',
      status: 200,
    });
    expect(typeof h.logs[0].latencyMs).toBe('number');
  });

  test('health check, unknown paths and wrong methods', async () => {
    h = await startHandler(recordingWork().work, { env: noAuth });
    expect(await (await fetch(`${h.base}/healthz`)).json()).toEqual({ status: 'ok' });
    expect((await fetch(`${h.base}/nope`, { method: 'POST' })).status).toBe(404);
    const get = await fetch(`${h.base}/tasks`);
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
  });

  test('after shutdown starts, new tasks get 503 with Retry-After', async () => {
    const rec = recordingWork(() => sleep(300));
    h = await startHandler(rec.work, { env: noAuth });
    const inflight = h.post(taskHeaders('first'));
    await eventually(() => rec.ran.length === 1);
    const stopping = h.server.shutdown(2000);
    // A keep-alive connection can still deliver a request while draining: it must be refused cleanly.
    const res = await h.post(taskHeaders('late')).catch(() => ({ status: 'refused' as const }));
    expect([503, 'refused']).toContain(res.status);
    expect((await inflight).status).toBe(200);
    await stopping;
    expect(rec.ran.map((t) => t.context.taskName)).toEqual(['first']);
  });
});

describe('parseTaskContext', () => {
  test('reads every X-CloudTasks header (lower-cased as node delivers them)', () => {
    expect(
      parseTaskContext({
        'x-cloudtasks-queuename': 'orders',
        'x-cloudtasks-taskname': '0123456789',
        'x-cloudtasks-taskretrycount': '3',
        'x-cloudtasks-taskexecutioncount': '1',
        'x-cloudtasks-tasketa': '1764100000.5',
        'x-cloudtasks-taskpreviousresponse': '504',
        'x-cloudtasks-taskretryreason': 'DEADLINE_EXCEEDED',
      }),
    ).toEqual({
      queueName: 'orders',
      taskName: '0123456789',
      retryCount: 3,
      executionCount: 1,
      eta: new Date(1764100000500),
      previousResponse: 504,
      retryReason: 'DEADLINE_EXCEEDED',
    });
  });

  test('optional headers may be missing, and an empty retry reason is absent', () => {
    expect(parseTaskContext({ 'x-cloudtasks-taskname': 't', 'x-cloudtasks-taskretryreason': '' })).toEqual({
      queueName: '',
      taskName: 't',
      retryCount: 0,
      executionCount: 0,
      eta: undefined,
      previousResponse: undefined,
      retryReason: undefined,
    });
  });

  test('malformed counts and ETA are bad requests', () => {
    expect(() => parseTaskContext({ 'x-cloudtasks-taskname': 't', 'x-cloudtasks-taskretrycount': 'two' })).toThrow(BadRequestError);
    expect(() => parseTaskContext({ 'x-cloudtasks-taskname': 't', 'x-cloudtasks-tasketa': 'tomorrow' })).toThrow(/TaskETA must be epoch seconds/);
  });
});

describe('InMemoryIdempotencyStore', () => {
  test('remembers completions for the TTL', () => {
    let now = 0;
    const store = new InMemoryIdempotencyStore({ ttlMs: 1000, now: () => now });
    expect(store.begin('a')).toBe('acquired');
    expect(store.begin('a')).toBe('in-progress');
    store.complete('a');
    expect(store.begin('a')).toBe('completed');
    now = 1001;
    expect(store.begin('a')).toBe('acquired');
  });

  test('is bounded: once 10% over, forgets the oldest completed tasks, never a running one', () => {
    const store = new InMemoryIdempotencyStore({ maxEntries: 10 });
    store.begin('running');
    for (let i = 0; i < 10; i++) {
      store.begin(`t${i}`);
      store.complete(`t${i}`);
    }
    expect(store.size).toBe(11); // within the 10% slack
    store.begin('t10');
    expect(store.size).toBe(10); // evicted down to the bound in one pass
    expect(store.begin('running')).toBe('in-progress');
    expect(store.begin('t0')).toBe('acquired'); // the oldest completed task was forgotten
    expect(store.begin('t9')).toBe('completed');
  });
});
