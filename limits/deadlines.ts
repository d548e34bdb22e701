/**
 * The dispatch deadline end to end: what Cloud Tasks applies on each producer path, what this project's
 * producers send, and what the handler budgets. One rule set for synth time, producers, the handler and the
 * local server.
 *
 * Facts (FACTS.md): the queue has no deadline field. A CreateTask task gets its `dispatchDeadline` (15 s-30 min),
 * or 600 s when unset; a BufferTask task always gets 600 s (BufferTask cannot carry one). The handler cannot see
 * which deadline a task got, so its work budget must never exceed what Cloud Tasks applies on any path that can
 * reach it.
 */
import { DISPATCH_DEADLINE } from './limits';
import type { Problems } from './problems';

/** The deadline Cloud Tasks gives every BufferTask task (the service default: BufferTask cannot set one). */
export const BUFFER_TASK_DEADLINE_SECONDS = DISPATCH_DEADLINE.default;

/** Seconds the handler keeps, before the deadline, for answering (its work stops this much earlier). */
export const DEADLINE_ANSWER_MARGIN_SECONDS = 5;

/** The handler's default work budget for a deadline: the deadline minus the answer margin, never below 1 s. */
export function workBudgetSeconds(deadlineSeconds: number): number {
  return Math.max(1, deadlineSeconds - DEADLINE_ANSWER_MARGIN_SECONDS);
}

/** A queue's deadline settings: what every producer path applies, and whether BufferTask is one of them. */
export interface QueueDeadlineSettings {
  /** The deadline every producer path applies, 15-1800 seconds. @default 600 */
  readonly dispatchDeadlineSeconds?: number;
  /** BufferTask is a producer path of the queue (it always gets 600 s). @default true */
  readonly bufferTask?: boolean;
}

/**
 * A queue whose deadline is longer than BufferTask's 600 s must be CreateTask-only (`bufferTask: false`):
 * otherwise a buffered task would be cut at 600 s while the handler budgets the longer deadline, and the retry
 * would run the work a second time beside the first.
 */
export function checkQueueDeadline(p: Problems, s: QueueDeadlineSettings): void {
  const deadline = s.dispatchDeadlineSeconds;
  if (!p.known(deadline) || !p.known(s.bufferTask ?? true)) return;
  p.fail(
    'dispatchDeadlineSeconds',
    deadline,
    `at most ${BUFFER_TASK_DEADLINE_SECONDS} while BufferTask may enqueue on the queue (Cloud Tasks gives every BufferTask task ` +
      `${BUFFER_TASK_DEADLINE_SECONDS} s, and the handler would budget ${deadline} s): set ${p.nameOf('bufferTask')} to false to make the ` +
      `queue CreateTask-only (its producers then send the ${deadline} s deadline), or lower the deadline`,
    s.bufferTask !== false && deadline > BUFFER_TASK_DEADLINE_SECONDS,
  );
}

/**
 * The deadline a producer of this project sends with CreateTask: the queue's configured one (600 s when the
 * producer does not know it), or a shorter one asked for explicitly. Returns the seconds, or the problem.
 */
export function producerDeadline(queueDeadlineSeconds: number | undefined, requestedSeconds: number | undefined): {
  /** The deadline to send, in seconds. */
  seconds: number;
  /** Why the requested deadline is refused (longer than the queue's, or out of range), if it is. */
  problem?: string;
} {
  const configured = queueDeadlineSeconds ?? DISPATCH_DEADLINE.default;
  if (requestedSeconds === undefined) return { seconds: configured };
  if (requestedSeconds > configured) {
    const known = queueDeadlineSeconds === undefined ? ' (the default; pass the queue\'s dispatchDeadlineSeconds with the queue when it is configured longer)' : '';
    return {
      seconds: requestedSeconds,
      problem: `dispatchDeadline must be at most the queue's dispatchDeadlineSeconds, ${configured}s${known}: the handler budgets that, so a longer deadline buys no time; got ${requestedSeconds}s`,
    };
  }
  return { seconds: requestedSeconds };
}

/** Why BufferTask is refused for a queue, or undefined when it may be used. */
export function bufferTaskProblem(s: QueueDeadlineSettings): string | undefined {
  if (s.bufferTask === false) {
    return 'the queue is CreateTask-only (bufferTask: false): BufferTask tasks always get a 600 s deadline, shorter than the queue\'s; use createTask (CLI: create)';
  }
  if (s.dispatchDeadlineSeconds !== undefined && s.dispatchDeadlineSeconds > BUFFER_TASK_DEADLINE_SECONDS) {
    return `the queue's dispatchDeadlineSeconds is ${s.dispatchDeadlineSeconds}, and BufferTask tasks always get ${BUFFER_TASK_DEADLINE_SECONDS} s; use createTask (CLI: create)`;
  }
  return undefined;
}

/**
 * The header this project's producers add to a CreateTask task whose deadline is shorter than its queue's
 * (`X-Tasks-Dispatch-Deadline: SECONDS`). The handler budgets such a task by it. It is informational like every
 * header, and safe: it can only shorten the budget, never lengthen it.
 */
export const DEADLINE_HEADER = 'X-Tasks-Dispatch-Deadline';

/** The deadline a {@link DEADLINE_HEADER} value announces, or undefined when it is not 15-1800 whole seconds. */
export function announcedDeadline(value: string | undefined): number | undefined {
  if (value === undefined || !/^\d{1,4}$/.test(value)) return undefined;
  const seconds = Number(value);
  return seconds >= DISPATCH_DEADLINE.min && seconds <= DISPATCH_DEADLINE.max ? seconds : undefined;
}
