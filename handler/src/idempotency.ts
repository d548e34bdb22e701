/**
 * At-least-once delivery means a task can arrive twice. The store remembers which tasks completed (and
 * which are running) so the work runs once.
 *
 * `InMemoryIdempotencyStore` is per instance: two Cloud Run instances can each run a duplicate. For
 * exactly-once effects across instances, implement this interface on a shared store (Redis `SET NX PX`,
 * a Firestore transaction, a unique key in your database) or make the work itself idempotent.
 */
export type BeginResult = 'acquired' | 'completed' | 'in-progress';

export interface IdempotencyStore {
  /** Claims `key` for one delivery: 'acquired' = run the work now; otherwise another delivery did or does. */
  begin(key: string): BeginResult | Promise<BeginResult>;
  /** The work succeeded: later deliveries are duplicates. */
  complete(key: string): void | Promise<void>;
  /** The work failed: a retry may run it again. */
  release(key: string): void | Promise<void>;
}

export interface InMemoryStoreOptions {
  /** Most task names remembered; the oldest are forgotten first. @default 10000 */
  readonly maxEntries?: number;
  /** How long a completed task is remembered, ms. @default 24 h */
  readonly ttlMs?: number;
  readonly now?: () => number;
}

export class InMemoryIdempotencyStore implements IdempotencyStore {
  // Map keeps insertion order, so the first keys are the oldest tasks.
  private readonly entries = new Map<string, { state: 'running' | 'done'; expiresAt: number }>();
  private readonly maxEntries: number;
  private readonly ttlMs: number;
  private readonly now: () => number;

  constructor(options: InMemoryStoreOptions = {}) {
    this.maxEntries = options.maxEntries ?? 10_000;
    this.ttlMs = options.ttlMs ?? 24 * 3600_000;
    this.now = options.now ?? Date.now;
  }

  begin(key: string): BeginResult {
    const entry = this.entries.get(key);
    if (entry?.state === 'running') return 'in-progress';
    if (entry && entry.expiresAt > this.now()) return 'completed';
    this.entries.delete(key); // an expired entry: start again at the back
    this.entries.set(key, { state: 'running', expiresAt: Infinity });
    if (this.entries.size > this.maxEntries * 1.1) this.evict();
    return 'acquired';
  }

  complete(key: string): void {
    const entry = this.entries.get(key);
    if (entry) {
      entry.state = 'done';
      entry.expiresAt = this.now() + this.ttlMs;
    } else {
      this.entries.set(key, { state: 'done', expiresAt: this.now() + this.ttlMs });
    }
  }

  release(key: string): void {
    this.entries.delete(key);
  }

  get size(): number {
    return this.entries.size;
  }

  /**
   * Forgets the oldest completed tasks down to maxEntries, in one pass once the map is 10% over (one pass
   * per many inserts keeps begin() O(1)). A running task is never forgotten: its duplicate would run.
   */
  private evict(): void {
    for (const [key, value] of this.entries) {
      if (this.entries.size <= this.maxEntries) break;
      if (value.state === 'done') this.entries.delete(key);
    }
  }
}
