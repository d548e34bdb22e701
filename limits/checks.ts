import {
  EMAIL_PATTERN,
  HEADER_NAME_PATTERN,
  MAX_HEADER_OVERRIDE_BYTES,
  RESERVED_HEADERS,
  RESERVED_HEADER_PREFIXES,
} from './limits';

/** Parses a protobuf/Terraform duration in whole seconds ("10s") into seconds; undefined when malformed. */
export function parseSeconds(value: string): number | undefined {
  const match = /^(\d{1,10})s$/.exec(value);
  return match ? Number(match[1]) : undefined;
}

/** True for a whole-seconds duration string within [min, max] seconds. */
export function isDurationBetween(value: string, min: number, max: number): boolean {
  const seconds = parseSeconds(value);
  return seconds !== undefined && seconds >= min && seconds <= max;
}

/** True for an integer within [min, max]. */
export function isIntegerBetween(value: number, min: number, max: number): boolean {
  return Number.isInteger(value) && value >= min && value <= max;
}

/** True for a finite number in (min, max]: rates must be strictly positive. */
export function isPositiveAtMost(value: number, max: number): boolean {
  return Number.isFinite(value) && value > 0 && value <= max;
}

/** True for a plausible email address ({@link EMAIL_PATTERN}). */
export function isEmail(value: string): boolean {
  return EMAIL_PATTERN.test(value);
}

/** The reason a header may not be set by a queue override or a producer, or undefined when it may. */
export function headerProblem(name: string): string | undefined {
  if (!HEADER_NAME_PATTERN.test(name)) return 'is not a valid header name';
  const lower = name.toLowerCase();
  if (RESERVED_HEADERS.includes(lower)) return 'is set by Cloud Tasks and cannot be overridden';
  if (RESERVED_HEADER_PREFIXES.some((prefix) => lower.startsWith(prefix))) {
    return `uses a reserved prefix (${RESERVED_HEADER_PREFIXES.join(', ')})`;
  }
  return undefined;
}

/**
 * The reason a header value cannot be sent, or undefined when it can: a CR, LF or NUL would end the header line
 * (header injection), and HTTP refuses it anyway (fetch throws, Cloud Tasks answers INVALID_ARGUMENT).
 */
export function headerValueProblem(value: unknown): string | undefined {
  if (typeof value !== 'string') return `must be a string, got ${value === null ? 'null' : typeof value}`;
  return /[\r\n\0]/.test(value) ? 'contains a line break (CR/LF) or NUL' : undefined;
}

/** Bytes a header map takes on the wire ("name: value\r\n" per header). */
export function headerBytes(headers: Record<string, string>): number {
  return Object.entries(headers).reduce(
    (sum, [name, value]) => sum + Buffer.byteLength(`${name}: ${value}\r\n`),
    0,
  );
}

/** True when queue header overrides stay below {@link MAX_HEADER_OVERRIDE_BYTES} in total. */
export function headersFitOverrideLimit(headers: Record<string, string>): boolean {
  return headerBytes(headers) < MAX_HEADER_OVERRIDE_BYTES;
}

/** True for a host name without scheme, path or port (what `uri_override.host` takes). */
export function isHostName(value: string): boolean {
  return /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/.test(
    value,
  );
}

/** True when an OAuth token may be attached: Google only issues them for `*.googleapis.com` APIs. */
export function isGoogleApisHost(host: string): boolean {
  return host === 'googleapis.com' || host.endsWith('.googleapis.com');
}

/**
 * Loopback: 127.0.0.0/8, ::1 and `localhost` (a URL's `hostname`, so IPv6 comes in brackets). Where a credential
 * may go over plain http, or be sent at all outside Google, this is the only other place allowed.
 */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase();
  return host === 'localhost' || host === '[::1]' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}
