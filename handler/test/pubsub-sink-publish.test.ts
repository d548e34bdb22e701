// The Pub/Sub dead-letter sink against a local server standing in for Pub/Sub and the metadata server:
// retries, error messages, the publish URL, which endpoints may receive the token, and the sink the environment picks.
import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DeadLetter } from '../src/dead-letter';
import { LogDeadLetterSink, PubSubDeadLetterSink, sinkFromEnv } from '../src/sinks';

const TOPIC = 'projects/acme-prod/topics/orders-dead-letters';
const letter = { queue: 'orders', task: 't-1', attempts: 3, error: { status: 500, outcome: 'failed', message: 'boom' } } as unknown as DeadLetter;

/** Answers publishes with the queued answers (the last one repeats); the metadata path always with a token. */
class FakeGoogle {
  publishes: string[] = [];
  tokenRequests = 0;
  answers: { status: number; body: string }[] = [{ status: 200, body: JSON.stringify({ messageIds: ['4242'] }) }];
  host = '';
  private server?: Server;

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        if (req.url?.startsWith('/computeMetadata/')) {
          this.tokenRequests++;
          res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ access_token: 'ya29.t', expires_in: 3600 }));
          return;
        }
        this.publishes.push(req.url!);
        const a = this.answers.length > 1 ? this.answers.shift()! : this.answers[0];
        res.writeHead(a.status, { 'Content-Type': 'application/json' }).end(a.body);
      });
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.host = `127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  answer(status: number, body: string): this {
    if (this.answers.length === 1 && this.answers[0].status === 200) this.answers = [];
    this.answers.push({ status, body });
    return this;
  }

  stop(): Promise<void> {
    return new Promise((r) => this.server?.close(() => r()));
  }
}

const unavailable = JSON.stringify({ error: { code: 503, status: 'UNAVAILABLE' } });
const ok = JSON.stringify({ messageIds: ['4242'] });

describe('PubSubDeadLetterSink publishing (local Pub/Sub stand-in)', () => {
  let g: FakeGoogle;
  const sink = (over: Partial<ConstructorParameters<typeof PubSubDeadLetterSink>[0]> = {}) =>
    new PubSubDeadLetterSink({ topic: TOPIC, endpoint: `http://${g.host}`, token: async () => 'ya29.t', ...over });

  beforeEach(async () => (g = await new FakeGoogle().start()));
  afterEach(() => g.stop());

  test('GIVEN Pub/Sub is unavailable twice WHEN a letter is written with the default delays THEN it retries twice and returns the message id', async () => {
    g.answer(503, unavailable).answer(503, unavailable).answer(200, ok);
    await expect(sink().write(letter)).resolves.toBe('4242');
    expect(g.publishes).toHaveLength(3);
  });

  test('GIVEN Pub/Sub stays unavailable WHEN a letter is written THEN it gives up after one try per delay plus one, naming the status', async () => {
    g.answer(503, unavailable);
    await expect(sink({ retryDelaysMs: [1, 1] }).write(letter)).rejects.toThrow(`Pub/Sub publish to ${TOPIC} failed: HTTP 503 ${unavailable}`);
    expect(g.publishes).toHaveLength(3);
  });

  test('GIVEN Pub/Sub answers 500 once WHEN a letter is written THEN the 500 is retried', async () => {
    g.answer(500, '{}').answer(200, ok);
    await expect(sink({ retryDelaysMs: [1] }).write(letter)).resolves.toBe('4242');
    expect(g.publishes).toHaveLength(2);
  });

  test('GIVEN Pub/Sub refuses with 403 and a long body WHEN a letter is written THEN it is not retried and the message shows 300 characters of the body', async () => {
    g.answer(403, 'x'.repeat(1000));
    const e = await sink({ retryDelaysMs: [1, 1] }).write(letter).catch((err: Error) => err);
    expect((e as Error).message).toBe(`Pub/Sub publish to ${TOPIC} failed: HTTP 403 ${'x'.repeat(300)}`);
    expect(g.publishes).toHaveLength(1);
  });

  test('GIVEN a 200 answer without message ids WHEN a letter is written THEN it rejects: the publish is unconfirmed', async () => {
    g.answer(200, '{}');
    await expect(sink({ retryDelaysMs: [] }).write(letter)).rejects.toThrow(`Pub/Sub publish to ${TOPIC} returned no message id: {}`);
  });

  test('GIVEN a 200 answer without message ids and a long body WHEN a letter is written THEN the message shows 300 characters of it', async () => {
    const body = JSON.stringify({ messageIds: [], note: 'y'.repeat(1000) });
    g.answer(200, body);
    await expect(sink({ retryDelaysMs: [] }).write(letter)).rejects.toThrow(new Error(`Pub/Sub publish to ${TOPIC} returned no message id: ${body.slice(0, 300)}`));
  });

  test('GIVEN an endpoint with trailing slashes WHEN a letter is written THEN it publishes to /v1/TOPIC:publish', async () => {
    await sink({ endpoint: `http://${g.host}//` }).write(letter);
    expect(g.publishes).toEqual([`/v1/${TOPIC}:publish`]);
  });

  test.each(['xprojects/p/topics/t', 'projects/p/topics/t/extra'])('GIVEN topic %j WHEN the sink is made THEN it is rejected', (topic) => {
    expect(() => new PubSubDeadLetterSink({ topic })).toThrow(`dead-letter topic must be "projects/PROJECT/topics/TOPIC", got ${JSON.stringify(topic)}`);
  });

  test.each(['ftp://127.0.0.1:8085', 'not a url', 'http://pubsub.googleapis.com', 'https://pubsub.googleapis.com.evil.example'])(
    'GIVEN endpoint %j WHEN the sink is made THEN the token is never sent there',
    (endpoint) => {
      expect(() => new PubSubDeadLetterSink({ topic: TOPIC, endpoint })).toThrow(`dead-letter Pub/Sub endpoint must be https://*.googleapis.com, or http(s) on a loopback host (local development), got ${JSON.stringify(endpoint)}`);
    },
  );

  test.each(['http://127.0.0.1:8085', 'https://localhost:8085', 'https://europe-west1-pubsub.googleapis.com'])('GIVEN endpoint %j WHEN the sink is made THEN it is accepted', (endpoint) => {
    expect(new PubSubDeadLetterSink({ topic: TOPIC, endpoint })).toBeInstanceOf(PubSubDeadLetterSink);
  });
});

