/**
 * The dispatcher alone against a scripted target: one in-memory store per test, the attempts it logs, and
 * whatever it started stopped after each test. Shared by the dispatcher test files, so they build queues,
 * tasks and dispatchers the same way.
 */
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Dispatcher, QueueConfig, TaskRecord, TaskStore } from '../../local';

/** The queue every harness task belongs to. */
export const QUEUE = 'projects/test-project/locations/us-central1/queues/orders';

/** One request as the scripted target received it. */
export interface Seen {
  readonly method?: string;
  readonly url?: string;
  readonly headers: IncomingMessage['headers'];
}

/** How the target answers request number `n` (1-based); a function that never ends `res` leaves it hanging. */
export type Respond = (res: ServerResponse, n: number) => boolean | void;

/** A target that answers each request with `respond` (or never, if it returns nothing) and records it. */
export async function scriptedTarget(respond: Respond) {
  const seen: Seen[] = [];
  const server: Server = createServer((req, res) => {
    seen.push({ method: req.method, url: req.url, headers: req.headers });
    req.resume();
    respond(res, seen.length);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const stop = () => {
    // A target that never answers holds its connections open; close them, or close() would wait for them.
    server.closeAllConnections();
    return new Promise<void>((r) => server.close(() => r()));
  };
  return { seen, port, stop };
}

type UriOverride = NonNullable<NonNullable<QueueConfig['httpTarget']>['uriOverride']>;

/** What `queue()` changes: `retry` and `uri` are merged into the defaults, anything else replaces its field. */
export type QueueOptions = Omit<Partial<QueueConfig>, 'retry'> & {
  readonly retry?: Partial<QueueConfig['retry']>;
  /** Merged into the override that routes to the target; ignored when `httpTarget` is given. */
  readonly uri?: Partial<UriOverride>;
};

/** The harness queue, routed to the target on `port`; a 50 ms backoff (1 s at most) and 5 attempts unless overridden. */
export function queue(port: number, { retry, uri, ...rest }: QueueOptions = {}): QueueConfig {
  return {
    path: QUEUE,
    httpTarget: { uriOverride: { scheme: 'HTTP', host: '127.0.0.1', port, path: '/tasks', enforceMode: 'ALWAYS', ...uri }, headers: {} },
    rate: { maxDispatchesPerSecond: 500, maxConcurrentDispatches: 10 },
    retry: { maxAttempts: 5, maxRetryDuration: 0, minBackoff: 0.05, maxBackoff: 1, maxDoublings: 2, ...retry },
    ...rest,
  };
}

/** A stored task `name` in the harness queue, due now, never attempted. */
export function task(name: string, over: Partial<TaskRecord> = {}): TaskRecord {
  const now = Date.now();
  return {
    name: `${QUEUE}/tasks/${name}`,
    queue: QUEUE,
    method: 'POST',
    headers: {},
    body: Buffer.from('{}'),
    scheduleMs: now,
    createMs: now,
    deadlineSeconds: 30,
    dispatchCount: 0,
    responseCount: 0,
    executionCount: 0,
    ...over,
  };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type DispatcherOptions = ConstructorParameters<typeof Dispatcher>[0];
type Signer = DispatcherOptions['signer'];

/** Per-dispatcher choices for `setup()`. */
export interface SetupOptions {
  /** The dispatcher's interval tick (only `start()` uses it). @default the suite's `tickMs` */
  readonly tickMs?: number;
  /** False: no log function, so the dispatcher logs to stdout. @default true (attempts land in `logs`) */
  readonly log?: boolean;
}

/** The state of one dispatcher suite; `store` and `logs` are replaced before each test. */
export interface DispatcherHarness {
  readonly signer: Signer;
  store: TaskStore;
  logs: Record<string, unknown>[];
  /** Run in reverse order after the test, pass or fail (a target left listening would keep jest alive). */
  stops: Array<() => Promise<void>>;
  /** A scripted target answering with `respond`, and a dispatcher (not started) for the one queue `q(port)`. */
  setup(respond: Respond, q: (port: number) => QueueConfig, more?: SetupOptions): Promise<{ target: Awaited<ReturnType<typeof scriptedTarget>>; dispatcher: Dispatcher; config: QueueConfig }>;
}

/**
 * Registers the suite's beforeEach/afterEach (call it in a `describe` body) and returns its harness. Read
 * `store` and `logs` through the returned object inside tests: they are new for each test.
 */
export function dispatcherSuite(o: { signer: Signer; tickMs?: number }): DispatcherHarness {
  const h: DispatcherHarness = {
    signer: o.signer,
    store: undefined as never, // set before each test
    logs: [],
    stops: [],
    async setup(respond, q, more = {}) {
      const target = await scriptedTarget(respond);
      const config = q(target.port);
      const log = more.log === false ? {} : { log: (e: Parameters<NonNullable<DispatcherOptions['log']>>[0]) => h.logs.push(e) };
      const dispatcher = new Dispatcher({ store: h.store, signer: h.signer, queues: [config], tickMs: more.tickMs ?? o.tickMs, ...log });
      h.stops.push(target.stop, () => dispatcher.stop());
      return { target, dispatcher, config };
    },
  };
  beforeEach(() => {
    h.store = new TaskStore(':memory:');
    h.logs = [];
    h.stops = [];
  });
  afterEach(async () => {
    for (const stop of h.stops.reverse()) await stop();
    h.store.close();
  });
  return h;
}
