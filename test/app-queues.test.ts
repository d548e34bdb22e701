import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { resolveConfig } from '../config';
import { buildApp } from '../main';
import { tempDir } from './temp';

const root = join(__dirname, '..');

function synthStack(file: unknown, env = 'dev') {
  const outdir = tempDir('synth-q-');
  buildApp(resolveConfig(file, {}), outdir).synth();
  return JSON.parse(readFileSync(join(outdir, 'stacks', env, 'cdk.tf.json'), 'utf8'));
}
const envOf = (svc: any) => Object.fromEntries(svc.template.containers[0].env.map((e: any) => [e.name, e.value]));
const byName = (tf: any, type: string, name: string) => Object.entries<any>(tf.resource[type]).find(([, r]) => r.name === name)!;

describe('the app with one queue (today\'s cdktf.json files)', () => {
  test('keeps every Terraform address of the single queue, with or without settings', () => {
    // GIVEN today's single-queue form, WHEN synthesized, THEN the ids match what deployed stacks have
    for (const file of [{}, { queueId: 'orders', region: 'europe-west1', handlerImage: 'europe-docker.pkg.dev/acme/h/orders:1', maxAttempts: 5 }]) {
      const tf = synthStack(file);
      expect(Object.keys(tf.resource.google_cloud_tasks_queue)).toEqual(['Pipeline_Queue_C13966F5']);
      expect(Object.keys(tf.resource.google_cloud_run_v2_service)).toEqual(['Pipeline_Handler_ECA328F9']);
      expect(Object.keys(tf.resource.google_service_account).sort()).toEqual(['Pipeline_Enqueuer_6D7BF324', 'Pipeline_Handler_Runtime_E8EA4958']);
      expect(Object.keys(tf.resource.google_cloud_run_v2_service_iam_member)).toEqual(['Pipeline_Handler_runinvoker-Pipeline-Enqueuer_27AC8D50']);
      expect(Object.keys(tf.output).sort()).toEqual(['buffer_task_url', 'enqueuer_service_account', 'handler_url', 'queue_name', 'queue_path']);
    }
  });
});

describe('growing from one queue to many', () => {
  const ids = (tf: any) =>
    Object.entries<any>(tf.resource)
      .flatMap(([type, byId]) => Object.keys(byId).map((id) => `${type}.${id}`))
      .sort();

  test('GIVEN a deployed single queue moved into queues with keepSingleQueueAddresses THEN none of its resources is replaced', () => {
    const before = ids(synthStack({ project: 'acme-orders-dev', queueId: 'orders' }));
    const after = ids(synthStack({ project: 'acme-orders-dev', queues: { orders: { keepSingleQueueAddresses: true }, emails: {} } }));
    expect(after).toEqual(expect.arrayContaining(before));
    expect(after.filter((id) => !before.includes(id)).every((id) => id.includes('Pipeline-emails'))).toBe(true);
  });

  test('only one queue per environment can keep the single-queue addresses', () => {
    expect(() => resolveConfig({ queues: { a: { keepSingleQueueAddresses: true }, b: { keepSingleQueueAddresses: true } } }, {})).toThrow(
      /'context.pipeline.queues.b.keepSingleQueueAddresses' must be true for one queue only \(context.pipeline.queues.a.keepSingleQueueAddresses already is\)/,
    );
  });
});

