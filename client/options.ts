import {
  bufferTaskProblem,
  DISPATCH_DEADLINE,
  headerBytes,
  headerProblem,
  headerValueProblem,
  HTTP_METHODS,
  HttpMethod,
  MAX_SCHEDULE_AHEAD_SECONDS,
  MAX_TASK_BYTES,
  MAX_TASK_SIZE_TEXT,
  parseSeconds,
  producerDeadline,
  QueueDeadlineSettings,
  Rule,
  RULES,
  show,
} from '../limits';
import { TaskValidationError } from './errors';

/**
 * A queue by path (`projects/P/locations/L/queues/Q`) or by parts, optionally with its deadline settings as
 * configured (`dispatchDeadlineSeconds`, `bufferTask`): CreateTask then sends that deadline, and BufferTask is
 * refused for a CreateTask-only queue. A queue given without them is taken to have the defaults (600 s, BufferTask
 * allowed): pass them for a queue configured otherwise (docs/configuration.md, "Dispatch deadlines").
 */
export type QueueRef =
  | string
  | {
      /** Project id. */
      readonly project: string;
      /** Region of the queue, e.g. `us-central1`. */
      readonly location: string;
      /** Queue id. */
      readonly queue: string;
      /** The queue's `dispatchDeadlineSeconds` (15-1800): the deadline CreateTask sends. @default 600 */
      readonly dispatchDeadlineSeconds?: number;
      /** The queue's `bufferTask`: `false` makes BufferTask refused for it. @default true */
      readonly bufferTask?: boolean;
    };

/** The deadline settings a queue reference carries (none for a path). */
export function queueDeadlineSettings(ref: QueueRef): QueueDeadlineSettings {
  return typeof ref === 'string' ? {} : { dispatchDeadlineSeconds: ref.dispatchDeadlineSeconds, bufferTask: ref.bufferTask };
}

/** What a task carries: text, bytes, or any other value sent as JSON. */
export type Payload = string | Uint8Array | Record<string, unknown> | unknown[] | number | boolean | null;

/** Retries of a named task on UNAVAILABLE / RESOURCE_EXHAUSTED / 5xx, with full-jitter exponential backoff. */
export interface Retry {
  /** Attempts in all, including the first. @default 4 */
  readonly attempts?: number;
  /** First backoff; doubles each retry, with full jitter. @default 250 */
  readonly baseDelayMs?: number;
  /** Longest backoff between attempts (a `Retry-After` from the server may ask for more). @default 5000 */
  readonly maxDelayMs?: number;
}

/** Options of {@link bufferTask} (and the base of {@link CreateTaskOptions}). */
export interface EnqueueOptions {
  /** The task body: a string (text/plain), bytes (application/octet-stream) or any other value as JSON. @default - an empty body */
  readonly payload?: Payload;
  /** Extra headers for the task (Content-Type is derived from the payload unless given). */
  readonly headers?: Record<string, string>;
  /** Task id (letters, digits, `-`, `_`, up to 500). Makes the task deduplicated and retries safe. */
  readonly taskId?: string;
  /** An OAuth access token. @default - Application Default Credentials via google-auth-library */
  readonly accessToken?: string;
  /**
   * Base URL of the Cloud Tasks API: https, or plain http on loopback only (127.0.0.0/8, ::1, localhost).
   * @default - $CLOUD_TASKS_ENDPOINT, else https://cloudtasks.googleapis.com
   */
  readonly endpoint?: string;
  /**
   * Hosts besides `*.googleapis.com` that may receive an Application Default Credentials token (used when no
   * `accessToken` is given), e.g. `["tasks-proxy.internal.example.com"]`.
   * @default - $CLOUD_TASKS_ADC_HOSTS (comma-separated), else none
   */
  readonly adcHosts?: readonly string[];
  /** Retries of UNAVAILABLE / 429 / 503, only for named tasks. @default { attempts: 4 } */
  readonly retry?: Retry;
}

