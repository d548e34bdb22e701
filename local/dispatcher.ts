/**
 * Dispatches due tasks the way Cloud Tasks does: token-bucket rate limit, concurrency limit, dispatch
 * deadline, X-CloudTasks-* headers, queue header overrides and OIDC tokens, retries with the queue's
 * backoff until both max attempts and max retry duration are used up, Retry-After on 429/503.
 */
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { backoffSeconds, burstSize, IGNORED_TASK_HEADER, queueId, QueueConfig, retriesExhausted, TASK_USER_AGENT, TaskRecord, taskId } from './model';
import type { TokenSigner } from './signer';
import type { TaskStore } from './store';

export type LogFn = (entry: Record<string, unknown>) => void;

export interface DispatcherOptions {
  readonly store: TaskStore;
  readonly signer: TokenSigner;
  /** The queues, or a function giving the current ones (queues made and deleted at run time). */
  readonly queues: readonly QueueConfig[] | (() => Iterable<QueueConfig>);
  /** How long a finished task's name stays taken. @default 1 h */
  readonly dedupWindowMs?: number;
  readonly log?: LogFn;
  /** @default 10 */
  readonly tickMs?: number;
  /** Called when a task runs out of retries and is dropped (local dead letters keep it). */
  readonly onDrop?: (task: TaskRecord, attempts: number, lastStatus: number) => void;
}

interface Bucket {
  tokens: number;
  last: number;
}

export class Dispatcher {
  private readonly inflight = new Map<string, Set<string>>();
  private readonly buckets = new Map<string, Bucket>();
  private readonly controllers = new Set<AbortController>();
  private timer?: NodeJS.Timeout;
  private kicked = false;
  private stopping = false;
  private readonly dedupWindowMs: number;
  private readonly log: LogFn;
  /** Highest number of simultaneous dispatches seen per queue (for tests and the banner). */
  readonly peakConcurrency = new Map<string, number>();

  constructor(private readonly o: DispatcherOptions) {
    this.dedupWindowMs = o.dedupWindowMs ?? 3600_000;
    this.log = o.log ?? ((e) => process.stdout.write(`${JSON.stringify(e)}\n`));
  }

  private queues(): Iterable<QueueConfig> {
    return typeof this.o.queues === 'function' ? this.o.queues() : this.o.queues;
  }

  private running(queue: string): Set<string> {
    let set = this.inflight.get(queue);
    if (!set) this.inflight.set(queue, (set = new Set()));
    return set;
  }

  start(): void {
    // unref: the dispatcher alone never keeps a process alive (its API server does, while it listens).
    this.timer ??= setInterval(() => this.tick(), this.o.tickMs ?? 10).unref();
  }

  /** Stops dispatching and aborts attempts in flight (their tasks stay stored and run again later). */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    this.stopping = true;
    for (const c of this.controllers) c.abort(new Error('dispatcher stopping'));
    const deadline = Date.now() + 2000;
    while ([...this.inflight.values()].some((s) => s.size > 0) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  }

  /** Asks for a pass soon (coalesced: many enqueues in one turn cause one pass). */
  kick(): void {
    if (this.kicked) return;
    this.kicked = true;
    setImmediate(() => {
      this.kicked = false;
      if (this.timer) this.tick();
    });
  }

  /** One pass over every queue: start as many due tasks as the rate and concurrency limits allow. */
  tick(now = Date.now()): void {
    for (const q of this.queues()) {
      if (this.o.store.isPaused(q.path)) continue;
      const running = this.running(q.path);
      const bucket = this.refill(q, now);
      const slots = Math.min(Math.floor(bucket.tokens), q.rate.maxConcurrentDispatches - running.size);
      if (slots <= 0) continue;
      for (const task of this.o.store.takeDue(q.path, now, slots)) {
        bucket.tokens -= 1;
        this.begin(q, task);
      }
    }
  }

