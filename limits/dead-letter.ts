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
  readonly retryCount: number;
  readonly executionCount: number;
  /** The last attempt's schedule time (ISO), when Cloud Tasks sent one. */
  readonly eta?: string;
  /** The task's own headers: transport, auth and `X-CloudTasks-*` headers removed. */
  readonly headers: Record<string, string>;
  /** The task body, base64. */
  readonly body: string;
  /** How the last attempt failed. */
  readonly error: { readonly status: number; readonly outcome: string; readonly message: string };
  /** When it was dead-lettered (ISO). */
  readonly deadLetteredAt: string;
}
