// Dead letters with real signed tokens: a last failing attempt is handed to the sink and acknowledged.
import { createServer, IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BadRequestError } from '../src/context';
import { DeadLetter, DeadLetterPolicy, DeadLetterSink, loadQueueIds, loadQueueRetryPolicies, loadRetryPolicy } from '../src/dead-letter';
import { deadLettersFromEnv, LogDeadLetterSink, PubSubDeadLetterSink } from '../src/sinks';
import { gate, eventually, Harness, JwksServer, Keys, makeKey, recordingWork, sign, startHandler, taskHeaders } from './harness';

const RETRY = { maxAttempts: 3, maxRetryDuration: 0, minBackoff: 1, maxBackoff: 60, maxDoublings: 4 };

/** A sink that records letters, or fails while `failing` is set. */
class MemorySink implements DeadLetterSink {
  letters: DeadLetter[] = [];
  failing = false;
  async write(letter: DeadLetter): Promise<string> {
    if (this.failing) throw new Error('sink unavailable');
    this.letters.push(letter);
    return `letter-${this.letters.length}`;
  }
}

/** Headers of attempt `n` (1-based) of a task that failed with 500 before. */
const attempt = (task: string, n: number) =>
  taskHeaders(task, { 'X-CloudTasks-TaskRetryCount': String(n - 1), ...(n > 1 && { 'X-CloudTasks-TaskPreviousResponse': '500' }) });

describe('dead letters (real tokens)', () => {
  let key: Keys;
  let jwks: JwksServer;
  let h: Harness;
  let sink: MemorySink;
  let bearer: Record<string, string>;

  beforeAll(async () => {
    key = await makeKey('dl-key');
    jwks = await new JwksServer().start();
    jwks.keys = [key.publicJwk];
    bearer = { Authorization: `Bearer ${await sign(key)}` };
  });
  afterAll(() => jwks.stop());
  afterEach(() => h?.close());

  async function start(work = recordingWork(() => { throw new Error('poison'); }).work) {
    sink = new MemorySink();
    h = await startHandler(work, { jwks, deadLetters: new DeadLetterPolicy(RETRY, sink, undefined, {}, ['orders']) });
  }

  test('a task failing every attempt reaches the sink exactly once, on its last attempt, and is acknowledged', async () => {
    const rec = recordingWork(() => {
      throw new Error('poison');
    });
    await start(rec.work);
    const statuses: number[] = [];
    const sinkSizes: number[] = [];
    for (let n = 1; n <= 3; n++) {
      const res = await h.post({ ...attempt('poison-1', n), ...bearer, 'X-Team': 'payments' }, '{"order":42}');
      statuses.push(res.status);
      sinkSizes.push(sink.letters.length);
      if (n === 3) expect(res.body).toEqual({ task: 'poison-1', status: 'dead-lettered' });
    }
    expect(statuses).toEqual([500, 500, 200]);
    expect(sinkSizes).toEqual([0, 0, 1]);
    expect(rec.ran).toHaveLength(3);
    const [letter] = sink.letters;
    expect(letter).toMatchObject({
      queue: 'orders',
      task: 'poison-1',
      attempts: 3,
      retryCount: 2,
      executionCount: 0,
      error: { status: 500, outcome: 'failed', message: 'work failed: poison' },
    });
    expect(Buffer.from(letter.body, 'base64').toString()).toBe('{"order":42}');
    expect(letter.headers).toMatchObject({ 'content-type': 'application/json', 'x-team': 'payments' });
    // Never the token, never the delivery's own headers: replay must not carry them.
    expect(Object.keys(letter.headers).filter((k) => /^(authorization|x-cloudtasks-|user-agent|host)/.test(k))).toEqual([]);
  });

  test('a token holder naming another queue cannot get a letter written for it (replay would enqueue it there)', async () => {
    await start();
    const res = await h.post({ ...attempt('steer-1', 500), ...bearer, 'X-CloudTasks-QueueName': 'victim' }, '{"evil":1}');
    expect(res.status).toBe(500);
    expect(sink.letters).toEqual([]);
  });

  test('a duplicate delivery of the acknowledged last attempt is not dead-lettered twice', async () => {
    await start();
    await h.post({ ...attempt('poison-dup', 3), ...bearer });
    const again = await h.post({ ...attempt('poison-dup', 3), ...bearer });
    expect(again.body).toEqual({ task: 'poison-dup', status: 'duplicate' });
    expect(sink.letters).toHaveLength(1);
  });

  test('a sink failure leaves the last attempt unacknowledged (5xx), and the retry dead-letters it', async () => {
    await start();
    sink.failing = true;
    const res = await h.post({ ...attempt('poison-2', 3), ...bearer });
    expect(res.status).toBe(500);
    expect(res.body.error).toMatch(/dead-letter sink failed: sink unavailable; not acknowledged/);
    // If this was the task's real last attempt, Cloud Tasks deletes it after the 5xx: the ERROR line keeps it whole.
    expect(h.logs.at(-1)).toMatchObject({ outcome: 'dead-letter-failed', status: 500, severity: 'ERROR', deadLetter: { task: 'poison-2', attempts: 3 } });
    sink.failing = false;
    expect((await h.post({ ...attempt('poison-2', 4), ...bearer })).status).toBe(200);
    expect(sink.letters.map((l) => l.attempts)).toEqual([4]);
  });

  test('a rejected task (400 from the work) on its last attempt is dead-lettered with its reason', async () => {
    await start(recordingWork(() => { throw new BadRequestError('order id missing'); }).work);
    expect((await h.post({ ...attempt('bad-1', 3), ...bearer })).status).toBe(200);
    expect(sink.letters[0].error).toEqual({ status: 400, outcome: 'bad-request', message: 'order id missing' });
  });

  test('the task log line of a dead letter is an ERROR with outcome "dead-lettered" and the sink id', async () => {
    await start();
    await h.post({ ...attempt('poison-log', 3), ...bearer });
    expect(h.logs.at(-1)).toMatchObject({ severity: 'ERROR', outcome: 'dead-lettered', status: 200, queue: 'orders', task: 'poison-log', deadLetterId: 'letter-1' });
  });

  test('a successful last attempt is processed, not dead-lettered', async () => {
    await start(recordingWork().work);
    expect((await h.post({ ...attempt('fine', 3), ...bearer })).body.status).toBe('processed');
    expect(sink.letters).toEqual([]);
  });

  test('an unauthenticated last attempt is refused (401) and never reaches the sink', async () => {
    await start();
    const res = await h.post({ ...attempt('forged', 3), Authorization: 'Bearer not-a-token' });
    expect(res.status).toBe(401);
    expect(sink.letters).toEqual([]);
  });

  test('a last attempt that finds the same task running (409) is not dead-lettered', async () => {
    const g = gate();
    const rec = recordingWork(() => g.promise);
    await start(rec.work);
    const first = h.post({ ...attempt('busy', 2), ...bearer });
    await eventually(() => rec.ran.length === 1);
    expect((await h.post({ ...attempt('busy', 3), ...bearer })).status).toBe(409);
    g.open();
    await first;
    expect(sink.letters).toEqual([]);
  });
});

