import { HttpTargetPipeline, HttpTargetPipelineProps, Principal, ProjectFoundationStack, TaskHandlerService } from '../constructs';
import { iamRows, only, resources, synth } from './helpers';

const base: HttpTargetPipelineProps = { queueId: 'orders', location: 'us-central1', project: 'test-project' };
const pipeline = (props: Partial<HttpTargetPipelineProps> = {}) =>
  synth((stack) => new HttpTargetPipeline(stack, 'Orders', { ...base, ...props }));
const idOf = (s: ReturnType<typeof pipeline>, type: string) => Object.keys(resources(s, type))[0];

describe('HttpTargetPipeline', () => {
  test('the queue targets the handler host (its uri without https://) at /tasks', () => {
    const s = pipeline();
    const runId = idOf(s, 'google_cloud_run_v2_service');
    const uri = only(s, 'google_cloud_tasks_queue').http_target.uri_override;
    expect(uri.host).toBe(`\${trimprefix(google_cloud_run_v2_service.${runId}.uri, "https://")}`);
    expect(uri.path_override).toEqual({ path: '/tasks' });
    expect(uri.scheme).toBe('HTTPS');
  });

  test('one audience string ties the token, Cloud Run and the handler together without a cycle', () => {
    const s = pipeline();
    const audience = only(s, 'google_cloud_tasks_queue').http_target.oidc_token.audience;
    expect(audience).toBe('https://orders-handler.us-central1.cloudtasks.audience');
    const svc = only(s, 'google_cloud_run_v2_service');
    expect(svc.custom_audiences).toEqual([audience]);
    expect(svc.template.containers[0].env).toContainEqual({ name: 'TASKS_AUDIENCE', value: audience });
    expect(JSON.stringify(svc)).not.toContain('google_cloud_run_v2_service.'); // no self-reference
  });

  test('the token is minted for the enqueuer account, which the handler is told to expect', () => {
    const s = pipeline();
    const enqId = Object.entries(resources(s, 'google_service_account')).find(([, sa]: any) => sa.account_id === 'orders-enq')![0];
    const email = `\${google_service_account.${enqId}.email}`;
    expect(only(s, 'google_cloud_tasks_queue').http_target.oidc_token.service_account_email).toBe(email);
    expect(only(s, 'google_cloud_run_v2_service').template.containers[0].env).toContainEqual({ name: 'TASKS_SERVICE_ACCOUNT', value: email });
  });

  test('IAM: exactly the enqueuer trio, the service agent, each additive and on the narrowest resource', () => {
    const s = pipeline();
    const enq = Object.entries(resources(s, 'google_service_account')).find(([, sa]: any) => sa.account_id === 'orders-enq')![0];
    const member = `\${google_service_account.${enq}.member}`;
    expect(iamRows(s)).toEqual(
      [
        `google_cloud_run_v2_service_iam_member | roles/run.invoker | ${member}`,
        `google_cloud_tasks_queue_iam_member | roles/cloudtasks.enqueuer | ${member}`,
        `google_project_iam_member | roles/cloudtasks.serviceAgent | serviceAccount:service-\${data.google_project.${Object.keys(s.json.data!.google_project)[0]}.number}@gcp-sa-cloudtasks.iam.gserviceaccount.com`,
        `google_service_account_iam_member | roles/iam.serviceAccountUser | ${member}`,
      ].sort(),
    );
    expect(only(s, 'google_service_account_iam_member').service_account_id).toBe(`\${google_service_account.${enq}.name}`);
    const types = Object.keys(s.json.resource!);
    expect(types.filter((t) => /_iam_(binding|policy)$/.test(t))).toEqual([]);
  });

  test('every resource waits for the foundation: the post-enable wait and the agent grant', () => {
    // GIVEN a pipeline without a foundation prop (its stack gets one) THEN every resource outside the
    // foundation depends on the wait and the grant
    const s = pipeline();
    const ready = [`time_sleep.${idOf(s, 'time_sleep')}`, `google_project_iam_member.${idOf(s, 'google_project_iam_member')}`];
    const foundationTypes = ['google_project_service', 'google_project_iam_member', 'google_project_service_identity', 'time_sleep'];
    const others = Object.entries(s.json.resource!).filter(([type]) => !foundationTypes.includes(type));
    expect(others.length).toBeGreaterThanOrEqual(6);
    for (const [type, byId] of others) {
      // (the dead-letter alert no longer follows its log metric: a log-match condition needs none)
      for (const [id, r] of Object.entries<any>(byId)) expect([`${type}.${id}`, r.depends_on]).toEqual([`${type}.${id}`, ready]);
    }
  });

  test('a foundation from another stack is used instead of one in this stack', () => {
    const s = synth((stack) => {
      const home = new ProjectFoundationStack(stack.node.scope as any, 'home', { project: 'test-project' });
      new HttpTargetPipeline(stack, 'Orders', { ...base, foundation: home.foundation });
    });
    for (const type of ['google_project_service', 'google_project_iam_member', 'time_sleep']) expect(resources(s, type)).toEqual({});
    expect(only(s, 'google_cloud_tasks_queue').depends_on).toEqual([`terraform_data.${idOf(s, 'terraform_data')}`]);
  });

  test('refuses a foundation of another project', () => {
    expect(() =>
      synth((stack) => {
        const home = new ProjectFoundationStack(stack.node.scope as any, 'home', { project: 'other-project' });
        new HttpTargetPipeline(stack, 'Orders', { ...base, foundation: home.foundation });
      }),
    ).toThrow(/'foundation' of 'test\/Orders' is for project other-project, but the pipeline's 'project' is test-project/);
  });

  describe('dedicatedDispatchIdentity', () => {
    const dedicated = () => pipeline({ dedicatedDispatchIdentity: true });
    const accountRef = (s: ReturnType<typeof pipeline>, accountId: string, attr: string) =>
      `\${google_service_account.${Object.entries(resources(s, 'google_service_account')).find(([, sa]: any) => sa.account_id === accountId)![0]}.${attr}}`;

    test('the token names an account used only for dispatch, and the handler expects it', () => {
      const s = dedicated();
      const email = accountRef(s, 'orders-dsp', 'email');
      expect(only(s, 'google_cloud_tasks_queue').http_target.oidc_token.service_account_email).toBe(email);
      expect(only(s, 'google_cloud_run_v2_service').template.containers[0].env).toContainEqual({ name: 'TASKS_SERVICE_ACCOUNT', value: email });
    });

    test('IAM: the enqueuer only enqueues; the dispatch identity only invokes; nobody gets actAs', () => {
      const s = dedicated();
      const rows = iamRows(s).filter((r) => !r.includes('serviceAgent'));
      expect(rows).toEqual([
        `google_cloud_run_v2_service_iam_member | roles/run.invoker | ${accountRef(s, 'orders-dsp', 'member')}`,
        `google_cloud_tasks_queue_iam_member | roles/cloudtasks.enqueuer | ${accountRef(s, 'orders-enq', 'member')}`,
      ]);
    });
  });

  test('protects queue and service by default; protectFromDestroy: false turns both off', () => {
    const on = pipeline();
    expect(only(on, 'google_cloud_tasks_queue').lifecycle.prevent_destroy).toBe(true);
    expect(only(on, 'google_cloud_run_v2_service').deletion_protection).toBe(true);
    const off = pipeline({ protectFromDestroy: false });
    expect(only(off, 'google_cloud_tasks_queue').lifecycle.prevent_destroy).toBe(false);
    expect(only(off, 'google_cloud_run_v2_service').deletion_protection).toBe(false);
  });

  test('logs every task operation by default', () => {
    expect(only(pipeline(), 'google_cloud_tasks_queue').stackdriver_logging_config).toEqual({ sampling_ratio: 1 });
  });

  test('a brought enqueuer is used everywhere and no enqueuer account is created', () => {
    const s = pipeline({ enqueuer: Principal.serviceAccount('producer@shared-project.iam.gserviceaccount.com') });
    const accounts = Object.values(resources(s, 'google_service_account')).map((sa: any) => sa.account_id);
    expect(accounts).toEqual(['orders-handler-run']);
    expect(only(s, 'google_cloud_tasks_queue_iam_member').member).toBe('serviceAccount:producer@shared-project.iam.gserviceaccount.com');
    expect(only(s, 'google_service_account_iam_member').service_account_id).toBe(
      'projects/shared-project/serviceAccounts/producer@shared-project.iam.gserviceaccount.com',
    );
  });

  test('two pipelines in one stack: one service agent binding, no id clashes', () => {
    const s = synth((stack) => {
      new HttpTargetPipeline(stack, 'Orders', { ...base, queueId: 'orders' });
      new HttpTargetPipeline(stack, 'Emails', { ...base, queueId: 'emails' });
    });
    expect(Object.keys(resources(s, 'google_project_iam_member'))).toHaveLength(1);
    // cloudtasks, run, iam + monitoring and logging for the alerts: once each, shared by both pipelines
    expect(Object.values(resources(s, 'google_project_service')).map((a: any) => a.service).sort()).toEqual([
      'cloudtasks.googleapis.com',
      'iam.googleapis.com',
      'logging.googleapis.com',
      'monitoring.googleapis.com',
      'run.googleapis.com',
    ]);
    expect(Object.keys(resources(s, 'google_cloud_tasks_queue'))).toHaveLength(2);
    expect(Object.keys(resources(s, 'google_cloud_tasks_queue_iam_member'))).toHaveLength(2);
    expect(Object.values(resources(s, 'google_service_account')).map((sa: any) => sa.account_id).sort()).toEqual([
      'emails-enq',
      'emails-handler-run',
      'orders-enq',
      'orders-handler-run',
    ]);
  });

  test('a long queue id still yields valid account ids', () => {
    const s = pipeline({ queueId: 'a-very-long-queue-name-for-reports', handler: { serviceName: 'reports' } });
    for (const sa of Object.values(resources(s, 'google_service_account')) as any[]) {
      expect(sa.account_id).toMatch(/^[a-z](?:[-a-z0-9]{4,28}[a-z0-9])$/);
    }
  });

  test('rejects a handler timeout below the dispatch deadline with the construct path', () => {
    expect(() => pipeline({ dispatchDeadlineSeconds: 900, bufferTask: false, handler: { timeoutSeconds: 600 } })).toThrow(
      /Invalid props for 'test\/Orders\/Handler':\n {2}- 'timeoutSeconds' must be >= dispatchDeadlineSeconds \(900\)/,
    );
  });
});

describe('HttpTargetPipeline with a shared handler', () => {
  const sharedProps = { serviceName: 'orders', location: 'us-central1', project: 'test-project', audience: 'https://orders.example/aud', dispatchDeadlineSeconds: 900 };

  test('two queues front one service: same audience and path, each token account accepted and allowed to invoke', () => {
    const s = synth((stack) => {
      const shared = new TaskHandlerService(stack, 'Orders', { ...sharedProps, tasksPath: '/work' });
      new HttpTargetPipeline(stack, 'Fast', { ...base, queueId: 'orders-fast', sharedHandler: shared });
      new HttpTargetPipeline(stack, 'Slow', { ...base, queueId: 'orders-slow', sharedHandler: shared, dispatchDeadlineSeconds: 900, bufferTask: false });
    });
    expect(Object.keys(resources(s, 'google_cloud_run_v2_service'))).toHaveLength(1);
    for (const q of Object.values(resources(s, 'google_cloud_tasks_queue')) as any[]) {
      expect(q.http_target.oidc_token.audience).toBe('https://orders.example/aud');
      expect(q.http_target.uri_override.path_override).toEqual({ path: '/work' });
    }
    const enq = (id: string) => Object.entries(resources(s, 'google_service_account')).find(([, sa]: any) => sa.account_id === `${id}-enq`)![0];
    const svc = only(s, 'google_cloud_run_v2_service');
    expect(svc.template.containers[0].env).toContainEqual({
      name: 'TASKS_SERVICE_ACCOUNT',
      value: `\${google_service_account.${enq('orders-fast')}.email},\${google_service_account.${enq('orders-slow')}.email}`,
    });
    expect(Object.values(resources(s, 'google_cloud_run_v2_service_iam_member')).map((g: any) => g.member).sort()).toEqual(
      [`\${google_service_account.${enq('orders-fast')}.member}`, `\${google_service_account.${enq('orders-slow')}.member}`].sort(),
    );
    expect(new Set(svc.depends_on).size).toBe(svc.depends_on.length); // the foundation once, however many queues
  });

  const invalid: Array<[string, Partial<HttpTargetPipelineProps>, RegExp]> = [
    ['its own handler settings too', { handler: { image: 'gcr.io/acme/h' } }, /'handler' must be unset when sharedHandler is given/],
    ['a longer dispatch deadline', { dispatchDeadlineSeconds: 1200, bufferTask: false }, /'dispatchDeadlineSeconds' must be at most the shared handler's dispatch deadline \(900 s\).*got 1200/],
    ['another audience', { audience: 'https://elsewhere' }, /'audience' must be the shared handler's audience \(https:\/\/orders.example\/aud\) or unset, got "https:\/\/elsewhere"/],
    ['a Pub/Sub dead-letter sink of its own', { deadLetters: { sink: 'pubsub' } }, /'deadLetters.sink' must be "log" or unset when sharedHandler is given \(a shared service has one dead-letter sink for all its queues\), got "pubsub"/],
  ];
  test.each(invalid)('rejects %s', (_n, props, message) => {
    expect(() =>
      synth((stack) => new HttpTargetPipeline(stack, 'Q', { ...base, ...props, sharedHandler: new TaskHandlerService(stack, 'Orders', sharedProps) })),
    ).toThrow(message);
  });

  test('pipeline labels reach its own handler service, handler labels win', () => {
    const s = pipeline({ labels: { team: 'orders', tier: 'x' }, handler: { labels: { tier: 'backend' } } });
    expect(only(s, 'google_cloud_run_v2_service').labels).toEqual({ team: 'orders', tier: 'backend' });
  });

  test('a 100-character queue id gets a hashed, valid service name', () => {
    const s = pipeline({ queueId: 'Q'.repeat(100) });
    expect(only(s, 'google_cloud_run_v2_service').name).toMatch(/^q{34}-[0-9a-f]{6}-handler$/);
  });
});
