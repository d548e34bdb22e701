// End to end on loopback: a poison task → its attempts → the handler's Pub/Sub sink → local dead letters →
// the replay CLI after the handler is fixed → processed once.
import { loadHandlerConfig } from '../../handler/src/config';
import { DeadLetterPolicy } from '../../handler/src/dead-letter';
import type { Task } from '../../handler/src/server';
import { TaskServer } from '../../handler/src/server';
import { PubSubDeadLetterSink } from '../../handler/src/sinks';
import { bufferTask } from '../../client';
import { main as deadLettersCli } from '../../client/dead-letters-cli';
import { LocalCloudTasks } from '../../local';
import { AUDIENCE, cleanup, eventually, freePort, PARENT, queueConfig, runCleanup, SA, startHandler, startLocal } from './helpers';

const RETRY = { maxAttempts: 3, maxRetryDuration: 0, minBackoff: 0.05, maxBackoff: 0.2, maxDoublings: 2 };

describe('local dead letters and replay', () => {
  let local: LocalCloudTasks;
  let logs: Record<string, unknown>[];
  let broken = true;
  const runs: { order: number; retryCount: number; ok: boolean; orderHeader?: string; contentType?: string }[] = [];

  const work = (task: Task) => {
    const { order } = task.json<{ order: number }>();
    runs.push({ order, retryCount: task.context.retryCount, ok: !broken, orderHeader: task.headers['x-order'] as string, contentType: task.headers['content-type'] });
    if (broken) throw new Error('poison: cannot process order');
  };

  /** The dead-letter CLI in-process, pointed at this local server; returns exit code and output. */
  async function cli(...args: string[]): Promise<{ code: number; out: string }> {
    let out = '';
    const code = await deadLettersCli(
      [...args, ...(args.includes('--queue') ? [] : ['--queue', 'orders']), '--pubsub-endpoint', local.opsEndpoint, '--endpoint', local.endpoint, '--token', 'local', '--project', 'test-project', '--location', 'us-central1'],
      (t) => (out += t),
      (t) => (out += t),
    );
    return { code, out };
  }

  beforeAll(async () => {
    const [port, opsPort] = [await freePort(), await freePort()];
    // The real handler framework, auth on, with the Pub/Sub sink pointed at the local server (as `npm run dev` does).
    const config = loadHandlerConfig({ TASKS_AUDIENCE: AUDIENCE, TASKS_SERVICE_ACCOUNT: SA, TASKS_JWKS_URL: `http://127.0.0.1:${port}/oauth2/v3/certs`, PORT: '0' });
    const sink = new PubSubDeadLetterSink({ topic: 'projects/test-project/topics/local-dead-letters', endpoint: `http://127.0.0.1:${opsPort}`, metadataHost: `127.0.0.1:${opsPort}` });
    const server = new TaskServer({ config, work, logger: () => undefined, deadLetters: new DeadLetterPolicy(RETRY, sink, undefined, {}, ['orders']) });
    const { port: handlerPort } = await server.listen(0, '127.0.0.1');
    cleanup.push(() => server.shutdown(0));
    // A second handler without dead letters: what Cloud Tasks drops there is the blind spot.
    const legacy = await startHandler(() => {
      throw new Error('always fails');
    }, port);
    ({ local, logs } = await startLocal(
      [queueConfig(`http://127.0.0.1:${handlerPort}`, { retry: RETRY }), queueConfig(legacy.url, { id: 'legacy', retry: RETRY })],
      { port, opsPort },
    ));
  });
  afterAll(runCleanup);

  test('a poison task goes through its attempts, lands in the dead letters, is replayed after the fix and processed once', async () => {
    const queue = `${PARENT}/queues/orders`;
    await bufferTask(queue, { endpoint: local.endpoint, accessToken: 'local', payload: { order: 7 }, headers: { 'X-Order': '7' } });

    // THEN it fails three times and the third (last) attempt is dead-lettered and acknowledged
    await eventually(() => local.deadLetters.pendingByQueue().orders === 1, 10_000);
    await eventually(() => local.store.count(queue) === 0);
    expect(runs.map((r) => [r.retryCount, r.ok])).toEqual([[0, false], [1, false], [2, false]]);
    const outcomes = logs.filter((l) => l.queue === 'orders').map((l) => `${l.outcome}:${l.status}`);
    expect(outcomes).toEqual(['retry:500', 'retry:500', 'acknowledged:200']);

    // list shows it, and leaves it there
    const listed = await cli('list', '--json');
    const [letter] = JSON.parse(listed.out);
    expect(letter).toMatchObject({ queue: 'orders', attempts: 3, status: 500, outcome: 'failed', error: 'work failed: poison: cannot process order' });
    expect(local.deadLetters.pendingByQueue().orders).toBe(1);

    // show prints the original body and headers
    const shown = await cli('show', letter.id);
    expect(shown.code).toBe(0);
    expect(shown.out).toContain('{"order":7}');
    expect(shown.out).toContain('x-order: 7');

    // WHEN the handler is fixed and the letter replayed
    broken = false;
    const replayed = await cli('replay', letter.id);
    expect(replayed.code).toBe(0);
    expect(replayed.out).toMatch(new RegExp(`Replayed ${letter.id} \\(task \\d+\\) as \\[${PARENT}/queues/orders/tasks/\\d+-replay-${letter.id}\\]`));

    // THEN it runs once, successfully, with its original body and headers, and the letter is gone
    await eventually(() => runs.some((r) => r.ok), 10_000);
    await eventually(() => local.store.count(queue) === 0);
    expect(runs.filter((r) => r.ok)).toEqual([{ order: 7, retryCount: 0, ok: true, orderHeader: '7', contentType: 'application/json' }]);
    expect(local.deadLetters.pendingByQueue().orders).toBeUndefined();
    expect((await cli('list')).out).toBe('No dead letters.\n');
    // Replaying the same letter again finds nothing: it was acknowledged.
    expect((await cli('replay', letter.id)).code).toBe(1);
  }, 30_000);

  test('stats: per queue depth, in flight, attempts by outcome and dead letters', async () => {
    const res = await fetch(`${local.opsEndpoint}/stats`);
    const { queues } = (await res.json()) as { queues: { queue: string }[] };
    expect(queues.find((q) => q.queue === `${PARENT}/queues/orders`)).toEqual({
      queue: `${PARENT}/queues/orders`,
      depth: 0,
      inFlight: 0,
      attempts: { byOutcome: { retry: 2, acknowledged: 2 }, byStatus: { 500: 2, 200: 2 } },
      deadLetters: 0,
    });
  });

  test('the blind spot, shown locally: a task whose handler never dead-letters is dropped by the queue and kept here', async () => {
    const queue = `${PARENT}/queues/legacy`;
    await bufferTask(queue, { endpoint: local.endpoint, accessToken: 'local', payload: { order: 9 } });
    await eventually(() => local.deadLetters.pendingByQueue().legacy === 1, 10_000);
    const [letter] = JSON.parse((await cli('list', '--json', '--queue', 'legacy')).out);
    expect(letter).toMatchObject({ queue: 'legacy', attempts: 3, status: 500, outcome: 'dropped-by-queue' });
    expect(letter.error).toMatch(/in the cloud this task is lost/);
    expect(logs.filter((l) => l.queue === 'legacy').map((l) => l.outcome)).toEqual(['retry', 'retry', 'dropped']);
  }, 20_000);

  test('the local Pub/Sub refuses calls without a bearer token, and the metadata token without its header', async () => {
    const publish = await fetch(`${local.opsEndpoint}/v1/projects/p/topics/t:publish`, { method: 'POST', body: '{"messages":[{"data":""}]}' });
    expect(publish.status).toBe(401);
    expect((await fetch(`${local.opsEndpoint}/computeMetadata/v1/instance/service-accounts/default/token`)).status).toBe(403);
  });
});

describe('the ops port', () => {
  afterEach(runCleanup);

  test('a preferred ops port that is taken falls back to a free one; an explicit one is an error', async () => {
    const taken = await startLocal([]);
    const port = Number(new URL(taken.local.opsEndpoint).port);
    const fallback = await startLocal([], { opsPort: port, opsPortIsPreferred: true });
    expect(fallback.local.opsEndpoint).not.toBe(taken.local.opsEndpoint);
    expect((await fetch(`${fallback.local.opsEndpoint}/stats`)).status).toBe(200);
    await expect(startLocal([], { opsPort: port })).rejects.toThrow(/EADDRINUSE/);
  });
});
