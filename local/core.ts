/**
 * The one place where the local Cloud Tasks API's rules live: every method of google.cloud.tasks.v2.CloudTasks
 * (plus BufferTask) over the store and the dispatcher, with the real service's validation and canonical error
 * codes. The REST and gRPC faces only decode requests into these calls and encode the results.
 */
import { randomBytes, randomInt } from 'node:crypto';
import {
  DISPATCH_DEADLINE,
  HEADER_NAME_PATTERN,
  headerBytes,
  headerValueProblem,
  headersFitOverrideLimit,
  HTTP_METHODS,
  HttpMethod,
  MAX_CONCURRENT_DISPATCHES,
  MAX_DISPATCHES_PER_SECOND,
  MAX_HEADER_OVERRIDE_BYTES,
  MAX_SCHEDULE_AHEAD_SECONDS,
  MAX_TASK_BYTES,
  MAX_TASK_SIZE_TEXT,
  QUEUE_ID_PATTERN,
  TASK_ID_PATTERN,
} from '../limits';
import type { Dispatcher } from './dispatcher';
import { QUEUE_DEFAULTS, QueueConfig, QueueTarget, splitTaskName, storedTaskHeaders, TaskRecord } from './model';
import type { TaskStore } from './store';

/** google.rpc.Code names with their gRPC numbers and the HTTP status Google's REST frontend uses. */
export const CANONICAL = {
  INVALID_ARGUMENT: { grpc: 3, http: 400 },
  NOT_FOUND: { grpc: 5, http: 404 },
  ALREADY_EXISTS: { grpc: 6, http: 409 },
  PERMISSION_DENIED: { grpc: 7, http: 403 },
  RESOURCE_EXHAUSTED: { grpc: 8, http: 429 },
  FAILED_PRECONDITION: { grpc: 9, http: 400 },
  ABORTED: { grpc: 10, http: 409 },
  UNIMPLEMENTED: { grpc: 12, http: 501 },
  INTERNAL: { grpc: 13, http: 500 },
  UNAUTHENTICATED: { grpc: 16, http: 401 },
} as const;
export type Canonical = keyof typeof CANONICAL;

export class ApiError extends Error {
  constructor(
    readonly status: Canonical,
    message: string,
    /** HTTP status when it is not the canonical one (413 for an oversize request body). */
    readonly httpStatus: number = CANONICAL[status].http,
  ) {
    super(message);
  }
}
export const invalid = (message: string) => new ApiError('INVALID_ARGUMENT', message);

/** Google's own texts, where recordings of the real service show them (codes match everywhere). */
export const GOOGLE_MESSAGES = {
  queueNotFound: 'Queue does not exist. If you just created the queue, wait at least a minute for the queue to initialize.',
  entityNotFound: 'Requested entity was not found.',
  queueExists: 'Queue already exists',
  taskExists: 'Requested entity already exists',
  queueName: 'Queue name must be formatted: "projects/<PROJECT_ID>/locations/<LOCATION_ID>/queues/<QUEUE_ID>".',
  taskId: (id: string) => `Task ID ${JSON.stringify(id)} can contain only letters ([A-Za-z]), numbers ([0-9]), hyphens (-), or underscores (_). Task ID must between 1 and 500 characters.`,
  queueMismatch: (request: string, task: string) => `The queue name from request ('${request}') must be the same as the queue name in the named task ('${task}').`,
  /** IAM's text for a member without a type (not recorded here: from IAM's public error reports). */
  memberForm: 'Policy members must be of the form "<type>:<value>".',
} as const;

