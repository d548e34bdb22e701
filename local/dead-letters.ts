/**
 * Local dead letters, in the task store's SQLite file (table `dead_letters`), shaped like Pub/Sub messages so the
 * handler's Pub/Sub sink and the replay CLI talk to the local server exactly as they talk to Google:
 * publish, then pull / acknowledge / modifyAckDeadline with leases.
 *
 * Two sources: the handler's sink (`source` "handler": what the cloud keeps too) and the dispatcher dropping a task
 * whose handler never dead-lettered it (`source` "queue": the blind spot, lost in the cloud, kept here to show it).
 */
import type Database from 'better-sqlite3';
import type { TaskRecord } from './model';
import { queueId, taskId } from './model';

export interface PubSubMessage {
  readonly data: string;
  readonly attributes: Record<string, string>;
  readonly messageId: string;
  readonly publishTime: string;
}

export interface ReceivedMessage {
  readonly ackId: string;
  readonly message: PubSubMessage;
}

interface Row {
  id: number;
  topic: string;
  data: string;
  attributes: string;
  publish_ms: number;
}

export class DeadLetterStore {
  private readonly stmts;

  constructor(private readonly db: Database.Database) {
    db.exec(`CREATE TABLE IF NOT EXISTS dead_letters (id INTEGER PRIMARY KEY AUTOINCREMENT, topic TEXT NOT NULL,
      queue TEXT NOT NULL, data TEXT NOT NULL, attributes TEXT NOT NULL, publish_ms INTEGER NOT NULL,
      lease_until_ms INTEGER NOT NULL DEFAULT 0, acked_ms INTEGER)`);
    this.stmts = {
      insert: db.prepare('INSERT INTO dead_letters (topic, queue, data, attributes, publish_ms) VALUES (?, ?, ?, ?, ?)'),
      available: db.prepare('SELECT * FROM dead_letters WHERE acked_ms IS NULL AND lease_until_ms <= ? ORDER BY id LIMIT ?'),
      availableOf: db.prepare('SELECT * FROM dead_letters WHERE acked_ms IS NULL AND lease_until_ms <= ? AND queue = ? ORDER BY id LIMIT ?'),
      lease: db.prepare('UPDATE dead_letters SET lease_until_ms = ? WHERE id = ? AND acked_ms IS NULL'),
      ack: db.prepare('UPDATE dead_letters SET acked_ms = ? WHERE id = ? AND acked_ms IS NULL'),
      pending: db.prepare('SELECT queue, COUNT(*) AS n FROM dead_letters WHERE acked_ms IS NULL GROUP BY queue'),
    };
  }

  /** Stores one message; returns its id. `queue` is the queue id the letter names. */
  publish(topic: string, data: string, attributes: Record<string, string>, now = Date.now()): string {
    const queue = attributes.queue ?? '';
    return String(this.stmts.insert.run(topic, queue, data, JSON.stringify(attributes), now).lastInsertRowid);
  }

  /** A task the dispatcher dropped: kept as a dead letter with everything needed to replay it. */
  recordDrop(task: TaskRecord, attempts: number, lastStatus: number, now = Date.now()): string {
    const letter = {
      queue: queueId(task.queue),
      task: taskId(task.name),
      attempts,
      retryCount: attempts - 1,
      executionCount: task.executionCount,
      headers: task.headers,
      body: task.body.toString('base64'),
      error: { status: lastStatus, outcome: 'dropped-by-queue', message: `retries exhausted; the handler did not dead-letter it (last status ${lastStatus}): in the cloud this task is lost` },
      deadLetteredAt: new Date(now).toISOString(),
    };
    const attributes = { queue: letter.queue, task: letter.task, attempts: String(attempts), status: String(lastStatus), outcome: 'dropped-by-queue', source: 'queue' };
    return this.publish('local/dropped', Buffer.from(JSON.stringify(letter)).toString('base64'), attributes, now);
  }

  /** Up to `max` messages nobody holds (of `queue` only, when given), each leased for `ackDeadlineSeconds`. */
  pull(max: number, ackDeadlineSeconds: number, now = Date.now(), queue?: string): ReceivedMessage[] {
    return this.db.transaction(() => {
      const rows = (queue === undefined ? this.stmts.available.all(now, max) : this.stmts.availableOf.all(now, queue, max)) as Row[];
      for (const r of rows) this.stmts.lease.run(now + ackDeadlineSeconds * 1000, r.id);
      return rows.map((r) => ({
        ackId: String(r.id),
        message: { data: r.data, attributes: JSON.parse(r.attributes), messageId: String(r.id), publishTime: new Date(r.publish_ms).toISOString() },
      }));
    })();
  }

  acknowledge(ackIds: readonly string[], now = Date.now()): void {
    this.db.transaction(() => ackIds.forEach((id) => this.stmts.ack.run(now, Number(id))))();
  }

  /** 0 releases the messages at once (a "nack"). */
  modifyAckDeadline(ackIds: readonly string[], seconds: number, now = Date.now()): void {
    this.db.transaction(() => ackIds.forEach((id) => this.stmts.lease.run(seconds === 0 ? 0 : now + seconds * 1000, Number(id))))();
  }

  /** Unacknowledged dead letters per queue id. */
  pendingByQueue(): Record<string, number> {
    return Object.fromEntries((this.stmts.pending.all() as { queue: string; n: number }[]).map((r) => [r.queue, r.n]));
  }
}
