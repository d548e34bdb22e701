/**
 * Dead letters: Cloud Tasks has no dead-letter queue, so on a task's last attempt a failure is handed to a
 * sink and acknowledged (2xx) instead of being deleted silently. A sink failure is answered 5xx (no
 * acknowledgement): Cloud Tasks retries while its limits allow; where they do not, it deletes the task after that
 * 5xx, so the framework's ERROR line for it carries the whole letter.
 *
 * Blind spot: only dispatches that reach this code are seen. A last attempt that never gets here (the
 * instance is down, Cloud Run refuses it before the container, the request times out before an answer, the
 * framework refuses it before reading the task: bad token, shutting down, body too large) is deleted by
 * Cloud Tasks without a dead letter. The "failing attempts" alert covers those.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { backoffSeconds, DeadLetter, Problems, retriesExhausted, RETRY_DEFAULTS, RetryPolicy } from '../../limits';
import type { TaskContext } from './context';

export type { DeadLetter } from '../../limits';

/** Where dead letters go. Resolve once the letter is stored; reject (or throw) and the task is retried. */
export interface DeadLetterSink {
  /** Stores the letter; may return an id (e.g. a Pub/Sub message id) for the task's log line. */
  write(letter: DeadLetter): Promise<string | void>;
}

/** A failed attempt, as the framework saw it. */
export interface FailedAttempt {
  readonly context: TaskContext;
  readonly body: Buffer;
  readonly headers: IncomingHttpHeaders;
  readonly error: DeadLetter['error'];
}

/** Outcomes of the work that may end a task (not auth, not duplicates, not refusals before the task was read). */
export const DEAD_LETTER_OUTCOMES: readonly string[] = ['failed', 'bad-request', 'retry-later'];

/** Headers that belong to one delivery, not to the task: never stored, never replayed. */
const DELIVERY_HEADERS =
  /^(authorization|host|content-length|connection|keep-alive|transfer-encoding|user-agent|accept-encoding|x-cloudtasks-.*|x-cloud-trace-context|traceparent|tracestate|forwarded|x-forwarded-.*|x-envoy-.*|x-google-.*|via)$/i;

/** Decides whether an attempt is the task's last and hands failed last attempts to the sink. */
export class DeadLetterPolicy {
  constructor(
    readonly retry: RetryPolicy,
    readonly sink: DeadLetterSink,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * True when a failure now makes Cloud Tasks delete the task: both limits used up (FACTS rule). Attempts
   * are exact (`X-CloudTasks-TaskRetryCount` + 1). The duration counts from the first attempt, which no header
   * carries: it is estimated as this attempt's ETA minus the backoffs before it. That estimate can only be
   * late (earlier attempts' own run time is invisible), so an attempt counts as last when the next retry would
   * start after the duration ends: at worst the final retry is skipped (the task is kept as a dead letter),
   * rather than the task being deleted unseen. With `maxRetryDuration` "0s" (the default) the rule is exact.
   */
  isLastAttempt(context: TaskContext): boolean {
    const now = this.now();
    const attempts = context.retryCount + 1;
    let waited = 0;
    for (let retry = 1; retry <= context.retryCount; retry++) waited += backoffSeconds(retry, this.retry) * 1000;
    const scheduled = context.retryCount === 0 ? now : Math.min(context.eta?.getTime() ?? now, now);
    const firstAttemptMs = scheduled - waited;
    const nextRetryMs = now + backoffSeconds(attempts, this.retry) * 1000;
    return retriesExhausted(attempts, firstAttemptMs, nextRetryMs, this.retry);
  }

  /** The letter for a failed attempt. */
  letterOf(failed: FailedAttempt): DeadLetter {
    const { context } = failed;
    return {
      queue: context.queueName,
      task: context.taskName,
      attempts: context.retryCount + 1,
      retryCount: context.retryCount,
      executionCount: context.executionCount,
      ...(context.eta && { eta: context.eta.toISOString() }),
      headers: taskHeaders(failed.headers),
      body: failed.body.toString('base64'),
      error: failed.error,
      deadLetteredAt: new Date(this.now()).toISOString(),
    };
  }
}

/** The task's own headers from a delivery. */
export function taskHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || DELIVERY_HEADERS.test(name)) continue;
    kept[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return kept;
}

type Env = Record<string, string | undefined>;

/**
 * The queue's retry limits from the environment the construct sets (`TASKS_MAX_ATTEMPTS`,
 * `TASKS_MAX_RETRY_DURATION`, `TASKS_MIN_BACKOFF`, `TASKS_MAX_BACKOFF`, `TASKS_MAX_DOUBLINGS`).
 * Undefined when `TASKS_MAX_ATTEMPTS` is unset: without the limits no attempt can be called the last, so
 * dead letters are off. Throws one error listing every malformed value.
 */
export function loadRetryPolicy(env: Env = process.env): RetryPolicy | undefined {
  if (env.TASKS_MAX_ATTEMPTS === undefined || env.TASKS_MAX_ATTEMPTS === '') return undefined;
  const p = new Problems();
  const seconds = (name: string, fallback: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const m = /^(\d+(?:\.\d+)?)s$/.exec(raw);
    p.fail(name, raw, 'a duration in seconds like "10s" or "0.1s"', !m);
    return m ? Number(m[1]) : fallback;
  };
  const attemptsRaw = env.TASKS_MAX_ATTEMPTS;
  p.fail('TASKS_MAX_ATTEMPTS', attemptsRaw, 'an integer >= -1 (-1 = unlimited)', !/^(-1|\d+)$/.test(attemptsRaw));
  const doublingsRaw = env.TASKS_MAX_DOUBLINGS;
  const doublings = doublingsRaw ? Number(doublingsRaw) : RETRY_DEFAULTS.maxDoublings;
  p.fail('TASKS_MAX_DOUBLINGS', doublingsRaw, 'a whole number', doublingsRaw !== undefined && doublingsRaw !== '' && !/^\d+$/.test(doublingsRaw));
  const policy: RetryPolicy = {
    maxAttempts: Number(attemptsRaw),
    maxRetryDuration: seconds('TASKS_MAX_RETRY_DURATION', RETRY_DEFAULTS.maxRetryDuration),
    minBackoff: seconds('TASKS_MIN_BACKOFF', RETRY_DEFAULTS.minBackoff),
    maxBackoff: seconds('TASKS_MAX_BACKOFF', RETRY_DEFAULTS.maxBackoff),
    maxDoublings: doublings,
  };
  p.throwIfAny('handler environment (retry limits)');
  return policy;
}
