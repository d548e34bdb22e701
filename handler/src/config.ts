import { announcedDeadline, DISPATCH_DEADLINE, Problems, RUNTIME_TRUST_ENV, isEmail, isIntegerBetween, isLoopbackHost, workBudgetSeconds } from '../../limits';

export const GOOGLE_JWKS_URL = 'https://www.googleapis.com/oauth2/v3/certs';
export const GOOGLE_ISSUERS = ['https://accounts.google.com', 'accounts.google.com'];

export interface AuthConfig {
  /** Expected `aud`. */
  readonly audience: string;
  /** Expected `email`: the queue's token service account (TASKS_SERVICE_ACCOUNT as written). */
  readonly serviceAccount: string;
  /** Every accepted `email`, when TASKS_SERVICE_ACCOUNT lists several (comma-separated) for a shared handler. */
  readonly serviceAccounts?: readonly string[];
  readonly jwksUrl: string;
  readonly issuers: readonly string[];
  /** Allowed clock skew for exp/iat/nbf, seconds. */
  readonly clockSkewSeconds: number;
  /** Least time between two JWKS fetches (an unknown `kid` refetches only after it). @default 30000 */
  readonly jwksCooldownMs?: number;
}

export interface HandlerConfig {
  readonly port: number;
  /** Path the queue targets. */
  readonly path: string;
  /** undefined only when TASKS_AUTH=disabled was set explicitly. */
  readonly auth?: AuthConfig;
  readonly maxBodyBytes: number;
  /** The longest deadline of the queues in front (sizes the server's request timeout). */
  readonly dispatchDeadlineSeconds: number;
  /**
   * Work running longer is answered 503 (and retried) before Cloud Tasks' own deadline cuts it off. The budget
   * of one task is {@link workTimeoutMsFor} its queue: this, or less for a queue with a shorter deadline.
   */
  readonly workTimeoutMs: number;
  /**
   * Deadline per queue id of a handler shared by several queues (`TASKS_QUEUE_DEADLINES`, JSON
   * `{"QUEUE_ID": SECONDS}`); empty for a handler with one queue.
   */
  readonly queueDeadlines: Readonly<Record<string, number>>;
  /** How long SIGTERM waits for in-flight tasks; Cloud Run kills ~10 s after SIGTERM. */
  readonly shutdownGraceMs: number;
  /** Longest time to receive a request body, independent of the work timeout: a slow client cannot hold a connection. */
  readonly bodyTimeoutMs: number;
  /** Most open connections; at the cap a new one evicts the oldest idle one, or is closed when none is idle. */
  readonly maxConnections: number;
  /** A new connection that has not sent a complete request head within it is closed. */
  readonly headTimeoutMs: number;
  /** Project for the Cloud Logging trace field. */
  readonly project?: string;
}

type Env = Record<string, string | undefined>;

