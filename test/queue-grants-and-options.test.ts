import { Principal, TaskQueue, TaskQueueProps } from '../constructs';
import { only, synth } from './helpers';

const sa = Principal.serviceAccount('tokens@test-project.iam.gserviceaccount.com');
const base: TaskQueueProps = { queueId: 'orders', location: 'us-central1' };
const queue = (props: Partial<TaskQueueProps> = {}) => only(synth((stack) => new TaskQueue(stack, 'Queue', { ...base, ...props })), 'google_cloud_tasks_queue');

describe('TaskQueue grants return what they created', () => {
  test('GIVEN a principal WHEN grantEnqueue is called THEN it returns the enqueuer grant on this queue for that member', () => {
    let grant: any;
    synth((stack) => {
      grant = new TaskQueue(stack, 'Queue', base).grantEnqueue(Principal.user('dev@example.com'));
    });
    expect(grant.enqueuer.terraformResourceType).toBe('google_cloud_tasks_queue_iam_member');
    expect(grant.enqueuer.node.id).toBe('cloudtasksenqueuer-user-dev-example-com');
  });

  test('GIVEN a queue with a token account WHEN grantEnqueueWithTaskToken is called THEN it returns the enqueuer grant and the actAs grant', () => {
    let grant: any;
    synth((stack) => {
      const q = new TaskQueue(stack, 'Queue', { ...base, httpTarget: { uriOverride: { host: 'h.example.com' }, oidcToken: { serviceAccount: sa, audience: 'a' } } });
      grant = q.grantEnqueueWithTaskToken(Principal.user('dev@example.com'));
    });
    expect(grant.enqueuer.terraformResourceType).toBe('google_cloud_tasks_queue_iam_member');
    expect(grant.actAs.terraformResourceType).toBe('google_service_account_iam_member');
    expect(grant.actAs.node.id).toBe('iamserviceAccountUser-user-dev-example-com');
  });
});

describe('TaskQueue optional blocks', () => {
  test('GIVEN no loggingSamplingRatio WHEN synthesized THEN the queue has no stackdriver_logging_config', () => {
    expect(queue()).not.toHaveProperty('stackdriver_logging_config');
  });

  test('GIVEN loggingSamplingRatio 0.5 WHEN synthesized THEN the queue logs that share of attempts', () => {
    expect(queue({ loggingSamplingRatio: 0.5 }).stackdriver_logging_config).toEqual({ sampling_ratio: 0.5 });
  });

  test('GIVEN a uriOverride without a path WHEN synthesized THEN there is no path_override (tasks keep their own path)', () => {
    const uri = queue({ httpTarget: { uriOverride: { host: 'h.example.com' } } }).http_target.uri_override;
    expect(uri).toEqual({ scheme: 'HTTPS', host: 'h.example.com', uri_override_enforce_mode: 'ALWAYS' });
  });
});
