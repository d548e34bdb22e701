// `npm run dev` on an adopted config: the local server reads the same synthesized JSON, so a pipeline taken over
// from a hand-built one runs locally like any other, under the hand-made account's name.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bufferTask } from '../../client';
import { loadHandlerConfig } from '../../handler/src/config';
import { Task, TaskServer } from '../../handler/src/server';
import { resolveConfig } from '../../config';
import { derivedReferences, queuesOf, readStacks, References, Resolver, servicesOf, StackFile } from '../../local/terraform';
import { buildApp } from '../../main';
import { ADOPTING, HAND_BUILT, PLAIN } from '../adoption-fixtures';
import { cleanup, eventually, freePort, runCleanup, startLocal } from './helpers';

const dirs: string[] = [];
function devStack(file: unknown): StackFile {
  const out = mkdtempSync(join(tmpdir(), 'adopt-dev-'));
  dirs.push(out);
  buildApp(resolveConfig(file, {}), out).synth();
  return readStacks(out).find((s) => s.name === 'dev')!;
}

/** What `npm run dev` does with a stack: the service's uri mapped to a local handler, the queues read from the JSON. */
function localView(stack: StackFile, handlerUrl: string) {
  const [service] = servicesOf(stack);
  const refs: References = { [`${service.address}.uri`]: handlerUrl };
  const resolver = new Resolver({ ...derivedReferences(stack), ...refs });
  const env = Object.fromEntries(Object.entries(service.rawEnv).map(([k, v]) => [k, resolver.value(v) ?? '']));
  return { queues: queuesOf(stack, refs), env };
}

afterAll(async () => {
  await runCleanup();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

test('the adopted queue reads as the plain one does, its tokens naming the hand-made enqueuer', () => {
  const adopted = localView(devStack(ADOPTING), 'http://127.0.0.1:1');
  const plain = localView(devStack(PLAIN), 'http://127.0.0.1:1');
  const derived = `orders-enq@${HAND_BUILT.project}.iam.gserviceaccount.com`;
  expect(adopted.queues).toEqual(JSON.parse(JSON.stringify(plain.queues).replaceAll(derived, HAND_BUILT.enqueuer)));
  expect(adopted.env.TASKS_SERVICE_ACCOUNT).toBe(HAND_BUILT.enqueuer);
});

test('a task buffered on the adopted queue reaches the real handler with a token for the hand-made enqueuer', async () => {
  const apiPort = await freePort();
  const seen: string[] = [];
  const work = (task: Task) => void seen.push(task.caller?.email ?? 'anonymous');
  // The handler first (its URL goes into the queue's routing), trusting the local server's keys.
  const env = localView(devStack(ADOPTING), 'http://127.0.0.1:1').env;
  const config = loadHandlerConfig({ ...env, TASKS_JWKS_URL: `http://127.0.0.1:${apiPort}/oauth2/v3/certs`, PORT: '0' });
  const server = new TaskServer({ config, work, logger: () => undefined });
  const { port } = await server.listen(0, '127.0.0.1');
  cleanup.push(() => server.shutdown(0));

  const { queues } = localView(devStack(ADOPTING), `http://127.0.0.1:${port}`);
  const { local } = await startLocal(queues, { port: apiPort });
  await bufferTask(HAND_BUILT.queue, { endpoint: local.endpoint, accessToken: 'local', payload: { id: 1 } });
  await eventually(() => seen.length === 1, 10_000);
  expect(seen).toEqual([HAND_BUILT.enqueuer]);
}, 30_000);
