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
import { backoffSeconds, DeadLetter, Problems, QUEUE_ID_PATTERN, retriesExhausted, RETRY_DEFAULTS, RetryPolicy } from '../../limits';
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

/**
 * Decides whether an attempt is the task's last and hands failed last attempts to the sink. Only the queues the
 * handler serves are dead-lettered: `X-CloudTasks-QueueName` is whatever the caller sent, and a letter for a queue
 * this handler does not serve would be replayed (with the operator's credentials) onto that queue.
 */
export class DeadLetterPolicy {
  constructor(
    /** The limits of the queue(s) in `queues` (`TASKS_MAX_ATTEMPTS`...); undefined when only `byQueue` is known. */
    readonly retry: RetryPolicy | undefined,
    readonly sink: DeadLetterSink,
    private readonly now: () => number = Date.now,
    /** Limits per queue id, for a handler shared by queues (`TASKS_QUEUE_RETRY_LIMITS`); they win over `retry`. */
    readonly byQueue: Readonly<Record<string, RetryPolicy>> = {},
    /** The queue ids `retry` applies to (`TASKS_QUEUE_ID`). Required with `retry` unless `byQueue` names queues. */
    readonly queues: readonly string[] = [],
  ) {
    if (retry && queues.length === 0 && Object.keys(byQueue).length === 0) {
      throw new Error('dead letters: retry limits without a queue would dead-letter any queue a request names; give the queue ids they belong to (TASKS_QUEUE_ID)');
    }
  }

  /** The limits that apply to a queue; undefined (never dead-letter) for a queue this handler does not serve. */
  retryFor(queue: string): RetryPolicy | undefined {
    if (Object.hasOwn(this.byQueue, queue)) return this.byQueue[queue];
    return this.queues.includes(queue) ? this.retry : undefined;
  }

