import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { AuthError, TokenVerifier, VerifiedCaller } from './auth';
import { DEADLINE_HEADER } from '../../limits';
import { HandlerConfig, workTimeoutMsFor } from './config';
import { BadRequestError, parseTaskContext, TaskContext } from './context';
import { DEAD_LETTER_OUTCOMES, DeadLetterPolicy } from './dead-letter';
import { IdempotencyStore, InMemoryIdempotencyStore } from './idempotency';
import { jsonLogger, Logger, Severity, traceField } from './log';

/** One delivery of a task, as the work function sees it. */
export interface Task {
  readonly context: TaskContext;
  readonly body: Buffer;
  readonly headers: IncomingMessage['headers'];
  /** The verified token's identity; undefined only with TASKS_AUTH=disabled. */
  readonly caller?: VerifiedCaller;
  /** Aborted when the work timeout passes: stop, the task will be retried. */
  readonly signal: AbortSignal;
  /** Fields added here appear on the task's log line. */
  readonly logFields: Record<string, unknown>;
  /** The body as JSON (null when empty); malformed JSON is a 400. */
  json<T = unknown>(): T;
}

/** The replaceable part: what to do with a task. Throw to fail it (retried); BadRequestError → 400. */
export type TaskWork = (task: Task) => unknown | Promise<unknown>;

export interface TaskServerOptions {
  readonly config: HandlerConfig;
  readonly work: TaskWork;
  /** @default a per-instance InMemoryIdempotencyStore */
  readonly store?: IdempotencyStore;
  readonly logger?: Logger;
  /** Hands a failing last attempt to a sink and acknowledges it. @default - off: every failure is retried */
  readonly deadLetters?: DeadLetterPolicy;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    /** The outcome logged for the task. */
    readonly outcome: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

const TIMED_OUT = Symbol('timed out');

/** A connection's state: requests it is serving, and the timer that closes it while it serves none. */
interface Connection {
  busy: number;
  idleTimer?: NodeJS.Timeout;
}

/**
 * The framework teams reuse around their work function: token verification, task context, dedupe, body
 * limit, work timeout, structured logs and graceful shutdown, on plain `node:http`.
 */
export class TaskServer {
  readonly server: Server;
  private readonly verifier?: TokenVerifier;
  private readonly store: IdempotencyStore;
  private readonly log: Logger;
  private inFlight = 0;
  private shuttingDown = false;
  private drained?: () => void;
  private readonly connections = new Map<Socket, Connection>();
  /** Connections serving no request, oldest idle first (a Set keeps insertion order). */
  private readonly idle = new Set<Socket>();

  constructor(private readonly options: TaskServerOptions) {
    const { config } = options;
    this.verifier = config.auth && new TokenVerifier(config.auth);
    this.store = options.store ?? new InMemoryIdempotencyStore();
    this.log = options.logger ?? jsonLogger;
    this.server = createServer((req, res) => void this.route(req, res));
    // Cloud Tasks may hold a request for the whole dispatch deadline: the bound for a request being served.
    this.server.requestTimeout = (config.dispatchDeadlineSeconds + 30) * 1000;
    // A connection that has not sent a complete request head within headTimeoutMs of opening is closed (a
    // slowloris head too: the timer is not reset by each byte). Node's headersTimeout bounds later heads.
    this.server.headersTimeout = config.headTimeoutMs;
    // Idle between keep-alive requests: kept longer than a front end's reuse window, and evictable at the cap.
    this.server.keepAliveTimeout = KEEP_ALIVE_MS;
    // The connection cap is ours, not Node's maxConnections (which refuses newcomers and so turns idle sockets
    // into a lockout): at the cap a newcomer evicts the oldest idle connection, and is refused only when every
    // connection is serving a request.
    this.server.on('connection', (socket: Socket) => this.admit(socket));
    // Node hands CONNECT to a 'connect' listener and, with none, drops the socket without a word: answer it.
    this.server.on('connect', (_req, socket: Duplex) => socket.end('HTTP/1.1 405 Method Not Allowed\r\nAllow: POST\r\nContent-Length: 0\r\nConnection: close\r\n\r\n'));
  }

  /** Open connections, idle or serving (at most `maxConnections`). */
  get openConnections(): number {
    return this.connections.size;
  }

