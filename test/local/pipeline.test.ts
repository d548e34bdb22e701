// End to end on loopback: producers → local Cloud Tasks → the real handler framework with auth on.
import { BadRequestError } from '../../handler/src/context';
import type { Task } from '../../handler/src/server';
import { bufferTask, createTask } from '../../client';
import { LocalCloudTasks } from '../../local';
import { freePort, PARENT, queueConfig, runCleanup, SA, startHandler, startLocal, eventually } from './helpers';

interface Seen {
  at: number;
  retryCount: number;
  executionCount: number;
  previousResponse?: number;
  retryReason?: string;
  authorized: boolean;
}

describe('the whole pipeline, locally', () => {
  const queue = `${PARENT}/queues/orders`;
  let local: LocalCloudTasks;
  let logs: Record<string, unknown>[];
  const seen = new Map<string, Seen[]>();
  const succeeded = new Map<string, number>();

  // Payload {id, fail: N, status}: the first N deliveries fail with a 500 (throw) or a 400 (bad request).
  const work = (task: Task) => {
    const p = task.json<{ id: string; fail: number; status: 400 | 500 }>();
    const attempts = seen.get(p.id) ?? [];
    attempts.push({
      at: Date.now(),
      retryCount: task.context.retryCount,
      executionCount: task.context.executionCount,
      previousResponse: task.context.previousResponse,
      retryReason: task.context.retryReason,
      authorized: task.caller?.email === SA,
    });
    seen.set(p.id, attempts);
    if (attempts.length <= p.fail) {
      if (p.status === 400) throw new BadRequestError('rejected by design');
      throw new Error('failed by design');
    }
    succeeded.set(p.id, (succeeded.get(p.id) ?? 0) + 1);
  };

  beforeAll(async () => {
    const port = await freePort();
    const handler = await startHandler(work, port);
    ({ local, logs } = await startLocal([queueConfig(handler.url)], { port }));
  });
  afterAll(runCleanup);

  test('200 tasks through BufferTask and CreateTask: each runs to success exactly once, retries carry the right headers', async () => {
    const opts = { endpoint: local.endpoint, accessToken: 'local' };
    const plan = Array.from({ length: 200 }, (_, i) => ({ id: `t${i}`, fail: i % 4 === 0 ? 2 : 0, status: i % 8 === 0 ? 400 : 500 }));
    await Promise.all(
      plan.map((p, i) => (i % 2 === 0 ? bufferTask(queue, { ...opts, payload: p }) : createTask(queue, { ...opts, taskId: `create-${p.id}`, payload: p }))),
    );
    await eventually(() => succeeded.size === 200, 20_000);
    await eventually(() => local.store.count(queue) === 0);

    expect([...succeeded.values()].every((n) => n === 1)).toBe(true);
    for (const p of plan) {
      const attempts = seen.get(p.id)!;
      expect(attempts).toHaveLength(p.fail + 1);
      attempts.forEach((a, n) => {
        expect(a.authorized).toBe(true);
        expect(a.retryCount).toBe(n);
        // 400s are responses that count as executions; 500s do not.
        expect(a.executionCount).toBe(p.status === 400 ? n : 0);
        expect(a.previousResponse).toBe(n === 0 ? undefined : p.status);
        // The real service sends X-CloudTasks-TaskRetryReason empty on retries: the handler sees no reason.
        expect(a.retryReason).toBeUndefined();
      });
    }
    expect(logs.filter((l) => l.outcome === 'acknowledged')).toHaveLength(200);
  }, 30_000);

  test('backoff doubles from min_backoff, then is capped', async () => {
    // min 0.05 s, max 0.4 s, 2 doublings: 0.05, 0.1, 0.2, then linear +0.2 → 0.4 (capped)
    const opts = { endpoint: local.endpoint, accessToken: 'local' };
    await createTask(queue, { ...opts, taskId: 'backoff', payload: { id: 'backoff', fail: 4, status: 500 } });
    await eventually(() => succeeded.has('backoff'), 10_000);
    const at = seen.get('backoff')!.map((a) => a.at);
    const gaps = at.slice(1).map((t, i) => t - at[i]);
    const expected = [50, 100, 200, 400];
    gaps.forEach((gap, i) => {
      expect(gap).toBeGreaterThanOrEqual(expected[i] - 5);
      expect(gap).toBeLessThan(expected[i] + 150);
    });
  });

  test('a task that keeps failing is dropped after max attempts and reported', async () => {
    const opts = { endpoint: local.endpoint, accessToken: 'local' };
    await createTask(queue, { ...opts, taskId: 'doomed', payload: { id: 'doomed', fail: 99, status: 500 } });
    await eventually(() => local.store.droppedTasks().some((d) => d.name.endsWith('/doomed')), 10_000);
    expect(seen.get('doomed')).toHaveLength(5);
    expect(local.store.droppedTasks().find((d) => d.name.endsWith('/doomed'))).toMatchObject({ attempts: 5, lastStatus: 500 });
    expect(local.store.get(`${queue}/tasks/doomed`)).toBeUndefined();
    expect(logs.find((l) => l.outcome === 'dropped' && l.task === 'doomed')).toMatchObject({ severity: 'ERROR', attempt: 5 });
  });
});

describe('dispatch: false (how the dev server starts)', () => {
  afterEach(runCleanup);

  test('GIVEN a due task WHEN started with dispatch false THEN nothing is dispatched until dispatcher.start()', async () => {
    const port = await freePort();
    const received: string[] = [];
    const handler = await startHandler((task) => void received.push(task.context.taskName), port);
    const { local } = await startLocal([queueConfig(handler.url)], { port, dispatch: false });
    await bufferTask(`${PARENT}/queues/orders`, { endpoint: local.endpoint, accessToken: 'local', taskId: 'waits', payload: { id: 'waits' } });
    await new Promise((r) => setTimeout(r, 300)); // 60 ticks of 5 ms: a running dispatcher would have sent it
    expect(received).toEqual([]);
    local.dispatcher.start();
    await eventually(() => received.length === 1);
    expect(received).toEqual(['waits']);
  });
});
