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
