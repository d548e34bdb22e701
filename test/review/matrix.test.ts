// The review's verdict on realistic config edits: each synthesizes the app before and after through the app's
// own config path (resolveConfig → buildApp, as `npm run synth` does) and checks what the review says.
import { ReviewResult, reviewChanges, StackReview } from '../../review';
import { synthApp } from './synth-app';

const P = { project: 'acme-orders-dev' };
const review = (before: unknown, after: unknown, acknowledge: string[] = []) => reviewChanges(synthApp(before), synthApp(after), { acknowledge });
const stack = (r: ReviewResult, name = 'dev'): StackReview => r.stacks.find((s) => s.stack === name)!;
const types = (addresses: readonly string[]) => addresses.map((a) => a.split('.')[0]).sort();
const open = (r: ReviewResult) => r.findings.filter((f) => !f.acknowledged).map((f) => `${f.kind} ${f.address.split('.')[0]}`).sort();

describe('moving the shorthand into queues', () => {
  test('GIVEN no keepSingleQueueAddresses THEN the queue is destroyed and created anew, and the review blocks and suggests the setting', () => {
    const r = review({ ...P, queueId: 'orders' }, { ...P, queues: { orders: {}, emails: {} } });
    const dev = stack(r);
    expect(dev.destroyed).toContain('google_cloud_tasks_queue.Pipeline_Queue_C13966F5');
    expect(open(r)).toEqual(['protected-destroyed google_cloud_run_v2_service', 'protected-destroyed google_cloud_tasks_queue']);
    const queueMove = dev.suggestions.find((s) => s.from === 'google_cloud_tasks_queue.Pipeline_Queue_C13966F5')!;
    expect(queueMove.to).toBe('google_cloud_tasks_queue.Pipeline-orders_Queue_428609FB');
    expect(queueMove.setting).toMatch(/"keepSingleQueueAddresses": true on queue "orders"/);
    expect(dev.notes.join('\n')).toMatch(/queue "orders" .* blocked for up to 7 days/);
  });

  test('GIVEN keepSingleQueueAddresses THEN nothing is destroyed: only the new queue is created', () => {
    const r = review({ ...P, queueId: 'orders' }, { ...P, queues: { orders: { keepSingleQueueAddresses: true }, emails: {} } });
    expect(stack(r).destroyed).toEqual([]);
    expect(stack(r).replaced).toEqual([]);
    expect(stack(r).created).toContain('google_cloud_tasks_queue.Pipeline-emails_Queue_7D92784B');
    expect(r.blocking).toBe(false);
  });
});

describe('renaming a queues key', () => {
  test('GIVEN no explicit queueId THEN the old queue is destroyed, a differently named one created, and the review suggests queueId', () => {
    const r = review({ ...P, queues: { a: {}, b: {} } }, { ...P, queues: { c: {}, b: {} } });
    const dev = stack(r);
    expect(dev.destroyed).toContain('google_cloud_tasks_queue.Pipeline-a_Queue_B9DA481F');
    expect(dev.suggestions.find((s) => s.from.startsWith('google_cloud_tasks_queue.'))).toBeUndefined();
    expect(dev.notes.join('\n')).toMatch(/set "queueId": "a"/);
    expect(open(r)).toEqual(expect.arrayContaining(['protected-destroyed google_cloud_tasks_queue', 'grant-revoked google_cloud_tasks_queue_iam_member']));
  });

  test('GIVEN an explicit queueId THEN the app moves every resource itself (its moved blocks), so nothing is destroyed', () => {
    const r = review({ ...P, queues: { a: { queueId: 'a' }, b: {} } }, { ...P, queues: { c: { queueId: 'a' }, b: {} } });
    const dev = stack(r);
    expect(dev.destroyed).toEqual([]);
    expect(dev.moved).toEqual(expect.arrayContaining([{ from: 'google_cloud_tasks_queue.Pipeline-a_Queue_B9DA481F', to: expect.stringMatching(/^google_cloud_tasks_queue\.Pipeline-c_Queue_/) }]));
    expect(dev.revoked).toEqual([]); // the same grants are configured again
    expect(r.blocking).toBe(false);
  });
});