  /**
   * True when a failure now makes Cloud Tasks delete the task: both limits used up (FACTS rule). Attempts
   * are exact (`X-CloudTasks-TaskRetryCount` + 1). The duration counts from the first attempt, which no header
   * carries: it is estimated as this attempt's ETA minus the backoffs before it. That estimate can only be
   * late (earlier attempts' own run time is invisible), so an attempt counts as last when the next retry would
   * start after the duration ends: at worst the final retry is skipped (the task is kept as a dead letter),
   * rather than the task being deleted unseen. With `maxRetryDuration` "0s" (the default) the rule is exact.
   */
  isLastAttempt(context: TaskContext): boolean {
    const retry = this.retryFor(context.queueName);
    if (!retry) return false;
    const now = this.now();
    const attempts = context.retryCount + 1;
    let waited = 0;
    for (let n = 1; n <= context.retryCount; n++) waited += backoffSeconds(n, retry) * 1000;
    const scheduled = context.retryCount === 0 ? now : Math.min(context.eta?.getTime() ?? now, now);
    const firstAttemptMs = scheduled - waited;
    const nextRetryMs = now + backoffSeconds(attempts, retry) * 1000;
    return retriesExhausted(attempts, firstAttemptMs, nextRetryMs, retry);
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

/** One queue's limits as strings (the env values, or one entry of `TASKS_QUEUE_RETRY_LIMITS`). */
interface RawLimits {
  readonly maxAttempts?: unknown;
  readonly maxRetryDuration?: unknown;
  readonly minBackoff?: unknown;
  readonly maxBackoff?: unknown;
  readonly maxDoublings?: unknown;
}

function parseLimits(p: Problems, raw: RawLimits, name: (field: keyof RawLimits) => string): RetryPolicy {
  const text = (v: unknown) => (v === undefined || v === '' ? undefined : String(v));
  const seconds = (field: keyof RawLimits, fallback: number): number => {
    const v = text(raw[field]);
    if (v === undefined) return fallback;
    const m = /^(\d+(?:\.\d+)?)s$/.exec(v);
    p.fail(name(field), raw[field], 'a duration in seconds like "10s" or "0.1s"', !m);
    return m ? Number(m[1]) : fallback;
  };
  const attempts = text(raw.maxAttempts) ?? '';
  p.fail(name('maxAttempts'), raw.maxAttempts, 'an integer >= -1 (-1 = unlimited)', !/^(-1|\d+)$/.test(attempts));
  const doublings = text(raw.maxDoublings);
  p.fail(name('maxDoublings'), raw.maxDoublings, 'a whole number', doublings !== undefined && !/^\d+$/.test(doublings));
  return {
    maxAttempts: Number(attempts),
    maxRetryDuration: seconds('maxRetryDuration', RETRY_DEFAULTS.maxRetryDuration),
    minBackoff: seconds('minBackoff', RETRY_DEFAULTS.minBackoff),
    maxBackoff: seconds('maxBackoff', RETRY_DEFAULTS.maxBackoff),
    maxDoublings: doublings === undefined ? RETRY_DEFAULTS.maxDoublings : Number(doublings),
  };
}

const ENV_NAMES: Record<keyof RawLimits, string> = {
  maxAttempts: 'TASKS_MAX_ATTEMPTS',
  maxRetryDuration: 'TASKS_MAX_RETRY_DURATION',
  minBackoff: 'TASKS_MIN_BACKOFF',
  maxBackoff: 'TASKS_MAX_BACKOFF',
  maxDoublings: 'TASKS_MAX_DOUBLINGS',
};

/**
 * The queue's retry limits from the environment the construct sets (`TASKS_MAX_ATTEMPTS`,
 * `TASKS_MAX_RETRY_DURATION`, `TASKS_MIN_BACKOFF`, `TASKS_MAX_BACKOFF`, `TASKS_MAX_DOUBLINGS`).
 * Undefined when `TASKS_MAX_ATTEMPTS` is unset: without the limits no attempt can be called the last, so
 * dead letters are off. Throws one error listing every malformed value.
 */
export function loadRetryPolicy(env: Env = process.env): RetryPolicy | undefined {
  if (env.TASKS_MAX_ATTEMPTS === undefined || env.TASKS_MAX_ATTEMPTS === '') return undefined;
  const p = new Problems();
  const raw = Object.fromEntries(Object.entries(ENV_NAMES).map(([field, name]) => [field, env[name]])) as RawLimits;
  const policy = parseLimits(p, raw, (field) => ENV_NAMES[field]);
  p.throwIfAny('handler environment (retry limits)');
  return policy;
}

/**
 * The queue ids `TASKS_MAX_ATTEMPTS`... belong to: `TASKS_QUEUE_ID`, one id or several comma-separated. Empty when
 * unset. Throws when an entry is not a queue id.
 */
export function loadQueueIds(env: Env = process.env): string[] {
  const text = env.TASKS_QUEUE_ID;
  if (text === undefined || text === '') return [];
  const ids = text.split(',').map((s) => s.trim());
  const p = new Problems();
  for (const id of ids) p.fail('TASKS_QUEUE_ID', id, 'queue ids (letters, digits, hyphens; 1-100), comma-separated', !QUEUE_ID_PATTERN.test(id));
  p.throwIfAny('handler environment (dead letters)');
  return ids;
}

/**
 * Limits per queue id for a handler shared by several queues: `TASKS_QUEUE_RETRY_LIMITS`, a JSON object
 * `{"QUEUE_ID": {"maxAttempts": 5, "maxRetryDuration": "0s", "minBackoff": "1s", ...}}` (the queue's retry config,
 * as Terraform writes it). Throws one error listing every malformed entry.
 */
export function loadQueueRetryPolicies(env: Env = process.env): Record<string, RetryPolicy> {
  const text = env.TASKS_QUEUE_RETRY_LIMITS;
  if (text === undefined || text === '') return {};
  const p = new Problems();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    // Not JSON: left undefined, reported below as not an object.
  }
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  const policies: Record<string, RetryPolicy> = {};
  if (!isObject(parsed)) p.fail('TASKS_QUEUE_RETRY_LIMITS', text.slice(0, 80), 'a JSON object {"QUEUE_ID": {"maxAttempts": N, ...}}');
  else {
    for (const [queue, raw] of Object.entries(parsed)) {
      if (isObject(raw)) policies[queue] = parseLimits(p, raw, (field) => `TASKS_QUEUE_RETRY_LIMITS.${queue}.${field}`);
      else p.fail(`TASKS_QUEUE_RETRY_LIMITS.${queue}`, raw, 'an object with maxAttempts and optional maxRetryDuration, minBackoff, maxBackoff, maxDoublings');
    }
  }
  p.throwIfAny('handler environment (retry limits)');
  return policies;
}
