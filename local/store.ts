/**
 * Durable task storage in SQLite (WAL, synchronous=FULL): a task the API acknowledged is on disk before
 * the response, survives kill -9, and is deleted only after its handler answered 2xx (or it ran out of
 * retries, which is recorded in `dropped`).
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { HttpMethod } from '../limits';
import { Attempt, QueueConfig, TaskRecord } from './model';

interface Row {
  name: string;
  queue: string;
  url: string | null;
  method: string;
  headers: string;
  body: Buffer;
  oidc: string | null;
  oauth: string | null;
  schedule_ms: number;
  create_ms: number;
  deadline_s: number;
  dispatch_count: number;
  response_count: number;
  execution_count: number;
  first_attempt: string | null;
  last_attempt: string | null;
  previous_response: number | null;
  retry_reason: string | null;
}

export interface DroppedTask {
  readonly name: string;
  readonly queue: string;
  readonly attempts: number;
  readonly lastStatus: number | null;
  readonly droppedMs: number;
}

export class TaskStore {
  /** The connection, shared with the dead-letter table (an in-memory database exists per connection). */
  readonly db: Database.Database;
  private readonly stmts;
  // The dispatcher asks every tick; the answer changes only through setPaused.
  private readonly pausedCache = new Map<string, boolean>();

  constructor(file: string) {
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS tasks (
        name TEXT PRIMARY KEY, queue TEXT NOT NULL, url TEXT, method TEXT NOT NULL, headers TEXT NOT NULL,
        body BLOB NOT NULL, oidc TEXT, schedule_ms INTEGER NOT NULL, create_ms INTEGER NOT NULL,
        deadline_s REAL NOT NULL, dispatch_count INTEGER NOT NULL DEFAULT 0,
        response_count INTEGER NOT NULL DEFAULT 0, execution_count INTEGER NOT NULL DEFAULT 0,
        first_attempt TEXT, last_attempt TEXT, previous_response INTEGER, retry_reason TEXT);
      CREATE INDEX IF NOT EXISTS tasks_due ON tasks (queue, schedule_ms);
      CREATE TABLE IF NOT EXISTS tombstones (name TEXT PRIMARY KEY, until_ms INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS queue_state (queue TEXT PRIMARY KEY, paused INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS dropped (name TEXT NOT NULL, queue TEXT NOT NULL, attempts INTEGER NOT NULL,
        last_status INTEGER, dropped_ms INTEGER NOT NULL);
      -- Tasks being dispatched right now. TEMP: it lives and dies with this process, so after a crash every
      -- task is due again (at-least-once), and due() skips in-flight tasks inside SQLite.
      CREATE TEMP TABLE IF NOT EXISTS inflight (name TEXT PRIMARY KEY);
      -- Queues: those from Terraform (source 'terraform', re-applied at every start) and those made through
      -- the API (source 'api', kept until deleted). IAM policies are stored, never enforced.
      CREATE TABLE IF NOT EXISTS queues (path TEXT PRIMARY KEY, config TEXT NOT NULL, source TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS iam_policies (resource TEXT PRIMARY KEY, policy TEXT NOT NULL);
    `);
    // Stores made before task-level OAuth tokens were kept: add the column in place.
    if (!(this.db.pragma('table_info(tasks)') as { name: string }[]).some((c) => c.name === 'oauth')) this.db.exec('ALTER TABLE tasks ADD COLUMN oauth TEXT');
    this.stmts = {
      insert: this.db.prepare(`INSERT INTO tasks (name, queue, url, method, headers, body, oidc, oauth, schedule_ms, create_ms, deadline_s)
        VALUES (@name, @queue, @url, @method, @headers, @body, @oidc, @oauth, @schedule_ms, @create_ms, @deadline_s)`),
      get: this.db.prepare('SELECT * FROM tasks WHERE name = ?'),
      tombstone: this.db.prepare('SELECT until_ms FROM tombstones WHERE name = ?'),
      list: this.db.prepare('SELECT * FROM tasks WHERE queue = ? AND name > ? ORDER BY name LIMIT ?'),
      due: this.db.prepare(`SELECT * FROM tasks WHERE queue = ? AND schedule_ms <= ?
        AND name NOT IN (SELECT name FROM temp.inflight) ORDER BY schedule_ms LIMIT ?`),
      lease: this.db.prepare('INSERT OR IGNORE INTO temp.inflight (name) VALUES (?)'),
      unlease: this.db.prepare('DELETE FROM temp.inflight WHERE name = ?'),
      count: this.db.prepare('SELECT COUNT(*) AS n FROM tasks WHERE queue = ?'),
      delete: this.db.prepare('DELETE FROM tasks WHERE name = ?'),
      bury: this.db.prepare('INSERT OR REPLACE INTO tombstones (name, until_ms) VALUES (?, ?)'),
      purge: this.db.prepare('DELETE FROM tasks WHERE queue = ?'),
      setSchedule: this.db.prepare('UPDATE tasks SET schedule_ms = ? WHERE name = ?'),
      attempt: this.db.prepare(`UPDATE tasks SET dispatch_count = dispatch_count + 1,
        response_count = response_count + @responded, execution_count = execution_count + @executed,
        first_attempt = COALESCE(first_attempt, @attempt), last_attempt = @attempt,
        previous_response = @status, retry_reason = @reason, schedule_ms = @next WHERE name = @name`),
      drop: this.db.prepare('INSERT INTO dropped (name, queue, attempts, last_status, dropped_ms) VALUES (?, ?, ?, ?, ?)'),
      dropped: this.db.prepare('SELECT name, queue, attempts, last_status AS lastStatus, dropped_ms AS droppedMs FROM dropped ORDER BY dropped_ms'),
      paused: this.db.prepare('SELECT paused FROM queue_state WHERE queue = ?'),
      setPaused: this.db.prepare('INSERT OR REPLACE INTO queue_state (queue, paused) VALUES (?, ?)'),
      queues: this.db.prepare('SELECT config, source FROM queues ORDER BY path'),
      putQueue: this.db.prepare('INSERT OR REPLACE INTO queues (path, config, source) VALUES (?, ?, COALESCE((SELECT source FROM queues WHERE path = ?), ?))'),
      deleteQueue: this.db.prepare('DELETE FROM queues WHERE path = ?'),
      terraformQueues: this.db.prepare("SELECT path FROM queues WHERE source = 'terraform'"),
      putTerraformQueue: this.db.prepare("INSERT OR REPLACE INTO queues (path, config, source) VALUES (?, ?, 'terraform')"),
      deleteState: this.db.prepare('DELETE FROM queue_state WHERE queue = ?'),
      policy: this.db.prepare('SELECT policy FROM iam_policies WHERE resource = ?'),
      setPolicy: this.db.prepare('INSERT OR REPLACE INTO iam_policies (resource, policy) VALUES (?, ?)'),
      deletePolicy: this.db.prepare('DELETE FROM iam_policies WHERE resource = ?'),
    };
    // Names whose dedup window has passed are free again: forget them, so the table does not grow forever.
    this.db.prepare('DELETE FROM tombstones WHERE until_ms < ?').run(Date.now());
  }

  /** Adds a task unless its name exists or was used within the dedup window; false when taken. */
  add(task: TaskRecord, now = Date.now()): boolean {
    return this.db.transaction(() => {
      const tomb = this.stmts.tombstone.get(task.name) as { until_ms: number } | undefined;
      if (this.stmts.get.get(task.name) || (tomb && tomb.until_ms > now)) return false;
      this.stmts.insert.run({
        name: task.name,
        queue: task.queue,
        url: task.url ?? null,
        method: task.method,
        headers: JSON.stringify(task.headers),
        body: task.body,
        oidc: task.oidcToken ? JSON.stringify(task.oidcToken) : null,
        oauth: task.oauthToken ? JSON.stringify(task.oauthToken) : null,
        schedule_ms: task.scheduleMs,
        create_ms: task.createMs,
        deadline_s: task.deadlineSeconds,
      });
      return true;
    })();
  }

  get(name: string): TaskRecord | undefined {
    const row = this.stmts.get.get(name) as Row | undefined;
    return row && fromRow(row);
  }

  list(queue: string, after: string, limit: number): TaskRecord[] {
    return (this.stmts.list.all(queue, after, limit) as Row[]).map(fromRow);
  }

  /** Due tasks that are not in flight, leased to the caller until `release`. */
  takeDue(queue: string, now: number, limit: number): TaskRecord[] {
    return this.db.transaction(() => {
      const rows = this.stmts.due.all(queue, now, limit) as Row[];
      for (const r of rows) this.stmts.lease.run(r.name);
      return rows.map(fromRow);
    })();
  }

  /** Leases one task (RunTask), whatever its schedule; undefined when it is gone or already in flight. */
  takeOne(name: string): TaskRecord | undefined {
    return this.db.transaction(() => (this.stmts.lease.run(name).changes > 0 ? this.get(name) : undefined))();
  }

  release(name: string): void {
    this.stmts.unlease.run(name);
  }

  /** Tasks being dispatched right now, per queue path. */
  inFlightByQueue(): Record<string, number> {
    const rows = this.db.prepare('SELECT t.queue AS queue, COUNT(*) AS n FROM temp.inflight i JOIN tasks t ON t.name = i.name GROUP BY t.queue').all() as { queue: string; n: number }[];
    return Object.fromEntries(rows.map((r) => [r.queue, r.n]));
  }

  count(queue: string): number {
    return (this.stmts.count.get(queue) as { n: number }).n;
  }

  /** Removes a task and keeps its name taken for the dedup window. */
  remove(name: string, dedupWindowMs: number, now = Date.now()): boolean {
    return this.db.transaction(() => {
      const removed = this.stmts.delete.run(name).changes > 0;
      if (removed) this.stmts.bury.run(name, now + dedupWindowMs);
      return removed;
    })();
  }

  purge(queue: string): number {
    return this.stmts.purge.run(queue).changes;
  }

  runNow(name: string, now = Date.now()): void {
    this.stmts.setSchedule.run(now, name);
  }

  /** Records a failed attempt and when to try next. */
  recordFailure(task: TaskRecord, attempt: Attempt, status: number, responded: boolean, reason: string, nextMs: number): void {
    this.stmts.attempt.run({
      name: task.name,
      responded: responded ? 1 : 0,
      executed: responded && status < 500 ? 1 : 0,
      attempt: JSON.stringify(attempt),
      status,
      reason,
      next: nextMs,
    });
  }

  /** A task out of retries: gone from the queue, remembered in `dropped`. */
  drop(task: TaskRecord, attempts: number, lastStatus: number, dedupWindowMs: number, now = Date.now()): void {
    this.db.transaction(() => {
      this.stmts.drop.run(task.name, task.queue, attempts, lastStatus, now);
      this.remove(task.name, dedupWindowMs, now);
    })();
  }

  droppedTasks(): DroppedTask[] {
    return this.stmts.dropped.all() as DroppedTask[];
  }

  isPaused(queue: string): boolean {
    let paused = this.pausedCache.get(queue);
    if (paused === undefined) {
      paused = ((this.stmts.paused.get(queue) as { paused: number } | undefined)?.paused ?? 0) === 1;
      this.pausedCache.set(queue, paused);
    }
    return paused;
  }

  setPaused(queue: string, paused: boolean): void {
    this.stmts.setPaused.run(queue, paused ? 1 : 0);
    this.pausedCache.set(queue, paused);
  }

  /** Every stored queue (Terraform's and the API's). */
  queues(): { config: QueueConfig; source: 'terraform' | 'api' }[] {
    return (this.stmts.queues.all() as { config: string; source: 'terraform' | 'api' }[]).map((r) => ({ config: JSON.parse(r.config), source: r.source }));
  }

  /** Stores a queue; an existing queue keeps its source (an API update of a Terraform queue stays Terraform's). */
  putQueue(q: QueueConfig, source: 'terraform' | 'api'): void {
    this.stmts.putQueue.run(q.path, JSON.stringify(q), q.path, source);
  }

  /**
   * Makes the stored Terraform queues exactly `queues` (like an apply: changed ones replaced, removed ones
   * deleted with their tasks); queues made through the API stay.
   */
  applyTerraformQueues(queues: readonly QueueConfig[]): void {
    this.db.transaction(() => {
      const keep = new Set(queues.map((q) => q.path));
      for (const { path } of this.stmts.terraformQueues.all() as { path: string }[]) if (!keep.has(path)) this.deleteQueue(path);
      for (const q of queues) this.stmts.putTerraformQueue.run(q.path, JSON.stringify(q));
    })();
  }

  /** Deletes a queue with its tasks, state and policy. */
  deleteQueue(path: string): void {
    this.db.transaction(() => {
      this.stmts.deleteQueue.run(path);
      this.stmts.purge.run(path);
      this.stmts.deleteState.run(path);
      this.stmts.deletePolicy.run(path);
    })();
    this.pausedCache.delete(path);
  }

  policy(resource: string): unknown {
    const row = this.stmts.policy.get(resource) as { policy: string } | undefined;
    return row && JSON.parse(row.policy);
  }

  setPolicy(resource: string, policy: unknown): void {
    this.stmts.setPolicy.run(resource, JSON.stringify(policy));
  }

  close(): void {
    this.db.close();
  }
}

function fromRow(r: Row): TaskRecord {
  return {
    name: r.name,
    queue: r.queue,
    url: r.url ?? undefined,
    method: r.method as HttpMethod,
    headers: JSON.parse(r.headers),
    body: r.body,
    oidcToken: r.oidc ? JSON.parse(r.oidc) : undefined,
    oauthToken: r.oauth ? JSON.parse(r.oauth) : undefined,
    scheduleMs: r.schedule_ms,
    createMs: r.create_ms,
    deadlineSeconds: r.deadline_s,
    dispatchCount: r.dispatch_count,
    responseCount: r.response_count,
    executionCount: r.execution_count,
    firstAttempt: r.first_attempt ? JSON.parse(r.first_attempt) : undefined,
    lastAttempt: r.last_attempt ? JSON.parse(r.last_attempt) : undefined,
    previousResponse: r.previous_response ?? undefined,
    retryReason: r.retry_reason ?? undefined,
  };
}
