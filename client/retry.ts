import { CloudTasksError, DuplicateTaskError, RETRYABLE, UnavailableError } from './errors';
import type { CreatedTask, Retry } from './options';
import { sentences } from './text';

export interface Attempt {
  /** 1 for the first call. */
  readonly number: number;
}

/** A retryable failure can say how long to wait (Retry-After). */
export class RetryAfter extends Error {
  constructor(
    readonly error: CloudTasksError,
    readonly afterMs: number,
  ) {
    super(error.message);
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Calls `call` until it succeeds, retrying UNAVAILABLE / RESOURCE_EXHAUSTED / 5xx with jittered exponential
 * backoff, but only for a named task: Cloud Tasks deduplicates by name, so a retry cannot create a second
 * task. An unnamed task is never retried (the first call may have succeeded before the error reached us).
 */
export async function withRetry(
  call: (attempt: Attempt) => Promise<CreatedTask>,
  opts: { named: boolean; taskName?: string; retry?: Retry; wait?: (ms: number) => Promise<void>; random?: () => number },
): Promise<CreatedTask> {
  const attempts = opts.retry?.attempts ?? 4;
  const base = opts.retry?.baseDelayMs ?? 250;
  const cap = opts.retry?.maxDelayMs ?? 5000;
  const wait = opts.wait ?? sleep;
  const random = opts.random ?? Math.random;
  for (let n = 1; ; n++) {
    try {
      return await call({ number: n });
    } catch (raw) {
      const afterMs = raw instanceof RetryAfter ? raw.afterMs : 0;
      const e = raw instanceof RetryAfter ? raw.error : raw;
      // A retry that finds the name taken: an earlier attempt of this same call created it.
      if (e instanceof DuplicateTaskError && n > 1 && opts.taskName) return { name: opts.taskName, deduplicated: true };
      if (!(e instanceof CloudTasksError) || !RETRYABLE.has(e.status)) throw e;
      if (!opts.named) {
        throw new UnavailableError(
          sentences(e.message, 'Not retried: the task has no name (taskId), so a retry could create a duplicate if the first call did reach Cloud Tasks; pass a taskId to make retries safe'),
          e.status,
          e.httpStatus,
        );
      }
      if (n >= attempts) throw new UnavailableError(sentences(e.message, `Gave up after ${n} attempts`), e.status, e.httpStatus);
      const backoff = random() * Math.min(cap, base * 2 ** (n - 1)); // full jitter
      await wait(Math.max(backoff, afterMs));
    }
  }
}
