// Retry limits from the environment (single queue and per queue), the letter's fields, and the last-attempt estimate.
import type { TaskContext } from '../src/context';
import { DeadLetterPolicy, DeadLetterSink, loadQueueRetryPolicies, loadRetryPolicy, taskHeaders } from '../src/dead-letter';

const sink: DeadLetterSink = { write: async () => undefined };

describe('retry limits from the environment', () => {
  test('GIVEN every limit set WHEN loaded THEN each value is used', () => {
    expect(loadRetryPolicy({ TASKS_MAX_ATTEMPTS: '10', TASKS_MAX_RETRY_DURATION: '3600s', TASKS_MIN_BACKOFF: '0.25s', TASKS_MAX_BACKOFF: '30s', TASKS_MAX_DOUBLINGS: '7' })).toEqual({
      maxAttempts: 10,
      maxRetryDuration: 3600,
      minBackoff: 0.25,
      maxBackoff: 30,
      maxDoublings: 7,
    });
  });

  test('GIVEN only TASKS_MAX_ATTEMPTS and empty other limits WHEN loaded THEN the Cloud Tasks defaults apply', () => {
    const only = loadRetryPolicy({ TASKS_MAX_ATTEMPTS: '5' });
    expect(loadRetryPolicy({ TASKS_MAX_ATTEMPTS: '5', TASKS_MAX_RETRY_DURATION: '', TASKS_MIN_BACKOFF: '', TASKS_MAX_BACKOFF: '', TASKS_MAX_DOUBLINGS: '' })).toEqual(only);
    expect(only?.maxAttempts).toBe(5);
  });

  test('GIVEN TASKS_MAX_ATTEMPTS empty or unset WHEN loaded THEN dead letters are off', () => {
    expect(loadRetryPolicy({ TASKS_MAX_ATTEMPTS: '', TASKS_MAX_BACKOFF: 'junk' })).toBeUndefined();
    expect(loadRetryPolicy({})).toBeUndefined();
  });

  test.each([
    [{ TASKS_MAX_BACKOFF: '10sx' }, `'TASKS_MAX_BACKOFF' must be a duration in seconds like "10s" or "0.1s", got "10sx"`],
    [{ TASKS_MAX_BACKOFF: 'x10s' }, `'TASKS_MAX_BACKOFF' must be a duration in seconds like "10s" or "0.1s", got "x10s"`],
    [{ TASKS_MAX_ATTEMPTS: 'x5' }, `'TASKS_MAX_ATTEMPTS' must be an integer >= -1 (-1 = unlimited), got "x5"`],
    [{ TASKS_MAX_ATTEMPTS: '5x' }, `'TASKS_MAX_ATTEMPTS' must be an integer >= -1 (-1 = unlimited), got "5x"`],
    [{ TASKS_MAX_DOUBLINGS: '3x' }, `'TASKS_MAX_DOUBLINGS' must be a whole number, got "3x"`],
  ])('GIVEN %j WHEN loaded THEN it is rejected naming the variable, value and what is allowed', (env, message) => {
    expect(() => loadRetryPolicy({ TASKS_MAX_ATTEMPTS: '5', ...env })).toThrow(`Invalid handler environment (retry limits):\n  - ${message}`);
  });
});

describe('retry limits per queue (TASKS_QUEUE_RETRY_LIMITS)', () => {
  test('GIVEN an entry with only maxAttempts WHEN loaded THEN the other limits are the defaults', () => {
    const defaults = loadRetryPolicy({ TASKS_MAX_ATTEMPTS: '4' });
    expect(loadQueueRetryPolicies({ TASKS_QUEUE_RETRY_LIMITS: '{"orders": {"maxAttempts": 4, "maxBackoff": ""}}' })).toEqual({ orders: defaults });
  });

  test('GIVEN an empty value WHEN loaded THEN there are no per-queue limits', () => {
    expect(loadQueueRetryPolicies({ TASKS_QUEUE_RETRY_LIMITS: '' })).toEqual({});
  });

  test.each(['[1]', 'null', '"text"'])('GIVEN %s WHEN loaded THEN it is rejected as not a JSON object', (text) => {
    expect(() => loadQueueRetryPolicies({ TASKS_QUEUE_RETRY_LIMITS: text })).toThrow(
      `Invalid handler environment (retry limits):\n  - 'TASKS_QUEUE_RETRY_LIMITS' must be a JSON object {"QUEUE_ID": {"maxAttempts": N, ...}}, got ${JSON.stringify(text)}`,
    );
  });

  test('GIVEN a long non-JSON value WHEN rejected THEN the message shows its first 80 characters only', () => {
    const text = 'x'.repeat(200);
    expect(() => loadQueueRetryPolicies({ TASKS_QUEUE_RETRY_LIMITS: text })).toThrow(new Error(`Invalid handler environment (retry limits):\n  - 'TASKS_QUEUE_RETRY_LIMITS' must be a JSON object {"QUEUE_ID": {"maxAttempts": N, ...}}, got "${'x'.repeat(80)}"`));
  });
});

const context = (over: Partial<TaskContext> = {}): TaskContext => ({ queueName: 'orders', taskName: 't-1', retryCount: 0, executionCount: 0, ...over }) as TaskContext;

describe('dead-letter policy details', () => {
  const NOW = Date.parse('2026-01-01T12:00:00Z');

  test('GIVEN a task with an ETA WHEN its letter is made THEN the letter carries the ETA; without one it has no eta field', () => {
    const policy = new DeadLetterPolicy(undefined, sink, () => NOW);
    const failed = { body: Buffer.from('{}'), headers: {}, error: { status: 500, outcome: 'failed', message: 'boom' } } as never;
    const withEta = policy.letterOf({ ...(failed as object), context: context({ eta: new Date(NOW - 1000) }) } as never);
    expect(withEta.eta).toBe('2026-01-01T11:59:59.000Z');
    const without = policy.letterOf({ ...(failed as object), context: context() } as never);
    expect(Object.keys(without)).not.toContain('eta');
  });

  test('GIVEN a first attempt whose ETA is long past WHEN the retry duration is short THEN it is not the last attempt (the duration counts from now)', () => {
    const policy = new DeadLetterPolicy({ maxAttempts: 1, maxRetryDuration: 30, minBackoff: 1, maxBackoff: 10, maxDoublings: 4 }, sink, () => NOW, {}, ['orders']);
    expect(policy.isLastAttempt(context({ retryCount: 0, eta: new Date(NOW - 3600_000) }))).toBe(false);
  });

  test('GIVEN a retry without an ETA WHEN asked THEN the estimate uses now', () => {
    const policy = new DeadLetterPolicy({ maxAttempts: 3, maxRetryDuration: 0, minBackoff: 1, maxBackoff: 10, maxDoublings: 4 }, sink, () => NOW, {}, ['orders']);
    expect(policy.isLastAttempt(context({ retryCount: 2 }))).toBe(true);
    expect(policy.isLastAttempt(context({ retryCount: 1 }))).toBe(false);
  });

  test('GIVEN delivery headers and task headers WHEN the task headers are kept THEN only the task headers remain, repeated ones joined', () => {
    expect(taskHeaders({ authorization: 'Bearer x', 'x-cloudtasks-taskname': 't-1', 'x-order': 'o-1', 'x-tag': ['a', 'b'], 'x-none': undefined })).toEqual({ 'x-order': 'o-1', 'x-tag': 'a, b' });
  });
});