  private admit(socket: Socket): void {
    if (this.connections.size >= this.options.config.maxConnections) {
      const oldest = this.idle.values().next().value;
      if (oldest === undefined) {
        socket.destroy();
        return;
      }
      this.evict(oldest);
    }
    this.connections.set(socket, { busy: 0 });
    this.markIdle(socket, this.options.config.headTimeoutMs);
    socket.once('close', () => this.forget(socket));
    // Node closes a `Connection: close` answer with destroySoon(): closing a socket with unread input resets the
    // connection, and the client may lose the answer. Linger instead: half-close, discard what still arrives
    // for at most LINGER_MS and maxBodyBytes, then close.
    socket.destroySoon = () => this.linger(socket);
  }

  private linger(socket: Socket): void {
    socket.end();
    const stop = () => socket.destroy();
    const timer = setTimeout(stop, LINGER_MS).unref();
    socket.once('close', () => clearTimeout(timer));
    socket.once('end', stop);
    let discarded = 0;
    socket.on('data', (chunk: Buffer) => {
      discarded += chunk.length;
      if (discarded > this.options.config.maxBodyBytes) stop();
    });
    // The parser may have paused the socket (nobody read the body): discarding needs it flowing.
    socket.resume();
  }

  private evict(socket: Socket): void {
    this.forget(socket);
    socket.destroy();
  }

  private forget(socket: Socket): void {
    clearTimeout(this.connections.get(socket)?.idleTimer);
    this.connections.delete(socket);
    this.idle.delete(socket);
  }

  /** The socket serves no request: evictable at the cap, and closed after `ms` unless a request head completes. */
  private markIdle(socket: Socket, ms: number): void {
    const c = this.connections.get(socket);
    if (!c) return;
    this.idle.add(socket);
    c.idleTimer = setTimeout(() => this.evict(socket), ms).unref();
  }

  /** A request head is complete: its connection is serving until the answer is sent (or the client goes). */
  private markBusy(req: IncomingMessage, res: ServerResponse): void {
    const socket = req.socket as Socket;
    const c = this.connections.get(socket);
    if (!c) return;
    c.busy++;
    clearTimeout(c.idleTimer);
    this.idle.delete(socket);
    res.once('close', () => {
      c.busy--;
      if (c.busy === 0) this.markIdle(socket, KEEP_ALIVE_MS);
    });
  }

  listen(port = this.options.config.port, host?: string): Promise<AddressInfo> {
    return new Promise((resolve) => this.server.listen(port, host, () => resolve(this.server.address() as AddressInfo)));
  }

  get activeTasks(): number {
    return this.inFlight;
  }

