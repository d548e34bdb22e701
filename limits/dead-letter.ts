import { HEADER_NAME_PATTERN, QUEUE_ID_PATTERN } from './limits';

/**
 * The dead-letter record: what the handler's sinks store (handler/src/dead-letter.ts) and the replay CLI reads
 * (client/dead-letters.ts). One shape, so the writer and the reader cannot drift apart.
 */
export interface DeadLetter {
  /** Queue id (`X-CloudTasks-QueueName`). */
  readonly queue: string;
  /** Task id (`X-CloudTasks-TaskName`). */
  readonly task: string;
  /** Attempts made, the last one included. */
  readonly attempts: number;
  /** Attempts before the last one, whatever their outcome (`X-CloudTasks-TaskRetryCount`), >= 0. */
  readonly retryCount: number;
  /** Attempts before the last one that got a non-5xx response (`X-CloudTasks-TaskExecutionCount`), >= 0. */
  readonly executionCount: number;
  /** The last attempt's schedule time (ISO), when Cloud Tasks sent one. */
  readonly eta?: string;
  /** The task's own headers: transport, auth and `X-CloudTasks-*` headers removed. */
  readonly headers: Record<string, string>;
  /** The task body, base64. */
  readonly body: string;
  /** How the last attempt failed. */
  readonly error: {
    /** HTTP status of the last attempt's answer, 4xx or 5xx (e.g. 500 when the work threw). */
    readonly status: number;
    /** The outcome the handler logged, e.g. "failed", "bad-request", "retry-later". */
    readonly outcome: string;
    /** The error message, as logged. */
    readonly message: string;
  };
  /** When it was dead-lettered (ISO). */
  readonly deadLetteredAt: string;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isCount = (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v >= 0;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * Why a decoded message is not a dead letter this code can show or replay, or undefined when it is. A reader
 * meets letters it did not write (anyone who can publish to the topic): every field is checked before use.
 */
export function deadLetterProblem(value: unknown): string | undefined {
  if (!isObject(value)) return `a dead letter is a JSON object, got ${value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value}`;
  const v = value;
  if (typeof v.queue !== 'string' || !QUEUE_ID_PATTERN.test(v.queue)) return 'queue must be a queue id (letters, digits, hyphens, 1-100)';
  if (typeof v.task !== 'string' || v.task === '') return 'task must be a non-empty string';
  for (const field of ['attempts', 'retryCount', 'executionCount'] as const) if (!isCount(v[field])) return `${field} must be a whole number >= 0`;
  if (!isObject(v.headers)) return `headers must be an object, got ${v.headers === null ? 'null' : typeof v.headers}`;
  for (const [name, header] of Object.entries(v.headers)) {
    if (!HEADER_NAME_PATTERN.test(name)) return `header name ${JSON.stringify(name.slice(0, 40))} is not a valid header name`;
    if (typeof header !== 'string') return `header ${name} must be a string`;
    if (/[\r\n\0]/.test(header)) return `header ${name} contains a line break (CR/LF) or NUL`;
  }
  if (typeof v.body !== 'string' || !BASE64.test(v.body)) return 'body must be base64';
  const error = v.error;
  if (!isObject(error) || typeof error.status !== 'number' || typeof error.outcome !== 'string' || typeof error.message !== 'string') {
    return 'error must be {status: number, outcome: string, message: string}';
  }
  if (typeof v.deadLetteredAt !== 'string') return 'deadLetteredAt must be a string';
  return undefined;
}
