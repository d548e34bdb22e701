/**
 * What `npm run dev` adds for dead letters and stats: local values for Pub/Sub references, the handler's
 * dead-letter environment (always the local store, whichever sink the stack chose), and the stats table.
 */
import { createServer } from 'node:net';
import { LOCAL_DEV_PORTS } from '../limits/local-dev';
import type { QueueStats } from './ops';
import type { References, StackFile } from './terraform';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** `google_pubsub_topic.X.id` / `.name` and `google_pubsub_subscription.X.id` / `.name`, as Google forms them. */
export function pubsubReferences(stack: StackFile): References {
  const google = stack.json.provider?.google;
  const project = (Array.isArray(google) ? google[0] : google)?.project;
  const refs: References = {};
  for (const [type, kind] of [['google_pubsub_topic', 'topics'], ['google_pubsub_subscription', 'subscriptions']] as const) {
    for (const [id, r] of Object.entries<Json>(stack.json.resource?.[type] ?? {})) {
      refs[`${type}.${id}.name`] = r.name;
      refs[`${type}.${id}.id`] = `projects/${r.project ?? project}/${kind}/${r.name}`;
    }
  }
  return refs;
}

/**
 * Handler variables that send its dead letters to the local store: the local Pub/Sub endpoint and metadata token,
 * and a local topic when the stack uses the log sink (locally, dead letters are always kept and replayable).
 */
export function localDeadLetterEnv(opsEndpoint: string, env: Record<string, string>, project: string): Record<string, string> {
  return {
    TASKS_PUBSUB_ENDPOINT: opsEndpoint,
    GCE_METADATA_HOST: new URL(opsEndpoint).host,
    TASKS_DEAD_LETTER_TOPIC: env.TASKS_DEAD_LETTER_TOPIC || `projects/${project}/topics/local-dead-letters`,
  };
}

/**
 * The environment of a handler `npm run dev` starts: the stack's values resolved, its port, the local JWKS, the local
 * dead-letter sink, and loopback only (a developer's handler is not reachable from the network it is on).
 */
export function localHandlerEnv(resolved: Record<string, string>, o: { port: number; jwksUrl: string; opsEndpoint: string; project: string }): Record<string, string> {
  return {
    ...resolved,
    PORT: String(o.port),
    TASKS_LISTEN_HOST: '127.0.0.1',
    TASKS_JWKS_URL: o.jwksUrl,
    ...localDeadLetterEnv(o.opsEndpoint, resolved, o.project),
  };
}

/** One line per queue: depth, in flight, attempts by outcome and status, dead letters. */
export function formatStats(stats: readonly QueueStats[]): string {
  const rows = stats.map((s) => {
    const outcomes = Object.entries(s.attempts.byOutcome).map(([k, v]) => `${k} ${v}`).join(', ') || 'none';
    const statuses = Object.entries(s.attempts.byStatus).map(([k, v]) => `${k}×${v}`).join(' ');
    return `${s.queue}\n  depth ${s.depth}  in flight ${s.inFlight}  dead letters ${s.deadLetters}\n  attempts: ${outcomes}${statuses ? ` (status ${statuses})` : ''}`;
  });
  return `${rows.join('\n')}\n`;
}

/** The ports `npm run dev` listens on. */
export interface DevPorts {
  readonly rest: number;
  readonly grpc: number;
  /** 0 = any free port. */
  readonly ops: number;
  /** `ops` was derived, not given: when it is taken, any free port will do. */
  readonly opsIsPreferred: boolean;
  /** One per handler started, from `--handler-port` up. */
  readonly handlers: number[];
}

/**
 * Ports from the dev server's flags. Ops defaults to REST + 2 (REST + 1 is gRPC's default); when that is the
 * gRPC or a handler port (e.g. `--port 8079` with handlers from 8081), any free port: the ops face starts before
 * the handlers and would take a handler's port. Ports given explicitly that collide are one clear error.
 */
