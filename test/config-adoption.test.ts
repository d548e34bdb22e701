// Adoption in the app config: the keys, where problems are reported, and what the app synthesizes.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { HANDLER_SCHEMA, QUEUE_SCHEMA, resolveConfig } from '../config';
import { ADOPTING, HAND_BUILT, Json, PLAIN, synthStacks, synthTexts } from './adoption-fixtures';

const message = (file: unknown): string => {
  try {
    resolveConfig(file, {});
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected the config to be rejected');
};
const Q = 'context.pipeline.queues.orders';
const withQueue = (extra: Json, handler: Json = {}) => ({
  ...ADOPTING,
  queues: { orders: { ...ADOPTING.queues.orders, ...extra, handler: { ...ADOPTING.queues.orders.handler, ...handler } } },
});

describe('config: adoption settings', () => {
  test('GIVEN the hand-built names WHEN resolved THEN the accounts keep their own ids and the handler is adopted with its queue', () => {
    const q = resolveConfig(ADOPTING, {}).environments.dev.queues.orders;
    expect(q).toMatchObject({ adoptExisting: true, existingQueue: HAND_BUILT.queue, existingEnqueuerEmail: HAND_BUILT.enqueuer, enqueuerAccountId: 'tasks-caller' });
    expect(q.handler).toMatchObject({ adoptExisting: true, existingService: HAND_BUILT.service, existingRuntimeEmail: HAND_BUILT.runtime, runtimeAccountId: 'orders-runtime' });
  });

  test('adoptExisting at the environment level applies to every queue: each missing name is reported where it belongs', () => {
    const m = message({ project: HAND_BUILT.project, adoptExisting: true, queues: { a: {}, b: {} } });
    for (const q of ['a', 'b']) {
      expect(m).toContain(`'context.pipeline.queues.${q}.existingQueue' must be the existing queue's full name`);
      expect(m).toContain(`'context.pipeline.queues.${q}.existingEnqueuerEmail' must be the email of the existing enqueuer service account`);
    }
    // Handler settings inherited by every queue's own handler are reported once, where the shared default lives.
    expect(m).toContain(`'context.pipeline.handler.existingService' must be`);
    expect(m).toContain(`'context.pipeline.handler.existingRuntimeEmail' must be`);
    expect(m).toContain('gcloud tasks queues describe');
    expect(m).toContain('gcloud iam service-accounts list');
    expect(m).toContain('gcloud run services list');
  });

  test('a region that differs from the existing queue is refused at the region, with both values', () => {
    expect(message({ ...withQueue({}), region: 'us-central1' })).toMatch(
      /'context.pipeline.region' must be "europe-west1", the location of the existing queue \(context.pipeline.queues.orders.existingQueue\): the location forces replacement, which would destroy the queue and its tasks, got "us-central1"/,
    );
  });

  test('a queue id that differs from the existing queue is refused where the id was decided', () => {
    expect(message({ ...ADOPTING, queues: { 'orders-v2': ADOPTING.queues.orders } })).toMatch(/'context.pipeline.queues.orders-v2' must be "orders", the queue id of the existing queue/);
  });

  test('a service name that differs from the existing service is refused at serviceName', () => {
    expect(message(withQueue({}, { serviceName: 'orders-handler' }))).toMatch(new RegExp(`'${Q}.handler.serviceName' must be "orders-worker", the service name of the existing service`));
  });

  test('an enqueuer in another project is refused at the project, naming the email setting', () => {
    expect(message(withQueue({ existingEnqueuerEmail: 'tasks-caller@acme-old-prod.iam.gserviceaccount.com' }))).toMatch(
      new RegExp(`'context.pipeline.project' must be "acme-old-prod", the project of the existing enqueuer account \\(${Q}.existingEnqueuerEmail\\)`),
    );
  });

  test('adoptExistingGrants without adoptExisting is refused where it was written', () => {
    expect(message(withQueue({ adoptExisting: false, adoptExistingGrants: true }))).toContain(`'${Q}.adoptExistingGrants' must be false unless adoptExisting is true`);
  });

  test('adoptExistingGrants without an existing enqueuer email is refused', () => {
    expect(message(withQueue({ existingEnqueuerEmail: undefined, adoptExistingGrants: true }))).toContain(`'${Q}.adoptExistingGrants' must be false unless`);
  });

  test('a shared handler is adopted when a queue in front of it adopts', () => {
    const file = {
      project: HAND_BUILT.project,
      region: HAND_BUILT.region,
      handlers: { worker: { serviceName: 'orders-worker', existingService: HAND_BUILT.service, existingRuntimeEmail: HAND_BUILT.runtime } },
      queues: { orders: { handler: 'worker', adoptExisting: true, existingQueue: HAND_BUILT.queue, existingEnqueuerEmail: HAND_BUILT.enqueuer }, mail: { handler: 'worker' } },
    };
    expect(resolveConfig(file, {}).environments.dev.handlers.worker.adoptExisting).toBe(true);
  });

  test('a shared handler is not adopted when no queue in front of it adopts', () => {
    const file = { project: HAND_BUILT.project, handlers: { worker: {} }, queues: { orders: { handler: 'worker' } } };
    expect(resolveConfig(file, {}).environments.dev.handlers.worker.adoptExisting).toBeUndefined();
  });

  test('a shared handler adopting without its names is refused under handlers.NAME', () => {
    const file = { project: HAND_BUILT.project, region: HAND_BUILT.region, handlers: { worker: {} }, queues: { orders: { handler: 'worker', adoptExisting: true, existingQueue: HAND_BUILT.queue, existingEnqueuerEmail: HAND_BUILT.enqueuer } } };
    expect(message(file)).toContain(`'context.pipeline.handlers.worker.existingService' must be`);
  });

  test('the existing enqueuer id takes part in the distinct-name check', () => {
    const file = { project: HAND_BUILT.project, region: HAND_BUILT.region, queues: { orders: { existingEnqueuerEmail: HAND_BUILT.enqueuer }, mail: { existingEnqueuerEmail: HAND_BUILT.enqueuer } } };
    expect(message(file)).toContain(`projects/${HAND_BUILT.project}/serviceAccounts/tasks-caller`);
  });
});

describe('app: an adopted config', () => {
  const adopted = synthStacks({ ...ADOPTING, queues: { orders: { ...ADOPTING.queues.orders, adoptExistingGrants: true } } });
  const plain = synthStacks(PLAIN);
  const dev = adopted.dev;
  const imports = dev.import as { to: string; id: string }[];
  const byType = (type: string) => imports.filter((i) => i.to.split('.')[0] === type);
  const body = (address: string) => dev.resource[address.split('.')[0]][address.split('.')[1]];

  test('imports the queue, both accounts, the service and the three grants', () => {
    expect(imports.map((i) => i.to.split('.')[0]).sort()).toEqual([
      'google_cloud_run_v2_service',
      'google_cloud_run_v2_service_iam_member',
      'google_cloud_tasks_queue',
      'google_cloud_tasks_queue_iam_member',
      'google_service_account',
      'google_service_account',
      'google_service_account_iam_member',
    ]);
  });

  test('no address and no output moves: the same resources and outputs as the config without adoption', () => {
    const addresses = (tf: Json) => Object.entries<Json>(tf.resource).flatMap(([type, byId]) => Object.keys(byId).map((id) => `${type}.${id}`)).sort();
    expect(addresses(dev)).toEqual(addresses(plain.dev));
    expect(Object.keys(dev.output).sort()).toEqual(Object.keys(plain.dev.output).sort());
    expect(Object.keys(adopted).sort()).toEqual(Object.keys(plain).sort());
  });

  test('every replacement-forcing field the stack declares equals the imported resource: nothing adopted is replaced', () => {
    const [queue] = byType('google_cloud_tasks_queue');
    expect(`projects/${body(queue.to).project}/locations/${body(queue.to).location}/queues/${body(queue.to).name}`).toBe(queue.id);
    const [service] = byType('google_cloud_run_v2_service');
    expect(`projects/${body(service.to).project}/locations/${body(service.to).location}/services/${body(service.to).name}`).toBe(service.id);
    for (const sa of byType('google_service_account')) {
      expect(`projects/${body(sa.to).project}/serviceAccounts/${body(sa.to).account_id}@${body(sa.to).project}.iam.gserviceaccount.com`).toBe(sa.id);
    }
    for (const grant of imports.filter((i) => i.to.includes('_iam_member'))) {
      const [, role, member] = grant.id.split(' ');
      expect(body(grant.to).role).toBe(role);
      // The member is a reference to the adopted account, whose email is the one in the import id.
      expect(body(grant.to).member).toMatch(/^\$\{google_service_account\.[\w-]+\.member\}$/);
      expect(member).toBe(`serviceAccount:${HAND_BUILT.enqueuer}`);
    }
  });

  test('the queue converges in place: it gets the queue-level routing and OIDC token a hand-made queue lacks', () => {
    const [queue] = byType('google_cloud_tasks_queue');
    expect(body(queue.to).http_target[0] ?? body(queue.to).http_target).toMatchObject({ oidc_token: expect.anything() });
  });

  test('a config without adoption is unchanged byte for byte by adoptExisting: false', () => {
    const off = { ...PLAIN, adoptExisting: false, adoptExistingGrants: false, queues: { orders: { ...PLAIN.queues.orders, adoptExisting: false } } };
    expect(synthTexts(off)).toEqual(synthTexts(PLAIN));
  });
});

describe('docs/adopt.md', () => {
  const guide = readFileSync(join(__dirname, '..', 'docs', 'adopt.md'), 'utf8');

  test("the runbook's cdktf.json adopts the queue, the enqueuer, the service and its runtime account", () => {
    const [example] = [...guide.matchAll(/```json\n([\s\S]*?)```/g)].map((m) => JSON.parse(m[1]));
    const dev = synthStacks(example.context.pipeline).dev;
    expect((dev.import as { id: string }[]).map((i) => i.id).sort()).toEqual([HAND_BUILT.service, HAND_BUILT.queue, `projects/${HAND_BUILT.project}/serviceAccounts/${HAND_BUILT.enqueuer}`, `projects/${HAND_BUILT.project}/serviceAccounts/${HAND_BUILT.runtime}`].sort());
  });

  test('every setting the runbook maps a gcloud command to is a config key', () => {
    const keys = [...guide.matchAll(/\| `(?:handler\.)?(existing\w+|adoptExisting\w*)`/g)].map((m) => m[1]);
    expect(keys.length).toBeGreaterThanOrEqual(4);
    for (const key of keys) expect({ key, known: key in QUEUE_SCHEMA || key in HANDLER_SCHEMA }).toEqual({ key, known: true });
  });
});

test('a shared handler stays adopted when a later queue in front of it, with a longer deadline, does not adopt', () => {
  const file = {
    project: HAND_BUILT.project,
    region: HAND_BUILT.region,
    handlers: { worker: { serviceName: 'orders-worker', existingService: HAND_BUILT.service, existingRuntimeEmail: HAND_BUILT.runtime } },
    queues: { orders: { handler: 'worker', adoptExisting: true, existingQueue: HAND_BUILT.queue, existingEnqueuerEmail: HAND_BUILT.enqueuer }, slow: { handler: 'worker', dispatchDeadlineSeconds: 1800, bufferTask: false } },
  };
  expect(resolveConfig(file, {}).environments.dev.handlers.worker).toMatchObject({ adoptExisting: true, dispatchDeadlineSeconds: 1800 });
});