describe('identity changes replace', () => {
  test('GIVEN a new queueId THEN the queue is replaced because of its name, and the old name is blocked for 7 days', () => {
    const r = review({ ...P, queueId: 'orders' }, { ...P, queueId: 'orders2' });
    expect(stack(r).replaced.find((x) => x.address === 'google_cloud_tasks_queue.Pipeline_Queue_C13966F5')!.attributes).toEqual(['name']);
    expect(stack(r).notes.join('\n')).toMatch(/queue "orders" .*cannot be reused for up to 7 days/);
    expect(r.blocking).toBe(true);
  });

  test('GIVEN a new region THEN the queue and the service are replaced because of location, and their grants with them', () => {
    const r = review({ ...P, queueId: 'orders' }, { ...P, queueId: 'orders', region: 'europe-west1' });
    expect(stack(r).replaced.map((x) => `${x.address.split('.')[0]}:${x.attributes.join(',')}`)).toEqual(
      expect.arrayContaining(['google_cloud_tasks_queue:location', 'google_cloud_run_v2_service:location']),
    );
    expect(open(r)).toEqual(expect.arrayContaining(['protected-replaced google_cloud_tasks_queue', 'grant-revoked google_cloud_tasks_queue_iam_member']));
  });

  test('GIVEN a new project THEN every resource is replaced because of project and the old foundation stack is left deployed', () => {
    const r = review({ ...P, queueId: 'orders' }, { project: 'acme-orders-dev2', queueId: 'orders' });
    expect(stack(r).replaced.find((x) => x.address === 'google_service_account.Pipeline_Enqueuer_6D7BF324')!.attributes).toEqual(['project']);
    expect(r.leftDeployed).toEqual(['project-acme-orders-dev']);
    expect(stack(r, 'project-acme-orders-dev2').created.length).toBeGreaterThan(0);
  });
});

describe('dedicatedDispatchIdentity', () => {
  test('GIVEN it is turned on THEN the dispatch account is created and the enqueuer loses its dispatch grants (blocking until acknowledged)', () => {
    const before = { ...P, queueId: 'orders' };
    const after = { ...P, queueId: 'orders', dedicatedDispatchIdentity: true };
    const r = review(before, after);
    expect(stack(r).created).toEqual(expect.arrayContaining(['google_service_account.Pipeline_Dispatcher_BC01A7B2']));
    expect(stack(r).revoked.map((g) => g.member)).toEqual(['serviceAccount:orders-enq@acme-orders-dev.iam.gserviceaccount.com', 'serviceAccount:orders-enq@acme-orders-dev.iam.gserviceaccount.com']);
    expect(open(r)).toEqual(['grant-revoked google_cloud_run_v2_service_iam_member', 'grant-revoked google_service_account_iam_member']);
    expect(review(before, after, r.findings.map((f) => `dev:${f.address}`)).blocking).toBe(false);
  });

  test('GIVEN it is turned off THEN the dispatch account is destroyed and its invoker grant revoked', () => {
    const r = review({ ...P, queueId: 'orders', dedicatedDispatchIdentity: true }, { ...P, queueId: 'orders' });
    expect(stack(r).destroyed).toContain('google_service_account.Pipeline_Dispatcher_BC01A7B2');
    expect(open(r)).toEqual(['grant-revoked google_cloud_run_v2_service_iam_member']);
  });
});

