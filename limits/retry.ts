/**
 * Cloud Tasks' retry rule (shared/FACTS.md), shared by the local dispatcher (which applies it) and the handler
 * (which predicts it to spot a task's last attempt).
 */
export interface RetryPolicy {
  /** Attempts per task; -1 = unlimited. */
  readonly maxAttempts: number;
  /** Seconds from the first attempt; 0 = unlimited. */
  readonly maxRetryDuration: number;
  /** Shortest delay before a retry, seconds (>= 0, <= `maxBackoff`); Cloud Tasks' default 0.1. */
  readonly minBackoff: number;
  /** Longest delay before a retry, seconds (>= `minBackoff`); Cloud Tasks' default 3600. */
  readonly maxBackoff: number;
  /** Times the delay doubles before growing linearly, 0-16; Cloud Tasks' default 16. */
  readonly maxDoublings: number;
}

/** Cloud Tasks' documented defaults for what a queue leaves unset. */
export const RETRY_DEFAULTS: RetryPolicy = { maxAttempts: 100, maxRetryDuration: 0, minBackoff: 0.1, maxBackoff: 3600, maxDoublings: 16 };

/**
 * Delay before retry number `retry` (1 = first retry): `minBackoff` doubled `maxDoublings` times, then
 * growing linearly by the last doubled interval, capped at `maxBackoff`.
 */
export function backoffSeconds(retry: number, r: RetryPolicy): number {
  const doubled = r.minBackoff * 2 ** Math.min(retry - 1, r.maxDoublings);
  const linear = retry - 1 > r.maxDoublings ? r.minBackoff * 2 ** r.maxDoublings * (retry - 1 - r.maxDoublings) : 0;
  return Math.min(r.maxBackoff, doubled + linear);
}

/**
 * Retries stop only when both limits are used up: `maxAttempts` (-1 never is) and `maxRetryDuration`
 * measured from the first attempt (0 always is).
 */
export function retriesExhausted(attempts: number, firstAttemptMs: number, now: number, r: RetryPolicy): boolean {
  const attemptsDone = r.maxAttempts !== -1 && attempts >= r.maxAttempts;
  const durationDone = r.maxRetryDuration === 0 || now - firstAttemptMs >= r.maxRetryDuration * 1000;
  return attemptsDone && durationDone;
}
