// Real keys, a real JWKS endpoint and a real server on ephemeral loopback ports.
import { exportJWK, generateKeyPair, JWTPayload, KeyLike, SignJWT } from 'jose';
import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HandlerConfig, loadHandlerConfig } from '../src/config';
import type { DeadLetterPolicy } from '../src/dead-letter';
import { IdempotencyStore } from '../src/idempotency';
import { LogEntry } from '../src/log';
import { TaskServer, TaskWork } from '../src/server';

export const AUDIENCE = 'https://orders-handler.us-central1.cloudtasks.audience';
export const SA = 'orders-enq@test-project.iam.gserviceaccount.com';

export interface Keys {
  readonly kid: string;
  readonly privateKey: KeyLike;
  readonly publicJwk: Record<string, unknown>;
}

export async function makeKey(kid: string): Promise<Keys> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  return { kid, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' } };
}

/** Serves `{ keys }` like Google's certs endpoint and counts fetches. */
export class JwksServer {
  fetches = 0;
  keys: Record<string, unknown>[] = [];
  private server?: Server;
  url = '';

  async start(): Promise<this> {
    this.server = createServer((_req, res) => {
      this.fetches++;
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ keys: this.keys }));
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/oauth2/v3/certs`;
    return this;
  }

  stop(): Promise<void> {
    return new Promise((r) => this.server?.close(() => r()));
  }
}

/** Claims of a valid Cloud Tasks OIDC token; override any of them. */
export function claims(over: JWTPayload = {}): JWTPayload {
  const now = Math.floor(Date.now() / 1000);
  return { iss: 'https://accounts.google.com', aud: AUDIENCE, sub: '1234567890', email: SA, email_verified: true, iat: now, exp: now + 3600, ...over };
}

export function sign(key: Keys, payload: JWTPayload = claims(), header: Record<string, unknown> = {}): Promise<string> {
  return new SignJWT(payload).setProtectedHeader({ alg: 'RS256', kid: key.kid, typ: 'JWT', ...header }).sign(key.privateKey);
}

export interface Harness {
  readonly server: TaskServer;
  readonly base: string;
  readonly logs: LogEntry[];
  readonly config: HandlerConfig;
  post(headers?: Record<string, string>, body?: string): Promise<{ status: number; body: any; headers: Headers }>;
  close(): Promise<void>;
}

export async function startHandler(
  work: TaskWork,
  opts: { env?: Record<string, string>; jwks?: JwksServer; store?: IdempotencyStore; jwksCooldownMs?: number; deadLetters?: DeadLetterPolicy } = {},
): Promise<Harness> {
  const loaded = loadHandlerConfig({
    TASKS_AUDIENCE: AUDIENCE,
    TASKS_SERVICE_ACCOUNT: SA,
    TASKS_JWKS_URL: opts.jwks?.url ?? 'http://127.0.0.1:9/unused',
    PORT: '0',
    ...opts.env,
  });
  const config: HandlerConfig = loaded.auth ? { ...loaded, auth: { ...loaded.auth, jwksCooldownMs: opts.jwksCooldownMs } } : loaded;
  const logs: LogEntry[] = [];
  const server = new TaskServer({ config, work, store: opts.store, logger: (e) => logs.push(e), deadLetters: opts.deadLetters });
  const { port } = await server.listen(0, '127.0.0.1');
  const base = `http://127.0.0.1:${port}`;
  return {
    server,
    base,
    logs,
    config,
    async post(headers = {}, body = '{"hello":"world"}') {
      const res = await fetch(`${base}${config.path}`, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers };
    },
    close: () => server.shutdown(0),
  };
}

/** Headers Cloud Tasks sets on a first attempt. */
export function taskHeaders(taskName: string, over: Record<string, string> = {}): Record<string, string> {
  return {
    'X-CloudTasks-QueueName': 'orders',
    'X-CloudTasks-TaskName': taskName,
    'X-CloudTasks-TaskRetryCount': '0',
    'X-CloudTasks-TaskExecutionCount': '0',
    'X-CloudTasks-TaskETA': '1764100000.123',
    'User-Agent': 'Google-Cloud-Tasks',
    ...over,
  };
}

/** A work function that records the tasks it ran. */
export function recordingWork(impl: (task: Parameters<TaskWork>[0]) => unknown = () => undefined) {
  const ran: Parameters<TaskWork>[0][] = [];
  const work: TaskWork = async (task) => {
    ran.push(task);
    return impl(task);
  };
  return { work, ran };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A promise opened by hand: lets a test decide exactly when work finishes. */
export function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((r) => (open = r));
  return { promise, open };
}

/** Polls `check` until it returns true (or fails after `ms`). */
export async function eventually(check: () => Promise<boolean> | boolean, ms = 5000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await sleep(20);
  }
}
