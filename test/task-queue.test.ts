import { CloudTasksQueue } from '@cdktf/provider-google/lib/cloud-tasks-queue';
import { Token } from 'cdktf';
import { Principal, TaskQueue, TaskQueueProps } from '../constructs';
import { only, resources, synth } from './helpers';

const sa = Principal.serviceAccount('invoker@test-project.iam.gserviceaccount.com');
const base: TaskQueueProps = { queueId: 'orders', location: 'us-central1' };

function queueWith(props: Partial<TaskQueueProps>) {
  return synth((stack) => new TaskQueue(stack, 'Queue', { ...base, ...props }));
}

describe('TaskQueue', () => {
  test('routes every task to the override host and path with POST by default', () => {
    // GIVEN a queue with a URI override
    const s = queueWith({ httpTarget: { uriOverride: { host: 'handler-abc-uc.a.run.app', path: '/tasks' } } });
    // THEN the http_target carries method, scheme, host, path and the ALWAYS enforce mode
    expect(s.text).toHaveResourceWithProperties(CloudTasksQueue, {
      name: 'orders',
      location: 'us-central1',
      http_target: {
        http_method: 'POST',
        uri_override: {
          scheme: 'HTTPS',
          host: 'handler-abc-uc.a.run.app',
          path_override: { path: '/tasks' },
          uri_override_enforce_mode: 'ALWAYS',
        },
      },
    });
  });

  test('port is emitted as a string and an empty query is never emitted', () => {
    const s = queueWith({ httpTarget: { uriOverride: { host: 'h.example.com', port: 8443, query: '' } } });
    const uri = only(s, 'google_cloud_tasks_queue').http_target.uri_override;
    expect(uri.port).toBe('8443');
    expect(uri).not.toHaveProperty('query_override');
  });

  test('query, enforce mode and header overrides are passed through', () => {
    const s = queueWith({
      httpTarget: {
        httpMethod: 'PUT',
        uriOverride: { host: 'h.example.com', query: 'source=queue', enforceMode: 'IF_NOT_EXISTS' },
        headers: { 'X-Team': 'payments', 'Content-Type': 'application/json' },
      },
    });
    const target = only(s, 'google_cloud_tasks_queue').http_target;
    expect(target.http_method).toBe('PUT');
    expect(target.uri_override.query_override).toEqual({ query_params: 'source=queue' });
    expect(target.uri_override.uri_override_enforce_mode).toBe('IF_NOT_EXISTS');
    expect(target.header_overrides).toEqual([
      { header: { key: 'X-Team', value: 'payments' } },
      { header: { key: 'Content-Type', value: 'application/json' } },
    ]);
  });

  test('OIDC auth carries the service account and the explicit audience, and no OAuth block', () => {
    const s = queueWith({
      httpTarget: { uriOverride: { host: 'h.example.com' }, oidcToken: { serviceAccount: sa, audience: 'https://h.example.com' } },
    });
    const target = only(s, 'google_cloud_tasks_queue').http_target;
    expect(target.oidc_token).toEqual({ service_account_email: sa.email, audience: 'https://h.example.com' });
    expect(target).not.toHaveProperty('oauth_token');
  });

  test('OAuth auth defaults to the cloud-platform scope', () => {
    const s = queueWith({
      httpTarget: { uriOverride: { host: 'pubsub.googleapis.com' }, oauthToken: { serviceAccount: sa } },
    });
    expect(only(s, 'google_cloud_tasks_queue').http_target.oauth_token).toEqual({
      service_account_email: sa.email,
      scope: 'https://www.googleapis.com/auth/cloud-platform',
    });
  });

  test('rate limits, retry config and logging map to their blocks', () => {
    const s = queueWith({
      rateLimits: { maxDispatchesPerSecond: 20, maxConcurrentDispatches: 50 },
      retry: { maxAttempts: 5, maxRetryDuration: '3600s', minBackoff: '1s', maxBackoff: '60s', maxDoublings: 3 },
      loggingSamplingRatio: 0.5,
    });
    const q = only(s, 'google_cloud_tasks_queue');
    expect(q.rate_limits).toEqual({ max_dispatches_per_second: 20, max_concurrent_dispatches: 50 });
    expect(q.retry_config).toEqual({ max_attempts: 5, max_retry_duration: '3600s', min_backoff: '1s', max_backoff: '60s', max_doublings: 3 });
    expect(q.stackdriver_logging_config).toEqual({ sampling_ratio: 0.5 });
  });

  test('blocks with no values are left out (an empty block perma-diffs)', () => {
    const q = only(queueWith({ rateLimits: {}, retry: { maxAttempts: undefined } }), 'google_cloud_tasks_queue');
    expect(q).not.toHaveProperty('rate_limits');
    expect(q).not.toHaveProperty('retry_config');
  });

  test('is protected from destroy by default', () => {
    expect(only(queueWith({}), 'google_cloud_tasks_queue').lifecycle).toEqual({ prevent_destroy: true });
  });

  test('protection can be turned off explicitly', () => {
    expect(only(queueWith({ preventDestroy: false }), 'google_cloud_tasks_queue').lifecycle).toEqual({ prevent_destroy: false });
  });

  test('exposes the BufferTask URL built from the queue resource name', () => {
    let url = '';
    synth((stack) => {
      url = new TaskQueue(stack, 'Queue', base).bufferTaskUrl;
    });
    expect(url).toMatch(/^https:\/\/cloudtasks\.googleapis\.com\/v2\/\$\{TfToken\[TOKEN\.\d+\]\}\/tasks:buffer$/);
  });

  describe('grantEnqueue', () => {
    const authed = (stack: any) =>
      new TaskQueue(stack, 'Queue', {
        ...base,
        httpTarget: { uriOverride: { host: 'h.example.com' }, oidcToken: { serviceAccount: sa, audience: 'aud' } },
      });

    test('adds only Cloud Tasks Enqueuer on this queue, even when the queue has a token account', () => {
      // GIVEN a queue with queue-level OIDC auth WHEN a producer group is granted enqueue
      const s = synth((stack) => authed(stack).grantEnqueue(Principal.group('producers@example.com')));
      // THEN the only grant is the enqueuer role on this queue: no actAs on the token account
      const enqueuer = only(s, 'google_cloud_tasks_queue_iam_member');
      expect(enqueuer.role).toBe('roles/cloudtasks.enqueuer');
      expect(enqueuer.member).toBe('group:producers@example.com');
      expect(enqueuer.name).toMatch(/^\$\{google_cloud_tasks_queue\.\w+\.name\}$/);
      expect(Object.keys(s.json.resource!).filter((t) => t.endsWith('_iam_member'))).toEqual(['google_cloud_tasks_queue_iam_member']);
    });

    test('without queue-level auth grants only the enqueuer role', () => {
      const s = synth((stack) => new TaskQueue(stack, 'Queue', base).grantEnqueue(Principal.user('dev@example.com')));
      expect(Object.keys(resources(s, 'google_cloud_tasks_queue_iam_member'))).toHaveLength(1);
      expect(resources(s, 'google_service_account_iam_member')).toEqual({});
    });

    test('granting the same principal twice creates one binding', () => {
      const s = synth((stack) => {
        const q = new TaskQueue(stack, 'Queue', base);
        q.grantEnqueue(Principal.user('dev@example.com'));
        q.grantEnqueue(Principal.user('dev@example.com'));
      });
      expect(Object.keys(resources(s, 'google_cloud_tasks_queue_iam_member'))).toHaveLength(1);
    });
  });

  describe('grantEnqueueWithTaskToken', () => {
    test('adds the enqueuer role and actAs on the token account, both additive', () => {
      // GIVEN a queue whose token account is `sa` WHEN a producer that sets task-level tokens is granted
      const producer = Principal.group('producers@example.com');
      const s = synth((stack) =>
        new TaskQueue(stack, 'Queue', {
          ...base,
          httpTarget: { uriOverride: { host: 'h.example.com' }, oidcToken: { serviceAccount: sa, audience: 'aud' } },
        }).grantEnqueueWithTaskToken(producer),
      );
      // THEN it gets Cloud Tasks Enqueuer on the queue and Service Account User on that account only
      expect(only(s, 'google_cloud_tasks_queue_iam_member').role).toBe('roles/cloudtasks.enqueuer');
      expect(only(s, 'google_service_account_iam_member')).toEqual({
        role: 'roles/iam.serviceAccountUser',
        member: 'group:producers@example.com',
        service_account_id: 'projects/test-project/serviceAccounts/invoker@test-project.iam.gserviceaccount.com',
      });
      for (const authoritative of ['google_cloud_tasks_queue_iam_binding', 'google_cloud_tasks_queue_iam_policy', 'google_project_iam_member']) {
        expect(resources(s, authoritative)).toEqual({});
      }
    });

    test('refuses a queue without a token account, pointing to grantEnqueue', () => {
      expect(() => synth((stack) => new TaskQueue(stack, 'Queue', base).grantEnqueueWithTaskToken(Principal.user('dev@example.com')))).toThrow(
        /grantEnqueueWithTaskToken on 'test\/Queue': the queue has no token service account.*use grantEnqueue/,
      );
    });
  });

  describe('fromQueueAttributes', () => {
    const existing = (stack: any) =>
      TaskQueue.fromQueueAttributes(stack, 'Existing', {
        project: 'other-project',
        location: 'europe-west1',
        queueName: 'legacy',
        tokenServiceAccount: sa,
      });

    test('grantEnqueue on an existing queue adds only the enqueuer role, by its literal project, location and name', () => {
      const s = synth((stack) => {
        const q = existing(stack);
        expect(q.bufferTaskUrl).toBe(
          'https://cloudtasks.googleapis.com/v2/projects/other-project/locations/europe-west1/queues/legacy/tasks:buffer',
        );
        q.grantEnqueue(Principal.serviceAccount('ci@other-project.iam.gserviceaccount.com'));
      });
      expect(only(s, 'google_cloud_tasks_queue_iam_member')).toEqual({
        project: 'other-project',
        location: 'europe-west1',
        name: 'legacy',
        role: 'roles/cloudtasks.enqueuer',
        member: 'serviceAccount:ci@other-project.iam.gserviceaccount.com',
      });
      expect(resources(s, 'google_service_account_iam_member')).toEqual({});
      expect(resources(s, 'google_cloud_tasks_queue')).toEqual({});
    });

    test('grantEnqueueWithTaskToken on an existing queue adds actAs on its token account', () => {
      const s = synth((stack) => existing(stack).grantEnqueueWithTaskToken(Principal.serviceAccount('ci@other-project.iam.gserviceaccount.com')));
      expect(only(s, 'google_service_account_iam_member')).toEqual({
        role: 'roles/iam.serviceAccountUser',
        member: 'serviceAccount:ci@other-project.iam.gserviceaccount.com',
        service_account_id: 'projects/test-project/serviceAccounts/invoker@test-project.iam.gserviceaccount.com',
      });
    });

    test('rejects an invalid queue name', () => {
      expect(() =>
        synth((stack) => TaskQueue.fromQueueAttributes(stack, 'Existing', { project: 'other-project', location: 'europe-west1', queueName: 'bad_name' })),
      ).toThrow(/'queueName' must be letters, digits and hyphens.*got "bad_name"/);
    });
  });

  test('unresolved tokens skip validation', () => {
    expect(() =>
      synth((stack) =>
        new TaskQueue(stack, 'Queue', {
          queueId: Token.asString({ Ref: 'queue' }),
          location: Token.asString({ Ref: 'loc' }),
          rateLimits: { maxDispatchesPerSecond: Token.asNumber({ Ref: 'rate' }) },
          httpTarget: { uriOverride: { host: Token.asString({ Ref: 'host' }) }, oidcToken: { serviceAccount: sa, audience: Token.asString({ Ref: 'aud' }) } },
        }),
      ),
    ).not.toThrow();
  });
});
