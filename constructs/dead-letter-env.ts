import { RETRY_DEFAULTS } from '../limits';
import type { QueueRetryProps } from './task-queue';
import { numberText } from './values';

/** Handler variables for dead letters; the construct owns them (users may not redefine them). */
export const DEAD_LETTER_ENV = [
  'TASKS_MAX_ATTEMPTS',
  'TASKS_MAX_RETRY_DURATION',
  'TASKS_MIN_BACKOFF',
  'TASKS_MAX_BACKOFF',
  'TASKS_MAX_DOUBLINGS',
  'TASKS_DEAD_LETTER_TOPIC',
  'TASKS_QUEUE_RETRY_LIMITS',
];

/**
 * The queue's retry limits and the dead-letter topic as the handler reads them (handler/src/dead-letter.ts).
 * The two limits that decide the last attempt are always written, with the service defaults when unset, so the
 * handler never guesses; the backoffs only when set (the handler knows the same defaults). `queueId` names the queue
 * the limits belong to (`TASKS_QUEUE_ID`): the handler dead-letters tasks of that queue only, whatever queue name
 * a request claims.
 */
export function deadLetterEnv(retry: QueueRetryProps | undefined, topic: string | undefined, queueId?: string): Record<string, string> {
  if (!retry) return topic ? { TASKS_DEAD_LETTER_TOPIC: topic } : {};
  const env: Record<string, string> = {
    TASKS_MAX_ATTEMPTS: numberText(retry.maxAttempts ?? RETRY_DEFAULTS.maxAttempts),
    TASKS_MAX_RETRY_DURATION: retry.maxRetryDuration ?? `${RETRY_DEFAULTS.maxRetryDuration}s`,
  };
  if (retry.minBackoff !== undefined) env.TASKS_MIN_BACKOFF = retry.minBackoff;
  if (retry.maxBackoff !== undefined) env.TASKS_MAX_BACKOFF = retry.maxBackoff;
  if (retry.maxDoublings !== undefined) env.TASKS_MAX_DOUBLINGS = numberText(retry.maxDoublings);
  if (queueId !== undefined) env.TASKS_QUEUE_ID = queueId;
  if (topic) env.TASKS_DEAD_LETTER_TOPIC = topic;
  return env;
}

/** Per-queue limits as the handler reads `TASKS_QUEUE_RETRY_LIMITS` (JSON leaves out the limits that are unset). */
export function queueRetryLimitsJson(byQueue: ReadonlyMap<string, QueueRetryProps>): string {
  const entries = [...byQueue].map(([queue, r]) => [
    queue,
    { ...r, maxAttempts: r.maxAttempts ?? RETRY_DEFAULTS.maxAttempts, maxRetryDuration: r.maxRetryDuration ?? `${RETRY_DEFAULTS.maxRetryDuration}s` },
  ]);
  return JSON.stringify(Object.fromEntries(entries));
}
