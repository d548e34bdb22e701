// The SQLite task store on its own: RunTask leases, the dedup window after a removal, in-flight counts,
// paused state across a restart, Terraform queue applies, and a closed store.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { QueueConfig, TaskRecord, TaskStore } from '../../local';
import { tempDir } from '../temp';

const PARENT = 'projects/test-project/locations/us-central1';
const QUEUE = `${PARENT}/queues/orders`;

function task(name: string, queue = QUEUE): TaskRecord {
  const now = Date.now();
  return { name: `${queue}/tasks/${name}`, queue, method: 'POST', headers: {}, body: Buffer.from('{}'), scheduleMs: now, createMs: now, deadlineSeconds: 30, dispatchCount: 0, responseCount: 0, executionCount: 0 };
}

function queueConfig(id: string): QueueConfig {
  return {
    path: `${PARENT}/queues/${id}`,
    rate: { maxDispatchesPerSecond: 1, maxConcurrentDispatches: 1 },
    retry: { maxAttempts: 1, maxRetryDuration: 0, minBackoff: 1, maxBackoff: 1, maxDoublings: 0 },
  };
}

describe('TaskStore', () => {
  let dir: string;
  let stores: TaskStore[];
  const open = (file = ':memory:') => {
    const s = new TaskStore(file);
    stores.push(s);
    return s;
  };

  beforeEach(() => {
    dir = tempDir('store-');
    stores = [];
  });
  afterEach(() => {
    for (const s of stores) if (s.db.open) s.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('GIVEN a task WHEN RunTask leases it twice THEN the second lease finds it in flight (undefined)', () => {
    const store = open();
    const t = task('once');
    store.add(t);
    expect(store.takeOne(t.name)).toMatchObject({ name: t.name });
    expect(store.takeOne(t.name)).toBeUndefined();
    store.release(t.name);
    expect(store.takeOne(t.name)).toMatchObject({ name: t.name });
  });

  test('GIVEN tasks in flight WHEN counted per queue THEN each queue reports its own number', () => {
    const store = open();
    store.add(task('a'));
    store.add(task('b'));
    store.add(task('c', `${PARENT}/queues/other`));
    store.takeDue(QUEUE, Date.now(), 10);
    expect(store.inFlightByQueue()).toEqual({ [QUEUE]: 2 });
  });

  test('GIVEN a removed task WHEN its name is reused THEN it is refused within the dedup window and accepted once the window has passed', () => {
    const store = open();
    const t = task('dedupe');
    store.add(t);
    const now = 1_000_000;
    expect(store.remove(t.name, 1000, now)).toBe(true);
    expect(store.add(t, now + 999)).toBe(false);
    expect(store.add(t, now + 1000)).toBe(true);
  });

  test('GIVEN a name that was never stored WHEN it is removed THEN remove answers false and the name stays free', () => {
    const store = open();
    const t = task('never');
    expect(store.remove(t.name, 60_000)).toBe(false);
    expect(store.add(t)).toBe(true);
  });

  test('GIVEN a stored task WHEN it is removed THEN remove answers true and the task is gone', () => {
    const store = open();
    const t = task('gone');
    store.add(t);
    expect(store.remove(t.name, 60_000)).toBe(true);
    expect(store.get(t.name)).toBeUndefined();
    expect(store.remove(t.name, 60_000)).toBe(false);
  });

  test('GIVEN a paused queue in a database file in a directory not yet made WHEN the store is reopened THEN the queue is still paused and others are not', () => {
    const file = join(dir, 'nested', 'deeper', 'tasks.db');
    const first = open(file);
    first.setPaused(QUEUE, true);
    first.close();
    const again = open(file);
    expect(again.isPaused(QUEUE)).toBe(true);
    expect(again.isPaused(`${PARENT}/queues/other`)).toBe(false);
    again.setPaused(QUEUE, false);
    expect(again.isPaused(QUEUE)).toBe(false);
  });

  test('GIVEN two Terraform queues WHEN an apply keeps one THEN the other is deleted and the kept one keeps its tasks', () => {
    const store = open();
    const a = queueConfig('kept');
    const b = queueConfig('removed');
    store.applyTerraformQueues([a, b]);
    store.add(task('stays', a.path));
    store.add(task('goes', b.path));
    store.applyTerraformQueues([a]);
    expect(store.queues().map((q) => q.config.path)).toEqual([a.path]);
    expect(store.count(a.path)).toBe(1);
    expect(store.count(b.path)).toBe(0);
  });

  test('GIVEN a closed store WHEN it is used THEN it refuses', () => {
    const store = open();
    store.close();
    expect(() => store.get(`${QUEUE}/tasks/x`)).toThrow();
  });
});
