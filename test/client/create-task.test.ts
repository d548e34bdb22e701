import { createTask, DuplicateTaskError, PermissionDeniedError, QueueNotFoundError, TaskValidationError, UnavailableError } from '../../client';
import { googleError, Recorder, recorderForSuite } from './recorder';

const QUEUE = 'projects/test-project/locations/us-central1/queues/orders';

describe('createTask through the official client (REST transport to a local endpoint)', () => {
  const api = recorderForSuite();
  beforeEach(() => {
    api.requests.length = 0;
    api.script.length = 0;
    api.fallback = (r) => {
      const sent = JSON.parse(r.body.toString()).task;
      return { status: 200, body: { name: sent.name ?? `${QUEUE}/tasks/123456`, scheduleTime: sent.scheduleTime ?? '2026-11-25T21:00:00Z', httpRequest: sent.httpRequest } };
    };
  });
  const opts = (more = {}) => ({ endpoint: api.endpoint, accessToken: 'token-xyz', retry: { baseDelayMs: 1, maxDelayMs: 2 }, ...more });
  const sentTask = (i = 0) => JSON.parse(api.requests[i].body.toString()).task;

  test('sends the explicit task as the v2 REST API expects it', async () => {
    const now = Date.now();
    const created = await createTask(
      QUEUE,
      opts({
        taskId: 'order-42',
        payload: { order: 42 },
        schedule: 'in 60s',
        dispatchDeadline: '300s',
        httpMethod: 'PUT',
        url: 'https://handler.example.com/tasks',
        headers: { 'X-Team': 'payments' },
        oidcToken: { serviceAccountEmail: 'enq@test-project.iam.gserviceaccount.com', audience: 'https://aud.example' },
      }),
    );
    const [req] = api.requests;
    expect(req.method).toBe('POST');
    expect(req.url).toBe(`/v2/${QUEUE}/tasks?$alt=json%3Benum-encoding=int`);
    expect(req.headers.authorization).toBe('Bearer token-xyz');
    const task = sentTask();
    expect(task.name).toBe(`${QUEUE}/tasks/order-42`);
    expect(task.dispatchDeadline).toBe('300s');
    expect(Math.abs(new Date(task.scheduleTime).getTime() - (now + 60_000))).toBeLessThan(2000);
    expect(task.httpRequest).toEqual({
      url: 'https://handler.example.com/tasks',
      httpMethod: 4, // PUT, as the enum number
      headers: { 'Content-Type': 'application/json', 'X-Team': 'payments', 'X-Tasks-Dispatch-Deadline': '300' }, // shorter than the queue's 600 s: announced
      body: Buffer.from('{"order":42}').toString('base64'),
      oidcToken: { serviceAccountEmail: 'enq@test-project.iam.gserviceaccount.com', audience: 'https://aud.example' },
    });
    expect(created.name).toBe(`${QUEUE}/tasks/order-42`);
    expect(created.scheduleTime?.getTime()).toBe(new Date(task.scheduleTime).getTime());
  });

  test('the URL may be left to the queue override, and the method defaults to POST', async () => {
    await createTask(QUEUE, opts({ payload: 'hi' }));
    const task = sentTask();
    expect(task.httpRequest.url).toBeUndefined();
    expect(task.httpRequest.httpMethod).toBe(1);
    expect(task).not.toHaveProperty('name');
  });

  test('ALREADY_EXISTS is a DuplicateTaskError', async () => {
    api.script.push(googleError(409, 'ALREADY_EXISTS', 'Requested entity already exists'));
    await expect(createTask(QUEUE, opts({ taskId: 'taken' }))).rejects.toThrow(DuplicateTaskError);
    expect(api.requests).toHaveLength(1);
  });

  test('PERMISSION_DENIED with a task-level token names both roles', async () => {
    api.script.push(googleError(403, 'PERMISSION_DENIED', 'denied'));
    const err = await createTask(QUEUE, opts({ oidcToken: { serviceAccountEmail: 'enq@test-project.iam.gserviceaccount.com' } })).catch((e) => e);
    expect(err).toBeInstanceOf(PermissionDeniedError);
    expect(err.message).toMatch(/roles\/cloudtasks.enqueuer.*roles\/iam.serviceAccountUser\) on enq@test-project.iam.gserviceaccount.com/);
  });

  test('NOT_FOUND shows the queue path', async () => {
    api.script.push(googleError(404, 'NOT_FOUND', 'Queue does not exist.'));
    const err = await createTask(QUEUE, opts()).catch((e) => e);
    expect(err).toBeInstanceOf(QueueNotFoundError);
    expect(err.message).toContain(QUEUE);
  });

  test('503 then 200 is retried for a named task', async () => {
    api.script.push(googleError(503, 'UNAVAILABLE', 'busy'));
    const created = await createTask(QUEUE, opts({ taskId: 'retry-me' }));
    expect(api.requests).toHaveLength(2);
    expect(sentTask(1).name).toBe(`${QUEUE}/tasks/retry-me`);
    expect(created.name).toBe(`${QUEUE}/tasks/retry-me`);
  });

  test('503 for an unnamed task is surfaced with the reason', async () => {
    api.script.push(googleError(503, 'UNAVAILABLE', 'busy'));
    const err = await createTask(QUEUE, opts()).catch((e) => e);
    expect(err).toBeInstanceOf(UnavailableError);
    expect(err.message).toMatch(/Not retried/);
    expect(api.requests).toHaveLength(1);
  });

  test.each([
    [{ dispatchDeadline: '10s' }, /dispatchDeadline must be from 15s to 1800s \(15 s-30 min\), got 10s/],
    [{ dispatchDeadline: 1801 }, /got 1801s/],
    [{ dispatchDeadline: '10m' }, /dispatchDeadline must be whole seconds like "600s", got "10m"/],
    [{ schedule: 'in 31d' }, /schedule must be at most 30 days ahead/],
    [{ schedule: 'next tuesday' }, /schedule must be a Date, an ISO time or a delay/],
    [{ url: 'ftp://x.example.com/' }, /url must use http or https/],
    [{ url: 'http://x.example.com/', oidcToken: { serviceAccountEmail: 'a@b.iam.gserviceaccount.com' } }, /url must be https when an OIDC token is attached/],
    [{ httpMethod: 'FETCH' }, /httpMethod must be one of POST, GET/],
    [{ oidcToken: { serviceAccountEmail: 'nobody' } }, /oidcToken.serviceAccountEmail must be a service account email address such as "NAME@PROJECT.iam.gserviceaccount.com", got "nobody"/],
  ])('rejects %j before any network call', async (bad, message) => {
    const err = await createTask(QUEUE, opts(bad)).catch((e) => e);
    expect(err).toBeInstanceOf(TaskValidationError);
    expect(err.message).toMatch(message);
    expect(api.requests).toHaveLength(0);
  });

  test('a 307 from the endpoint is not followed by the official client either: the task is sent once', async () => {
    const elsewhere = await new Recorder().start();
    try {
      api.script.push({ status: 307, headers: { Location: `${elsewhere.endpoint}/v2/${QUEUE}/tasks` } });
      await expect(createTask(QUEUE, opts({ payload: { secret: 1 } }))).rejects.toThrow();
      expect(api.requests).toHaveLength(1);
      expect(elsewhere.requests).toHaveLength(0);
    } finally {
      await elsewhere.stop();
    }
  });

});