describe('DeadLetterPolicy.isLastAttempt (the FACTS rule: both limits used up)', () => {
  const sink = new MemorySink();
  const NOW = 1_800_000_000_000;
  const ctx = (retryCount: number, etaMs = NOW) => ({ queueName: 'q', taskName: 't', retryCount, executionCount: 0, eta: new Date(etaMs) });
  const policy = (over: Partial<typeof RETRY>) => new DeadLetterPolicy({ ...RETRY, ...over }, sink, () => NOW, {}, ['q']);

  test.each([0, 1, 2, 3, 8])('max_attempts 10, duration "0s": attempt %i + 1 is not the last', (retryCount) => {
    expect(policy({ maxAttempts: 10 }).isLastAttempt(ctx(retryCount))).toBe(false);
  });

  test('max_attempts 10, duration "0s": attempt 10 is the last, and so is any later one', () => {
    expect(policy({ maxAttempts: 10 }).isLastAttempt(ctx(9))).toBe(true);
    expect(policy({ maxAttempts: 10 }).isLastAttempt(ctx(12))).toBe(true);
  });

  test('max_attempts -1 (unlimited): no attempt is ever the last, whatever the duration', () => {
    expect(policy({ maxAttempts: -1 }).isLastAttempt(ctx(500))).toBe(false);
    expect(policy({ maxAttempts: -1, maxRetryDuration: 10 }).isLastAttempt(ctx(500, NOW - 86_400_000))).toBe(false);
  });

  test('a positive duration keeps a task with its attempts used up alive until the duration has passed', () => {
    // backoffs 1, 2, 4: the first attempt was at least 7 s before this attempt's ETA
    const p = policy({ maxAttempts: 3, maxRetryDuration: 3600 });
    expect(p.isLastAttempt(ctx(3, NOW))).toBe(false);
    expect(p.isLastAttempt(ctx(3, NOW - 3600_000))).toBe(true);
  });

  test('with a positive duration, the attempt after which the next retry would start past the duration is the last', () => {
    // retries 1..3 waited 1 + 2 + 4 = 7 s; the next backoff is 8 s: 7 + 8 >= 15 → last, 7 + 8 < 16 → not
    expect(policy({ maxAttempts: 2, maxRetryDuration: 15 }).isLastAttempt(ctx(3, NOW))).toBe(true);
    expect(policy({ maxAttempts: 2, maxRetryDuration: 16 }).isLastAttempt(ctx(3, NOW))).toBe(false);
  });

  test('a positive duration never makes an attempt last before max_attempts', () => {
    expect(policy({ maxAttempts: 5, maxRetryDuration: 1 }).isLastAttempt(ctx(3, NOW - 86_400_000))).toBe(false);
  });
});

