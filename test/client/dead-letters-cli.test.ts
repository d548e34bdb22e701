// The dead-letter CLI against a recording server standing in for Pub/Sub and Cloud Tasks: the real-queue path
// (REST pull, BufferTask/CreateTask replay, acknowledge or release), never a cloud endpoint.
import { main } from '../../client/dead-letters-cli';
import { RefusedDeadLetterError, replayDeadLetter, replayTaskId } from '../../client/dead-letters';
import { deadLetterProblem, headerValueProblem } from '../../limits';
import { googleError, Recorded, Recorder } from './recorder';

const LETTER = {
  queue: 'tasks',
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
  message: { data: Buffer.from(JSON.stringify(letter)).toString('base64'), attributes: { queue: 'tasks' }, messageId: id, publishTime: '2026-11-26T01:00:01Z' },
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
      if (r.url.includes(':buffer')) return { status: 200, body: { task: { name: `projects/my-gcp-project/locations/us-central1/queues/tasks/tasks/${r.url.split('/tasks/')[1].replace(':buffer', '')}` } } };
      return { status: 200, body: {} };
    };
  });

  test('list pulls from the configured subscription with the token, prints each letter and gives the leases back', async () => {
    expect(await run('list')).toBe(0);
    expect(out).toBe('101  2026-11-26T01:00:00.000Z  tasks/1234567890  5 attempts  500 failed: work failed: database down\n');
    expect(google.requests.map((r) => `${r.method} ${r.url}`)).toEqual([`POST ${SUB}:pull`, `POST ${SUB}:pull`, `POST ${SUB}:modifyAckDeadline`]);
    expect(google.requests[0].headers.authorization).toBe('Bearer ya29.cli');
    expect(json(google.requests[0])).toEqual({ maxMessages: 100 });
    expect(json(google.requests[2])).toEqual({ ackIds: ['ack-101'], ackDeadlineSeconds: 0 });
  });

  test('replay buffers the original body and headers on the subscription\'s queue, then acknowledges the letter', async () => {
    expect(await run('replay', '101')).toBe(0);
    const buffer = google.requests.find((r) => r.url.includes(':buffer'))!;
    expect(buffer.url).toBe(`/v2/projects/my-gcp-project/locations/us-central1/queues/tasks/tasks/${replayTaskId('1234567890', '101')}:buffer`);
    expect(buffer.body.toString()).toBe('{"order":42}');
    expect(buffer.headers).toMatchObject({ 'content-type': 'application/json', 'x-order': '42', authorization: 'Bearer ya29.cli' });
    expect(buffer.headers['x-cloudtasks-taskname']).toBeUndefined(); // reserved headers are never replayed
    const ack = google.requests.find((r) => r.url.endsWith(':acknowledge'))!;
    expect(json(ack)).toEqual({ ackIds: ['ack-101'] });
    expect(google.requests.some((r) => r.url.endsWith(':modifyAckDeadline'))).toBe(false);
  });

  test('replay --via create uses CreateTask with the same task id', async () => {
    expect(await run('replay', '--all', '--via', 'create')).toBe(0);
    const create = google.requests.find((r) => /\/queues\/tasks\/tasks(\?|$)/.test(r.url))!;
    const task = json(create).task;
    expect(task.name).toBe(`projects/my-gcp-project/locations/us-central1/queues/tasks/tasks/${replayTaskId('1234567890', '101')}`);
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

  test('a letter naming another queue is refused, reported and left: replay goes only to the subscription\'s queue', async () => {
    pulls = [[received('101', { ...LETTER, queue: 'victim' })]];
    expect(await run('replay', '--all')).toBe(1);
    expect(err).toMatch(/dead letter 101 names queue "victim", not "tasks" .*refused/);
    expect(google.requests.some((r) => r.url.includes('/queues/victim') || r.url.includes(':buffer'))).toBe(false);
    expect(google.requests.some((r) => r.url.endsWith(':acknowledge'))).toBe(false);
    expect(json(google.requests.at(-1)!)).toEqual({ ackIds: ['ack-101'], ackDeadlineSeconds: 0 });
  });

  const raw = (id: string, data: string) => ({ ackId: `ack-${id}`, message: { data: Buffer.from(data).toString('base64'), attributes: {}, messageId: id } });

  test('a non-JSON letter does not fail list: it is reported, the others listed, and every lease given back at once', async () => {
    pulls = [[raw('100', 'not json{'), received('101')]];
    expect(await run('list')).toBe(0);
    expect(err).toBe('dead letter 100 is unreadable (the message data is not JSON): skipped, left for inspection\n');
    expect(out).toMatch(/^101 {2}/);
    expect(json(google.requests.at(-1)!)).toEqual({ ackIds: ['ack-100', 'ack-101'], ackDeadlineSeconds: 0 });
  });

  test('a pull that fails midway gives back the leases it already held', async () => {
    google.script.push({ status: 200, body: { receivedMessages: [received('101')] } }, googleError(503, 'UNAVAILABLE', 'try later'));
    await expect(run('list')).rejects.toThrow(/HTTP 503/);
    expect(json(google.requests.at(-1)!)).toEqual({ ackIds: ['ack-101'], ackDeadlineSeconds: 0 });
  });

  test('headers: null does not crash show: the letter is reported as unreadable and left', async () => {
    pulls = [[received('101', { ...LETTER, headers: null })]];
    expect(await run('show', '101')).toBe(1);
    expect(err).toMatch(/dead letter 101 is unreadable \(headers must be an object, got null\)/);
    expect(out).toBe('');
    expect(json(google.requests.at(-1)!)).toEqual({ ackIds: ['ack-101'], ackDeadlineSeconds: 0 });
  });

  test('a header with CRLF is refused before any request (not retried as UNAVAILABLE); the good letter is replayed', async () => {
    pulls = [[received('100', { ...LETTER, headers: { 'x-a': 'b\r\nX-Injected: 1' } }), received('101')]];
    expect(await run('replay', '--all')).toBe(1);
    expect(err).toMatch(/dead letter 100 is unreadable \(header x-a contains a line break \(CR\/LF\) or NUL\)/);
    expect(err).not.toMatch(/UNAVAILABLE/);
    expect(google.requests.filter((r) => r.url.includes(':buffer'))).toHaveLength(1);
    expect(json(google.requests.find((r) => r.url.endsWith(':acknowledge'))!)).toEqual({ ackIds: ['ack-101'] });
    expect(json(google.requests.at(-1)!)).toEqual({ ackIds: ['ack-100'], ackDeadlineSeconds: 0 });
  });

  test('terminal escape sequences in a letter are printed escaped by list and show', async () => {
    const evil = { ...LETTER, task: 'x\u001b]0;pwned\u0007', headers: { 'x-a': '\u001b[2J' }, error: { ...LETTER.error, message: 'boom\u009b31m\r' } };
    pulls = [[received('101', evil)]];
    expect(await run('list')).toBe(0);
    // eslint-disable-next-line no-control-regex
    expect(out).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
    expect(out).toContain('x\\x1b]0;pwned\\x07');
    expect(out).toContain('boom\\x9b31m\\x0d');
    [out, err] = ['', ''];
    pulls = [[received('101', { ...evil, body: Buffer.from('\u001b[31mred').toString('base64') })]];
    expect(await run('show', '101')).toBe(0);
    // eslint-disable-next-line no-control-regex
    expect(out).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
    expect(out).toContain('x-a: \\x1b[2J');
    expect(out).toContain(`Body (8 bytes, base64)\n${Buffer.from('\u001b[31mred').toString('base64')}`);
  });

  test('--json output escapes C1 controls, which JSON.stringify writes raw', async () => {
    pulls = [[received('101', { ...LETTER, error: { ...LETTER.error, message: 'a\u009bb' } })]];
    expect(await run('list', '--json')).toBe(0);
    expect(out).not.toMatch(/[\u007f-\u009f]/);
    expect(JSON.parse(out)[0].error).toBe('a\u009bb');
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

describe('deadLetterProblem: every field of a letter read back is checked', () => {
  test('a well-formed letter has no problem', () => {
    expect(deadLetterProblem(LETTER)).toBeUndefined();
  });

  test.each<[string, unknown, RegExp]>([
    ['null', null, /a JSON object, got null/],
    ['an array', [], /got an array/],
    ['a string', 'x', /got string/],
    ['queue with a slash', { ...LETTER, queue: 'a/b' }, /queue must be a queue id/],
    ['queue missing', { ...LETTER, queue: undefined }, /queue must be a queue id/],
    ['empty task', { ...LETTER, task: '' }, /task must be a non-empty string/],
    ['task a number', { ...LETTER, task: 7 }, /task must be a non-empty string/],
    ['negative attempts', { ...LETTER, attempts: -1 }, /attempts must be a whole number/],
    ['fractional retryCount', { ...LETTER, retryCount: 1.5 }, /retryCount must be a whole number/],
    ['executionCount a string', { ...LETTER, executionCount: '0' }, /executionCount must be a whole number/],
    ['headers null', { ...LETTER, headers: null }, /headers must be an object, got null/],
    ['headers an array', { ...LETTER, headers: [] }, /headers must be an object/],
    ['header name with a space', { ...LETTER, headers: { 'a b': 'c' } }, /header name "a b" is not a valid header name/],
    ['header value a number', { ...LETTER, headers: { a: 1 } }, /header a must be a string/],
    ['header value with LF', { ...LETTER, headers: { a: 'b\nc' } }, /header a contains a line break/],
    ['header value with NUL', { ...LETTER, headers: { a: 'b\u0000' } }, /header a contains a line break/],
    ['body not base64', { ...LETTER, body: 'not base64!' }, /body must be base64/],
    ['body missing', { ...LETTER, body: undefined }, /body must be base64/],
    ['error missing', { ...LETTER, error: undefined }, /error must be/],
    ['error.status a string', { ...LETTER, error: { ...LETTER.error, status: '500' } }, /error must be/],
    ['error.outcome missing', { ...LETTER, error: { status: 500, message: 'm' } }, /error must be/],
    ['error.message missing', { ...LETTER, error: { status: 500, outcome: 'o' } }, /error must be/],
    ['deadLetteredAt missing', { ...LETTER, deadLetteredAt: undefined }, /deadLetteredAt must be a string/],
  ])('%s', (_what, letter, problem) => {
    expect(deadLetterProblem(letter)).toMatch(problem);
  });

  test('headerValueProblem refuses non-strings and CR, LF, NUL; allows the rest', () => {
    expect(headerValueProblem(null)).toBe('must be a string, got null');
    expect(headerValueProblem(3)).toBe('must be a string, got number');
    for (const c of ['\r', '\n', '\u0000']) expect(headerValueProblem(`a${c}b`)).toMatch(/line break/);
    expect(headerValueProblem('a\tb; c="d"')).toBeUndefined();
  });
});

describe('replayDeadLetter (library): the letter never picks the queue', () => {
  test('a letter naming another queue is refused before any request', async () => {
    const fetchSpy = jest.spyOn(globalThis, 'fetch');
    try {
      await expect(replayDeadLetter({ messageId: '9', letter: { ...LETTER, queue: 'victim' } }, 'projects/p-123456/locations/us-central1/queues/tasks', { endpoint: 'http://127.0.0.1:1', accessToken: 't' })).rejects.toThrow(RefusedDeadLetterError);
      expect(fetchSpy).not.toHaveBeenCalled();
    } finally {
      fetchSpy.mockRestore();
    }
  });

  test('a malformed letter is refused before any request', async () => {
    const letter = { ...LETTER, headers: null } as unknown as typeof LETTER;
    await expect(replayDeadLetter({ messageId: '9', letter }, 'projects/p-123456/locations/us-central1/queues/tasks', { endpoint: 'http://127.0.0.1:1', accessToken: 't' })).rejects.toThrow(/dead letter 9 is malformed: headers must be an object, got null/);
  });
});
