// Raw loopback sockets for the connection tests: what the server sent, when it closed, floods of idle sockets.
import { connect, Socket } from 'node:net';

export interface Raw {
  readonly socket: Socket;
  received(): string;
  readonly closed: Promise<void>;
}

/** A raw loopback client: everything the server sent, and when the connection closed. `halfOpen`: it never closes its side. */
export function rawClient(port: number, halfOpen = false): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1', allowHalfOpen: halfOpen });
    let text = '';
    socket.on('data', (d) => (text += d.toString('latin1')));
    socket.on('error', () => undefined); // a reset is one way of being closed
    const closed = new Promise<void>((r) => socket.on('close', () => r()));
    socket.once('connect', () => resolve({ socket, received: () => text, closed }));
    socket.once('error', reject);
  });
}

export function head(method: string, path: string, headers: Record<string, string>): string {
  return `${method} ${path} HTTP/1.1\r\nHost: localhost\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`;
}

/** Resolves with the milliseconds `p` took, or rejects after `ms`. */
export async function within(p: Promise<unknown>, ms: number, what: string): Promise<number> {
  const started = Date.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([p, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} not within ${ms} ms`)), ms)))]);
    return Date.now() - started;
  } finally {
    clearTimeout(timer);
  }
}

/** Opens `count` connections that send nothing, `wave` at a time. */
export async function idleFlood(port: number, count: number, wave = 100): Promise<Raw[]> {
  const sockets: Raw[] = [];
  for (let opened = 0; opened < count; opened += wave) {
    const batch = await Promise.all(Array.from({ length: Math.min(wave, count - opened) }, () => rawClient(port)));
    sockets.push(...batch);
    await new Promise((r) => setTimeout(r, 10));
  }
  return sockets;
}