  /** Stops accepting work, waits up to the grace period for in-flight tasks, then closes every connection. */
  async shutdown(graceMs = this.options.config.shutdownGraceMs): Promise<void> {
    this.shuttingDown = true;
    this.server.close();
    this.server.closeIdleConnections();
    if (this.inFlight > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, graceMs);
        this.drained = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    this.server.closeAllConnections();
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.markBusy(req, res);
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/healthz') {
      if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, { error: `method ${req.method} not allowed; use GET or HEAD` }, { Allow: 'GET, HEAD' });
      return send(res, this.shuttingDown ? 503 : 200, { status: this.shuttingDown ? 'shutting-down' : 'ok' });
    }
    if (path !== this.options.config.path) return send(res, 404, { error: `not found: ${path}` });
    if (req.method !== 'POST') return send(res, 405, { error: `method ${req.method} not allowed; use POST` }, { Allow: 'POST' });
    await this.handleTask(req, res);
  }

  private workEnded(): void {
    this.inFlight--;
    if (this.inFlight === 0) this.drained?.();
  }

  private async handleTask(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = process.hrtime.bigint();
    const fields: Record<string, unknown> = {};
    let context: TaskContext | undefined;
    let status = 500;
    let outcome = 'error';
    let detail: string | undefined;
    let key: string | undefined;
    let body: Buffer | undefined;
    let counted = false;
    try {
      if (this.shuttingDown) throw new HttpError(503, 'retry-later', 'shutting down; retry', { 'Retry-After': '10' });
      // Cached tokens and the in-memory store answer synchronously: await only real promises (hot path).
      const verified = this.verifier?.verify(req.headers.authorization);
      const caller = verified instanceof Promise ? await verified : verified;
      context = parseTaskContext(req.headers);
      body = await readBody(req, this.options.config.maxBodyBytes, this.options.config.bodyTimeoutMs);
      // Shutdown may have begun while the body arrived: no new work starts after it.
      if (this.shuttingDown) throw new HttpError(503, 'retry-later', 'shutting down; retry', { 'Retry-After': '10' });
      // From here on the request is work in flight: shutdown waits for it (and for nothing before it).
      this.inFlight++;
      counted = true;
      key = `${context.queueName}/${context.taskName}`;

      const begun = this.store.begin(key);
      const claim = begun instanceof Promise ? await begun : begun;
      if (claim === 'completed') {
        [status, outcome] = [200, 'duplicate'];
        return send(res, 200, { task: context.taskName, status: 'duplicate' });
      }
      if (claim === 'in-progress') {
        throw new HttpError(409, 'in-progress', 'another delivery of this task is in progress; retry', { 'Retry-After': '5' });
      }
      await this.runWork(key, { context, body, headers: req.headers, caller, fields });
      [status, outcome] = [200, 'processed'];
      return send(res, 200, { task: context.taskName, status: 'processed' });
    } catch (e) {
      const { code, message, headers, name } = classify(e);
      [status, outcome, detail] = [code, name, message];
      const dead = this.options.deadLetters;
      if (dead && context && body && key && DEAD_LETTER_OUTCOMES.includes(name) && dead.isLastAttempt(context)) {
        [status, outcome, detail] = await this.deadLetter(res, dead, key, { context, body, headers: req.headers, error: { status: code, outcome: name, message } }, fields);
        return;
      }
      return send(res, code, { error: message, ...(context && { task: context.taskName }) }, headers);
    } finally {
      if (counted) this.workEnded();
      const latencyMs = Number(process.hrtime.bigint() - started) / 1e6;
      this.log({
        severity: outcome === 'dead-lettered' ? 'ERROR' : severityOf(status),
        message: `task ${context?.taskName ?? '(unknown)'} ${outcome} (${status})`,
        ...traceField(header(req, 'x-cloud-trace-context'), this.options.config.project),
        queue: context?.queueName,
        task: context?.taskName,
        attempt: context ? context.retryCount + 1 : undefined,
        executionCount: context?.executionCount,
        previousResponse: context?.previousResponse,
        outcome,
        status,
        latencyMs: Math.round(latencyMs * 100) / 100,
        ...(detail && { detail }),
        ...fields,
      });
    }
  }

  /** A failing last attempt: stored by the sink, then acknowledged; a sink failure is a 500 (retried, never lost). */
  private async deadLetter(
    res: ServerResponse,
    dead: DeadLetterPolicy,
    key: string,
    failed: Parameters<DeadLetterPolicy['letterOf']>[0],
    fields: Record<string, unknown>,
  ): Promise<[number, string, string]> {
    const task = failed.context.taskName;
    const letter = dead.letterOf(failed);
    try {
      const id = await dead.sink.write(letter);
      if (id) fields.deadLetterId = id;
      await this.store.complete(key); // a duplicate delivery of this attempt is not dead-lettered twice
      send(res, 200, { task, status: 'dead-lettered' });
      return [200, 'dead-lettered', failed.error.message];
    } catch (e) {
      const message = `last attempt failed (${failed.error.message}) and the dead-letter sink failed: ${(e as Error)?.message ?? String(e)}; not acknowledged, Cloud Tasks retries`;
      // If Cloud Tasks has no retry left it deletes the task after this 5xx: the ERROR line keeps the whole task.
      fields.deadLetter = letter;
      send(res, 500, { task, error: message });
      return [500, 'dead-letter-failed', message];
    }
  }

  /** Runs the work once under the timeout; settles the dedupe claim when the work itself settles. */
  private async runWork(
    key: string,
    t: { context: TaskContext; body: Buffer; headers: IncomingMessage['headers']; caller?: VerifiedCaller; fields: Record<string, unknown> },
  ): Promise<void> {
    // Most work never looks at the signal: create the controller only when it is asked for.
    let abort: AbortController | undefined;
    const task: Task = {
      context: t.context,
      body: t.body,
      headers: t.headers,
      caller: t.caller,
      get signal() {
        abort ??= new AbortController();
        return abort.signal;
      },
      logFields: t.fields,
      json: <T>() => parseJson<T>(t.body),
    };
    // The dedupe claim is settled by the work, not by the response: a timed-out task keeps its claim
    // until its work really ends, so a retry cannot run it a second time concurrently.
    const settled = (async () => {
      try {
        await this.options.work(task);
      } catch (e) {
        await this.store.release(key);
        throw e;
      }
      await this.store.complete(key);
    })();
    settled.catch(() => undefined); // after a timeout nobody awaits it
    let timer: NodeJS.Timeout | undefined;
    // The budget of the queue that sent the task: a shared handler's fast lane never gets the slow lane's.
    const announced = t.headers[DEADLINE_HEADER.toLowerCase()];
    const budgetMs = workTimeoutMsFor(this.options.config, t.context.queueName, Array.isArray(announced) ? announced[0] : announced);
    const timeout = new Promise<typeof TIMED_OUT>((resolve) => {
      timer = setTimeout(() => resolve(TIMED_OUT), budgetMs);
    });
    try {
      const result = await Promise.race([settled, timeout]);
      if (result === TIMED_OUT) {
        abort?.abort(new Error('work timeout'));
        throw new HttpError(503, 'retry-later', `work did not finish within ${budgetMs} ms; retry`, { 'Retry-After': '30' });
      }
    } finally {
      clearTimeout(timer);
    }
  }
}

