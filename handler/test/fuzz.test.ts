// Property-based fuzzing of the handler's HTTP surface: generated hostile requests (malformed URLs and
// percent-encoding, odd methods, junk headers and tokens, bad JSON, oversized bodies) over a raw socket,
// so nothing is normalised by a client library. Every one must get a clear 4xx (or the health check's 200)
// and never run the work; afterwards the server still processes a valid task.
import fc from 'fast-check';
import { connect } from 'node:net';
import { fuzzSeed } from '../../test/fuzz-seed';
import { Harness, JwksServer, Keys, makeKey, recordingWork, sign, startHandler, taskHeaders } from './harness';

const MAX_BODY = 4096;

/** Sends raw bytes, returns the status line's code (or what went wrong) once the server closes. */
function exchange(port: number, request: Buffer): Promise<number | string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let text = '';
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(`no answer within 3 s: ${JSON.stringify(text.slice(0, 80))}`);
    }, 3000);
    socket.on('data', (d) => (text += d.toString('latin1')));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      const m = /^HTTP\/1\.1 (\d{3}) /.exec(text);
      resolve(m ? Number(m[1]) : `closed without an answer: ${JSON.stringify(text.slice(0, 80))}`);
    });
    socket.end(request);
  });
}

// Pieces of hostile input.
const methods = fc.constantFrom('POST', 'GET', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD', 'PROPFIND', 'FOO', 'post', 'CONNECT');
const pathPieces = fc.constantFrom('/tasks', '/tasks/', '//tasks', '/tasks/../tasks', '/%', '/%zz', '/tasks%', '/tasks%2F', '/%E0%A4%A', '/ta%00sks', '/healthz', '/', '*', 'http://evil.example/tasks', '/tasks?%', '/tasks?a=%G1&b', '/tasks#frag', '/\u00e9');
const path = fc.oneof(pathPieces, fc.tuple(pathPieces, fc.string({ maxLength: 20 })).map(([p, s]) => p + encodeURI(s).slice(0, 40)));
const junkToken = fc.oneof(
  fc.constant(''),
  fc.constant('Bearer'),
  fc.constant('Bearer '),
  fc.constant('Basic dXNlcjpwYXNz'),
  fc.string({ maxLength: 60 }).map((s) => `Bearer ${s}`),
  fc.tuple(fc.base64String({ maxLength: 40 }), fc.base64String({ maxLength: 40 }), fc.base64String({ maxLength: 40 })).map(([a, b, c]) => `Bearer ${a}.${b}.${c}`),
  fc.constant(`Bearer ${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from('{"email":"x"}').toString('base64url')}.`),
);
const headerValue = fc.oneof(fc.constantFrom('', '0', '-1', '1e3', 'NaN', '99999999999999999999', '%', 'two', ' 3 ', '\u00ff'), fc.string({ maxLength: 30 }));
const cloudTasksHeaders = fc.record(
  {
    'X-CloudTasks-TaskName': headerValue,
    'X-CloudTasks-QueueName': headerValue,
    'X-CloudTasks-TaskRetryCount': headerValue,
    'X-CloudTasks-TaskExecutionCount': headerValue,
    'X-CloudTasks-TaskETA': headerValue,
    'X-CloudTasks-TaskPreviousResponse': headerValue,
    'Content-Type': fc.constantFrom('application/json', 'text/plain', 'application/x-www-form-urlencoded', ''),
  },
  { requiredKeys: [] },
);
/** n bytes of 'x', printed as `<n bytes>` in a counterexample. */
const oversized = (n: number) => Object.assign(Buffer.alloc(n, 'x'), { toJSON: () => `<${n} bytes>` });
const body = fc.oneof(
  fc.constant(Buffer.alloc(0)),
  fc.json({ maxDepth: 3 }).map((s) => Buffer.from(s)),
  fc.constantFrom('{', '{"a":', 'null', '[1,2', '\u0000', '{"__proto__":{"x":1}}').map((s) => Buffer.from(s)),
  fc.uint8Array({ maxLength: 512 }).map((a) => Buffer.from(a)),
  fc.integer({ min: MAX_BODY + 1, max: 8192 }).map(oversized),
);
/** How the body is framed: honest length, a lie, chunked, or no length at all. */
const framing = fc.constantFrom('length', 'declared-huge', 'chunked', 'none');

const printable = (s: string) => s.replace(/[\r\n]/g, ' ');

function build(method: string, target: string, auth: string, headers: Record<string, string>, payload: Buffer, frame: string): Buffer {
  const lines = [`${method} ${printable(target)} HTTP/1.1`, 'Host: 127.0.0.1', 'Connection: close'];
  if (auth) lines.push(`Authorization: ${printable(auth)}`);
  for (const [k, v] of Object.entries(headers)) lines.push(`${k}: ${printable(v)}`);
  let framed = payload;
  if (frame === 'length') lines.push(`Content-Length: ${payload.length}`);
  if (frame === 'declared-huge') lines.push(`Content-Length: ${10 * 1024 * 1024}`);
  if (frame === 'chunked') {
    lines.push('Transfer-Encoding: chunked');
    framed = payload.length ? Buffer.concat([Buffer.from(`${payload.length.toString(16)}\r\n`), payload, Buffer.from('\r\n0\r\n\r\n')]) : Buffer.from('0\r\n\r\n');
  }
  return Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'), framed]);
}

describe('handler fuzz', () => {
  let key: Keys;
  let jwks: JwksServer;
  let h: Harness;
  let rec: ReturnType<typeof recordingWork>;

  beforeAll(async () => {
    key = await makeKey('key-1');
    jwks = await new JwksServer().start();
    jwks.keys = [key.publicJwk];
    rec = recordingWork();
    h = await startHandler(rec.work, { jwks, env: { TASKS_MAX_BODY_BYTES: String(MAX_BODY), TASKS_BODY_TIMEOUT_SECONDS: '1' } });
  });
  afterAll(async () => {
    await h.close();
    await jwks.stop();
  });

  test('hostile requests get a clear 4xx, never run the work, and the server keeps serving', async () => {
    const port = Number(new URL(h.base).port);
    await fc.assert(
      fc.asyncProperty(methods, path, junkToken, cloudTasksHeaders, body, framing, async (method, target, auth, headers, payload, frame) => {
        const status = await exchange(port, build(method, target, auth, headers as Record<string, string>, payload, frame));
        // /healthz answers GET and HEAD only; the query is not part of the path (`/healthz?` is the health check too).
        const healthCheck = (method === 'GET' || method === 'HEAD') && target.split('?')[0] === '/healthz';
        const ok = healthCheck ? status === 200 : typeof status === 'number' && status >= 400 && status < 500;
        // A short message: the counterexample itself is printed by fast-check.
        if (!ok) throw new Error(`answered ${status} to ${method} ${JSON.stringify(target)} (${frame}, ${payload.length} body bytes)`);
        if (rec.ran.length > 0) throw new Error(`ran the work for an unauthenticated ${method} ${JSON.stringify(target)}`);
      }),
      {
        numRuns: 300,
        seed: fuzzSeed(),
        verbose: 0,
        // Counterexamples found by earlier draws, replayed first on every run.
        examples: [['HEAD', '/healthz?', '', {}, oversized(MAX_BODY + 1), 'length']],
      },
    );
    // Still alive and still verifying: a valid task goes through exactly once.
    const res = await h.post({ ...taskHeaders('after-fuzz'), Authorization: `Bearer ${await sign(key)}` });
    expect(res).toMatchObject({ status: 200, body: { task: 'after-fuzz', status: 'processed' } });
    expect(rec.ran.map((t) => t.context.taskName)).toEqual(['after-fuzz']);
  }, 60_000);
});