  /**
   * RunTask: dispatches a task now, even when its queue is paused or at its rate limit. False when the task is
   * already in flight or gone. A stopped dispatcher only makes the task due (it runs once dispatching starts).
   */
  runNow(q: QueueConfig, name: string): boolean {
    if (!this.timer) {
      this.o.store.runNow(name);
      return true;
    }
    const task = this.o.store.takeOne(name);
    if (task) this.begin(q, task);
    return task !== undefined;
  }

  private begin(q: QueueConfig, task: TaskRecord): void {
    const running = this.running(q.path);
    running.add(task.name);
    this.peakConcurrency.set(q.path, Math.max(this.peakConcurrency.get(q.path) ?? 0, running.size));
    void this.dispatch(q, task).finally(() => {
      running.delete(task.name);
      this.o.store.release(task.name);
    });
  }

  private refill(q: QueueConfig, now: number): Bucket {
    const rate = q.rate.maxDispatchesPerSecond;
    const capacity = burstSize(rate);
    let b = this.buckets.get(q.path);
    if (!b) {
      b = { tokens: capacity, last: now };
      this.buckets.set(q.path, b);
    }
    b.tokens = Math.min(capacity, b.tokens + ((now - b.last) / 1000) * rate);
    b.last = now;
    return b;
  }

  private async dispatch(q: QueueConfig, task: TaskRecord): Promise<void> {
    const started = Date.now();
    const attemptNumber = task.dispatchCount + 1;
    let status = 0;
    let responded = false;
    let retryAfterMs = 0;
    const controller = new AbortController();
    this.controllers.add(controller);
    const timer = setTimeout(() => controller.abort(new Error('deadline')), task.deadlineSeconds * 1000);
    try {
      const url = targetUrl(task, q);
      const method = q.httpTarget?.httpMethod ?? task.method;
      const res = await send(url, method, await this.headers(q, task, url), ['GET', 'HEAD'].includes(method) ? undefined : task.body, controller.signal);
      status = res.status;
      responded = true;
      const after = Number(res.retryAfter);
      if ((status === 429 || status === 503) && Number.isFinite(after)) retryAfterMs = after * 1000;
    } catch {
      // Deadline passed (reported as 504 on the next attempt, like Cloud Tasks) or no connection.
      status = controller.signal.aborted ? 504 : 503;
    } finally {
      clearTimeout(timer);
      this.controllers.delete(controller);
    }
    // Cut off by our own shutdown: not the handler's failure. The task stays as it was and runs again later.
    if (this.stopping && !responded) return;
    const now = Date.now();
    // startDelayMs: how long after its schedule time the attempt started (enqueue → start, for new tasks).
    const base = { severity: 'INFO', queue: queueId(q.path), task: taskId(task.name), attempt: attemptNumber, status, latencyMs: now - started, startDelayMs: started - task.scheduleMs };
    if (status >= 200 && status < 300) {
      this.o.store.remove(task.name, this.dedupWindowMs, now);
      this.log({ ...base, message: `task ${taskId(task.name)} acknowledged (${status})`, outcome: 'acknowledged' });
      return;
    }
    const firstAttemptMs = task.firstAttempt?.dispatchTime ?? started;
    if (retriesExhausted(attemptNumber, firstAttemptMs, now, q.retry)) {
      this.o.store.drop(task, attemptNumber, status, this.dedupWindowMs, now);
      this.o.onDrop?.(task, attemptNumber, status);
      this.log({ ...base, severity: 'ERROR', message: `task ${taskId(task.name)} dropped after ${attemptNumber} attempts (last ${status})`, outcome: 'dropped' });
      return;
    }
    // A Retry-After of zero or less never shortens the backoff (the larger of the two wins).
    const delayMs = Math.max(backoffSeconds(attemptNumber, q.retry) * 1000, retryAfterMs);
    const attempt = { scheduleTime: task.scheduleMs, dispatchTime: started, responseTime: responded ? now : undefined, responseStatus: status };
    // The real service sends X-CloudTasks-TaskRetryReason empty on every retry, whatever the failure (recorded).
    this.o.store.recordFailure(task, attempt, status, responded, '', now + delayMs);
    this.log({ ...base, severity: 'WARNING', message: `task ${taskId(task.name)} failed (${status}); retry in ${delayMs} ms`, outcome: 'retry', retryInMs: delayMs });
  }

