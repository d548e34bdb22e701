/**
 * The Cloud Tasks v2 REST surface the producers and the official client use, on loopback:
 * tasks:buffer (with and without id), tasks create / get / list / delete / :run, queues get / list,
 * :pause / :resume / :purge. Errors use Google's JSON shape. With `$alt=json;enum-encoding=int` (what the
 * official client's REST transport sends) enums are numbers, both ways.
 */
import { randomInt } from 'node:crypto';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DISPATCH_DEADLINE, HTTP_METHODS, HttpMethod, MAX_SCHEDULE_AHEAD_SECONDS, TASK_ID_PATTERN } from '../limits';
import { burstSize, parseDuration, QueueConfig, splitTaskName, TaskRecord } from './model';
import type { TokenSigner } from './signer';
import type { TaskStore } from './store';

const METHOD_NUMBERS: Record<HttpMethod, number> = { POST: 1, GET: 2, HEAD: 3, PUT: 4, DELETE: 5, PATCH: 6, OPTIONS: 7 };
const METHOD_NAMES = Object.fromEntries(Object.entries(METHOD_NUMBERS).map(([k, v]) => [v, k])) as Record<number, HttpMethod>;
/** Request headers that are about the API call, not the task (never copied into a buffered task). */
const CALL_HEADERS = /^(host|authorization|content-length|connection|keep-alive|transfer-encoding|accept|accept-encoding|user-agent|x-goog-.*|x-cloud-trace-context|traceparent|te|upgrade|expect)$/i;

class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly status: string,
    message: string,
  ) {
    super(message);
  }
}
const notFound = (what: string) => new ApiError(404, 'NOT_FOUND', `${what} does not exist.`);
const invalid = (message: string) => new ApiError(400, 'INVALID_ARGUMENT', message);

export interface ApiOptions {
  readonly store: TaskStore;
  readonly queues: readonly QueueConfig[];
  /** Publishes its JWKS at /oauth2/v3/certs. */
  readonly signer?: TokenSigner;
  /** Called when tasks may have become due (create, run, resume). */
  readonly onChange?: () => void;
}

interface Ctx {
  readonly ints: boolean;
}

export class CloudTasksApi {
  readonly server: Server;
  private readonly queues: Map<string, QueueConfig>;

  constructor(private readonly o: ApiOptions) {
    this.queues = new Map(o.queues.map((q) => [q.path, q]));
    this.server = createServer((req, res) => void this.handle(req, res));
  }