export function devPorts(flags: { port: string; grpcPort: string; opsPort?: string; handlerPort: string }, handlerCount: number): DevPorts {
  const problems: string[] = [];
  const number = (flag: string, text: string, min = 0): number => {
    const n = Number(text);
    const allowed = min === 0 ? 'a port number from 0 to 65535 (0 = any free port)' : `a port number from ${min} to 65535 (handlers get consecutive ports from it)`;
    if (text.trim() === '' || !Number.isInteger(n) || n < min || n > 65535) problems.push(`${flag} must be ${allowed}, got ${JSON.stringify(text.slice(0, 40))}`);
    return n;
  };
  const rest = number('--port', flags.port);
  const grpc = number('--grpc-port', flags.grpcPort);
  const givenOps = flags.opsPort === undefined ? undefined : number('--ops-port', flags.opsPort);
  // Not 0: the queues are pointed at each handler's port before the handlers start.
  const first = number('--handler-port', flags.handlerPort, 1);
  const handlers = Array.from({ length: handlerCount }, (_, i) => first + i);
  if (handlerCount > 0 && first + handlerCount - 1 > 65535) problems.push(`--handler-port ${first} leaves no room for ${handlerCount} handlers (ports up to 65535)`);

  const taken: [string, number][] = [['--port', rest], ['--grpc-port', grpc]];
  if (givenOps !== undefined) taken.push(['--ops-port', givenOps]);
  handlers.forEach((p, i) => taken.push([handlerCount === 1 ? '--handler-port' : `handler ${i + 1} (--handler-port + ${i})`, p]));
  for (let i = 0; i < taken.length; i++) {
    for (let j = i + 1; j < taken.length; j++) {
      const [a, pa] = taken[i];
      const [b, pb] = taken[j];
      if (pa !== 0 && pa === pb) problems.push(`${a} and ${b} are both ${pa}; give each a port of its own`);
    }
  }
  if (problems.length > 0) throw new Error(`invalid ports:\n  - ${problems.join('\n  - ')}`);

  if (givenOps !== undefined) return { rest, grpc, ops: givenOps, opsIsPreferred: false, handlers };
  const preferred = rest === 0 || rest + 2 > 65535 ? 0 : rest + 2;
  const clash = preferred !== 0 && (preferred === grpc || handlers.includes(preferred));
  return { rest, grpc, ops: clash ? 0 : preferred, opsIsPreferred: true, handlers };
}

/** The dead-letter CLI flags that reach this dev server: `--local` alone when it runs on the default ports. */
export function deadLetterCliFlags(endpoint: string, opsEndpoint: string): string {
  const defaults = endpoint === `http://127.0.0.1:${LOCAL_DEV_PORTS.rest}` && opsEndpoint === `http://127.0.0.1:${LOCAL_DEV_PORTS.ops}`;
  return defaults ? '--local' : `--local --pubsub-endpoint ${opsEndpoint} --endpoint ${endpoint}`;
}

/** A port the dev server must get, the flag that moves it, and what listens there. */
export interface WantedPort {
  readonly flag: string;
  readonly port: number;
  readonly what: string;
}

/** The ports `npm run dev` cannot do without (0 = any free port, and a derived ops port falls back: neither is listed). */
export function wantedPorts(ports: DevPorts): WantedPort[] {
  const wanted: WantedPort[] = [
    { flag: '--port', port: ports.rest, what: 'local Cloud Tasks REST API' },
    { flag: '--grpc-port', port: ports.grpc, what: 'local Cloud Tasks gRPC' },
  ];
  if (!ports.opsIsPreferred) wanted.push({ flag: '--ops-port', port: ports.ops, what: 'local Pub/Sub, metadata token and /stats' });
  ports.handlers.forEach((port, i) => wanted.push({ flag: '--handler-port', port, what: ports.handlers.length === 1 ? 'handler' : `handler ${i + 1} (--handler-port + ${i})` }));
  return wanted.filter((w) => w.port !== 0);
}

/** True when something already listens on the loopback port (binding it fails with EADDRINUSE). */
export function portBusy(port: number): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (e: NodeJS.ErrnoException) => (e.code === 'EADDRINUSE' ? resolve(true) : reject(e)));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(false)));
  });
}

/**
 * One message for the ports already taken (say, by another `npm run dev`), naming each port, what needed it and
 * the flag that moves it; undefined when all are free.
 */
export async function busyPortsMessage(wanted: readonly WantedPort[]): Promise<string | undefined> {
  const busy: WantedPort[] = [];
  for (const w of wanted) if (await portBusy(w.port)) busy.push(w);
  if (busy.length === 0) return undefined;
  const lines = busy.map((w) => `  - port ${w.port} (${w.what}) is in use: choose another with ${w.flag} N`);
  return [
    `cannot start: ${busy.length === 1 ? 'a port is' : 'ports are'} already in use (another \`npm run dev\`?):`,
    ...lines,
    `Stop the other process, or start this one elsewhere, e.g. npm run dev -- --port 9123 --grpc-port 9124 --handler-port 9081`,
  ].join('\n');
}
