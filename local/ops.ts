/**
 * The local operations face, on its own loopback port: the slice of Pub/Sub's REST API the dead-letter sink and
 * the replay CLI use (topics:publish, subscriptions:pull / :acknowledge / :modifyAckDeadline), a metadata-server
 * token for the handler, and `GET /stats` (per queue: depth, in flight, attempts by outcome, dead letters).
 * Every local subscription reads the one local dead-letter table; `QUEUE-dead-letters` (the construct's name) of a
 * known queue reads only that queue's letters, as its own subscription in the cloud would.
 *
 * Hostile input, as on the REST face: a loopback `Host` only (a web page cannot read dead letters by DNS rebinding);
 * the route and the bearer token are checked before any body is read; bodies are capped at MAX_OPS_REQUEST_BYTES.
 */
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DeadLetterStore } from './dead-letters';
import { BodyError, boundTimes, hostProblem, readBoundedBody } from './http-guard';
import { queueId, QueueConfig } from './model';
import type { TaskStore } from './store';

/** Largest ops request body: Pub/Sub's own publish request limit (10 MB). */
export const MAX_OPS_REQUEST_BYTES = 10_000_000;

export interface QueueStats {
  readonly queue: string;
  /** Tasks in the queue, dispatched ones included (as Cloud Tasks' queue/depth counts them). */
  readonly depth: number;
  readonly inFlight: number;
  /** Finished attempts since start, by outcome ("acknowledged", "retry", "dropped") and by HTTP status. */
  readonly attempts: { readonly byOutcome: Record<string, number>; readonly byStatus: Record<string, number> };
  /** Dead letters not yet acknowledged (replayed). */
  readonly deadLetters: number;
}

/** Counts the dispatcher's attempt log lines per queue id. */
export class AttemptCounter {
  private readonly counts = new Map<string, { byOutcome: Record<string, number>; byStatus: Record<string, number> }>();

  observe(entry: Record<string, unknown>): void {
    if (typeof entry.queue !== 'string' || typeof entry.outcome !== 'string') return;
    let c = this.counts.get(entry.queue);
    if (!c) this.counts.set(entry.queue, (c = { byOutcome: {}, byStatus: {} }));
    c.byOutcome[entry.outcome] = (c.byOutcome[entry.outcome] ?? 0) + 1;
    const status = String(entry.status);
    c.byStatus[status] = (c.byStatus[status] ?? 0) + 1;
  }

  of(queue: string): QueueStats['attempts'] {
    return this.counts.get(queue) ?? { byOutcome: {}, byStatus: {} };
  }
}

export interface OpsOptions {
  readonly store: TaskStore;
  readonly deadLetters: DeadLetterStore;
  /** The queues, or a function giving the current ones (queues are made and deleted at run time). */
  readonly queues: readonly QueueConfig[] | (() => readonly QueueConfig[]);
  readonly attempts: AttemptCounter;
}

class OpsError extends Error {
  constructor(
    readonly code: number,
    readonly status: string,
    message: string,
  ) {
    super(message);
  }
}

export class OpsServer {
  readonly server: Server;

  constructor(private readonly o: OpsOptions) {
    this.server = createServer((req, res) => void this.handle(req, res));
    boundTimes(this.server);
  }

  async listen(port = 0, host = '127.0.0.1'): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    return `http://${host}:${(this.server.address() as AddressInfo).port}`;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((r) => this.server.close(() => r()));
  }

  stats(): QueueStats[] {
    const inFlight = this.o.store.inFlightByQueue();
    const dead = this.o.deadLetters.pendingByQueue();
    const queues = typeof this.o.queues === 'function' ? this.o.queues() : this.o.queues;
    return queues.map((q) => ({
      queue: q.path,
      depth: this.o.store.count(q.path),
      inFlight: inFlight[q.path] ?? 0,
      attempts: this.o.attempts.of(queueId(q.path)),
      deadLetters: dead[queueId(q.path)] ?? 0,
    }));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    try {
      const host = hostProblem(req);
      if (host) throw new OpsError(403, 'PERMISSION_DENIED', host);
      if (req.method === 'GET' && path === '/stats') return send(res, 200, { queues: this.stats() });
      if (req.method === 'GET' && path === '/computeMetadata/v1/instance/service-accounts/default/token') {
        if (req.headers['metadata-flavor'] !== 'Google') throw new OpsError(403, 'PERMISSION_DENIED', 'Missing Metadata-Flavor: Google header.');
        return send(res, 200, { access_token: 'local-metadata-token', expires_in: 3599, token_type: 'Bearer' });
      }
      // Route, then token, then (only then) the body.
      const publish = req.method === 'POST' ? /^\/v1\/(projects\/[^/]+\/topics\/[^/:]+):publish$/.exec(path) : null;
      const subscription = req.method === 'POST' ? /^\/v1\/projects\/[^/]+\/subscriptions\/([^/:]+):(pull|acknowledge|modifyAckDeadline)$/.exec(path) : null;
      if (!publish && !subscription) throw new OpsError(404, 'NOT_FOUND', `No route for ${String(req.method).slice(0, 20)} ${JSON.stringify(path.slice(0, 200))}.`);
      if (!/^Bearer \S+/.test(req.headers.authorization ?? '')) throw new OpsError(401, 'UNAUTHENTICATED', 'Request is missing required authentication credential.');
      const body = await readJson(req);
      if (publish) {
        const messages = (body.messages ?? []) as { data?: string; attributes?: Record<string, string> }[];
        if (messages.length === 0) throw new OpsError(400, 'INVALID_ARGUMENT', 'At least one message is required.');
        return send(res, 200, { messageIds: messages.map((msg) => this.o.deadLetters.publish(publish[1], msg.data ?? '', msg.attributes ?? {})) });
      }
      const [, name, method] = subscription!;
      const ackIds = (body.ackIds ?? []) as string[];
      if (method === 'pull') return send(res, 200, { receivedMessages: this.o.deadLetters.pull(Math.max(1, Number(body.maxMessages ?? 100)), 60, Date.now(), this.queueOf(name)) });
      if (method === 'acknowledge') this.o.deadLetters.acknowledge(ackIds);
      else this.o.deadLetters.modifyAckDeadline(ackIds, Number(body.ackDeadlineSeconds ?? 0));
      return send(res, 200, {});
    } catch (e) {
      const err = e instanceof OpsError ? e : e instanceof BodyError ? new OpsError(e.kind === 'too-large' ? 413 : 400, 'INVALID_ARGUMENT', e.message) : new OpsError(400, 'INVALID_ARGUMENT', (e as Error).message);
      // The body may be unread (refused before reading): close the connection rather than parse the rest.
      if (!req.complete) res.setHeader('Connection', 'close');
      send(res, err.code, { error: { code: err.code, message: err.message, status: err.status } });
    }
  }

  /** The queue id whose letters a subscription reads: `QUEUE-dead-letters` of a known queue; else every queue's. */
  private queueOf(subscription: string): string | undefined {
    const m = /^(.+)-dead-letters$/.exec(subscription);
    const queues = typeof this.o.queues === 'function' ? this.o.queues() : this.o.queues;
    return m && queues.some((q) => queueId(q.path) === m[1]) ? m[1] : undefined;
  }
}

async function readJson(req: IncomingMessage): Promise<Record<string, any>> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const text = (await readBoundedBody(req, MAX_OPS_REQUEST_BYTES)).toString();
  if (!text) return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new OpsError(400, 'INVALID_ARGUMENT', 'Request body is not valid JSON.');
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=UTF-8', 'Content-Length': Buffer.byteLength(text) }).end(text);
}
