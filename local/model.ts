/** The local server's view of queues and tasks (cdktf-free: runtime code). */
import type { HttpMethod, UriOverrideEnforceMode } from '../limits';

export interface QueueTarget {
  readonly httpMethod?: HttpMethod;
  readonly uriOverride?: {
    readonly scheme?: 'HTTP' | 'HTTPS';
    readonly host?: string;
    readonly port?: number;
    readonly path?: string;
    readonly query?: string;
    readonly enforceMode: UriOverrideEnforceMode;
  };
  readonly headers: Record<string, string>;
  readonly oidcToken?: { readonly serviceAccountEmail: string; readonly audience?: string };
  readonly oauthToken?: { readonly serviceAccountEmail: string; readonly scope: string };
}

export interface QueueConfig {
  /** `projects/P/locations/L/queues/Q` */
  readonly path: string;
  readonly httpTarget?: QueueTarget;
  readonly rate: { readonly maxDispatchesPerSecond: number; readonly maxConcurrentDispatches: number };
  /** Fraction of task operations logged (stackdriver_logging_config.sampling_ratio); unset = no logging config. */
  readonly logging?: { readonly samplingRatio: number };
  readonly retry: {
    /** -1 = unlimited */
    readonly maxAttempts: number;
    /** seconds; 0 = unlimited */
    readonly maxRetryDuration: number;
    readonly minBackoff: number;
    readonly maxBackoff: number;
    readonly maxDoublings: number;
  };
}

/** Cloud Tasks' documented defaults for what a queue leaves unset. */
export const QUEUE_DEFAULTS = {
  rate: { maxDispatchesPerSecond: 500, maxConcurrentDispatches: 1000 },
  retry: { maxAttempts: 100, maxRetryDuration: 0, minBackoff: 0.1, maxBackoff: 3600, maxDoublings: 16 },
} as const;

export interface Attempt {
  readonly scheduleTime: number;
  readonly dispatchTime: number;
  readonly responseTime?: number;
  readonly responseStatus?: number;
}

export interface TaskRecord {
  readonly name: string;
  readonly queue: string;
  readonly url?: string;
  readonly method: HttpMethod;
  readonly headers: Record<string, string>;
  readonly body: Buffer;
  readonly oidcToken?: { readonly serviceAccountEmail: string; readonly audience?: string };
  readonly oauthToken?: { readonly serviceAccountEmail: string; readonly scope?: string };
  readonly scheduleMs: number;
  readonly createMs: number;
  readonly deadlineSeconds: number;
  readonly dispatchCount: number;
  readonly responseCount: number;
  /** Attempts whose response was not a 5xx (what X-CloudTasks-TaskExecutionCount reports). */
  readonly executionCount: number;
  readonly firstAttempt?: Attempt;
  readonly lastAttempt?: Attempt;
  readonly previousResponse?: number;
  readonly retryReason?: string;
}

/** Token-bucket capacity for a rate: one 20 ms slice of dispatches, at least 1 (also reported as max_burst_size). */
export function burstSize(maxDispatchesPerSecond: number): number {
  return Math.max(1, Math.ceil(maxDispatchesPerSecond / 50));
}

/** Durations like "10s", "0.1s" (the REST API allows fractions; Terraform writes whole seconds). */
export function parseDuration(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const m = /^(\d+(?:\.\d+)?)s$/.exec(value);
  if (!m) throw new Error(`expected a duration like "10s", got ${JSON.stringify(value)}`);
  return Number(m[1]);
}

// The retry rule lives once, in limits/ (the handler predicts it to spot a task's last attempt).
export { backoffSeconds, retriesExhausted } from '../limits';

/**
 * Task headers Cloud Tasks ignores or computes itself (v2 HttpRequest.headers: Host is derived from the URL,
 * Content-Length computed, `X-Google-*` and `X-AppEngine-*` are for Google's use only; `X-CloudTasks-*` are set at
 * dispatch). Transfer-Encoding and the other hop-by-hop headers belong to one connection, never to a task.
 */
export const IGNORED_TASK_HEADER = /^(host|content-length|transfer-encoding|connection|keep-alive|proxy-connection|te|trailer|upgrade|x-google-.*|x-appengine-.*|x-cloudtasks-.*)$/i;
/** What Cloud Tasks sets as an HTTP task's User-Agent, stored on the task itself (recorded: CreateTask, GetTask). */
export const TASK_USER_AGENT = 'Google-Cloud-Tasks';

/** A task's headers as Cloud Tasks stores them: ignored ones dropped, User-Agent replaced by Google-Cloud-Tasks. */
export function storedTaskHeaders(headers: Record<string, string>): Record<string, string> {
  const kept = Object.entries(headers).filter(([name]) => !IGNORED_TASK_HEADER.test(name) && name.toLowerCase() !== 'user-agent');
  return { 'User-Agent': TASK_USER_AGENT, ...Object.fromEntries(kept) };
}

export const queueId = (path: string) => path.split('/').pop()!;
export const taskId = (name: string) => name.split('/').pop()!;
/** The queue path of a task name (queue ids may themselves be "tasks", so split at the last "/tasks/"). */
export function splitTaskName(name: string): [queue: string, id: string] {
  const i = name.lastIndexOf('/tasks/');
  return i < 0 ? [name, ''] : [name.slice(0, i), name.slice(i + '/tasks/'.length)];
}
