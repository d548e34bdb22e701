/**
 * The REST face of the local Cloud Tasks API (Google's v2 HTTP bindings, plus tasks:buffer), on loopback. It
 * only decodes and encodes: every rule lives in the core. Errors use Google's JSON shape. With
 * `$alt=json;enum-encoding=int` (what the official client's REST transport sends) enums are numbers, both ways.
 *
 * Hostile input: the Host header must be a loopback name (a web page cannot reach the API by DNS rebinding);
 * the route and the bearer token are checked before any body is read; bodies are capped at MAX_REQUEST_BYTES: a
 * larger one is read to its end (up to MAX_DRAIN_BYTES) and answered 400 as Google does, a far larger one is
 * answered 413 and the connection closed; every failure is a JSON error answer, never a crash.
 */
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApiError, CloudTasksCore, invalid, MAX_REQUEST_BYTES } from './core';
import { BodyError, boundTimes, hostProblem, readBoundedBody } from './http-guard';
import { Encoding, jsonEncoding, policyInput, policyMessage, queueInput, queueMessage, str, taskInput, taskMessage, viewOf } from './messages';
import type { TokenSigner } from './signer';

/** Request headers that are about the API call, not the task (never copied into a buffered task). */
const CALL_HEADERS = /^(host|authorization|content-length|connection|keep-alive|transfer-encoding|accept|accept-encoding|user-agent|x-goog-.*|x-cloud-trace-context|traceparent|te|upgrade|expect)$/i;

export interface ApiOptions {
  readonly core: CloudTasksCore;
  /** Publishes its JWKS at /oauth2/v3/certs. */
  readonly signer?: TokenSigner;
}

interface Call {
  readonly params: URLSearchParams;
  readonly enc: Encoding;
  readonly req: IncomingMessage;
  /** The request body (read only after the route and the token were checked). */
  body: Buffer;
}
type Route = readonly [method: string, pattern: RegExp, run: (m: RegExpExecArray, c: Call) => unknown];

const P = 'projects/[^/]+/locations/[^/]+';
const Q = `${P}/queues/[^/:]+`;
const T = `${Q}/tasks/[^/:]+`;
const re = (s: string) => new RegExp(`^/v2/${s}$`);

export class CloudTasksApi {
  readonly server: Server;
  private readonly routes: Route[];

  constructor(private readonly o: ApiOptions) {
    const core = o.core;
    const json = (c: Call) => parseJson(c.body);
    const queue = (c: Call, v: ReturnType<CloudTasksCore['getQueue']>) => queueMessage(v, c.enc);
    this.routes = [
      ['GET', re(`(${P})/queues`), (m, c) => {
        const r = core.listQueues(m[1], pageSize(c.params), c.params.get('pageToken') ?? '');
        return { queues: r.queues.map((v) => queue(c, v)), ...(r.nextPageToken && { nextPageToken: r.nextPageToken }) };
      }],
      ['POST', re(`(${P})/queues`), (m, c) => queue(c, core.createQueue(m[1], queueInput(json(c))))],
      ['GET', re(`(${Q})`), (m, c) => queue(c, core.getQueue(m[1]))],
      ['PATCH', re(`(${Q})`), (m, c) => {
        const mask = (c.params.get('updateMask') ?? '').split(',').filter(Boolean);
        return queue(c, core.updateQueue({ ...queueInput(json(c)), name: m[1] }, mask));
      }],
      ['DELETE', re(`(${Q})`), (m) => (core.deleteQueue(m[1]), {})],
      ['POST', re(`(${Q}):pause`), (m, c) => queue(c, core.pauseQueue(m[1]))],
      ['POST', re(`(${Q}):resume`), (m, c) => queue(c, core.resumeQueue(m[1]))],
      ['POST', re(`(${Q}):purge`), (m, c) => queue(c, core.purgeQueue(m[1]))],
      ['POST', re(`(${Q}):getIamPolicy`), (m, c) => policyMessage(core.getIamPolicy(m[1]), c.enc)],
      ['POST', re(`(${Q}):setIamPolicy`), (m, c) => policyMessage(core.setIamPolicy(m[1], policyInput(json(c).policy)), c.enc)],
      ['POST', re(`(${Q}):testIamPermissions`), (m, c) => {
        const asked = json(c).permissions ?? [];
        if (!Array.isArray(asked)) throw invalid("Invalid value at 'permissions': expected a list.");
        return { permissions: core.testIamPermissions(m[1], asked.map((p, i) => str(p, `permissions[${i}]`)!)) };
      }],
      ['POST', re(`(${Q})/tasks(?:/([^/:]+))?:buffer`), (m, c) => ({ task: taskMessage(core.bufferTask(m[1], m[2], c.body, taskHeaders(c.req)), 'BASIC', c.enc) })],
      ['GET', re(`(${Q})/tasks`), (m, c) => {
        const r = core.listTasks(m[1], pageSize(c.params), c.params.get('pageToken') ?? '');
        const view = viewOf(c.params.get('responseView') ?? undefined);
        return { tasks: r.tasks.map((t) => taskMessage(t, view, c.enc)), ...(r.nextPageToken && { nextPageToken: r.nextPageToken }) };
      }],
      ['POST', re(`(${Q})/tasks`), (m, c) => {
        const request = json(c);
        return taskMessage(core.createTask(m[1], taskInput(request.task)), viewOf(request.responseView), c.enc);
      }],
      ['GET', re(`(${T})`), (m, c) => taskMessage(core.getTask(m[1]), viewOf(c.params.get('responseView') ?? undefined), c.enc)],
      ['DELETE', re(`(${T})`), (m) => (core.deleteTask(m[1]), {})],
      ['POST', re(`(${T}):run`), (m, c) => taskMessage(core.runTask(m[1]), viewOf(json(c).responseView), c.enc)],
    ];
    this.server = createServer((req, res) => void this.handle(req, res));
    boundTimes(this.server);
  }

