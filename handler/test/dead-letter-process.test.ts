// The production entry point (src/main.ts) wires dead letters from the environment the construct sets.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { Recorder } from '../../test/client/recorder';
import { taskHeaders } from './harness';

const root = join(__dirname, '..', '..');

test('main.ts: with TASKS_MAX_ATTEMPTS and a topic, a failing last attempt is published to Pub/Sub and acknowledged', async () => {
  const google = await new Recorder().start();
  google.fallback = (r) =>
    r.url.startsWith('/computeMetadata/') ? { status: 200, body: { access_token: 'meta-token', expires_in: 3600 } } : { status: 200, body: { messageIds: ['77'] } };
  const child = spawn(process.execPath, ['-r', join(root, 'scripts', 'register.js'), join(root, 'handler', 'src', 'main.ts')], {
    env: {
      PATH: process.env.PATH ?? '',
      PORT: '0',
      TASKS_AUTH: 'disabled',
      TASKS_MAX_ATTEMPTS: '2',
      TASKS_QUEUE_ID: 'orders',
      TASKS_MAX_RETRY_DURATION: '0s',
      TASKS_DEAD_LETTER_TOPIC: 'projects/acme/topics/orders-dead-letters',
      TASKS_PUBSUB_ENDPOINT: google.endpoint,
      GCE_METADATA_HOST: new URL(google.endpoint).host,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: Record<string, unknown>[] = [];
  try {
    const port = await new Promise<number>((resolve, reject) => {
      child.stdout!.on('data', (d) => {
        for (const line of String(d).split('\n').filter(Boolean)) {
          const entry = JSON.parse(line);
          lines.push(entry);
          const m = /^listening on \S*:(\d+)\//.exec(entry.message);
          if (m) resolve(Number(m[1]));
        }
      });
      child.once('exit', (code) => reject(new Error(`handler exited with ${code}`)));
    });
    expect(lines.at(-1)).toMatchObject({ deadLetters: 'PubSubDeadLetterSink' });
    const post = (retryCount: string) =>
      fetch(`http://127.0.0.1:${port}/tasks`, { method: 'POST', headers: taskHeaders('bad-json', { 'X-CloudTasks-TaskRetryCount': retryCount }), body: '{"order":' });

    expect((await post('0')).status).toBe(400); // attempt 1 of 2: retried
    expect(google.requests).toHaveLength(0);
    const last = await post('1');
    expect(last.status).toBe(200);
    expect(await last.json()).toEqual({ task: 'bad-json', status: 'dead-lettered' });
    const publish = google.requests.find((r) => r.url.endsWith(':publish'))!;
    expect(publish.url).toBe('/v1/projects/acme/topics/orders-dead-letters:publish');
    expect(publish.headers.authorization).toBe('Bearer meta-token');
    const letter = JSON.parse(Buffer.from(JSON.parse(publish.body.toString()).messages[0].data, 'base64').toString());
    expect(letter).toMatchObject({ queue: 'orders', task: 'bad-json', attempts: 2, error: { status: 400, outcome: 'bad-request' } });
    expect(Buffer.from(letter.body, 'base64').toString()).toBe('{"order":');
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => (child.exitCode === null ? child.once('exit', r) : r(undefined)));
    await google.stop();
  }
}, 20_000);
