/**
 * Cloud Tasks v2 messages to and from the core's plain types. Decoding accepts both wire forms (REST's JSON:
 * RFC 3339 times, "10s" durations, base64 bytes, enum names or numbers; gRPC's proto-loader objects:
 * {seconds, nanos}, Buffers, enum names), so both faces share one decoder and every type check. Encoding
 * takes the face's `Encoding`.
 */
import { canonicalCodeOfHttp, HTTP_METHODS, URI_OVERRIDE_ENFORCE_MODES, UriOverrideEnforceMode } from '../limits';
import { invalid, Policy, QueueInput, QueueView, quote, TaskInput, View } from './core';
import { burstSize, QueueTarget, TaskRecord } from './model';

type Json = Record<string, unknown>;

const METHOD_NUMBERS: Record<string, number> = { POST: 1, GET: 2, HEAD: 3, PUT: 4, DELETE: 5, PATCH: 6, OPTIONS: 7 };
const SCHEME_NUMBERS: Record<string, number> = { HTTP: 1, HTTPS: 2 };
const ENFORCE_NUMBERS: Record<string, number> = { IF_NOT_EXISTS: 1, ALWAYS: 2 };
const STATE_NUMBERS: Record<string, number> = { RUNNING: 1, PAUSED: 2 };
const VIEW_NUMBERS: Record<string, number> = { BASIC: 1, FULL: 2 };
/** google.rpc.Code numbers, for Attempt.response_status. */
const RPC_CODES: Record<string, number> = {
  OK: 0, CANCELLED: 1, UNKNOWN: 2, INVALID_ARGUMENT: 3, DEADLINE_EXCEEDED: 4, NOT_FOUND: 5, ALREADY_EXISTS: 6, PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8, FAILED_PRECONDITION: 9, ABORTED: 10, OUT_OF_RANGE: 11, UNIMPLEMENTED: 12, INTERNAL: 13, UNAVAILABLE: 14,
  DATA_LOSS: 15, UNAUTHENTICATED: 16,
};

// ---- decoding ----

function obj(v: unknown, field: string): Json | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || Array.isArray(v) || Buffer.isBuffer(v)) throw invalid(`Invalid value at '${field}': expected an object.`);
  return v as Json;
}

export function str(v: unknown, field: string): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw invalid(`Invalid value at '${field}': expected a string.`);
  return v;
}

function num(v: unknown, field: string): number | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^-?\d+(\.\d+)?(e-?\d+)?$/i.test(v) ? Number(v) : NaN;
  if (!Number.isFinite(n)) throw invalid(`Invalid value at '${field}': expected a number, got ${quote(String(v))}.`);
  return n;
}

/** An enum as a name (numbers are turned into names). */
function enumName(v: unknown, numbers: Record<string, number>, field: string): string | undefined {
  if (v === undefined || v === null || v === 0 || v === '') return undefined;
  if (typeof v === 'number') {
    const name = Object.keys(numbers).find((k) => numbers[k] === v);
    if (!name) throw invalid(`Invalid value at '${field}': unknown enum number ${v}.`);
    return name;
  }
  if (typeof v !== 'string') throw invalid(`Invalid value at '${field}': expected an enum name.`);
  if (/^\d+$/.test(v)) return enumName(Number(v), numbers, field);
  return v.endsWith('_UNSPECIFIED') ? undefined : v;
}

function bytes(v: unknown, field: string): Buffer | undefined {
  if (v === undefined || v === null) return undefined;
  if (v instanceof Uint8Array) return Buffer.from(v);
  if (typeof v === 'string') {
    if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(v) || v.replace(/=+$/, '').length % 4 === 1) throw invalid(`Invalid value at '${field}': not valid base64.`);
    return Buffer.from(v, 'base64');
  }
  throw invalid(`Invalid value at '${field}': expected base64 bytes.`);
}

function stringMap(v: unknown, field: string): Record<string, string> | undefined {
  const o = obj(v, field);
  if (!o) return undefined;
  for (const [k, value] of Object.entries(o)) str(value, `${field}[${k}]`);
  return { ...(o as Record<string, string>) };
}

/** Seconds from "10s" / "0.5s" or {seconds, nanos}. */
export function seconds(v: unknown, field: string): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') {
    const m = /^(-?\d+(?:\.\d{1,9})?)s$/.exec(v);
    if (!m) throw invalid(`Invalid value at '${field}': expected a duration like "10s", got ${quote(v)}.`);
    return Number(m[1]);
  }
  const o = obj(v, field)!;
  return (num(o.seconds, `${field}.seconds`) ?? 0) + (num(o.nanos, `${field}.nanos`) ?? 0) / 1e9;
}