/** Reads and validates the handler's environment; throws one error listing every problem. */
export function loadHandlerConfig(env: Env = process.env): HandlerConfig {
  const p = new Problems();
  const int = (name: string, fallback: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    return /^\d+$/.test(raw) ? Number(raw) : NaN;
  };

  const authMode = env.TASKS_AUTH ?? 'enabled';
  p.check('TASKS_AUTH', authMode, (v) => v === 'enabled' || v === 'disabled', '"enabled" (default) or "disabled" (local experiments only)');
  // K_SERVICE is set by Cloud Run: there an unverified handler would run work for anyone who reaches it.
  p.fail('TASKS_AUTH', authMode, `"enabled" on Cloud Run (K_SERVICE is set to ${JSON.stringify(env.K_SERVICE)}); "disabled" is for local experiments only`, authMode === 'disabled' && Boolean(env.K_SERVICE));
  const port = int('PORT', 8080);
  const path = env.TASKS_PATH || '/tasks';
  const deadline = int('TASKS_DISPATCH_DEADLINE_SECONDS', DISPATCH_DEADLINE.default);
  // Leave 5 s for answering before Cloud Tasks gives up; never below 1 s.
  const defaultWorkTimeout = workBudgetSeconds(Number.isFinite(deadline) ? deadline : DISPATCH_DEADLINE.default);
  const workTimeoutSeconds = int('TASKS_WORK_TIMEOUT_SECONDS', defaultWorkTimeout);
  const maxBodyBytes = int('TASKS_MAX_BODY_BYTES', 1024 * 1024);
  const graceSeconds = int('TASKS_SHUTDOWN_GRACE_SECONDS', 8);
  const skew = int('TASKS_CLOCK_SKEW_SECONDS', 120);
  const bodyTimeoutSeconds = int('TASKS_BODY_TIMEOUT_SECONDS', 10);
  const maxConnections = int('TASKS_MAX_CONNECTIONS', 1000);
  const queueDeadlines = parseQueueDeadlines(p, env.TASKS_QUEUE_DEADLINES, deadline);
  const headTimeoutSeconds = int('TASKS_HEAD_TIMEOUT_SECONDS', 5);

  p.check('PORT', port, (v) => isIntegerBetween(v, 0, 65535), 'an integer from 0 to 65535');
  p.check('TASKS_PATH', path, (v) => /^\/[^\s?#]*$/.test(v), 'a path starting with "/"');
  p.check('TASKS_DISPATCH_DEADLINE_SECONDS', deadline, (v) => isIntegerBetween(v, DISPATCH_DEADLINE.min, DISPATCH_DEADLINE.max), `whole seconds from ${DISPATCH_DEADLINE.min} to ${DISPATCH_DEADLINE.max}`);
  p.check('TASKS_WORK_TIMEOUT_SECONDS', workTimeoutSeconds, (v) => Number.isInteger(v) && v >= 1 && (!Number.isFinite(deadline) || v < deadline), `whole seconds, at least 1 and below TASKS_DISPATCH_DEADLINE_SECONDS (${deadline})`);
  p.check('TASKS_MAX_BODY_BYTES', maxBodyBytes, (v) => isIntegerBetween(v, 1, 32 * 1024 * 1024), 'bytes from 1 to 33554432');
  p.check('TASKS_SHUTDOWN_GRACE_SECONDS', graceSeconds, (v) => isIntegerBetween(v, 0, 9), 'whole seconds from 0 to 9 (Cloud Run kills ~10 s after SIGTERM)');
  p.check('TASKS_CLOCK_SKEW_SECONDS', skew, (v) => isIntegerBetween(v, 0, 600), 'whole seconds from 0 to 600');
  p.check('TASKS_BODY_TIMEOUT_SECONDS', bodyTimeoutSeconds, (v) => isIntegerBetween(v, 1, 300), 'whole seconds from 1 to 300');
  p.check('TASKS_MAX_CONNECTIONS', maxConnections, (v) => isIntegerBetween(v, 1, 100_000), 'an integer from 1 to 100000');
  p.check('TASKS_HEAD_TIMEOUT_SECONDS', headTimeoutSeconds, (v) => isIntegerBetween(v, 1, 60), 'whole seconds from 1 to 60');

  // The construct refuses these variables; a service deployed some other way is checked here, at startup.
  const tlsOff = env.NODE_TLS_REJECT_UNAUTHORIZED;
  p.fail('NODE_TLS_REJECT_UNAUTHORIZED', tlsOff, `unset while tokens are verified: ${RUNTIME_TRUST_ENV.NODE_TLS_REJECT_UNAUTHORIZED}`, authMode !== 'disabled' && tlsOff === '0');
  for (const name of ['GCE_METADATA_HOST', 'GCE_METADATA_IP']) {
    p.fail(name, env[name], `unset on Cloud Run (K_SERVICE is set): ${RUNTIME_TRUST_ENV[name]}`, Boolean(env.K_SERVICE) && Boolean(env[name]));
  }

  let auth: AuthConfig | undefined;
  if (authMode !== 'disabled') {
    const audience = env.TASKS_AUDIENCE ?? '';
    const serviceAccount = env.TASKS_SERVICE_ACCOUNT ?? '';
    const jwksUrl = env.TASKS_JWKS_URL || GOOGLE_JWKS_URL;
    const issuers = (env.TASKS_ISSUERS || GOOGLE_ISSUERS.join(',')).split(',').map((s) => s.trim()).filter(Boolean);
    p.fail('TASKS_AUDIENCE', audience, 'set to the token audience the queue uses (or TASKS_AUTH=disabled for local experiments)', audience.trim() === '');
    // Queues sharing one handler each have a token account: a comma-separated list accepts all of them.
    const serviceAccounts = serviceAccount.split(',').map((s) => s.trim());
    p.fail('TASKS_SERVICE_ACCOUNT', serviceAccount, "set to the queue's token service account email", !serviceAccounts.every(isEmail));
    p.check('TASKS_JWKS_URL', jwksUrl, isKeySourceUrl, 'an https URL (plain http only to a loopback host: localhost, 127.0.0.1, [::1])');
    p.fail('TASKS_ISSUERS', env.TASKS_ISSUERS, 'a comma-separated list of issuers', issuers.length === 0);
    auth = { audience, serviceAccount, serviceAccounts: serviceAccounts.length > 1 ? serviceAccounts : undefined, jwksUrl, issuers, clockSkewSeconds: skew };
  }
  p.throwIfAny('handler environment');
  return {
    port,
    path,
    auth,
    maxBodyBytes,
    dispatchDeadlineSeconds: deadline,
    workTimeoutMs: workTimeoutSeconds * 1000,
    queueDeadlines,
    shutdownGraceMs: graceSeconds * 1000,
    bodyTimeoutMs: bodyTimeoutSeconds * 1000,
    maxConnections,
    headTimeoutMs: headTimeoutSeconds * 1000,
    project: env.GOOGLE_CLOUD_PROJECT || undefined,
  };
}

/**
 * `TASKS_QUEUE_DEADLINES`: `{"QUEUE_ID": SECONDS, ...}`, each 15-1800 and at most TASKS_DISPATCH_DEADLINE_SECONDS
 * (the longest, which sizes the service). Unset or empty: no per-queue deadlines.
 */
function parseQueueDeadlines(p: Problems, text: string | undefined, longest: number): Record<string, number> {
  if (text === undefined || text === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    // reported below as not an object
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    p.fail('TASKS_QUEUE_DEADLINES', text.slice(0, 80), 'a JSON object {"QUEUE_ID": SECONDS, ...}');
    return {};
  }
  const deadlines: Record<string, number> = {};
  for (const [queue, seconds] of Object.entries(parsed)) {
    const ok = typeof seconds === 'number' && isIntegerBetween(seconds, DISPATCH_DEADLINE.min, Number.isFinite(longest) ? Math.min(longest, DISPATCH_DEADLINE.max) : DISPATCH_DEADLINE.max);
    p.fail(`TASKS_QUEUE_DEADLINES.${queue}`, seconds, `whole seconds from ${DISPATCH_DEADLINE.min} to TASKS_DISPATCH_DEADLINE_SECONDS (${longest})`, !ok);
    if (ok) deadlines[queue] = seconds;
  }
  return deadlines;
}

/**
 * The work budget of one task, by the queue that sent it (`X-CloudTasks-QueueName`): its queue's deadline minus
 * the answer margin, never above `workTimeoutMs`. A queue not in `queueDeadlines` (or an absent header) gets the
 * smallest budget of the configured queues. The header is informational, and this is still safe: Cloud Tasks sets
 * it on every dispatch and producers cannot set `X-CloudTasks-*` headers, so a dispatch always names its own queue;
 * only a direct caller holding an accepted token (outside Cloud Tasks, so under no dispatch deadline) could write
 * another name, and even then the budget is one of the configured queues' (each at most the deadline of a queue the
 * token accounts are allowed on) or the smallest of them. `announced` is the task's `X-Tasks-Dispatch-Deadline`
 * header (a shorter deadline its producer sent): it can only shorten the budget.
 */
export function workTimeoutMsFor(config: Pick<HandlerConfig, 'workTimeoutMs' | 'queueDeadlines'>, queue: string, announced?: string): number {
  const deadlines = config.queueDeadlines;
  const own = Object.hasOwn(deadlines, queue) ? deadlines[queue] : undefined;
  const values = Object.values(deadlines);
  const deadline = own ?? (values.length > 0 ? Math.min(...values) : undefined);
  const queueBudget = deadline === undefined ? config.workTimeoutMs : Math.min(config.workTimeoutMs, workBudgetSeconds(deadline) * 1000);
  // A producer of this project that sent a shorter deadline says so (DEADLINE_HEADER): it can only shorten the budget.
  const shorter = announcedDeadline(announced);
  return shorter === undefined ? queueBudget : Math.min(queueBudget, workBudgetSeconds(shorter) * 1000);
}

/** Signing keys decide whom the handler trusts: fetch them over TLS, or over plain HTTP from this machine only. */
function isKeySourceUrl(v: string): boolean {
  try {
    const url = new URL(v);
    if (url.protocol === 'https:') return true;
    return url.protocol === 'http:' && isLoopbackHost(url.hostname);
  } catch {
    return false;
  }
}
