// A loopback server that records each request and answers from a script, like the Cloud Tasks REST API.
import { createServer, IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { closeClients } from '../../client';

export interface Recorded {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}
export interface Reply {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
}

export const googleError = (code: number, status: string, message: string): Reply => ({
  status: code,
  body: { error: { code, status, message } },
});

export class Recorder {
  readonly requests: Recorded[] = [];
  /** Replies in order; when empty, `fallback` answers. */
  readonly script: Reply[] = [];
  fallback: (r: Recorded) => Reply = () => ({ status: 200, body: {} });
  private server?: Server;
  endpoint = '';

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const rec = { method: req.method!, url: req.url!, headers: req.headers, body: Buffer.concat(chunks) };
        this.requests.push(rec);
        const reply = this.script.shift() ?? this.fallback(rec);
        const text = reply.body === undefined ? '' : JSON.stringify(reply.body);
        res.writeHead(reply.status, { 'Content-Type': 'application/json', ...reply.headers }).end(text);
      });
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.endpoint = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  stop(): Promise<void> {
    this.server?.closeAllConnections();
    return new Promise((r) => this.server?.close(() => r()));
  }
}

/**
 * A Recorder for the calling describe block: started before its tests; after them the producers' cached clients
 * (which keep sockets to it) are closed and it is stopped.
 */
export function recorderForSuite(): Recorder {
  const api = new Recorder();
  beforeAll(() => api.start());
  afterAll(async () => {
    await closeClients();
    await api.stop();
  });
  return api;
}
