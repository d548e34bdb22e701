// Boundaries of the synth-time and producer-side rules: the exact edge is accepted, one step past it is not.
import { HttpTargetPipeline, Principal, TaskHandlerService, TaskQueue, TaskQueueProps } from '../constructs';
import { queuePath } from '../client/options';
import { only, synth } from './helpers';

const sa = Principal.serviceAccount('invoker@test-project.iam.gserviceaccount.com');
const queue = (props: Partial<TaskQueueProps>) => synth((stack) => new TaskQueue(stack, 'Queue', { queueId: 'orders', location: 'us-central1', ...props }));

describe('TaskQueue rule boundaries', () => {
  test.each([0, 0.5, 1])('loggingSamplingRatio %p is accepted and synthesized', (ratio) => {
    expect(only(queue({ loggingSamplingRatio: ratio }), 'google_cloud_tasks_queue').stackdriver_logging_config).toEqual({ sampling_ratio: ratio });
  });

  test.each([-0.01, 1.01, Number.NaN])('loggingSamplingRatio %p is rejected', (ratio) => {
    expect(() => queue({ loggingSamplingRatio: ratio })).toThrow(/'loggingSamplingRatio' must be a number from 0.0 to 1.0/);
  });

  test('minBackoff equal to maxBackoff is allowed (a constant delay)', () => {
    expect(only(queue({ retry: { minBackoff: '10s', maxBackoff: '10s' } }), 'google_cloud_tasks_queue').retry_config).toEqual({ min_backoff: '10s', max_backoff: '10s' });
  });

  test('minBackoff one second above maxBackoff is rejected', () => {
    expect(() => queue({ retry: { minBackoff: '11s', maxBackoff: '10s' } })).toThrow(/'retry.minBackoff' must be <= retry.maxBackoff \(10s\), got "11s"/);
  });

  test('an OAuth token to a googleapis.com host gets the cloud-platform scope by default', () => {
    const q = only(queue({ httpTarget: { uriOverride: { host: 'pubsub.googleapis.com' }, oauthToken: { serviceAccount: sa } } }), 'google_cloud_tasks_queue');
    expect(q.http_target.oauth_token).toEqual({ service_account_email: sa.email, scope: 'https://www.googleapis.com/auth/cloud-platform' });
  });

  test('a narrower OAuth scope URL is accepted and kept', () => {
    const scope = 'https://www.googleapis.com/auth/pubsub';
    const q = only(queue({ httpTarget: { uriOverride: { host: 'pubsub.googleapis.com' }, oauthToken: { serviceAccount: sa, scope } } }), 'google_cloud_tasks_queue');
    expect(q.http_target.oauth_token.scope).toBe(scope);
  });

  test('an OAuth scope that only contains the googleapis prefix further in is rejected', () => {
    expect(() =>
      queue({ httpTarget: { uriOverride: { host: 'pubsub.googleapis.com' }, oauthToken: { serviceAccount: sa, scope: 'x-https://www.googleapis.com/auth/pubsub' } } }),
    ).toThrow(/'httpTarget.oauthToken.scope' must be an OAuth scope URL/);
  });
});

describe('TaskHandlerService environment and ingress', () => {
  const base = { serviceName: 'orders-handler', location: 'us-central1', audience: 'https://a.example/tasks', tokenServiceAccountEmail: 'enq@test-project.iam.gserviceaccount.com' };
  const envOf = (svc: any) => Object.fromEntries(svc.template.containers[0].env.map((e: any) => [e.name, e.value]));

  test('extra environment variables reach the container beside the TASKS_* ones', () => {
    const svc = only(synth((stack) => new TaskHandlerService(stack, 'H', { ...base, environment: { LOG_LEVEL: 'debug', FEATURE_FLAGS: 'a,b' } })), 'google_cloud_run_v2_service');
    expect(envOf(svc)).toEqual({
      LOG_LEVEL: 'debug',
      FEATURE_FLAGS: 'a,b',
      TASKS_AUDIENCE: base.audience,
      TASKS_SERVICE_ACCOUNT: base.tokenServiceAccountEmail,
      TASKS_PATH: '/tasks',
      TASKS_DISPATCH_DEADLINE_SECONDS: '600',
    });
  });

  test('PORT is Cloud Run\'s and cannot be set', () => {
    expect(() => synth((stack) => new TaskHandlerService(stack, 'H', { ...base, environment: { PORT: '9090' } }))).toThrow(/'environment.PORT' must be a variable name .*not PORT, K_SERVICE, K_REVISION, K_CONFIGURATION \(set by Cloud Run\).*got "PORT"/);
  });

  test.each(['INGRESS_TRAFFIC_ALL', 'INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER'] as const)('ingress %s is accepted and synthesized', (ingress) => {
    expect(only(synth((stack) => new TaskHandlerService(stack, 'H', { ...base, ingress })), 'google_cloud_run_v2_service').ingress).toBe(ingress);
  });

  test('the pipeline passes the handler environment, ingress and instance cap through', () => {
    const s = synth(
      (stack) =>
        new HttpTargetPipeline(stack, 'P', {
          queueId: 'orders',
          location: 'us-central1',
          project: 'test-project',
          handler: { environment: { FEATURE: 'on' }, ingress: 'INGRESS_TRAFFIC_ALL', maxInstanceCount: 3 },
        }),
    );
    const svc = only(s, 'google_cloud_run_v2_service');
    expect(envOf(svc).FEATURE).toBe('on');
    expect(svc.ingress).toBe('INGRESS_TRAFFIC_ALL');
    expect(svc.template.scaling).toEqual({ max_instance_count: 3 });
  });
});

describe('queuePath (producers)', () => {
  test('accepts a full queue path and builds one from parts', () => {
    const path = 'projects/test-project/locations/us-central1/queues/orders';
    expect(queuePath(path)).toBe(path);
    expect(queuePath({ project: 'test-project', location: 'us-central1', queue: 'orders' })).toBe(path);
  });

  test.each([
    ['a prefix before "projects/"', 'x/projects/test-project/locations/us-central1/queues/orders'],
    ['a suffix after the queue id (path injection into the BufferTask URL)', 'projects/test-project/locations/us-central1/queues/orders/tasks/evil'],
    ['an empty queue id', 'projects/test-project/locations/us-central1/queues/'],
  ])('rejects %s', (_what, path) => {
    expect(() => queuePath(path)).toThrow(/queue must be "projects\/PROJECT\/locations\/LOCATION\/queues\/QUEUE"/);
  });

  test('names every bad part at once', () => {
    expect(() => queuePath({ project: 'P', location: 'Mars', queue: 'bad_q' })).toThrow(/project must be a project id.*; location must be a region.*; queue must be letters/);
  });
});