describe('the app with three queues, one shared handler and one dedicated', () => {
  const file = {
    project: 'acme-orders-prod',
    labels: { team: 'orders' },
    handlers: { orders: { image: 'europe-docker.pkg.dev/acme/handlers/orders:1.0' } },
    queues: {
      'orders-fast': { handler: 'orders' },
      'orders-slow': { handler: 'orders', dispatchDeadlineSeconds: 1800, bufferTask: false },
      emails: { labels: { lane: 'mail' } },
    },
  };
  const tf = synthStack(file);
  const [sharedId, shared] = byName(tf, 'google_cloud_run_v2_service', 'orders');
  const [ownId, own] = byName(tf, 'google_cloud_run_v2_service', 'emails-handler');
  const enqueuer = (queue: string) =>
    Object.entries<any>(tf.resource.google_service_account).find(([, sa]) => sa.account_id === `${queue}-enq`)![0];

  test('two services: the shared one and the dedicated one', () => {
    expect(Object.values<any>(tf.resource.google_cloud_run_v2_service).map((s) => s.name).sort()).toEqual(['emails-handler', 'orders']);
    expect(Object.keys(tf.resource.google_cloud_tasks_queue)).toHaveLength(3);
  });

  test('the shared handler accepts the token accounts of both of its queues, and only those', () => {
    expect(envOf(shared).TASKS_SERVICE_ACCOUNT).toBe(
      `\${google_service_account.${enqueuer('orders-fast')}.email},\${google_service_account.${enqueuer('orders-slow')}.email}`,
    );
    expect(envOf(own).TASKS_SERVICE_ACCOUNT).toBe(`\${google_service_account.${enqueuer('emails')}.email}`);
  });

  test('each queue\'s token account may invoke the service it targets, and no other', () => {
    const grants = Object.values<any>(tf.resource.google_cloud_run_v2_service_iam_member).map((g) => `${g.name} <- ${g.member} (${g.role})`).sort();
    expect(grants).toEqual(
      [
        `\${google_cloud_run_v2_service.${sharedId}.name} <- \${google_service_account.${enqueuer('orders-fast')}.member} (roles/run.invoker)`,
        `\${google_cloud_run_v2_service.${sharedId}.name} <- \${google_service_account.${enqueuer('orders-slow')}.member} (roles/run.invoker)`,
        `\${google_cloud_run_v2_service.${ownId}.name} <- \${google_service_account.${enqueuer('emails')}.member} (roles/run.invoker)`,
      ].sort(),
    );
  });

  test('both queues of the shared handler use its audience, which the service and the handler accept', () => {
    const audience = 'https://orders.us-central1.cloudtasks.audience';
    const queues = Object.values<any>(tf.resource.google_cloud_tasks_queue);
    const toShared = queues.filter((q) => q.http_target.uri_override.host.includes(sharedId));
    expect(toShared.map((q) => q.name).sort()).toEqual(['orders-fast', 'orders-slow']);
    for (const q of toShared) expect(q.http_target.oidc_token.audience).toBe(audience);
    expect(shared.custom_audiences).toEqual([audience]);
    expect(envOf(shared).TASKS_AUDIENCE).toBe(audience);
  });

  test('the shared handler waits as long as its slowest queue', () => {
    expect(shared.template.timeout).toBe('1800s');
    expect(envOf(shared).TASKS_DISPATCH_DEADLINE_SECONDS).toBe('1800');
  });

  test('labels: the common set on both services, the queue extra on its own handler only', () => {
    expect(shared.labels).toEqual({ team: 'orders' });
    expect(own.labels).toEqual({ team: 'orders', lane: 'mail' });
  });

  test('labels reach the alert policies (user_labels): the common set, a queue\'s extras on its own policies only', () => {
    const labelsOf = (q: string) => Object.values<any>(tf.resource.google_monitoring_alert_policy).filter((p) => p.user_labels['cloud-tasks-queue'] === q).map((p) => p.user_labels);
    expect(labelsOf('orders-fast')).toEqual(Array(3).fill({ team: 'orders', 'cloud-tasks-queue': 'orders-fast' }));
    expect(labelsOf('emails')).toEqual(Array(3).fill({ team: 'orders', lane: 'mail', 'cloud-tasks-queue': 'emails' }));
  });

  test('labels reach the dashboard (its labels, inside dashboard_json): the common set', () => {
    expect(JSON.parse(Object.values<any>(tf.resource.google_monitoring_dashboard)[0].dashboard_json).labels).toEqual({ team: 'orders' });
  });

  test('labels reach the Pub/Sub dead-letter topic and subscription', () => {
    const pubsub = synthStack({ project: 'acme-orders-prod', labels: { team: 'orders' }, queues: { emails: { deadLetterSink: 'pubsub', labels: { lane: 'mail' } } } });
    expect(Object.values<any>(pubsub.resource.google_pubsub_topic).map((t) => t.labels)).toEqual([{ team: 'orders', lane: 'mail' }]);
    expect(Object.values<any>(pubsub.resource.google_pubsub_subscription).map((t) => t.labels)).toEqual([{ team: 'orders', lane: 'mail' }]);
  });

  test('without labels nothing gains a labels key (unchanged JSON for configs that set none)', () => {
    const plain = synthStack({ project: 'acme-orders-prod', queues: { emails: { deadLetterSink: 'pubsub' } } });
    expect(Object.values<any>(plain.resource.google_pubsub_topic)[0]).not.toHaveProperty('labels');
    expect(Object.values<any>(plain.resource.google_pubsub_subscription)[0]).not.toHaveProperty('labels');
    expect(Object.values<any>(plain.resource.google_monitoring_alert_policy).map((p) => Object.keys(p.user_labels))).toEqual(Array(3).fill(['cloud-tasks-queue']));
    expect(JSON.parse(Object.values<any>(plain.resource.google_monitoring_dashboard)[0].dashboard_json)).not.toHaveProperty('labels');
  });

  test('the shared handler knows each of its queues\' retry limits (dead letters by each queue\'s own rule)', () => {
    expect(JSON.parse(envOf(shared).TASKS_QUEUE_RETRY_LIMITS)).toEqual({
      'orders-fast': { maxAttempts: 100, maxRetryDuration: '0s' },
      'orders-slow': { maxAttempts: 100, maxRetryDuration: '0s' },
    });
    expect(envOf(own).TASKS_QUEUE_RETRY_LIMITS).toBeUndefined();
    expect(envOf(own).TASKS_MAX_ATTEMPTS).toBe('100');
  });

  test('alerts per queue, and one dashboard for the environment showing all three', () => {
    const policies = Object.values<any>(tf.resource.google_monitoring_alert_policy);
    for (const q of ['orders-fast', 'orders-slow', 'emails']) expect(policies.filter((p) => p.user_labels['cloud-tasks-queue'] === q)).toHaveLength(3);
    const dashboards = Object.values<any>(tf.resource.google_monitoring_dashboard);
    expect(dashboards).toHaveLength(1);
    for (const q of ['orders-fast', 'orders-slow', 'emails']) expect(dashboards[0].dashboard_json).toContain(`resource.labels.queue_id = \\"${q}\\"`);
  });

  test('outputs per queue, suffixed with the queue name', () => {
    expect(Object.keys(tf.output)).toContain('buffer_task_url_orders-fast');
    expect(Object.keys(tf.output)).toContain('queue_path_orders-slow'); // CreateTask-only: no buffer_task_url
    expect(tf.output['queue_name_emails'].value).toMatch(/^\$\{google_cloud_tasks_queue\.\S+\.name\}$/);
  });
});