/** Epoch ms from an RFC 3339 string or {seconds, nanos}; NaN when unreadable. */
function timeMs(v: unknown, field: string): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return /^\d{4}-\d\d-\d\dT/.test(v) ? Date.parse(v) : NaN;
  const o = obj(v, field)!;
  return (num(o.seconds, `${field}.seconds`) ?? 0) * 1000 + Math.floor((num(o.nanos, `${field}.nanos`) ?? 0) / 1e6);
}

function token<K extends string>(v: unknown, field: string, second: K): ({ serviceAccountEmail: string } & Partial<Record<K, string>>) | undefined {
  const o = obj(v, field);
  if (!o) return undefined;
  const email = str(o.serviceAccountEmail, `${field}.serviceAccountEmail`) ?? '';
  const other = str(o[second], `${field}.${second}`);
  return { serviceAccountEmail: email, ...(other ? { [second]: other } : {}) } as { serviceAccountEmail: string } & Partial<Record<K, string>>;
}

export function viewOf(v: unknown): View {
  return enumName(v, VIEW_NUMBERS, 'response_view') === 'FULL' ? 'FULL' : 'BASIC';
}

export function taskInput(v: unknown): TaskInput {
  const t = obj(v, 'task');
  if (!t) throw invalid('CreateTaskRequest.task is required.');
  if (t.appEngineHttpRequest) throw invalid('Only HTTP tasks (httpRequest) are supported locally, not appEngineHttpRequest.');
  const http = obj(t.httpRequest, 'task.httpRequest');
  if (!http) throw invalid('Task must have an httpRequest (only HTTP targets are supported locally).');
  return {
    name: str(t.name, 'task.name') || undefined,
    url: str(http.url, 'task.httpRequest.url') || undefined,
    method: enumName(http.httpMethod, METHOD_NUMBERS, 'task.httpRequest.httpMethod'),
    headers: stringMap(http.headers, 'task.httpRequest.headers'),
    body: bytes(http.body, 'task.httpRequest.body'),
    oidcToken: token(http.oidcToken, 'task.httpRequest.oidcToken', 'audience'),
    oauthToken: token(http.oauthToken, 'task.httpRequest.oauthToken', 'scope'),
    scheduleMs: timeMs(t.scheduleTime, 'task.scheduleTime'),
    deadlineSeconds: seconds(t.dispatchDeadline, 'task.dispatchDeadline'),
  };
}

export function queueInput(v: unknown): QueueInput {
  const q = obj(v, 'queue');
  if (!q) throw invalid('The request must have a queue.');
  const rate = obj(q.rateLimits, 'queue.rateLimits') ?? {};
  const retry = obj(q.retryConfig, 'queue.retryConfig') ?? {};
  const logging = obj(q.stackdriverLoggingConfig, 'queue.stackdriverLoggingConfig');
  return {
    name: str(q.name, 'queue.name'),
    httpTarget: httpTarget(q.httpTarget),
    rate: { maxDispatchesPerSecond: num(rate.maxDispatchesPerSecond, 'queue.rateLimits.maxDispatchesPerSecond'), maxConcurrentDispatches: num(rate.maxConcurrentDispatches, 'queue.rateLimits.maxConcurrentDispatches') },
    retry: {
      maxAttempts: num(retry.maxAttempts, 'queue.retryConfig.maxAttempts'),
      maxRetryDuration: seconds(retry.maxRetryDuration, 'queue.retryConfig.maxRetryDuration'),
      minBackoff: seconds(retry.minBackoff, 'queue.retryConfig.minBackoff'),
      maxBackoff: seconds(retry.maxBackoff, 'queue.retryConfig.maxBackoff'),
      maxDoublings: num(retry.maxDoublings, 'queue.retryConfig.maxDoublings'),
    },
    logging: logging && { samplingRatio: num(logging.samplingRatio, 'queue.stackdriverLoggingConfig.samplingRatio') },
  };
}