describe('sinkFromEnv (local Pub/Sub and metadata stand-in)', () => {
  let g: FakeGoogle;
  const savedHost = process.env.GCE_METADATA_HOST;
  beforeEach(async () => {
    delete process.env.GCE_METADATA_HOST;
    g = await new FakeGoogle().start();
  });
  afterEach(async () => {
    if (savedHost !== undefined) process.env.GCE_METADATA_HOST = savedHost;
    await g.stop();
  });

  test('GIVEN a topic, a Pub/Sub endpoint and a metadata host in the env WHEN a letter is written THEN the token comes from that host and the letter goes to that endpoint', async () => {
    const s = sinkFromEnv({ TASKS_DEAD_LETTER_TOPIC: TOPIC, TASKS_PUBSUB_ENDPOINT: `http://${g.host}`, GCE_METADATA_HOST: g.host });
    await expect(s.write(letter)).resolves.toBe('4242');
    expect(g.tokenRequests).toBe(1);
    expect(g.publishes).toEqual([`/v1/${TOPIC}:publish`]);
  });

  test('GIVEN a topic and an empty endpoint WHEN the sink is made THEN it is the Pub/Sub sink with the default endpoint', () => {
    expect(sinkFromEnv({ TASKS_DEAD_LETTER_TOPIC: TOPIC, TASKS_PUBSUB_ENDPOINT: '', GCE_METADATA_HOST: '' })).toBeInstanceOf(PubSubDeadLetterSink);
  });

  test('GIVEN no topic WHEN the sink is made THEN dead letters go to the log', () => {
    expect(sinkFromEnv({ TASKS_DEAD_LETTER_TOPIC: '' })).toBeInstanceOf(LogDeadLetterSink);
  });
});