describe('per-queue limits (a handler shared by several queues)', () => {
  const NOW = 1_800_000_000_000;
  const ctx = (queueName: string, retryCount: number) => ({ queueName, taskName: 't', retryCount, executionCount: 0, eta: new Date(NOW) });

  test('a queue\'s own limits win over the default ones; a queue with no known limits is never dead-lettered', () => {
    const p = new DeadLetterPolicy(undefined, new MemorySink(), () => NOW, { orders: { ...RETRY, maxAttempts: 2 }, emails: { ...RETRY, maxAttempts: 5 } });
    expect(p.isLastAttempt(ctx('orders', 1))).toBe(true);
    expect(p.isLastAttempt(ctx('emails', 1))).toBe(false);
    expect(p.isLastAttempt(ctx('emails', 4))).toBe(true);
    expect(p.isLastAttempt(ctx('unknown', 500))).toBe(false);
  });

  test('the default limits apply to the queues named for them only, never to a queue a request invents', () => {
    const p = new DeadLetterPolicy(RETRY, new MemorySink(), () => NOW, { emails: { ...RETRY, maxAttempts: 5 } }, ['orders']);
    expect(p.isLastAttempt(ctx('orders', 2))).toBe(true);
    expect(p.isLastAttempt(ctx('victim', 500))).toBe(false);
    expect(new DeadLetterPolicy(RETRY, new MemorySink(), () => NOW, { emails: { ...RETRY, maxAttempts: 5 } }).isLastAttempt(ctx('victim', 500))).toBe(false);
  });

  test('limits that belong to no queue are refused: they would dead-letter any queue a request names', () => {
    expect(() => new DeadLetterPolicy(RETRY, new MemorySink())).toThrow(/retry limits without a queue .*TASKS_QUEUE_ID/);
    expect(() => deadLettersFromEnv({ TASKS_MAX_ATTEMPTS: '3' })).toThrow(/TASKS_QUEUE_ID/);
  });

  test('TASKS_QUEUE_ID names the queue(s) TASKS_MAX_ATTEMPTS belongs to; anything else is refused at startup', () => {
    const p = deadLettersFromEnv({ TASKS_MAX_ATTEMPTS: '3', TASKS_QUEUE_ID: 'orders, emails' })!;
    expect(p.queues).toEqual(['orders', 'emails']);
    expect(p.retryFor('victim')).toBeUndefined();
    expect(() => deadLettersFromEnv({ TASKS_MAX_ATTEMPTS: '3', TASKS_QUEUE_ID: 'orders,bad/queue' })).toThrow(/handler environment \(dead letters\)[\s\S]*'TASKS_QUEUE_ID' must be queue ids .*got "bad\/queue"/);
    expect(loadQueueIds({})).toEqual([]);
    expect(loadQueueIds({ TASKS_QUEUE_ID: '' })).toEqual([]);
  });

  test('TASKS_QUEUE_RETRY_LIMITS is read as the construct writes it', () => {
    expect(loadQueueRetryPolicies({ TASKS_QUEUE_RETRY_LIMITS: '{"orders":{"maxAttempts":5,"maxRetryDuration":"0s","minBackoff":"2s"}}' })).toEqual({
      orders: { maxAttempts: 5, maxRetryDuration: 0, minBackoff: 2, maxBackoff: 3600, maxDoublings: 16 },
    });
    expect(deadLettersFromEnv({ TASKS_QUEUE_RETRY_LIMITS: '{"orders":{"maxAttempts":5}}' })?.retryFor('orders')?.maxAttempts).toBe(5);
  });

  test('malformed per-queue limits name the queue and the field', () => {
    expect(() => loadQueueRetryPolicies({ TASKS_QUEUE_RETRY_LIMITS: '{"orders":{"maxAttempts":"many"},"emails":3}' })).toThrow(
      /'TASKS_QUEUE_RETRY_LIMITS.orders.maxAttempts' must be an integer >= -1.*got "many"[\s\S]*'TASKS_QUEUE_RETRY_LIMITS.emails' must be an object/,
    );
    expect(() => loadQueueRetryPolicies({ TASKS_QUEUE_RETRY_LIMITS: '[1]' })).toThrow(/'TASKS_QUEUE_RETRY_LIMITS' must be a JSON object/);
  });
});

