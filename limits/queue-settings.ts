/**
 * Rules for a queue's own settings (id, place, rates, retries, logging), shared by the `TaskQueue`
 * construct and the app config. Routing and auth rules stay with the construct (only it sets them).
 */
import { MAX_CONCURRENT_DISPATCHES, MAX_DISPATCHES_PER_SECOND, MAX_TASK_LIFETIME_SECONDS } from './limits';
import { isDurationBetween, isIntegerBetween, isPositiveAtMost, parseSeconds } from './checks';
import { Problems } from './problems';
import { RULES } from './rules';

/** A queue's own settings both the `TaskQueue` construct and the app config accept (names as the construct's props). */
export interface QueueSettings {
  /** Queue id: letters, digits and hyphens, 1-100 characters. Changing it replaces the queue. */
  readonly queueId?: string;
  /** Region, e.g. `us-central1`. Changing it replaces the queue. */
  readonly location?: string;
  /** Project id. @default - the provider's project */
  readonly project?: string;
  /** How fast the queue dispatches (`rate_limits`). @default - the service defaults */
  readonly rateLimits?: {
    /** Dispatches per second, > 0 and <= 500. @default - the service default (500) */
    readonly maxDispatchesPerSecond?: number;
    /** Tasks dispatched and not yet answered, 1-5000. @default - the service default (1000) */
    readonly maxConcurrentDispatches?: number;
  };
  /** How the queue retries failed dispatches (`retry_config`). @default - the service defaults */
  readonly retry?: {
    /** Attempts per task, >= -1 (-1 = unlimited). @default - the service default (100) */
    readonly maxAttempts?: number;
    /** Time limit for retrying a task, whole seconds ("3600s"), "0s" = unlimited, at most 31 days. @default - unlimited */
    readonly maxRetryDuration?: string;
    /** First retry delay, whole seconds ("1s"), at most 31 days. @default - the service default ("0.1s") */
    readonly minBackoff?: string;
    /** Longest retry delay, whole seconds (>= minBackoff), at most 31 days. @default - the service default ("3600s") */
    readonly maxBackoff?: string;
    /** Times the delay doubles before growing linearly, 0-16. @default - the service default (16) */
    readonly maxDoublings?: number;
  };
  /** Share of task operations logged to Cloud Logging, 0.0-1.0. @default - logging off */
  readonly loggingSamplingRatio?: number;
}

/** Every rule for a queue's own settings (id, place, rates, retries, logging), cross-setting rules included. */
export function checkQueueSettings(p: Problems, s: QueueSettings): void {
  p.rule('queueId', s.queueId, RULES.queueId).rule('location', s.location, RULES.region).rule('project', s.project, RULES.projectId);
  const rates = s.rateLimits;
  p.check('rateLimits.maxDispatchesPerSecond', rates?.maxDispatchesPerSecond, (v) => isPositiveAtMost(v, MAX_DISPATCHES_PER_SECOND), `a number > 0 and <= ${MAX_DISPATCHES_PER_SECOND}`);
  p.check('rateLimits.maxConcurrentDispatches', rates?.maxConcurrentDispatches, (v) => isIntegerBetween(v, 1, MAX_CONCURRENT_DISPATCHES), `an integer from 1 to ${MAX_CONCURRENT_DISPATCHES}`);
  p.check('loggingSamplingRatio', s.loggingSamplingRatio, (v) => Number.isFinite(v) && v >= 0 && v <= 1, 'a number from 0.0 to 1.0');
  const retry = s.retry;
  if (!retry) return;
  const wholeSeconds = (max: number) => (v: string) => isDurationBetween(v, 0, max);
  const durationText = 'whole seconds such as "10s", at most 31 days';
  p.check('retry.maxAttempts', retry.maxAttempts, (v) => Number.isInteger(v) && v >= -1, 'an integer >= -1 (-1 = unlimited)');
  p.check('retry.maxRetryDuration', retry.maxRetryDuration, wholeSeconds(MAX_TASK_LIFETIME_SECONDS), `${durationText} ("0s" = unlimited)`);
  p.check('retry.minBackoff', retry.minBackoff, wholeSeconds(MAX_TASK_LIFETIME_SECONDS), durationText);
  p.check('retry.maxBackoff', retry.maxBackoff, wholeSeconds(MAX_TASK_LIFETIME_SECONDS), durationText);
  p.check('retry.maxDoublings', retry.maxDoublings, (v) => isIntegerBetween(v, 0, 16), 'an integer from 0 to 16');
  if (p.known(retry.minBackoff) && p.known(retry.maxBackoff)) {
    const min = parseSeconds(retry.minBackoff);
    const max = parseSeconds(retry.maxBackoff);
    p.fail('retry.minBackoff', retry.minBackoff, `<= ${p.nameOf('retry.maxBackoff')} (${retry.maxBackoff})`, min !== undefined && max !== undefined && min > max);
  }
}