describe('the app: alert settings reach the alert policies', () => {
  test('comma-separated notification channels from cdktf.json go to every policy of that queue, trimmed', () => {
    const tf = synthStack({ alertNotificationChannels: 'projects/acme/notificationChannels/1, projects/acme/notificationChannels/2', alertBacklogTasks: 50 });
    const policies = Object.values<any>(tf.resource.google_monitoring_alert_policy);
    expect(policies).toHaveLength(3);
    for (const p of policies) expect(p.notification_channels).toEqual(['projects/acme/notificationChannels/1', 'projects/acme/notificationChannels/2']);
    expect(policies.find((p) => /backlog/.test(p.display_name)).conditions[0].condition_threshold.threshold_value).toBe(50);
  });
});

describe('the app: limits of names and failures', () => {
  test('a 100-character queue id synthesizes', () => {
    const id = 'q'.repeat(100);
    const tf = synthStack({ queueId: id });
    expect(Object.values<any>(tf.resource.google_cloud_tasks_queue)[0].name).toBe(id);
    expect(Object.values<any>(tf.resource.google_cloud_run_v2_service)[0].name).toMatch(/^q+-[0-9a-f]{6}-handler$/);
  });

  test('a failed synth writes no stack, and the placeholder project warns on stderr', () => {
    const outdir = tempDir('bad-');
    const cwd = tempDir('cfg-');
    writeFileSync(
      join(cwd, 'cdktf.json'),
      JSON.stringify({ context: { pipeline: { environments: { dev: {}, prod: { project: 'acme-prod-1', maxAttempts: -9 } } } } }),
    );
    const run = (env: Record<string, string>) =>
      spawnSync(process.execPath, ['-r', join(root, 'scripts/register.js'), join(root, 'main.ts')], {
        cwd,
        env: { ...process.env, CDKTF_OUTDIR: outdir, CHECKPOINT_DISABLE: '1', ...env },
        encoding: 'utf8',
      });
    const failed = run({});
    expect(failed.status).toBe(1);
    expect(failed.stderr).toMatch(/'context.pipeline.environments.prod.maxAttempts' must be an integer >= -1/);
    expect(existsSync(join(outdir, 'stacks'))).toBe(false);

    const ok = run({ PIPELINE_ENVIRONMENTS: 'dev' });
    expect(ok.status).toBe(0);
    expect(ok.stderr).toMatch(/^WARNING: environment "dev" uses the placeholder project "my-gcp-project"/m);
  });
});

