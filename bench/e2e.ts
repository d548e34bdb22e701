// End-to-end throughput of the local pipeline (npm run bench:e2e): producer → local Cloud Tasks (SQLite,
// dispatcher) → the compiled handler in its own process with full OIDC verification. Rate limits lifted; prints
// tasks/s and enqueue→start latency percentiles for each face, same run, same machine: REST (the project's
// bufferTask) and gRPC (the official client's default transport, CreateTask).
import { CloudTasksClient } from '@google-cloud/tasks';
import * as grpc from '@grpc/grpc-js';
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bufferTask } from '../client';
import { LocalCloudTasks } from '../local';

const TASKS = Number(process.env.BENCH_TASKS ?? 3000);
const PRODUCERS = Number(process.env.BENCH_PRODUCERS ?? 32);
const SA = 'bench-enq@bench-project.iam.gserviceaccount.com';
const AUDIENCE = 'https://bench-handler.us-central1.cloudtasks.audience';
const root = join(__dirname, '..');

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });

async function main(): Promise<void> {
  const [apiPort, handlerPort] = [await freePort(), await freePort()];
  const handler = spawn(process.execPath, [join(root, 'handler/dist/handler/src/main.js')], {
    env: { ...process.env, PORT: String(handlerPort), TASKS_AUDIENCE: AUDIENCE, TASKS_SERVICE_ACCOUNT: SA, TASKS_JWKS_URL: `http://127.0.0.1:${apiPort}/oauth2/v3/certs` },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const db = join(tmpdir(), `bench-e2e-${process.pid}.sqlite`);
  const path = 'projects/bench-project/locations/us-central1/queues/bench';
  let latencies: number[] = [];
  let acknowledged = 0;
  let lastAck = 0;
  const local = await LocalCloudTasks.start({
    db,
    port: apiPort,
    queues: [
      {
        path,
        httpTarget: {
          httpMethod: 'POST',
          uriOverride: { scheme: 'HTTP', host: '127.0.0.1', port: handlerPort, path: '/tasks', enforceMode: 'ALWAYS' },
          headers: {},
          oidcToken: { serviceAccountEmail: SA, audience: AUDIENCE },
        },
        rate: { maxDispatchesPerSecond: 100_000, maxConcurrentDispatches: 1000 }, // lifted
        retry: { maxAttempts: 100, maxRetryDuration: 0, minBackoff: 0.1, maxBackoff: 10, maxDoublings: 16 },
      },
    ],
    log: (e) => {
      if (e.outcome === 'acknowledged') {
        acknowledged++;
        lastAck = Date.now();
        latencies.push(e.startDelayMs as number);
      } else if (e.outcome !== 'acknowledged') process.stderr.write(`${JSON.stringify(e)}\n`);
    },
  });
  for (let i = 0; i < 100 && !(await fetch(`http://127.0.0.1:${handlerPort}/healthz`).then(() => true, () => false)); i++) {
    await new Promise((r) => setTimeout(r, 50));
  }

  const run = async (face: string, enqueue: (i: number) => Promise<unknown>) => {
    latencies = [];
    acknowledged = 0;
    const started = Date.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: PRODUCERS }, async () => {
        while (next < TASKS) await enqueue(next++);
      }),
    );
    const enqueued = Date.now();
    while (acknowledged < TASKS) await new Promise((r) => setTimeout(r, 5));
    const seconds = (lastAck - started) / 1000;
    const sorted = latencies.sort((a, b) => a - b);
    const pct = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
    console.log(`${face}`);
    console.log(`  enqueue rate:      ${(TASKS / ((enqueued - started) / 1000)).toFixed(0)} tasks/s`);
    console.log(`  end to end:        ${(TASKS / seconds).toFixed(0)} tasks/s (first enqueue → last 2xx: ${seconds.toFixed(2)} s)`);
    console.log(`  enqueue → start:   p50 ${pct(50)} ms, p99 ${pct(99)} ms, max ${sorted[sorted.length - 1]} ms`);
  };

  console.log(`${TASKS} tasks per face, ${PRODUCERS} concurrent producers, rate limits lifted, handler with OIDC verification`);
  await run('REST  (bufferTask from client/)', (i) => bufferTask(path, { endpoint: local.endpoint, accessToken: 'bench', payload: { order: i } }));
  const [host, port] = local.grpcEndpoint!.split(':');
  const client = new CloudTasksClient({ apiEndpoint: host, port: Number(port), sslCreds: grpc.credentials.createInsecure(), universeDomain: 'googleapis.com' });
  await client.getQueue({ name: path }); // connect before timing
  await run('gRPC  (official client, CreateTask)', (i) => client.createTask({ parent: path, task: { httpRequest: { body: Buffer.from(JSON.stringify({ order: i })), headers: { 'Content-Type': 'application/json' } } } }));
  await client.close();

  await local.stop();
  handler.kill('SIGTERM');
  for (const suffix of ['', '-wal', '-shm', '.signing-key.json']) rmSync(`${db}${suffix}`, { force: true });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