/** Options of {@link createTask}: everything {@link EnqueueOptions} has, plus the task's own settings. */
export interface CreateTaskOptions extends EnqueueOptions {
  /** When to run: a Date, an ISO time, or a delay like "60s", "10m", "2h" ("in 60s" also accepted). @default now */
  readonly schedule?: Date | string;
  /**
   * How long Cloud Tasks waits for the handler, 15 s-30 min ("600s" or seconds): at most the queue's
   * `dispatchDeadlineSeconds` (the handler budgets that; a longer one is refused).
   * @default - the queue's `dispatchDeadlineSeconds` from the queue reference, else 600 s; always sent
   */
  readonly dispatchDeadline?: string | number;
  /** Target URL. @default - the queue's URI override */
  readonly url?: string;
  /** @default "POST" */
  readonly httpMethod?: HttpMethod;
  /** Task-level OIDC token (queue-level auth, when set, overrides it). */
  readonly oidcToken?: {
    /** The account the token is minted for; the caller needs `roles/iam.serviceAccountUser` on it. */
    readonly serviceAccountEmail: string;
    /** The token's `aud`. @default - the task's URL */
    readonly audience?: string;
  };
}

/** The task Cloud Tasks created. */
export interface CreatedTask {
  /** Full task name, `projects/P/locations/L/queues/Q/tasks/ID`. */
  readonly name: string;
  /** When the task is due, as the API reported it. */
  readonly scheduleTime?: Date;
  /** True when a retried call found the task already created by an earlier attempt of the same call. */
  readonly deduplicated?: boolean;
}

/** The queue's full path, `projects/P/locations/L/queues/Q`; throws {@link TaskValidationError} for a malformed one. */
export function queuePath(ref: QueueRef): string {
  const path = typeof ref === 'string' ? ref : `projects/${ref.project}/locations/${ref.location}/queues/${ref.queue}`;
  const m = /^projects\/([^/]+)\/locations\/([^/]+)\/queues\/([^/]+)$/.exec(path);
  const problems: string[] = [];
  if (!m) problems.push(`queue must be "projects/PROJECT/locations/LOCATION/queues/QUEUE", got ${JSON.stringify(path)}`);
  else {
    // The same rule text as the constructs and the app config (limits/rules.ts).
    const rules: Array<[string, string, Rule<string>]> = [['project', m[1], RULES.projectId], ['location', m[2], RULES.region], ['queue', m[3], RULES.queueId]];
    for (const [name, value, rule] of rules) if (!rule.ok(value)) problems.push(`${name} must be ${rule.allowed}, got ${show(value)}`);
  }
  fail(problems);
  return path;
}

/** Encodes the payload and picks its Content-Type. */
export function encodePayload(payload: Payload | undefined): { body: Buffer; contentType?: string } {
  if (payload === undefined) return { body: Buffer.alloc(0) };
  if (typeof payload === 'string') return { body: Buffer.from(payload), contentType: 'text/plain; charset=utf-8' };
  if (payload instanceof Uint8Array) return { body: Buffer.from(payload), contentType: 'application/octet-stream' };
  return { body: Buffer.from(JSON.stringify(payload)), contentType: 'application/json' };
}

/** Task headers: the payload's Content-Type unless the caller set one (in any letter case). */
export function withContentType(contentType: string | undefined, headers: Record<string, string> = {}): Record<string, string> {
  const own = Object.keys(headers).some((k) => k.toLowerCase() === 'content-type');
  return own || !contentType ? { ...headers } : { 'Content-Type': contentType, ...headers };
}

/** Parses a schedule (Date, ISO time, "60s" / "in 10m" / "2h") into a Date. */
export function parseSchedule(schedule: Date | string, now = Date.now()): Date {
  if (schedule instanceof Date) return schedule;
  const delay = /^(?:in\s+)?(\d+)\s*(s|m|h|d)$/.exec(schedule.trim());
  if (delay) return new Date(now + Number(delay[1]) * { s: 1, m: 60, h: 3600, d: 86400 }[delay[2] as 's']! * 1000);
  const at = new Date(schedule);
  if (Number.isNaN(at.getTime())) throw new TaskValidationError(`schedule must be a Date, an ISO time or a delay like "60s" / "10m", got ${JSON.stringify(schedule)}`);
  return at;
}

/** Seconds from "600s" or a number. */
export function parseDeadline(deadline: string | number): number {
  const seconds = typeof deadline === 'number' ? deadline : parseSeconds(deadline);
  if (seconds === undefined || !Number.isInteger(seconds)) throw new TaskValidationError(`dispatchDeadline must be whole seconds like "600s", got ${JSON.stringify(deadline)}`);
  return seconds;
}