/** Queue.httpTarget as the REST reference describes it (the v2 protos the official client ships lack it). */
function httpTarget(v: unknown): QueueTarget | undefined {
  const t = obj(v, 'queue.httpTarget');
  if (!t) return undefined;
  const u = obj(t.uriOverride, 'queue.httpTarget.uriOverride');
  const method = enumName(t.httpMethod, METHOD_NUMBERS, 'queue.httpTarget.httpMethod');
  if (method && !(HTTP_METHODS as readonly string[]).includes(method)) throw invalid(`queue.httpTarget.httpMethod must be one of ${HTTP_METHODS.join(', ')}, got ${quote(method)}.`);
  const headers: Record<string, string> = {};
  for (const [i, h] of (Array.isArray(t.headerOverrides) ? t.headerOverrides : []).entries()) {
    const header = obj(obj(h, `queue.httpTarget.headerOverrides[${i}]`)?.header, `queue.httpTarget.headerOverrides[${i}].header`);
    const key = str(header?.key, `queue.httpTarget.headerOverrides[${i}].header.key`);
    if (key) headers[key] = str(header?.value, `queue.httpTarget.headerOverrides[${i}].header.value`) ?? '';
  }
  let uriOverride: QueueTarget['uriOverride'];
  if (u) {
    const scheme = enumName(u.scheme, SCHEME_NUMBERS, 'queue.httpTarget.uriOverride.scheme');
    if (scheme && !(scheme in SCHEME_NUMBERS)) throw invalid(`queue.httpTarget.uriOverride.scheme must be HTTP or HTTPS, got ${quote(scheme)}.`);
    const mode = enumName(u.uriOverrideEnforceMode, ENFORCE_NUMBERS, 'queue.httpTarget.uriOverride.uriOverrideEnforceMode') ?? 'ALWAYS';
    if (!(URI_OVERRIDE_ENFORCE_MODES as readonly string[]).includes(mode)) throw invalid(`queue.httpTarget.uriOverride.uriOverrideEnforceMode must be ALWAYS or IF_NOT_EXISTS, got ${quote(mode)}.`);
    uriOverride = {
      scheme: scheme as 'HTTP' | 'HTTPS' | undefined,
      host: str(u.host, 'queue.httpTarget.uriOverride.host') || undefined,
      port: num(u.port, 'queue.httpTarget.uriOverride.port'),
      path: str(obj(u.pathOverride, 'queue.httpTarget.uriOverride.pathOverride')?.path, 'queue.httpTarget.uriOverride.pathOverride.path'),
      query: str(obj(u.queryOverride, 'queue.httpTarget.uriOverride.queryOverride')?.queryParams, 'queue.httpTarget.uriOverride.queryOverride.queryParams'),
      enforceMode: mode as UriOverrideEnforceMode,
    };
  }
  const oidc = token(t.oidcToken, 'queue.httpTarget.oidcToken', 'audience');
  const oauth = token(t.oauthToken, 'queue.httpTarget.oauthToken', 'scope');
  return {
    httpMethod: method as QueueTarget['httpMethod'],
    uriOverride,
    headers,
    ...(oidc && { oidcToken: oidc }),
    ...(oauth && { oauthToken: { serviceAccountEmail: oauth.serviceAccountEmail, scope: oauth.scope ?? 'https://www.googleapis.com/auth/cloud-platform' } }),
  };
}

export function policyInput(v: unknown): { version?: number; bindings?: { role?: string; members?: string[] }[]; etag?: string } {
  const p = obj(v, 'policy') ?? {};
  const bindings = p.bindings ?? [];
  if (!Array.isArray(bindings)) throw invalid("Invalid value at 'policy.bindings': expected a list.");
  return {
    version: num(p.version, 'policy.version'),
    bindings: bindings.map((b: unknown, i: number) => {
      const o = obj(b, `policy.bindings[${i}]`) ?? {};
      const members = o.members === undefined ? [] : Array.isArray(o.members) ? o.members : [o.members];
      return { role: str(o.role, `policy.bindings[${i}].role`), members: members.map((m: unknown, j: number) => str(m, `policy.bindings[${i}].members[${j}]`)!) };
    }),
    etag: bytes(p.etag, 'policy.etag')?.toString('base64') || undefined,
  };
}

// ---- encoding ----

export interface Encoding {
  time(ms: number): unknown;
  duration(seconds: number): unknown;
  enumValue(name: string, numbers: Record<string, number>): unknown;
  bytes(b: Buffer): unknown;
  /** Queue.httpTarget: in Google's REST surface, not in the shipped v2 protos. */
  readonly httpTarget: boolean;
}