/** IAM member types a policy binding takes (`allUsers` and `allAuthenticatedUsers` stand alone). */
const MEMBER = /^(allUsers|allAuthenticatedUsers|(user|serviceAccount|group):[^\s@:/]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+|domain:[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+|(projectOwner|projectEditor|projectViewer):[a-z][-a-z0-9]{4,28}[a-z0-9]|deleted:(user|serviceAccount|group):\S+\?uid=\d+|principal(Set)?:\/\/\S+)$/;

/** Largest request the faces read (REST body, gRPC message): room for a 1 MB task in base64 JSON (4/3 of it) and more. */
export const MAX_REQUEST_BYTES = 2 * 1024 * 1024;
/** Methods whose requests may carry a body (HttpRequest.body doc: POST, PUT or PATCH only). */
const BODY_METHODS: readonly HttpMethod[] = ['POST', 'PUT', 'PATCH'];

export type View = 'BASIC' | 'FULL';

/** A task as a caller describes it; faces decode their wire format into this. */
export interface TaskInput {
  readonly name?: string;
  readonly url?: string;
  /** A method name; anything else is rejected here. */
  readonly method?: string;
  readonly headers?: Record<string, string>;
  readonly body?: Buffer;
  readonly oidcToken?: { readonly serviceAccountEmail: string; readonly audience?: string };
  readonly oauthToken?: { readonly serviceAccountEmail: string; readonly scope?: string };
  /** NaN when the caller's value could not be read. */
  readonly scheduleMs?: number;
  readonly deadlineSeconds?: number;
}

/** A queue as a caller describes it (unset or 0 means "the default", as in proto3). */
export interface QueueInput {
  readonly name?: string;
  readonly httpTarget?: QueueTarget;
  readonly rate?: Partial<QueueConfig['rate']>;
  readonly retry?: Partial<QueueConfig['retry']>;
  readonly logging?: { readonly samplingRatio?: number };
}

export interface QueueView {
  readonly config: QueueConfig;
  readonly state: 'RUNNING' | 'PAUSED';
}

export interface Policy {
  readonly version: number;
  readonly bindings: readonly { readonly role: string; readonly members: readonly string[] }[];
  /** base64 */
  readonly etag: string;
}

export interface CoreOptions {
  readonly store: TaskStore;
  readonly dispatcher: Pick<Dispatcher, 'kick' | 'runNow'>;
}

const PARENT = /^projects\/[^/]+\/locations\/[^/]+$/;
const QUEUE_NAME = /^(projects\/[^/]+\/locations\/[^/]+)\/queues\/([^/]+)$/;

export class CloudTasksCore {
  private readonly queues = new Map<string, QueueConfig>();

  constructor(private readonly o: CoreOptions) {
    for (const { config } of o.store.queues()) this.queues.set(config.path, config);
  }

  /** The live queues (the dispatcher's view). */
  queueList(): Iterable<QueueConfig> {
    return this.queues.values();
  }

  // ---- queues ----

  listQueues(parent: string, pageSize = 0, pageToken = ''): { queues: QueueView[]; nextPageToken?: string } {
    if (!PARENT.test(parent)) throw invalid(`parent must be "projects/PROJECT_ID/locations/LOCATION_ID", got ${quote(parent)}.`);
    const after = decodeToken(pageToken);
    const all = [...this.queues.values()].filter((q) => q.path.startsWith(`${parent}/`) && q.path > after).sort((a, b) => (a.path < b.path ? -1 : 1));
    return page(all, pageSize, 9800, (q) => q.path, (q) => this.view(q), 'queues');
  }

  getQueue(name: string): QueueView {
    return this.view(this.queue(name));
  }

  createQueue(parent: string, input: QueueInput): QueueView {
    if (!PARENT.test(parent)) throw invalid(`parent must be "projects/PROJECT_ID/locations/LOCATION_ID", got ${quote(parent)}.`);
    const name = input.name ?? '';
    const m = QUEUE_NAME.exec(name);
    if (!m || m[1] !== parent || !QUEUE_ID_PATTERN.test(m[2])) throw invalid(GOOGLE_MESSAGES.queueName);
    if (this.queues.has(name)) throw new ApiError('ALREADY_EXISTS', GOOGLE_MESSAGES.queueExists);
    return this.save(merge(undefined, name, input, undefined));
  }

  /** Creates the queue if it does not exist; with a mask, only the masked fields change. */
  updateQueue(input: QueueInput, mask: readonly string[] = []): QueueView {
    const name = input.name ?? '';
    const m = QUEUE_NAME.exec(name);
    if (!m || !QUEUE_ID_PATTERN.test(m[2])) throw invalid(`Queue.name must be "projects/P/locations/L/queues/QUEUE_ID", got ${quote(name)}.`);
    return this.save(merge(this.queues.get(name), name, input, mask.length > 0 ? mask.map(snakeCase) : undefined));
  }

  deleteQueue(name: string): void {
    this.queue(name, GOOGLE_MESSAGES.entityNotFound);
    this.queues.delete(name);
    this.o.store.deleteQueue(name);
  }

  purgeQueue(name: string): QueueView {
    const q = this.queue(name);
    this.o.store.purge(q.path);
    return this.view(q);
  }

  pauseQueue(name: string): QueueView {
    const q = this.queue(name);
    this.o.store.setPaused(q.path, true);
    return this.view(q);
  }

  resumeQueue(name: string): QueueView {
    const q = this.queue(name);
    this.o.store.setPaused(q.path, false);
    this.o.dispatcher.kick();
    return this.view(q);
  }

  // ---- IAM: stored, not enforced ----

  getIamPolicy(resource: string): Policy {
    this.queue(resource);
    // "ACAB" is the etag IAM gives a resource that never had a policy.
    return (this.o.store.policy(resource) as Policy | undefined) ?? { version: 0, bindings: [], etag: 'ACAB' };
  }

  /** Replaces the policy; a stale etag (someone else changed it since it was read) is ABORTED, as in IAM. */
  setIamPolicy(resource: string, policy: { version?: number; bindings?: readonly { role?: string; members?: readonly string[] }[]; etag?: string }): Policy {
    const current = this.getIamPolicy(resource);
    if (policy.etag && current.etag !== 'ACAB' && policy.etag !== current.etag) {
      throw new ApiError('ABORTED', 'There were concurrent policy changes. Please retry the whole read-modify-write with exponential backoff.');
    }
    const bindings = (policy.bindings ?? []).map((b, i) => {
      if (!b.role || !/^roles\/\S+$/.test(b.role)) throw invalid(`policy.bindings[${i}].role must be like "roles/cloudtasks.enqueuer", got ${quote(b.role ?? '')}.`);
      for (const member of b.members ?? []) {
        if (typeof member !== 'string' || !/^(allUsers|allAuthenticatedUsers|[A-Za-z]+:.+)$/.test(member)) throw invalid(GOOGLE_MESSAGES.memberForm);
        if (!MEMBER.test(member)) throw invalid(`Invalid member ${quote(member)} in policy.bindings[${i}]: expected user:, serviceAccount:, group: (an email), domain:, projectOwner/Editor/Viewer:, principal:// or principalSet://, allUsers or allAuthenticatedUsers.`);
      }
      return { role: b.role, members: [...(b.members ?? [])] };
    });
    const stored: Policy = { version: policy.version || 1, bindings, etag: randomBytes(8).toString('base64') };
    this.o.store.setPolicy(resource, stored);
    return stored;
  }

  /** No enforcement locally: a caller holds every permission it asks about on a queue that exists. */
  testIamPermissions(resource: string, permissions: readonly string[]): string[] {
    return this.queues.has(resource) ? [...permissions] : [];
  }

  // ---- tasks ----

  listTasks(parent: string, pageSize = 0, pageToken = ''): { tasks: TaskRecord[]; nextPageToken?: string } {
    this.queue(parent);
    const size = clampPage(pageSize, 1000);
    const tasks = this.o.store.list(parent, decodeToken(pageToken), size + 1);
    return page(tasks, size, 1000, (t) => t.name, (t) => t, 'tasks');
  }

  getTask(name: string): TaskRecord {
    const [queue, id] = splitTaskName(name);
    this.queue(queue);
    if (!TASK_ID_PATTERN.test(id)) throw invalid(GOOGLE_MESSAGES.taskId(id));
    const t = this.o.store.get(name);
    if (!t) throw new ApiError('NOT_FOUND', GOOGLE_MESSAGES.entityNotFound);
    return t;
  }

  createTask(parent: string, input: TaskInput): TaskRecord {
    const q = this.queue(parent);
    const method = input.method || 'POST';
    if (!(HTTP_METHODS as readonly string[]).includes(method)) throw invalid(`HttpRequest.httpMethod must be one of ${HTTP_METHODS.join(', ')}, got ${quote(method)}.`);
    if (!input.url && !q.httpTarget?.uriOverride?.host) throw invalid('HttpRequest.url is required when the queue has no URI override.');
    if (input.url) {
      let ok = false;
      try {
        ok = /^https?:$/.test(new URL(input.url).protocol);
      } catch {
        // reported below
      }
      if (!ok) throw invalid(`HttpRequest.url must be an absolute http(s) URL, got ${quote(input.url)}.`);
    }
    if (input.oidcToken && input.oauthToken) throw invalid('HttpRequest may set oidcToken or oauthToken, not both.');
    for (const token of [input.oidcToken, input.oauthToken]) {
      if (token && !token.serviceAccountEmail) throw invalid('HttpRequest token must name a serviceAccountEmail.');
    }
    if (input.scheduleMs !== undefined && (Number.isNaN(input.scheduleMs) || input.scheduleMs - Date.now() > MAX_SCHEDULE_AHEAD_SECONDS * 1000)) {
      throw invalid('Task.scheduleTime must be a time at most 30 days ahead.');
    }
    const deadline = input.deadlineSeconds;
    if (deadline !== undefined && !(deadline >= DISPATCH_DEADLINE.min && deadline <= DISPATCH_DEADLINE.max)) {
      throw invalid(`Task.dispatchDeadline must be between ${DISPATCH_DEADLINE.min}s and ${DISPATCH_DEADLINE.max}s, got ${deadline}s.`);
    }
    return this.add(q, { ...input, method: method as HttpMethod });
  }

  /** BufferTask: the body becomes the task's; URL, method and auth come from the queue's HTTP target. */
  bufferTask(queue: string, id: string | undefined, body: Buffer, headers: Record<string, string>): TaskRecord {
    const q = this.queue(queue);
    if (!q.httpTarget?.uriOverride?.host) {
      throw new ApiError('FAILED_PRECONDITION', `Queue ${q.path} has no HTTP target URI override: BufferTask needs queue-level routing.`);
    }
    return this.add(q, { name: id === undefined ? undefined : `${q.path}/tasks/${id}`, method: q.httpTarget.httpMethod ?? 'POST', headers, body });
  }

  deleteTask(name: string): void {
    this.getTask(name);
    this.o.store.remove(name, 3600_000);
  }

  /** Dispatches now, even on a paused queue or at the rate limit (as the real RunTask does). */
  runTask(name: string): TaskRecord {
    const task = this.getTask(name);
    this.o.dispatcher.runNow(this.queue(task.queue), name);
    return task;
  }

  // ---- shared ----

  private add(q: QueueConfig, t: TaskInput & { method: HttpMethod }): TaskRecord {
    if (t.name !== undefined) {
      const [parent, id] = splitTaskName(t.name);
      if (parent !== q.path) throw invalid(GOOGLE_MESSAGES.queueMismatch(q.path, parent));
      if (!TASK_ID_PATTERN.test(id)) throw invalid(GOOGLE_MESSAGES.taskId(id));
    }
    const body = t.body ?? Buffer.alloc(0);
    for (const [name, value] of Object.entries(t.headers ?? {})) {
      if (!HEADER_NAME_PATTERN.test(name)) throw invalid(`HttpRequest.headers: ${quote(name)} is not a valid header name.`);
      const problem = headerValueProblem(value);
      if (problem) throw invalid(`HttpRequest.headers: the value of ${quote(name)} ${problem}.`);
    }
    // Host, Content-Length, X-Google-*, X-AppEngine-*, X-CloudTasks-* are ignored; User-Agent is Google-Cloud-Tasks.
    const headers = storedTaskHeaders(t.headers ?? {});
    if (body.length > 0 && !BODY_METHODS.includes(t.method)) throw invalid(`A task with a body must use POST, PUT or PATCH, got ${t.method}.`);
    const size = body.length + headerBytes(t.headers ?? {}); // what the caller sent, not the User-Agent added here
    if (size > MAX_TASK_BYTES) throw invalid(`The maximum task size is ${MAX_TASK_BYTES} bytes (${MAX_TASK_SIZE_TEXT}); this task has ${size} (body and headers).`);
    const now = Date.now();
    const record: TaskRecord = {
      name: t.name ?? `${q.path}/tasks/${randomInt(1e9, 1e10 - 1)}${randomInt(1e9, 1e10 - 1)}`,
      queue: q.path,
      url: t.url || undefined,
      method: t.method,
      headers,
      body,
      oidcToken: t.oidcToken,
      oauthToken: t.oauthToken,
      scheduleMs: t.scheduleMs && t.scheduleMs > now ? t.scheduleMs : now,
      createMs: now,
      deadlineSeconds: t.deadlineSeconds ?? DISPATCH_DEADLINE.default,
      dispatchCount: 0,
      responseCount: 0,
      executionCount: 0,
    };
    if (!this.o.store.add(record, now)) throw new ApiError('ALREADY_EXISTS', GOOGLE_MESSAGES.taskExists);
    this.o.dispatcher.kick();
    return record;
  }

  private queue(name: string, notFoundMessage: string = GOOGLE_MESSAGES.queueNotFound): QueueConfig {
    const q = this.queues.get(name);
    if (q) return q;
    if (!QUEUE_NAME.test(name)) throw invalid(GOOGLE_MESSAGES.queueName);
    throw new ApiError('NOT_FOUND', notFoundMessage);
  }

  private view(q: QueueConfig): QueueView {
    return { config: q, state: this.o.store.isPaused(q.path) ? 'PAUSED' : 'RUNNING' };
  }

  private save(q: QueueConfig): QueueView {
    validateQueue(q);
    this.queues.set(q.path, q);
    this.o.store.putQueue(q, 'api');
    this.o.dispatcher.kick();
    return this.view(q);
  }
}

/** Field-mask leaves (proto names) → where they live in a QueueConfig. */
const LEAVES: Record<string, [section: 'rate' | 'retry' | 'logging', key: string]> = {
  'rate_limits.max_dispatches_per_second': ['rate', 'maxDispatchesPerSecond'],
  'rate_limits.max_concurrent_dispatches': ['rate', 'maxConcurrentDispatches'],
  'retry_config.max_attempts': ['retry', 'maxAttempts'],
  'retry_config.max_retry_duration': ['retry', 'maxRetryDuration'],
  'retry_config.min_backoff': ['retry', 'minBackoff'],
  'retry_config.max_backoff': ['retry', 'maxBackoff'],
  'retry_config.max_doublings': ['retry', 'maxDoublings'],
  'stackdriver_logging_config.sampling_ratio': ['logging', 'samplingRatio'],
};
/** Output-only fields: a mask may name them; their values are ignored (UpdateQueueRequest doc). */
const OUTPUT_ONLY = ['name', 'state', 'purge_time', 'rate_limits.max_burst_size'];

/** The queue after an update: masked (or, without a mask, all) fields from `input`, unset ones defaulted. */
function merge(current: QueueConfig | undefined, path: string, input: QueueInput, mask: readonly string[] | undefined): QueueConfig {
  const isKnown = (p: string) =>
    OUTPUT_ONLY.includes(p) || /^(http_target|app_engine_routing_override)(\.|$)/.test(p) || Object.keys(LEAVES).some((leaf) => leaf === p || leaf.startsWith(`${p}.`));
  const unknown = (mask ?? []).filter((p) => !isKnown(p));
  if (unknown.length > 0) throw invalid(`update_mask has unknown Queue field(s): ${unknown.map(quote).join(', ')}.`);
  const covered = (leaf: string) => !mask || mask.some((p) => p === leaf || leaf.startsWith(`${p}.`));
  const q = {
    rate: { ...QUEUE_DEFAULTS.rate, ...current?.rate } as Record<string, number>,
    retry: { ...QUEUE_DEFAULTS.retry, ...current?.retry } as Record<string, number>,
    logging: current?.logging ? ({ ...current.logging } as Record<string, number>) : undefined,
  };
  for (const [leaf, [section, key]] of Object.entries(LEAVES)) {
    if (!covered(leaf)) continue;
    const given = (input[section] as Record<string, number> | undefined)?.[key];
    if (section === 'logging') {
      q.logging = given || input.logging ? { samplingRatio: given ?? 0 } : undefined;
    } else {
      q[section][key] = given || (QUEUE_DEFAULTS[section] as Record<string, number>)[key];
    }
  }
  const httpTarget = !mask || mask.some((p) => p === 'http_target' || p.startsWith('http_target.')) ? input.httpTarget : current?.httpTarget;
  return {
    path,
    ...(httpTarget && { httpTarget }),
    rate: q.rate as unknown as QueueConfig['rate'],
    retry: q.retry as unknown as QueueConfig['retry'],
    ...(q.logging && { logging: q.logging as unknown as QueueConfig['logging'] }),
  };
}

function validateQueue(q: QueueConfig): void {
  const problems: string[] = [];
  const { rate, retry } = q;
  if (!(rate.maxDispatchesPerSecond > 0 && rate.maxDispatchesPerSecond <= MAX_DISPATCHES_PER_SECOND)) {
    problems.push(`rateLimits.maxDispatchesPerSecond must be above 0 and at most ${MAX_DISPATCHES_PER_SECOND}, got ${rate.maxDispatchesPerSecond}`);
  }
  if (!(Number.isInteger(rate.maxConcurrentDispatches) && rate.maxConcurrentDispatches >= 1 && rate.maxConcurrentDispatches <= MAX_CONCURRENT_DISPATCHES)) {
    problems.push(`rateLimits.maxConcurrentDispatches must be an integer from 1 to ${MAX_CONCURRENT_DISPATCHES}, got ${rate.maxConcurrentDispatches}`);
  }
  if (!(Number.isInteger(retry.maxAttempts) && retry.maxAttempts >= -1)) problems.push(`retryConfig.maxAttempts must be -1 (unlimited) or more, got ${retry.maxAttempts}`);
  for (const key of ['maxRetryDuration', 'minBackoff', 'maxBackoff'] as const) {
    if (!(retry[key] >= 0)) problems.push(`retryConfig.${key} must be a duration of 0s or more, got ${retry[key]}s`);
  }
  if (retry.minBackoff > retry.maxBackoff) problems.push(`retryConfig.minBackoff (${retry.minBackoff}s) must not exceed maxBackoff (${retry.maxBackoff}s)`);
  if (!(Number.isInteger(retry.maxDoublings) && retry.maxDoublings >= 0)) problems.push(`retryConfig.maxDoublings must be an integer of 0 or more, got ${retry.maxDoublings}`);
  const ratio = q.logging?.samplingRatio;
  if (ratio !== undefined && !(ratio >= 0 && ratio <= 1)) problems.push(`stackdriverLoggingConfig.samplingRatio must be from 0.0 to 1.0, got ${ratio}`);
  const t = q.httpTarget;
  if (t?.httpMethod && !HTTP_METHODS.includes(t.httpMethod)) problems.push(`httpTarget.httpMethod must be one of ${HTTP_METHODS.join(', ')}, got ${quote(t.httpMethod)}`);
  const port = t?.uriOverride?.port;
  if (port !== undefined && !(Number.isInteger(port) && port >= 1 && port <= 65535)) problems.push(`httpTarget.uriOverride.port must be from 1 to 65535, got ${port}`);
  for (const [name, value] of Object.entries(t?.headers ?? {})) {
    if (!HEADER_NAME_PATTERN.test(name)) problems.push(`httpTarget.headerOverrides: ${quote(name)} is not a valid header name`);
    const problem = headerValueProblem(value);
    if (problem) problems.push(`httpTarget.headerOverrides: the value of ${quote(name)} ${problem}`);
  }
  if (t && !headersFitOverrideLimit(t.headers)) problems.push(`httpTarget.headerOverrides must stay below ${MAX_HEADER_OVERRIDE_BYTES} bytes in total, got ${headerBytes(t.headers)}`);
  if (problems.length > 0) throw invalid(`Invalid queue ${q.path}: ${problems.join('; ')}.`);
}

function clampPage(size: number, max: number): number {
  if (!Number.isFinite(size) || size < 0) throw invalid(`page_size must be 0 (the maximum) or more, got ${size}.`);
  return size === 0 ? max : Math.min(max, Math.floor(size));
}

function page<T, R, K extends string>(items: T[], size: number, max: number, key: (t: T) => string, render: (t: T) => R, field: K): { [P in K]: R[] } & { nextPageToken?: string } {
  const n = clampPage(size, max);
  const shown = items.slice(0, n);
  return {
    [field]: shown.map(render),
    ...(items.length > n && { nextPageToken: Buffer.from(key(shown[shown.length - 1])).toString('base64url') }),
  } as { [P in K]: R[] } & { nextPageToken?: string };
}

function decodeToken(token: string): string {
  if (!token) return '';
  if (!/^[A-Za-z0-9_-]+$/.test(token)) throw invalid(`page_token is not one this server issued: ${quote(token)}.`);
  return Buffer.from(token, 'base64url').toString();
}

/** Field-mask paths arrive as proto names (gRPC) or JSON names (REST): `rateLimits.maxBurstSize` → `rate_limits.max_burst_size`. */
function snakeCase(path: string): string {
  return path.trim().replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/** A caller's value, cut to a readable length, for error messages. */
export function quote(value: string): string {
  return JSON.stringify(value.length > 80 ? `${value.slice(0, 77)}...` : value);
}
