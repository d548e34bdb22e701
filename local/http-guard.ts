/**
 * The bounds every local HTTP face (REST API, ops) keeps, in one place: who may call (a loopback `Host`, so a web
 * page cannot reach the server by DNS rebinding), how long a request may take, and how much body is read.
 */
import type { IncomingMessage, Server } from 'node:http';

/** Host names that can only mean this machine (DNS rebinding sends the attacker's name instead). */
const LOOPBACK_HOST = /^(localhost|[a-z0-9-]+\.localhost|127(\.\d{1,3}){3}|\[::1\])$/i;

/** Most body bytes read (and discarded) past a face's limit before the connection is closed instead of answered. */
export const MAX_DRAIN_BYTES = 32 * 1024 * 1024;

/** Why the request's `Host` is refused, or undefined for a loopback name. A missing Host (HTTP/1.0) is loopback. */
export function hostProblem(req: IncomingMessage): string | undefined {
  const host = (req.headers.host ?? '127.0.0.1').replace(/:\d+$/, '');
  return LOOPBACK_HOST.test(host) ? undefined : `Host ${JSON.stringify(host.slice(0, 80))} is not a loopback name: the local server answers only localhost / 127.0.0.1 / [::1].`;
}

/** A slow client cannot hold a connection for Node's default 5 minutes. */
export function boundTimes(server: Server): void {
  server.requestTimeout = 30_000;
  server.headersTimeout = 10_000;
}

/** A body that cannot be read: `close` when the rest was not read (the connection must not be reused). */
export class BodyError extends Error {
  constructor(
    message: string,
    readonly kind: 'over-limit' | 'too-large' | 'cut-off',
  ) {
    super(message);
  }
}

/**
 * The request body, up to `max` bytes. Past `max` the rest is read and discarded, and the promise rejects with an
 * "over-limit" BodyError once the body ended, so the caller answers while the client is listening (a client still
 * writing when the server answers and closes sees EPIPE instead of the answer). Past {@link MAX_DRAIN_BYTES}
 * (declared or streamed) it rejects at once with "too-large": answer and close.
 */
export function readBoundedBody(req: IncomingMessage, max: number): Promise<Buffer> {
  const limit = `Request payload size exceeds the limit: ${max} bytes.`;
  if (Number(req.headers['content-length'] ?? 0) > MAX_DRAIN_BYTES) return Promise.reject(new BodyError(limit, 'too-large'));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (c: Buffer) => {
      size += c.length;
      if (size > MAX_DRAIN_BYTES) {
        req.off('data', onData);
        req.pause();
        reject(new BodyError(limit, 'too-large'));
      } else if (size <= max) chunks.push(c);
      else chunks.length = 0; // over the limit: the answer is an error, keep nothing
    };
    req.on('data', onData);
    req.on('end', () => (size > max ? reject(new BodyError(limit, 'over-limit')) : resolve(Buffer.concat(chunks))));
    req.on('error', reject);
    // A client that hangs up mid-body: settle, so nothing waits on it.
    req.on('close', () => !req.complete && reject(new BodyError('The request body was cut off.', 'cut-off')));
  });
}