function classify(e: unknown): { code: number; message: string; headers?: Record<string, string>; name: string } {
  // Unauthenticated callers get no more of our time: their body is not read and their connection closes.
  if (e instanceof AuthError) return { code: e.status, message: e.message, headers: CLOSE, name: e.status === 401 ? 'unauthenticated' : 'forbidden' };
  if (e instanceof BadRequestError) return { code: 400, message: e.message, name: 'bad-request' };
  if (e instanceof HttpError) return { code: e.status, message: e.message, headers: e.headers, name: e.outcome };
  return { code: 500, message: `work failed: ${(e as Error)?.message ?? String(e)}`, name: 'failed' };
}

function severityOf(status: number): Severity {
  return status >= 500 ? 'ERROR' : status >= 400 ? 'WARNING' : 'INFO';
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function parseJson<T>(body: Buffer): T {
  if (body.length === 0) return null as T;
  try {
    return JSON.parse(body.toString('utf8')) as T;
  } catch (e) {
    throw new BadRequestError(`body is not valid JSON: ${(e as Error).message}`);
  }
}

const CLOSE = { Connection: 'close' };
/** How long a connection may idle between keep-alive requests (longer than a front end's 60 s reuse window). */
export const KEEP_ALIVE_MS = 65_000;
/** After an answer that closes the connection, how long input is still read and discarded (Apache lingers 2 s too). */
export const LINGER_MS = 2000;

/** Reads the body, up to `limit` bytes and within `timeoutMs` (independent of the work timeout). */
function readBody(req: IncomingMessage, limit: number, timeoutMs: number): Promise<Buffer> {
  const tooLarge = () => new HttpError(413, 'too-large', `body exceeds ${limit} bytes`, CLOSE);
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) return Promise.reject(tooLarge());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const fail = (e: HttpError) => {
      clearTimeout(timer);
      req.removeAllListeners('data');
      reject(e);
    };
    const timer = setTimeout(() => fail(new HttpError(408, 'body-timeout', `request body not received within ${timeoutMs} ms`, CLOSE)), timeoutMs);
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) fail(tooLarge());
      else chunks.push(chunk);
    });
    req.on('end', () => {
      clearTimeout(timer);
      resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks));
    });
    // The client went away mid-body: nobody reads the answer, but the log must not call it a failed task.
    req.on('error', () => fail(new HttpError(400, 'client-closed', 'client closed the connection before the body ended', CLOSE)));
  });
}

/** True when the request announced a body (Content-Length above 0, or Transfer-Encoding). */
function hasBody(req: IncomingMessage): boolean {
  return req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
}

/**
 * Answers. A request whose body was not read (any answer before the body: 404, 405, /healthz, 400 on headers,
 * 401/403, 413, 503) gets `Connection: close`: Node then closes the socket once the answer is written,
 * instead of reading and discarding whatever the client still sends, however large or slow.
 */
function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  const unread = hasBody(res.req) && !res.req.complete;
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), ...(unread && CLOSE), ...headers });
  res.end(text);
}