describe('loadRetryPolicy / deadLettersFromEnv', () => {
  test('without TASKS_MAX_ATTEMPTS dead letters are off (no attempt can be called the last)', () => {
    expect(loadRetryPolicy({})).toBeUndefined();
    expect(deadLettersFromEnv({})).toBeUndefined();
  });

  test('reads the limits the construct sets, with the service defaults for the rest', () => {
    expect(loadRetryPolicy({ TASKS_MAX_ATTEMPTS: '5', TASKS_MAX_RETRY_DURATION: '3600s', TASKS_MIN_BACKOFF: '0.5s' })).toEqual({
      maxAttempts: 5,
      maxRetryDuration: 3600,
      minBackoff: 0.5,
      maxBackoff: 3600,
      maxDoublings: 16,
    });
  });

  test('malformed limits fail startup with one message naming each variable', () => {
    const message = (() => {
      try {
        loadRetryPolicy({ TASKS_MAX_ATTEMPTS: 'ten', TASKS_MAX_RETRY_DURATION: '1h', TASKS_MAX_DOUBLINGS: '-2' });
      } catch (e) {
        return (e as Error).message;
      }
      return 'no error';
    })();
    expect(message).toMatch(/'TASKS_MAX_ATTEMPTS' must be an integer >= -1 \(-1 = unlimited\), got "ten"/);
    expect(message).toMatch(/'TASKS_MAX_RETRY_DURATION' must be a duration in seconds like "10s" or "0.1s", got "1h"/);
    expect(message).toMatch(/'TASKS_MAX_DOUBLINGS' must be a whole number, got "-2"/);
  });

  test('TASKS_DEAD_LETTER_TOPIC picks the Pub/Sub sink; without it the ERROR log entry', () => {
    expect(deadLettersFromEnv({ TASKS_MAX_ATTEMPTS: '3', TASKS_QUEUE_ID: 'orders', TASKS_DEAD_LETTER_TOPIC: 'projects/p1/topics/dl' })?.sink).toBeInstanceOf(PubSubDeadLetterSink);
    expect(deadLettersFromEnv({ TASKS_MAX_ATTEMPTS: '3', TASKS_QUEUE_ID: 'orders' })?.sink).toBeInstanceOf(LogDeadLetterSink);
  });

  test('a malformed topic is refused with the expected form', () => {
    expect(() => new PubSubDeadLetterSink({ topic: 'dl' })).toThrow(/must be "projects\/PROJECT\/topics\/TOPIC", got "dl"/);
  });
});

const LETTER: DeadLetter = {
  queue: 'orders',
  task: 't-9',
  attempts: 3,
  retryCount: 2,
  executionCount: 1,
  headers: { 'content-type': 'application/json' },
  body: Buffer.from('{"order":9}').toString('base64'),
  error: { status: 500, outcome: 'failed', message: 'work failed: boom' },
  deadLetteredAt: '2026-11-26T01:00:00.000Z',
};

describe('LogDeadLetterSink', () => {
  test('writes one ERROR entry carrying the whole task', async () => {
    const logs: unknown[] = [];
    await new LogDeadLetterSink((e) => logs.push(e)).write(LETTER);
    expect(logs).toEqual([
      { severity: 'ERROR', message: 'dead letter: task t-9 of queue orders after 3 attempt(s): work failed: boom', event: 'dead-letter', deadLetter: LETTER },
    ]);
  });
});

