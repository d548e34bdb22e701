// The dead-letter CLI against a recording server standing in for Pub/Sub and Cloud Tasks: the real-queue path
// (REST pull, BufferTask/CreateTask replay, acknowledge or release), never a cloud endpoint.
import { main } from '../../client/dead-letters-cli';
import { replayTaskId } from '../../client/dead-letters';
import { googleError, Recorded, Recorder } from './recorder';

const LETTER = {
  queue: 'orders',
  task: '1234567890',
  attempts: 5,
  retryCount: 4,
  executionCount: 0,
  headers: { 'content-type': 'application/json', 'x-order': '42', 'x-cloudtasks-taskname': 'stale' },
  body: Buffer.from('{"order":42}').toString('base64'),
  error: { status: 500, outcome: 'failed', message: 'work failed: database down' },
  deadLetteredAt: '2026-11-26T01:00:00.000Z',
};
const received = (id: string, letter: object = LETTER) => ({
  ackId: `ack-${id}`,
  message: { data: Buffer.from(JSON.stringify(letter)).toString('base64'), attributes: { queue: 'orders' }, messageId: id, publishTime: '2026-11-26T01:00:01Z' },
});
const SUB = '/v1/projects/my-gcp-project/subscriptions/tasks-dead-letters';
const json = (r: Recorded) => JSON.parse(r.body.toString() || '{}');

describe('dead-letters CLI (real-queue path, recording server)', () => {
  let google: Recorder;
  let pulls: object[][];
  let out: string;
  let err: string;
  const run = (...args: string[]) =>
    main([...args, '--pubsub-endpoint', google.endpoint, '--endpoint', google.endpoint, '--token', 'ya29.cli'], (t) => (out += t), (t) => (err += t));

  beforeAll(async () => (google = await new Recorder().start()));
  afterAll(() => google.stop());
  beforeEach(() => {
    google.requests.length = 0;
    [out, err] = ['', ''];
    pulls = [[received('101')]];
    google.fallback = (r) => {
      if (r.url.endsWith(':pull')) return { status: 200, body: { receivedMessages: pulls.shift() ?? [] } };
      if (r.url.includes(':buffer')) return { status: 200, body: { task: { name: `projects/my-gcp-project/locations/us-central1/queues/orders/tasks/${r.url.split('/tasks/')[1].replace(':buffer', '')}` } } };
      return { status: 200, body: {} };
    };
  });

  test('list pulls from the configured subscription with the token, prints each letter and gives the leases back', async () => {
    expect(await run('list')).toBe(0);
    expect(out).toBe('101  2026-11-26T01:00:00.000Z  orders/1234567890  5 attempts  500 failed: work failed: database down\n');
    expect(google.requests.map((r) => `${r.method} ${r.url}`)).toEqual([`POST ${SUB}:pull`, `POST ${SUB}:pull`, `POST ${SUB}:modifyAckDeadline`]);
    expect(google.requests[0].headers.authorization).toBe('Bearer ya29.cli');
    expect(json(google.requests[0])).toEqual({ maxMessages: 100 });
    expect(json(google.requests[2])).toEqual({ ackIds: ['ack-101'], ackDeadlineSeconds: 0 });
  });

  test('replay buffers the original body and headers on the original queue, then acknowledges the letter', async () => {
    expect(await run('replay', '101')).toBe(0);
    const buffer = google.requests.find((r) => r.url.includes(':buffer'))!;
    expect(buffer.url).toBe(`/v2/projects/my-gcp-project/locations/us-central1/queues/orders/tasks/${replayTaskId('1234567890', '101')}:buffer`);
    expect(buffer.body.toString()).toBe('{"order":42}');
    expect(buffer.headers).toMatchObject({ 'content-type': 'application/json', 'x-order': '42', authorization: 'Bearer ya29.cli' });
    expect(buffer.headers['x-cloudtasks-taskname']).toBeUndefined(); // reserved headers are never replayed
    const ack = google.requests.find((r) => r.url.endsWith(':acknowledge'))!;
    expect(json(ack)).toEqual({ ackIds: ['ack-101'] });
    expect(google.requests.some((r) => r.url.endsWith(':modifyAckDeadline'))).toBe(false);
  });

  test('replay --via create uses CreateTask with the same task id', async () => {
    expect(await run('replay', '--all', '--via', 'create')).toBe(0);
    const create = google.requests.find((r) => /\/queues\/orders\/tasks(\?|$)/.test(r.url))!;
    const task = json(create).task;
    expect(task.name).toBe(`projects/my-gcp-project/locations/us-central1/queues/orders/tasks/${replayTaskId('1234567890', '101')}`);
    expect(Buffer.from(task.httpRequest.body, 'base64').toString()).toBe('{"order":42}');
    expect(task.httpRequest.headers).toMatchObject({ 'content-type': 'application/json', 'x-order': '42' });
  });

  test('a failed enqueue keeps the letter (released, not acknowledged) and exits 1', async () => {
    google.script.push(
      { status: 200, body: { receivedMessages: [received('101')] } },
      { status: 200, body: { receivedMessages: [] } },
      googleError(403, 'PERMISSION_DENIED', 'The principal lacks cloudtasks.tasks.create'),
    );
    expect(await run('replay', '101')).toBe(1);
    expect(err).toMatch(/replay of 101 failed, the letter stays: .*cloudtasks.tasks.create/);
    expect(google.requests.some((r) => r.url.endsWith(':acknowledge'))).toBe(false);
    expect(json(google.requests.at(-1)!)).toEqual({ ackIds: ['ack-101'], ackDeadlineSeconds: 0 });
  });

  test('show of an unknown id exits 1 and says why', async () => {
    expect(await run('show', '999')).toBe(1);
    expect(err).toMatch(/no dead letter 999/);
  });

  test('a Pub/Sub error is reported with the status and message', async () => {
    google.script.push(googleError(404, 'NOT_FOUND', 'Resource not found (resource=tasks-dead-letters).'));
    await expect(run('list')).rejects.toThrow(/Pub\/Sub pull on projects\/my-gcp-project\/subscriptions\/tasks-dead-letters failed: HTTP 404 Resource not found/);
  });

  test.each([
    [['replay'], /replay takes dead-letter IDs or --all/],
    [['replay', '1', '--all'], /replay takes dead-letter IDs or --all/],
    [['show'], /show takes one dead-letter ID/],
    [['purge'], /expected list, show, replay or stats, got "purge"/],
    [['replay', '--all', '--via', 'push'], /--via must be "buffer" or "create", got "push"/],
    [['list', '--max', '0'], /--max must be a whole number >= 1, got "0"/],
  ])('usage error: %j', async (args, message) => {
    await expect(run(...args)).rejects.toThrow(message);
  });
});