  async listen(port = 0, host = '127.0.0.1'): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => resolve());
    });
    return `http://${host}:${(this.server.address() as AddressInfo).port}`;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((r) => this.server.close(() => r()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const host = hostProblem(req);
      if (host) throw new ApiError('PERMISSION_DENIED', host);
      const url = req.url ?? '/';
      const q = url.indexOf('?');
      const [rawPath, query] = q < 0 ? [url, ''] : [url.slice(0, q), url.slice(q + 1)];
      const path = decode(rawPath);
      decode(query); // malformed percent-encoding anywhere in the URL is the caller's error
      if (req.method === 'GET' && path === '/oauth2/v3/certs' && this.o.signer) return send(res, 200, this.o.signer.jwks());
      let match: RegExpExecArray | null = null;
      const route = this.routes.find(([method, pattern]) => method === req.method && (match = pattern.exec(path)));
      if (!route || !match) throw new ApiError('NOT_FOUND', `No route for ${String(req.method).slice(0, 20)} ${JSON.stringify(path.slice(0, 200))}.`);
      if (!/^Bearer \S+/.test(req.headers.authorization ?? '')) {
        throw new ApiError('UNAUTHENTICATED', 'Request is missing required authentication credential. Expected OAuth 2 access token.');
      }
      const call: Call = { params: new URLSearchParams(query), enc: jsonEncoding(decode(query).includes('enum-encoding=int')), req, body: await readBody(req) };
      send(res, 200, route[2](match, call));
    } catch (e) {
      const err = e instanceof ApiError ? e : e instanceof BodyError ? bodyError(e) : new ApiError('INTERNAL', (e as Error).message);
      // The body may be unread (refused before reading): close the connection rather than parse the rest.
      if (!req.complete) res.setHeader('Connection', 'close');
      send(res, err.httpStatus, { error: { code: err.httpStatus, message: err.message, status: err.status } });
    }
  }
}

function decode(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    throw invalid('The request URL is not valid percent-encoding.');
  }
}

function pageSize(params: URLSearchParams): number {
  const raw = params.get('pageSize') ?? '0';
  if (!/^\d{1,9}$/.test(raw)) throw invalid(`pageSize must be a whole number, got ${JSON.stringify(raw.slice(0, 40))}.`);
  return Number(raw);
}

function taskHeaders(req: IncomingMessage): Record<string, string> {
  return Object.fromEntries(
    Object.entries(req.headers)
      .filter(([k, v]) => !CALL_HEADERS.test(k) && typeof v === 'string')
      .map(([k, v]) => [k, v as string]),
  );
}

function parseJson(body: Buffer): Record<string, any> { // eslint-disable-line @typescript-eslint/no-explicit-any
  if (body.length === 0) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString());
  } catch {
    throw invalid('Request body is not valid JSON.');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw invalid('Request body must be a JSON object.');
  return parsed as Record<string, unknown>;
}

/** The body, up to MAX_REQUEST_BYTES (see readBoundedBody). */
function readBody(req: IncomingMessage): Promise<Buffer> {
  return readBoundedBody(req, MAX_REQUEST_BYTES);
}

/** Over the limit but read: 400, as Google answers; far over it (unread): 413, and the connection is closed. */
function bodyError(e: BodyError): ApiError {
  return new ApiError('INVALID_ARGUMENT', e.message, e.kind === 'too-large' ? 413 : 400);
}

function send(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=UTF-8', 'Content-Length': Buffer.byteLength(text) }).end(text);
}