test('the configuration guide\'s multi-queue cdktf.json synthesizes both environments', () => {
  const guide = readFileSync(join(root, 'docs', 'configuration.md'), 'utf8');
  const examples = [...guide.matchAll(/```json\n([\s\S]*?)```/g)].map((m) => JSON.parse(m[1]));
  const multi = examples.find((e) => e.context?.pipeline?.queues);
  expect(multi).toBeDefined();
  const prod = synthStack(multi.context.pipeline, 'prod');
  expect(Object.values<any>(prod.resource.google_cloud_tasks_queue).map((q) => q.name).sort()).toEqual(['emails', 'orders-fast', 'orders-slow']);
  const orders = Object.values<any>(prod.resource.google_cloud_run_v2_service).find((s) => s.name === 'orders');
  expect(orders.template.scaling).toEqual({ min_instance_count: 2, max_instance_count: 100 });
  expect(Object.values<any>(prod.resource.google_secret_manager_secret_iam_member)).toHaveLength(1);
});

test('every handler setting in cdktf.json reaches its provider attribute', () => {
  const tf = synthStack({
    project: 'acme-orders-dev',
    labels: { team: 'orders' },
    handler: {
      serviceName: 'orders-worker',
      image: 'europe-docker.pkg.dev/acme/h/orders:1',
      path: '/work',
      ingress: 'INGRESS_TRAFFIC_ALL',
      timeoutSeconds: 900,
      cpu: '4',
      memory: '4Gi',
      minInstances: 1,
      maxInstances: 30,
      concurrency: 50,
      bodyTimeoutSeconds: 20,
      maxConnections: 500,
      env: { MODE: 'fast' },
      secrets: { TOKEN: { secret: 'orders-token', version: '2' } },
      network: 'vpc-a',
      subnetwork: 'subnet-a',
      egress: 'ALL_TRAFFIC',
      labels: { tier: 'backend' },
    },
  });
  const svc = Object.values<any>(tf.resource.google_cloud_run_v2_service)[0];
  expect(svc).toMatchObject({
    name: 'orders-worker',
    ingress: 'INGRESS_TRAFFIC_ALL',
    labels: { team: 'orders', tier: 'backend' },
    template: {
      timeout: '900s',
      scaling: { min_instance_count: 1, max_instance_count: 30 },
      max_instance_request_concurrency: 50,
      vpc_access: { network_interfaces: [{ network: 'vpc-a', subnetwork: 'subnet-a' }], egress: 'ALL_TRAFFIC' },
      containers: [{ image: 'europe-docker.pkg.dev/acme/h/orders:1', resources: { limits: { cpu: '4', memory: '4Gi' }, cpu_idle: true } }],
    },
  });
  expect(svc.template.containers[0].env).toEqual(
    expect.arrayContaining([
      { name: 'MODE', value: 'fast' },
      { name: 'TOKEN', value_source: { secret_key_ref: { secret: 'orders-token', version: '2' } } },
      { name: 'TASKS_PATH', value: '/work' },
      { name: 'TASKS_BODY_TIMEOUT_SECONDS', value: '20' },
      { name: 'TASKS_MAX_CONNECTIONS', value: '500' },
    ]),
  );
  expect(Object.values<any>(tf.resource.google_cloud_tasks_queue)[0].http_target.uri_override.path_override).toEqual({ path: '/work' });
  expect(Object.values<any>(tf.resource.google_secret_manager_secret_iam_member)[0]).toMatchObject({ secret_id: 'orders-token', role: 'roles/secretmanager.secretAccessor' });
});

test('queues behind a shared handler with dedicated dispatch identities: the handler accepts and lets in each dispatcher', () => {
  const tf = synthStack({ project: 'acme-orders-dev', dedicatedDispatchIdentity: true, handlers: { orders: {} }, queues: { alpha: { handler: 'orders' }, bravo: { handler: 'orders' } } });
  const dsp = (q: string) => Object.entries<any>(tf.resource.google_service_account).find(([, sa]) => sa.account_id === `${q}-dsp`)![0];
  const svc = Object.values<any>(tf.resource.google_cloud_run_v2_service)[0];
  expect(envOf(svc).TASKS_SERVICE_ACCOUNT).toBe(`\${google_service_account.${dsp('alpha')}.email},\${google_service_account.${dsp('bravo')}.email}`);
  expect(Object.values<any>(tf.resource.google_cloud_run_v2_service_iam_member).map((g) => g.member).sort()).toEqual(
    [`\${google_service_account.${dsp('alpha')}.member}`, `\${google_service_account.${dsp('bravo')}.member}`].sort(),
  );
});