  async listen(port = 0, host = '127.0.0.1'): Promise<string> {
    await new Promise<void>((r) => this.server.listen(port, host, r));
    return `http://${host}:${(this.server.address() as AddressInfo).port}`;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((r) => this.server.close(() => r()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const [rawPath, query = ''] = (req.url ?? '/').split('?');
    const ctx: Ctx = { ints: decodeURIComponent(query).includes('enum-encoding=int') };
    try {
      const body = await readBody(req);
      if (rawPath === '/oauth2/v3/certs' && this.o.signer) return send(res, 200, this.o.signer.jwks());
      if (!/^Bearer \S+/.test(req.headers.authorization ?? '')) {
        throw new ApiError(401, 'UNAUTHENTICATED', 'Request is missing required authentication credential. Expected OAuth 2 access token.');
      }
      const path = decodeURIComponent(rawPath);
      const result = this.route(req.method ?? 'GET', path, new URLSearchParams(query), body, req, ctx);
      send(res, 200, result);
    } catch (e) {
      const err = e instanceof ApiError ? e : new ApiError(500, 'INTERNAL', (e as Error).message);
      send(res, err.code, { error: { code: err.code, message: err.message, status: err.status } });
    }
  }

  private route(method: string, path: string, params: URLSearchParams, body: Buffer, req: IncomingMessage, ctx: Ctx): unknown {
    const Q = 'projects/[^/]+/locations/[^/]+/queues/[^/:]+';
    let m: RegExpExecArray | null;
    const json = () => parseJson(body);
    if (method === 'POST' && (m = new RegExp(`^/v2/(${Q})/tasks(?:/([^/:]+))?:buffer$`).exec(path))) return { task: this.buffer(m[1], m[2], body, req, ctx) };
    if (method === 'POST' && (m = new RegExp(`^/v2/(${Q})/tasks$`).exec(path))) return this.create(m[1], json(), ctx);
    if (method === 'GET' && (m = new RegExp(`^/v2/(${Q})/tasks$`).exec(path))) return this.list(m[1], params, ctx);
    if ((m = new RegExp(`^/v2/((${Q})/tasks/[^/:]+)(:run)?$`).exec(path))) {
      const [, name, queue, run] = m;
      if (method === 'GET' && !run) return taskJson(this.task(name), ctx, params.get('responseView'));
      if (method === 'DELETE' && !run) {
        this.task(name);
        this.o.store.remove(name, 3600_000);
        return {};
      }
      if (method === 'POST' && run) {
        this.task(name);
        if (this.o.store.isPaused(queue)) throw new ApiError(400, 'FAILED_PRECONDITION', `Queue ${queue} is paused.`);
        this.o.store.runNow(name);
        this.o.onChange?.();
        return taskJson(this.task(name), ctx, json().responseView);
      }
    }
    if (method === 'GET' && (m = /^\/v2\/(projects\/[^/]+\/locations\/[^/]+)\/queues$/.exec(path))) {
      return { queues: [...this.queues.values()].filter((q) => q.path.startsWith(`${m![1]}/`)).map((q) => this.queueJson(q, ctx)) };
    }
    if ((m = new RegExp(`^/v2/(${Q})(:pause|:resume|:purge)?$`).exec(path))) {
      const q = this.queue(m[1]);
      if (method === 'GET' && !m[2]) return this.queueJson(q, ctx);
      if (method === 'POST' && m[2] === ':pause') this.o.store.setPaused(q.path, true);
      else if (method === 'POST' && m[2] === ':resume') {
        this.o.store.setPaused(q.path, false);
        this.o.onChange?.();
      } else if (method === 'POST' && m[2] === ':purge') this.o.store.purge(q.path);
      else throw notFound(`Method ${method} ${path}`);
      return this.queueJson(q, ctx);
    }
    throw new ApiError(404, 'NOT_FOUND', `No route for ${method} ${path}.`);
  }

  private queue(path: string): QueueConfig {
    const q = this.queues.get(path);
    if (!q) throw notFound(`Queue ${path}`);
    return q;
  }

  private task(name: string): TaskRecord {
    this.queue(splitTaskName(name)[0]);
    const t = this.o.store.get(name);
    if (!t) throw notFound(`Task ${name}`);
    return t;
  }

  private buffer(queuePath: string, id: string | undefined, body: Buffer, req: IncomingMessage, ctx: Ctx): unknown {
    const q = this.queue(queuePath);
    if (this.o.store.isPaused(q.path)) throw new ApiError(400, 'FAILED_PRECONDITION', `Queue ${q.path} is paused: BufferTask needs a running queue.`);
    if (!q.httpTarget?.uriOverride?.host) throw new ApiError(400, 'FAILED_PRECONDITION', `Queue ${q.path} has no HTTP target URI override: BufferTask needs queue-level routing.`);
    const headers = Object.fromEntries(
      Object.entries(req.headers)
        .filter(([k, v]) => !CALL_HEADERS.test(k) && typeof v === 'string')
        .map(([k, v]) => [k, v as string]),
    );
    const task = this.add(q, { name: id ? `${q.path}/tasks/${id}` : undefined, method: q.httpTarget.httpMethod ?? 'POST', headers, body });
    return taskJson(task, ctx);
  }

  private create(queuePath: string, request: Record<string, any>, ctx: Ctx): unknown { // eslint-disable-line @typescript-eslint/no-explicit-any
    const q = this.queue(queuePath);
    const t = request.task ?? {};
    const http = t.httpRequest;
    if (!http) throw invalid('Task must have an httpRequest (only HTTP targets are supported locally).');
    const method = typeof http.httpMethod === 'number' ? METHOD_NAMES[http.httpMethod] : (http.httpMethod ?? 'POST');
    if (!HTTP_METHODS.includes(method)) throw invalid(`Invalid httpMethod ${JSON.stringify(http.httpMethod)}.`);
    if (!http.url && !q.httpTarget?.uriOverride?.host) throw invalid('HttpRequest.url is required when the queue has no URI override.');
    if (http.url) {
      try {
        if (!/^https?:$/.test(new URL(http.url).protocol)) throw new Error();
      } catch {
        throw invalid(`HttpRequest.url must be an absolute http(s) URL, got ${JSON.stringify(http.url)}.`);
      }
    }
    const scheduleMs = t.scheduleTime ? timeMs(t.scheduleTime) : undefined;
    if (scheduleMs !== undefined && (Number.isNaN(scheduleMs) || scheduleMs - Date.now() > MAX_SCHEDULE_AHEAD_SECONDS * 1000)) {
      throw invalid(`Task.scheduleTime must be a time at most 30 days ahead, got ${JSON.stringify(t.scheduleTime)}.`);
    }
    let deadline: number | undefined;
    if (t.dispatchDeadline !== undefined) {
      deadline = typeof t.dispatchDeadline === 'string' ? parseDuration(t.dispatchDeadline) : Number(t.dispatchDeadline.seconds ?? 0);
      if (deadline === undefined || deadline < DISPATCH_DEADLINE.min || deadline > DISPATCH_DEADLINE.max) {
        throw invalid(`Task.dispatchDeadline must be between 15s and 1800s, got ${JSON.stringify(t.dispatchDeadline)}.`);
      }
    }
    const task = this.add(q, {
      name: t.name,
      url: http.url,
      method,
      headers: http.headers ?? {},
      body: http.body ? Buffer.from(http.body, 'base64') : Buffer.alloc(0),
      oidcToken: http.oidcToken,
      scheduleMs,
      deadlineSeconds: deadline,
    });
    return taskJson(task, ctx, request.responseView);
  }

  private add(
    q: QueueConfig,
    t: { name?: string; url?: string; method: HttpMethod; headers: Record<string, string>; body: Buffer; oidcToken?: TaskRecord['oidcToken']; scheduleMs?: number; deadlineSeconds?: number },
  ): TaskRecord {
    if (t.name !== undefined) {
      const [parent, id] = splitTaskName(t.name);
      if (parent !== q.path || !id || !TASK_ID_PATTERN.test(id)) {
        throw invalid(`Task name must be "${q.path}/tasks/TASK_ID" with TASK_ID of letters, digits, "-" or "_" (max 500), got ${JSON.stringify(t.name)}.`);
      }
    }
    const now = Date.now();
    const record: TaskRecord = {
      name: t.name ?? `${q.path}/tasks/${randomId()}`,
      queue: q.path,
      url: t.url,
      method: t.method,
      headers: t.headers,
      body: t.body,
      oidcToken: t.oidcToken,
      scheduleMs: t.scheduleMs ?? now,
      createMs: now,
      deadlineSeconds: t.deadlineSeconds ?? DISPATCH_DEADLINE.default,
      dispatchCount: 0,
      responseCount: 0,
      executionCount: 0,
    };
    if (!this.o.store.add(record, now)) throw new ApiError(409, 'ALREADY_EXISTS', 'Requested entity already exists');
    this.o.onChange?.();
    return record;
  }

  private list(queuePath: string, params: URLSearchParams, ctx: Ctx): unknown {
    this.queue(queuePath);
    const size = Math.min(1000, Math.max(1, Number(params.get('pageSize') ?? 1000)));
    const after = params.get('pageToken') ? Buffer.from(params.get('pageToken')!, 'base64url').toString() : '';
    const tasks = this.o.store.list(queuePath, after, size + 1);
    const page = tasks.slice(0, size);
    return {
      tasks: page.map((t) => taskJson(t, ctx, params.get('responseView'))),
      ...(tasks.length > size && { nextPageToken: Buffer.from(page[page.length - 1].name).toString('base64url') }),
    };
  }

  private queueJson(q: QueueConfig, ctx: Ctx): unknown {
    const paused = this.o.store.isPaused(q.path);
    return {
      name: q.path,
      rateLimits: { maxDispatchesPerSecond: q.rate.maxDispatchesPerSecond, maxBurstSize: burstSize(q.rate.maxDispatchesPerSecond), maxConcurrentDispatches: q.rate.maxConcurrentDispatches },
      retryConfig: {
        maxAttempts: q.retry.maxAttempts,
        maxRetryDuration: `${q.retry.maxRetryDuration}s`,
        minBackoff: `${q.retry.minBackoff}s`,
        maxBackoff: `${q.retry.maxBackoff}s`,
        maxDoublings: q.retry.maxDoublings,
      },
      state: ctx.ints ? (paused ? 2 : 1) : paused ? 'PAUSED' : 'RUNNING',
    };
  }
}

function taskJson(t: TaskRecord, ctx: Ctx, view?: unknown): Record<string, unknown> {
  const full = view === 'FULL' || Number(view) === 2; // a query parameter arrives as "2"
  const attempt = (a: TaskRecord['firstAttempt']) =>
    a && {
      scheduleTime: new Date(a.scheduleTime).toISOString(),
      dispatchTime: new Date(a.dispatchTime).toISOString(),
      ...(a.responseTime && { responseTime: new Date(a.responseTime).toISOString() }),
      ...(a.responseStatus && { responseStatus: { code: a.responseStatus, message: `HTTP ${a.responseStatus}` } }),
    };
  return {
    name: t.name,
    httpRequest: {
      ...(t.url && { url: t.url }),
      httpMethod: ctx.ints ? METHOD_NUMBERS[t.method] : t.method,
      headers: t.headers,
      ...(full && { body: t.body.toString('base64') }),
      ...(t.oidcToken && { oidcToken: t.oidcToken }),
    },
    scheduleTime: new Date(t.scheduleMs).toISOString(),
    createTime: new Date(t.createMs).toISOString(),
    dispatchDeadline: `${t.deadlineSeconds}s`,
    dispatchCount: t.dispatchCount,
    responseCount: t.responseCount,
    ...(t.firstAttempt && { firstAttempt: attempt(t.firstAttempt) }),
    ...(t.lastAttempt && { lastAttempt: attempt(t.lastAttempt) }),
    view: ctx.ints ? (full ? 2 : 1) : full ? 'FULL' : 'BASIC',
  };
}

function timeMs(v: unknown): number {
  if (typeof v === 'string') return new Date(v).getTime();
  const o = v as { seconds?: string | number; nanos?: number };
  return Number(o.seconds ?? 0) * 1000 + Math.floor((o.nanos ?? 0) / 1e6);
}

/** Like Cloud Tasks' generated ids: a long decimal number. */
function randomId(): string {
  return `${randomInt(1e9, 1e10 - 1)}${randomInt(1e9, 1e10 - 1)}`;
}

function parseJson(body: Buffer): Record<string, any> { // eslint-disable-line @typescript-eslint/no-explicit-any
  if (body.length === 0) return {};
  try {
    return JSON.parse(body.toString());
  } catch {
    throw invalid('Request body is not valid JSON.');
  }
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=UTF-8', 'Content-Length': Buffer.byteLength(text) }).end(text);
}