/**
 * Every check that can run before a network call; throws one TaskValidationError listing all problems. `queue`
 * holds the queue's deadline settings; `method` is the call they are checked for (BufferTask is refused for a
 * CreateTask-only queue). The deadline returned is the one CreateTask sends: the queue's, or a shorter one asked for.
 */
export function validateEnqueue(
  options: CreateTaskOptions,
  encodedBytes: number,
  now = Date.now(),
  queue: QueueDeadlineSettings = {},
  method: 'CreateTask' | 'BufferTask' = 'CreateTask',
): { scheduleTime?: Date; deadlineSeconds: number } {
  const problems: string[] = [];
  if (queue.dispatchDeadlineSeconds !== undefined && !RULES.dispatchDeadlineSeconds.ok(queue.dispatchDeadlineSeconds)) {
    problems.push(`queue dispatchDeadlineSeconds must be ${RULES.dispatchDeadlineSeconds.allowed}, got ${show(queue.dispatchDeadlineSeconds)}`);
  }
  const refused = method === 'BufferTask' ? bufferTaskProblem(queue) : undefined;
  if (refused) problems.push(`BufferTask is refused: ${refused}`);
  if (options.taskId !== undefined && !RULES.taskId.ok(options.taskId)) {
    problems.push(`taskId must be ${RULES.taskId.allowed}, got ${show(options.taskId)}`);
  }
  const size = encodedBytes + headerBytes(options.headers ?? {});
  if (size > MAX_TASK_BYTES) {
    problems.push(`payload plus headers must be at most ${MAX_TASK_BYTES} bytes (${MAX_TASK_SIZE_TEXT}), got ${size}`);
  }
  for (const [name, value] of Object.entries(options.headers ?? {})) {
    const problem = (name.toLowerCase() === 'content-type' ? undefined : headerProblem(name)) ?? headerValueProblem(value);
    if (problem) problems.push(`header "${name}" ${problem}`);
  }
  if (options.httpMethod !== undefined && !(HTTP_METHODS as readonly string[]).includes(options.httpMethod)) {
    problems.push(`httpMethod must be one of ${HTTP_METHODS.join(', ')}, got ${JSON.stringify(options.httpMethod)}`);
  }
  let scheduleTime: Date | undefined;
  if (options.schedule !== undefined) {
    try {
      scheduleTime = parseSchedule(options.schedule, now);
      if (scheduleTime.getTime() - now > MAX_SCHEDULE_AHEAD_SECONDS * 1000) {
        problems.push(`schedule must be at most 30 days ahead, got ${scheduleTime.toISOString()}`);
      }
    } catch (e) {
      problems.push((e as Error).message);
    }
  }
  let requested: number | undefined;
  if (options.dispatchDeadline !== undefined) {
    try {
      requested = parseDeadline(options.dispatchDeadline);
      if (requested < DISPATCH_DEADLINE.min || requested > DISPATCH_DEADLINE.max) {
        problems.push(`dispatchDeadline must be from ${DISPATCH_DEADLINE.min}s to ${DISPATCH_DEADLINE.max}s (15 s-30 min), got ${requested}s`);
      }
    } catch (e) {
      problems.push((e as Error).message);
    }
  }
  const deadline = producerDeadline(queue.dispatchDeadlineSeconds, requested);
  if (deadline.problem) problems.push(deadline.problem);
  const deadlineSeconds = deadline.seconds;
  if (options.url !== undefined) {
    let url: URL | undefined;
    try {
      url = new URL(options.url);
    } catch {
      problems.push(`url must be an absolute http(s) URL, got ${JSON.stringify(options.url)}`);
    }
    if (url && !['http:', 'https:'].includes(url.protocol)) problems.push(`url must use http or https, got ${JSON.stringify(options.url)}`);
    if (url && options.oidcToken && url.protocol !== 'https:') problems.push(`url must be https when an OIDC token is attached, got ${JSON.stringify(options.url)}`);
  }
  if (options.oidcToken && !RULES.serviceAccountEmail.ok(options.oidcToken.serviceAccountEmail)) {
    problems.push(`oidcToken.serviceAccountEmail must be ${RULES.serviceAccountEmail.allowed}, got ${show(options.oidcToken.serviceAccountEmail)}`);
  }
  fail(problems);
  return { scheduleTime, deadlineSeconds };
}

function fail(problems: string[]): void {
  if (problems.length > 0) throw new TaskValidationError(`Invalid task: ${problems.join('; ')}`);
}