/** REST: proto3 JSON, with numeric enums when the client asks for them (`$alt=json;enum-encoding=int`). */
export const jsonEncoding = (ints: boolean): Encoding => ({
  time: (ms) => new Date(ms).toISOString(),
  duration: (s) => `${s}s`,
  enumValue: (name, numbers) => (ints ? numbers[name] : name),
  bytes: (b) => b.toString('base64'),
  httpTarget: true,
});

/** gRPC: proto-loader objects (longs as strings, enums by name). */
export const grpcEncoding: Encoding = {
  time: (ms) => ({ seconds: String(Math.floor(ms / 1000)), nanos: Math.round((ms % 1000) * 1e6) }),
  duration: (s) => ({ seconds: String(Math.floor(s)), nanos: Math.round((s - Math.floor(s)) * 1e9) }),
  enumValue: (name) => name,
  bytes: (b) => b,
  httpTarget: false,
};

export function taskMessage(t: TaskRecord, view: View, e: Encoding): Json {
  const attempt = (a: TaskRecord['firstAttempt']) =>
    a && {
      scheduleTime: e.time(a.scheduleTime),
      dispatchTime: e.time(a.dispatchTime),
      ...(a.responseTime && { responseTime: e.time(a.responseTime) }),
      ...(a.responseStatus && { responseStatus: { code: RPC_CODES[a.responseStatus < 300 ? 'OK' : canonicalCodeOfHttp(a.responseStatus)] ?? 2, message: `HTTP ${a.responseStatus}` } }),
    };
  return {
    name: t.name,
    httpRequest: {
      ...(t.url && { url: t.url }),
      httpMethod: e.enumValue(t.method, METHOD_NUMBERS),
      headers: t.headers,
      ...(view === 'FULL' && t.body.length > 0 && { body: e.bytes(t.body) }),
      ...(t.oidcToken && { oidcToken: t.oidcToken }),
      ...(t.oauthToken && { oauthToken: t.oauthToken }),
    },
    scheduleTime: e.time(t.scheduleMs),
    createTime: e.time(t.createMs),
    dispatchDeadline: e.duration(t.deadlineSeconds),
    dispatchCount: t.dispatchCount,
    responseCount: t.responseCount,
    ...(t.firstAttempt && { firstAttempt: attempt(t.firstAttempt) }),
    ...(t.lastAttempt && { lastAttempt: attempt(t.lastAttempt) }),
    view: e.enumValue(view, VIEW_NUMBERS),
  };
}

export function queueMessage({ config: q, state }: QueueView, e: Encoding): Json {
  const t = q.httpTarget;
  const u = t?.uriOverride;
  return {
    name: q.path,
    ...(e.httpTarget &&
      t && {
        httpTarget: {
          ...(t.httpMethod && { httpMethod: e.enumValue(t.httpMethod, METHOD_NUMBERS) }),
          ...(u && {
            uriOverride: {
              ...(u.scheme && { scheme: e.enumValue(u.scheme, SCHEME_NUMBERS) }),
              ...(u.host && { host: u.host }),
              ...(u.port !== undefined && { port: String(u.port) }),
              ...(u.path !== undefined && { pathOverride: { path: u.path } }),
              ...(u.query !== undefined && { queryOverride: { queryParams: u.query } }),
              uriOverrideEnforceMode: e.enumValue(u.enforceMode, ENFORCE_NUMBERS),
            },
          }),
          headerOverrides: Object.entries(t.headers).map(([key, value]) => ({ header: { key, value } })),
          ...(t.oidcToken && { oidcToken: t.oidcToken }),
          ...(t.oauthToken && { oauthToken: t.oauthToken }),
        },
      }),
    rateLimits: { maxDispatchesPerSecond: q.rate.maxDispatchesPerSecond, maxBurstSize: burstSize(q.rate.maxDispatchesPerSecond), maxConcurrentDispatches: q.rate.maxConcurrentDispatches },
    retryConfig: {
      maxAttempts: q.retry.maxAttempts,
      maxRetryDuration: e.duration(q.retry.maxRetryDuration),
      minBackoff: e.duration(q.retry.minBackoff),
      maxBackoff: e.duration(q.retry.maxBackoff),
      maxDoublings: q.retry.maxDoublings,
    },
    state: e.enumValue(state, STATE_NUMBERS),
    ...(q.logging && { stackdriverLoggingConfig: { samplingRatio: q.logging.samplingRatio } }),
  };
}

export function policyMessage(p: Policy, e: Encoding): Json {
  return { version: p.version, bindings: p.bindings, etag: e.bytes(Buffer.from(p.etag, 'base64')) };
}