describe('dead-letters CLI --local', () => {
  let fetchSpy: jest.SpyInstance;
  beforeEach(() => {
    // No dev server runs here: record where --local goes and answer like an empty one.
    fetchSpy = jest.spyOn(globalThis, 'fetch').mockImplementation(async (input) =>
      String(input).endsWith('/stats') ? new Response(JSON.stringify({ queues: [] })) : new Response(JSON.stringify({ receivedMessages: [] })),
    );
  });
  afterEach(() => fetchSpy.mockRestore());

  test('GIVEN --local WHEN listing THEN it pulls from the dev server\'s default ops port (REST + 2; REST + 1 is gRPC) with the local token', async () => {
    expect(await main(['list', '--local'], () => undefined, () => undefined)).toBe(0);
    const [url, init] = fetchSpy.mock.calls[0];
    expect(url).toBe('http://127.0.0.1:8125/v1/projects/my-gcp-project/subscriptions/tasks-dead-letters:pull');
    expect(init.headers.Authorization).toBe('Bearer local');
  });

  test('GIVEN --queue WHEN listing THEN it pulls from that queue\'s subscription', async () => {
    expect(await main(['list', '--local', '--queue', 'emails'], () => undefined, () => undefined)).toBe(0);
    expect(fetchSpy.mock.calls[0][0]).toBe('http://127.0.0.1:8125/v1/projects/my-gcp-project/subscriptions/emails-dead-letters:pull');
  });

  test('GIVEN --local WHEN asking for stats THEN it reads /stats on the default ops port', async () => {
    expect(await main(['stats', '--local'], () => undefined, () => undefined)).toBe(0);
    expect(fetchSpy.mock.calls[0][0]).toBe('http://127.0.0.1:8125/stats');
  });
});

describe('dead-letters CLI when the queue\'s sink is the log (the default config here)', () => {
  let fetchSpy: jest.SpyInstance;
  const saved = process.env.PUBSUB_ENDPOINT;
  beforeEach(() => {
    delete process.env.PUBSUB_ENDPOINT;
    fetchSpy = jest.spyOn(globalThis, 'fetch').mockImplementation(async () => new Response(JSON.stringify({ receivedMessages: [] })));
  });
  afterEach(() => {
    fetchSpy.mockRestore();
    if (saved === undefined) delete process.env.PUBSUB_ENDPOINT;
    else process.env.PUBSUB_ENDPOINT = saved;
  });

  test('GIVEN no --local WHEN showing a letter THEN it says the sink is the log, suggests --local and the logging query, and calls nothing', async () => {
    const error = await main(['show', '2'], () => undefined, () => undefined).catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(/queue "tasks" of environment "dev" keeps its dead letters in the log \(deadLetterSink "log"/);
    expect((error as Error).message).toContain('add --local');
    expect((error as Error).message).toContain(`gcloud logging read 'jsonPayload.event="dead-letter"' --project my-gcp-project`);
    expect(fetchSpy).not.toHaveBeenCalled();
  });

  test.each([
    ['--local', ['--local']],
    ['--subscription', ['--subscription', 'projects/p/subscriptions/s']],
    ['--pubsub-endpoint', ['--pubsub-endpoint', 'http://127.0.0.1:9']],
  ])('GIVEN %s WHEN listing THEN it reads Pub/Sub as asked', async (_flag, args) => {
    expect(await main(['list', ...args, '--token', 'local'], () => undefined, () => undefined)).toBe(0);
    expect(fetchSpy).toHaveBeenCalled();
  });

  test('GIVEN $PUBSUB_ENDPOINT WHEN listing THEN it reads Pub/Sub there', async () => {
    process.env.PUBSUB_ENDPOINT = 'http://127.0.0.1:9';
    expect(await main(['list', '--token', 'local'], () => undefined, () => undefined)).toBe(0);
    expect(fetchSpy).toHaveBeenCalled();
  });

  test('GIVEN --queue names a queue the config does not know WHEN listing THEN its subscription is read (the sink is unknown)', async () => {
    expect(await main(['list', '--queue', 'elsewhere', '--token', 'local'], () => undefined, () => undefined)).toBe(0);
    expect(fetchSpy.mock.calls[0][0]).toBe('https://pubsub.googleapis.com/v1/projects/my-gcp-project/subscriptions/elsewhere-dead-letters:pull');
  });
});

describe('replayTaskId', () => {
  test('is deterministic per letter and a valid task id', () => {
    expect(replayTaskId('order-42', '777')).toBe('order-42-replay-777');
    expect(replayTaskId('x'.repeat(600), '1')).toHaveLength(500);
  });
});
