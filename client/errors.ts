import { canonicalCodeOfHttp } from '../limits';

/** Typed Cloud Tasks errors with text that says what to do. */
export class CloudTasksError extends Error {
  constructor(
    message: string,
    /** Canonical status, e.g. "NOT_FOUND". */
    readonly status: string,
    /** HTTP status of the failed call, when there was one. */
    readonly httpStatus?: number,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** The task name is taken: it exists, or ran / was deleted within the last ~hour. Not retried. */
export class DuplicateTaskError extends CloudTasksError {}
/** The caller lacks a role; the message names it. */
export class PermissionDeniedError extends CloudTasksError {}
/** The queue (or project/location) does not exist; the message shows the path used. */
export class QueueNotFoundError extends CloudTasksError {}
/** Cloud Tasks is overloaded or unreachable and the call was not (or no longer) retried. */
export class UnavailableError extends CloudTasksError {}
/** The request itself is wrong (reported by the API). */
export class InvalidArgumentError extends CloudTasksError {}
/** Input rejected before any network call. */
export class TaskValidationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TaskValidationError';
  }
}

const GRPC_STATUS: Record<number, string> = {
  3: 'INVALID_ARGUMENT',
  5: 'NOT_FOUND',
  6: 'ALREADY_EXISTS',
  7: 'PERMISSION_DENIED',
  8: 'RESOURCE_EXHAUSTED',
  9: 'FAILED_PRECONDITION',
  14: 'UNAVAILABLE',
  16: 'UNAUTHENTICATED',
};

/** The canonical status of an error from fetch (HTTP status) or the official client (gRPC code or HTTP). */
export function canonicalStatus(code: unknown, statusText?: unknown): string {
  if (typeof statusText === 'string' && /^[A-Z_]+$/.test(statusText)) return statusText;
  if (typeof code === 'number') return code >= 100 ? canonicalCodeOfHttp(code) : (GRPC_STATUS[code] ?? 'UNKNOWN');
  if (typeof code === 'string' && /^[A-Z_]+$/.test(code)) return code;
  return 'UNKNOWN';
}

/** Statuses worth retrying (with backoff) when a retry cannot duplicate the task. */
export const RETRYABLE = new Set(['UNAVAILABLE', 'RESOURCE_EXHAUSTED', 'DEADLINE_EXCEEDED', 'INTERNAL']);

/** What a failed call was doing, for the error message. */
export interface ErrorContext {
  /** The queue, `projects/P/locations/L/queues/Q`. */
  readonly queuePath: string;
  /** The full task name, when the task is named. */
  readonly taskName?: string;
  /** The service account of a task-level OIDC token, if any. */
  readonly tokenServiceAccount?: string;
  /** The API method called. */
  readonly method: 'BufferTask' | 'CreateTask';
}

/** Turns a canonical status into the typed error with an actionable message. */
export function toTypedError(status: string, detail: string, ctx: ErrorContext, httpStatus?: number): CloudTasksError {
  const what = `${ctx.method} on ${ctx.queuePath}`;
  switch (status) {
    case 'ALREADY_EXISTS':
      return new DuplicateTaskError(
        `${what}: task ${ctx.taskName ?? ''} already exists or ran/was deleted within the last hour; task names cannot be reused (${detail})`,
        status,
        httpStatus,
      );
    case 'PERMISSION_DENIED':
      return new PermissionDeniedError(
        `${what}: permission denied. The caller needs Cloud Tasks Enqueuer (roles/cloudtasks.enqueuer) on the queue` +
          (ctx.tokenServiceAccount
            ? ` and Service Account User (roles/iam.serviceAccountUser) on ${ctx.tokenServiceAccount} to attach its OIDC token`
            : '') +
          ` (${detail})`,
        status,
        httpStatus,
      );
    case 'UNAUTHENTICATED':
      return new PermissionDeniedError(`${what}: not authenticated; run \`gcloud auth application-default login\` or pass an access token (${detail})`, status, httpStatus);
    case 'NOT_FOUND':
      return new QueueNotFoundError(`${what}: queue not found at ${ctx.queuePath}; check project, location and queue id (${detail})`, status, httpStatus);
    case 'INVALID_ARGUMENT':
    case 'FAILED_PRECONDITION':
      return new InvalidArgumentError(`${what}: rejected (${status}): ${detail}`, status, httpStatus);
    default:
      return RETRYABLE.has(status)
        ? new UnavailableError(`${what}: ${status}: ${detail}`, status, httpStatus)
        : new CloudTasksError(`${what}: ${status}: ${detail}`, status, httpStatus);
  }
}