/** Records every request; answers the metadata token and publish calls like Google does (or with `publishStatus`). */
class RecordingGoogle {
  requests: { method: string; url: string; headers: IncomingHttpHeaders; body: string }[] = [];
  publishStatus = 200;
  /** Publishes answered 503 before the first success. */
  unavailable = 0;
  private server?: Server;
  host = '';

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        this.requests.push({ method: req.method!, url: req.url!, headers: req.headers, body: Buffer.concat(chunks).toString() });
        const json = (status: number, body: unknown) => res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
        if (req.url?.startsWith('/computeMetadata/')) json(200, { access_token: 'ya29.metadata-token', expires_in: 3599, token_type: 'Bearer' });
        else if (this.unavailable > 0 && this.unavailable--) json(503, { error: { code: 503, message: 'The service is currently unavailable.', status: 'UNAVAILABLE' } });
        else if (this.publishStatus !== 200) json(this.publishStatus, { error: { code: this.publishStatus, message: 'User not authorized to perform this action.', status: 'PERMISSION_DENIED' } });
        else json(200, { messageIds: ['4242'] });
      });
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.host = `127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  stop(): Promise<void> {
    return new Promise((r) => this.server?.close(() => r()));
  }
}

describe('PubSubDeadLetterSink (against a local recording server)', () => {
  let google: RecordingGoogle;
  beforeEach(async () => (google = await new RecordingGoogle().start()));
  afterEach(() => google.stop());

  const sinkFor = () => new PubSubDeadLetterSink({ topic: 'projects/acme-prod/topics/orders-dead-letters', endpoint: `http://${google.host}`, metadataHost: google.host });

  test.each(['http://pubsub.example.com', 'https://pubsub.example.com', 'http://pubsub.googleapis.com', 'https://pubsub.googleapis.com.example.com'])(
    'refuses endpoint %s: the runtime account\'s token goes only to Google or this machine',
    (endpoint) => {
      expect(() => new PubSubDeadLetterSink({ topic: 'projects/acme-prod/topics/orders-dead-letters', endpoint })).toThrow(/must be https:\/\/\*\.googleapis\.com, or http\(s\) on a loopback host/);
    },
  );

  test('accepts Google\'s endpoint (the default)', () => {
    expect(() => new PubSubDeadLetterSink({ topic: 'projects/acme-prod/topics/orders-dead-letters' })).not.toThrow();
  });

  test('gets a token from the metadata server, then publishes exactly what the REST API expects', async () => {
    const id = await sinkFor().write(LETTER);
    expect(id).toBe('4242');
    const [token, publish] = google.requests;
    expect(token).toMatchObject({ method: 'GET', url: '/computeMetadata/v1/instance/service-accounts/default/token' });
    expect(token.headers['metadata-flavor']).toBe('Google');
    expect(publish.method).toBe('POST');
    expect(publish.url).toBe('/v1/projects/acme-prod/topics/orders-dead-letters:publish');
    expect(publish.headers.authorization).toBe('Bearer ya29.metadata-token');
    expect(publish.headers['content-type']).toBe('application/json');
    const body = JSON.parse(publish.body);
    expect(body).toEqual({
      messages: [{ data: expect.any(String), attributes: { queue: 'orders', task: 't-9', attempts: '3', status: '500', outcome: 'failed' } }],
    });
    expect(JSON.parse(Buffer.from(body.messages[0].data, 'base64').toString())).toEqual(LETTER);
  });

  test('the metadata token is cached: two letters, one token request', async () => {
    const sink = sinkFor();
    await sink.write(LETTER);
    await sink.write({ ...LETTER, task: 't-10' });
    expect(google.requests.map((r) => r.method)).toEqual(['GET', 'POST', 'POST']);
  });

  test('a 503 from Pub/Sub is retried in place; a refusal (403) is not', async () => {
    google.unavailable = 2;
    const sink = new PubSubDeadLetterSink({ topic: 'projects/acme-prod/topics/orders-dead-letters', endpoint: `http://${google.host}`, metadataHost: google.host, retryDelaysMs: [1, 1] });
    expect(await sink.write(LETTER)).toBe('4242');
    expect(google.requests.filter((r) => r.method === 'POST')).toHaveLength(3);
    google.publishStatus = 403;
    await expect(sink.write(LETTER)).rejects.toThrow(/HTTP 403/);
    expect(google.requests.filter((r) => r.method === 'POST')).toHaveLength(4);
  });

  test('a refused publish rejects with the status and Google\'s message', async () => {
    google.publishStatus = 403;
    await expect(sinkFor().write(LETTER)).rejects.toThrow(/Pub\/Sub publish to projects\/acme-prod\/topics\/orders-dead-letters failed: HTTP 403 .*not authorized/);
  });

  test('through the handler: a refused publish is a 500 and the task stays with Cloud Tasks', async () => {
    google.publishStatus = 403;
    const h = await startHandler(recordingWork(() => { throw new Error('poison'); }).work, {
      env: { TASKS_AUTH: 'disabled' },
      deadLetters: new DeadLetterPolicy(RETRY, sinkFor(), undefined, {}, ['orders']),
    });
    try {
      const res = await h.post(attempt('ps-1', 3));
      expect(res.status).toBe(500);
      expect(res.body.error).toMatch(/HTTP 403/);
      google.publishStatus = 200;
      expect((await h.post(attempt('ps-1', 4))).body.status).toBe('dead-lettered');
    } finally {
      await h.close();
    }
  });
});