describe('alerts', () => {
  test('GIVEN alerts are added THEN policies, the metric and the dashboard are created and nothing blocks', () => {
    const r = review({ ...P, queueId: 'orders', alerts: false }, { ...P, queueId: 'orders' });
    expect(types(stack(r).created)).toEqual(['google_logging_metric', 'google_monitoring_alert_policy', 'google_monitoring_alert_policy', 'google_monitoring_alert_policy', 'google_monitoring_dashboard']);
    expect(stack(r, 'project-acme-orders-dev').replaced.map((x) => x.address.split('.')[0])).toEqual(['time_sleep']); // the wait runs again
    expect(r.blocking).toBe(false);
  });

  test('GIVEN alerts are removed THEN the environment loses its policies, and the foundation forgets Monitoring and Logging (left enabled): nothing blocks', () => {
    const r = review({ ...P, queueId: 'orders' }, { ...P, queueId: 'orders', alerts: false });
    expect(types(stack(r).destroyed)).toEqual(['google_logging_metric', 'google_monitoring_alert_policy', 'google_monitoring_alert_policy', 'google_monitoring_alert_policy', 'google_monitoring_dashboard']);
    const foundation = stack(r, 'project-acme-orders-dev');
    expect(foundation.destroyed).toEqual([]);
    expect(foundation.removedFromState.map((a) => a.replace(/^.*_(\w+)_[0-9A-F]{8}$/, '$1'))).toEqual(['logging', 'monitoring']);
    expect(r.findings).toEqual([]);
    expect(r.blocking).toBe(false);
  });
});

describe('dead letters to Pub/Sub', () => {
  test('GIVEN the Pub/Sub sink is added THEN the topic and subscription are created and publishing is granted', () => {
    const r = review({ ...P, queueId: 'orders' }, { ...P, queueId: 'orders', deadLetterSink: 'pubsub' });
    expect(types(stack(r).created)).toEqual(['google_pubsub_subscription', 'google_pubsub_topic', 'google_pubsub_topic_iam_member']);
    expect(stack(r).granted.map((g) => g.role)).toEqual(['roles/pubsub.publisher']);
    expect(r.findings.filter((f) => f.stack === 'dev')).toEqual([]);
  });

  test('GIVEN the Pub/Sub sink is removed THEN the topic is destroyed and the publisher grant revoked', () => {
    const r = review({ ...P, queueId: 'orders', deadLetterSink: 'pubsub' }, { ...P, queueId: 'orders' });
    expect(stack(r).revoked.map((g) => g.role)).toEqual(['roles/pubsub.publisher']);
    expect(r.findings.filter((f) => f.stack === 'dev').map((f) => f.kind)).toContain('grant-revoked');
    expect(stack(r, 'project-acme-orders-dev').removedFromState.map((a) => a.replace(/^.*_(\w+)_[0-9A-F]{8}$/, '$1'))).toEqual(['pubsub']);
    expect(r.findings.filter((f) => f.stack !== 'dev')).toEqual([]);
  });
});

describe('secrets', () => {
  test('GIVEN a secret is added THEN the accessor is granted and the service updated in place', () => {
    const r = review({ ...P, queueId: 'orders' }, { ...P, queueId: 'orders', handler: { secrets: { KEY: 'key-id' } } });
    expect(stack(r).granted.map((g) => `${g.role} ${g.resource}`)).toEqual(['roles/secretmanager.secretAccessor google_secret_manager_secret acme-orders-dev/key-id']);
    expect(stack(r).updated.map((u) => u.address.split('.')[0])).toEqual(['google_cloud_run_v2_service']);
    expect(r.blocking).toBe(false);
  });

  test('GIVEN a secret is removed THEN the accessor grant is revoked and the review blocks', () => {
    const r = review({ ...P, queueId: 'orders', handler: { secrets: { KEY: 'key-id' } } }, { ...P, queueId: 'orders' });
    expect(open(r)).toEqual(['grant-revoked google_secret_manager_secret_iam_member']);
  });
});

describe('environments', () => {
  test('GIVEN an environment is removed THEN its stacks are left deployed, not destroyed', () => {
    const r = review({ ...P, environments: { dev: {}, prod: { project: 'acme-orders-prod' } } }, { ...P, environments: { dev: {} } });
    expect(r.leftDeployed).toEqual(['prod', 'project-acme-orders-prod']);
    expect(r.stacks.flatMap((s) => s.destroyed)).toEqual([]);
    expect(r.blocking).toBe(false);
  });

  test('GIVEN a second environment in the same project THEN only its stack is created; the shared foundation is unchanged', () => {
    const r = review({ ...P, environments: { dev: {} } }, { ...P, environments: { dev: {}, staging: { queueId: 'stg' } } });
    expect(stack(r, 'staging').created.length).toBeGreaterThan(0);
    expect(stack(r, 'project-acme-orders-dev')).toMatchObject({ created: [], destroyed: [], replaced: [], updated: [] });
    expect(r.blocking).toBe(false);
  });
});