  private async headers(q: QueueConfig, task: TaskRecord, url: string): Promise<Record<string, string>> {
    const headers: Record<string, string> = {};
    const set = (k: string, v: string) => {
      for (const existing of Object.keys(headers)) if (existing.toLowerCase() === k.toLowerCase()) delete headers[existing];
      headers[k] = v;
    };
    // Headers Cloud Tasks ignores never reach the handler, whoever set them (a task stored earlier, a queue override).
    for (const [k, v] of Object.entries(task.headers)) if (!IGNORED_TASK_HEADER.test(k)) set(k, v);
    for (const [k, v] of Object.entries(q.httpTarget?.headers ?? {})) if (!IGNORED_TASK_HEADER.test(k)) set(k, v);
    set('User-Agent', TASK_USER_AGENT);
    set('X-CloudTasks-QueueName', queueId(q.path));
    set('X-CloudTasks-TaskName', taskId(task.name));
    set('X-CloudTasks-TaskRetryCount', String(task.dispatchCount));
    set('X-CloudTasks-TaskExecutionCount', String(task.executionCount));
    set('X-CloudTasks-TaskETA', (task.scheduleMs / 1000).toFixed(6));
    if (task.previousResponse !== undefined) {
      set('X-CloudTasks-TaskPreviousResponse', String(task.previousResponse));
      set('X-CloudTasks-TaskRetryReason', '');
    }
    // Queue-level auth overrides the task's own. OAuth access tokens are placeholders locally (nothing local
    // could verify a real one): the header says which account Cloud Tasks would have used.
    const queueAuth = q.httpTarget?.oidcToken || q.httpTarget?.oauthToken;
    const oidc = queueAuth ? q.httpTarget?.oidcToken : task.oidcToken;
    const oauth = queueAuth ? q.httpTarget?.oauthToken : task.oauthToken;
    if (oidc) set('Authorization', `Bearer ${await this.o.signer.idToken(oidc.serviceAccountEmail, oidc.audience || url)}`);
    else if (oauth) set('Authorization', `Bearer local-oauth-token-for-${oauth.serviceAccountEmail}`);
    return headers;
  }
}

/** The task's URL with the queue's URI override applied (per its enforce mode). */
export function targetUrl(task: Pick<TaskRecord, 'url'>, q: QueueConfig): string {
  const o = q.httpTarget?.uriOverride;
  if (!o || (o.enforceMode === 'IF_NOT_EXISTS' && task.url)) {
    if (!task.url) throw new Error('task has no URL and its queue no URI override');
    return task.url;
  }
  const u = new URL(task.url ?? `${o.scheme ?? 'HTTPS'}://${o.host ?? 'invalid'}/`);
  if (o.scheme) u.protocol = `${o.scheme}:`; // URL lowercases the scheme
  if (o.host) u.hostname = o.host;
  if (o.port !== undefined) u.port = String(o.port);
  if (o.path !== undefined) u.pathname = o.path;
  if (o.query !== undefined) u.search = o.query;
  return u.href;
}

// Plain node:http with keep-alive: far less overhead per dispatch than fetch, which matters at full rate.
const agents = { http: new HttpAgent({ keepAlive: true }), https: new HttpsAgent({ keepAlive: true }) };

function send(url: string, method: string, headers: Record<string, string>, body: Buffer | undefined, signal: AbortSignal): Promise<{ status: number; retryAfter?: string }> {
  const u = new URL(url);
  const secure = u.protocol === 'https:';
  return new Promise((resolve, reject) => {
    const req = (secure ? httpsRequest : httpRequest)(
      u,
      { method, headers: { ...headers, 'Content-Length': String(body?.length ?? 0) }, agent: secure ? agents.https : agents.http, signal },
      (res) => {
        res.resume(); // the body is not used: only the status counts
        res.on('end', () => resolve({ status: res.statusCode ?? 0, retryAfter: res.headers['retry-after'] }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}