describe('in-place changes', () => {
  test('GIVEN only labels change THEN the service is updated in place (labels)', () => {
    const r = review({ ...P, labels: { team: 'a' } }, { ...P, labels: { team: 'b' } });
    expect(stack(r).updated.map((u) => `${u.address.split('.')[0]} ${u.attributes.join(',')}`).sort()).toEqual([
      'google_cloud_run_v2_service labels',
      'google_monitoring_alert_policy user_labels',
      'google_monitoring_alert_policy user_labels',
      'google_monitoring_alert_policy user_labels',
      'google_monitoring_dashboard dashboard_json',
    ]);
    expect(r.blocking).toBe(false);
  });

  test('GIVEN a new rate THEN the queue is updated in place (rate_limits)', () => {
    const r = review({ ...P, queueId: 'orders' }, { ...P, queueId: 'orders', maxDispatchesPerSecond: 20 });
    expect(stack(r).updated).toEqual([{ address: 'google_cloud_tasks_queue.Pipeline_Queue_C13966F5', attributes: ['rate_limits'] }]);
    expect(r.blocking).toBe(false);
  });

  test('GIVEN a new handler image THEN the service is updated in place (template)', () => {
    const r = review(P, { ...P, handlerImage: 'europe-docker.pkg.dev/acme/h/orders:2' });
    expect(stack(r).updated).toEqual([{ address: 'google_cloud_run_v2_service.Pipeline_Handler_ECA328F9', attributes: ['template'] }]);
    expect(r.blocking).toBe(false);
  });

  test('GIVEN protectFromDestroy is turned off THEN the queue and service only update (the lifecycle is no change to them)', () => {
    const r = review(P, { ...P, protectFromDestroy: false });
    expect(stack(r).updated.map((u) => `${u.address.split('.')[0]} ${u.attributes.join(',')}`)).toEqual(['google_cloud_run_v2_service deletion_protection']);
    expect(stack(r).replaced).toEqual([]);
  });
});

describe('upgrading from the layout where the environment owned the project foundation', () => {
  test('GIVEN foundationAdoptExisting THEN the environment forgets the APIs and the agent grant (revoking nothing) and the foundation stack imports them', () => {
    // GIVEN the older layout: the foundation's resources at the environment stack's addresses (those its removed blocks name), no foundation stack
    const after = synthApp({ ...P, foundationAdoptExisting: true });
    const foundation = after['project-acme-orders-dev'];
    const old: Record<string, Record<string, unknown>> = {};
    for (const { from } of after.dev.removed!) {
      const [type, name] = from.split('.');
      old[type] = { ...old[type], [name]: foundation.resource![type][name] };
    }
    const before = { dev: { ...after.dev, removed: undefined, resource: { ...after.dev.resource, ...old } } as typeof after.dev };
    // WHEN reviewed
    const r = reviewChanges(before, after);
    // THEN
    expect(stack(r).removedFromState).toEqual(after.dev.removed!.map((b) => b.from).sort());
    expect(stack(r).revoked).toEqual([]);
    expect(stack(r, 'project-acme-orders-dev').imported.map((i) => i.address).sort()).toEqual(foundation.import!.map((i) => i.to).sort());
    expect(r.blocking).toBe(false);
  });
});

test('GIVEN a new region THEN the queue note says the old name is deleted, not that the new queue is blocked (another location)', () => {
  const r = review({ ...P, queueId: 'orders' }, { ...P, queueId: 'orders', region: 'europe-west1' });
  expect(stack(r).notes).toEqual(['queue "orders" (acme-orders-dev/us-central1) is deleted with its tasks; its name cannot be reused for up to 7 days']);
});
