import { TerraformStack, Testing, Token } from 'cdktf';
import { GoogleProvider } from '@cdktf/provider-google/lib/provider';
import { resolveConfig } from '../config';
import { DeadLetterTopic, DeadLetterTopicProps, HttpTargetPipeline, HttpTargetPipelineProps, Principal, TaskHandlerService } from '../constructs';
import { iamRows, only, resources, synth } from './helpers';

const env = (svc: any): Record<string, string> => Object.fromEntries(svc.template.containers[0].env.map((e: any) => [e.name, e.value]));
const base: HttpTargetPipelineProps = { queueId: 'orders', location: 'us-central1', project: 'test-project' };
const pipeline = (props: Partial<HttpTargetPipelineProps> = {}) => synth((stack) => new HttpTargetPipeline(stack, 'Orders', { ...base, ...props }));
const idOf = (s: ReturnType<typeof synth>, type: string) => Object.keys(resources(s, type))[0];

describe('DeadLetterTopic', () => {
  const topic = (props: Partial<DeadLetterTopicProps> = {}) =>
    synth((stack) => new DeadLetterTopic(stack, 'Dead', { topicName: 'orders-dead-letters', project: 'test-project', ...props }));

  test('a topic and a pull subscription that keeps dead letters 7 days and never expires', () => {
    const s = topic();
    expect(only(s, 'google_pubsub_topic')).toMatchObject({ name: 'orders-dead-letters', project: 'test-project' });
    const sub = only(s, 'google_pubsub_subscription');
    expect(sub).toMatchObject({
      name: 'orders-dead-letters',
      topic: `\${google_pubsub_topic.${idOf(s, 'google_pubsub_topic')}.id}`,
      message_retention_duration: '604800s',
      ack_deadline_seconds: 60,
      expiration_policy: { ttl: '' },
    });
    expect(sub.push_config).toBeUndefined(); // pull: the replay CLI reads it
  });

  test('labels go on the topic and the subscription; an empty map adds no labels key', () => {
    const s = topic({ labels: { team: 'orders' } });
    expect([only(s, 'google_pubsub_topic').labels, only(s, 'google_pubsub_subscription').labels]).toEqual([{ team: 'orders' }, { team: 'orders' }]);
    const empty = topic({ labels: {} });
    expect([only(empty, 'google_pubsub_topic'), only(empty, 'google_pubsub_subscription')].map((r) => 'labels' in r)).toEqual([false, false]);
  });

  test('a bad label is refused', () => {
    expect(() => topic({ labels: { '1team': 'orders' } })).toThrow(/'labels\.1team' must be a label key/);
  });

  test('retentionDays sets the subscription retention', () => {
    expect(only(topic({ retentionDays: 14 }), 'google_pubsub_subscription').message_retention_duration).toBe('1209600s');
  });

  test('topic and subscription are protected from destroy by default, with an explicit opt-out', () => {
    const protectedOnes = topic();
    expect(only(protectedOnes, 'google_pubsub_topic').lifecycle).toEqual({ prevent_destroy: true });
    expect(only(protectedOnes, 'google_pubsub_subscription').lifecycle).toEqual({ prevent_destroy: true });
    const open = topic({ preventDestroy: false });
    expect(only(open, 'google_pubsub_topic').lifecycle).toEqual({ prevent_destroy: false });
    expect(only(open, 'google_pubsub_subscription').lifecycle).toEqual({ prevent_destroy: false });
  });

  test('grantPublish adds roles/pubsub.publisher on this topic only; twice is one grant', () => {
    const s = synth((stack) => {
      const t = new DeadLetterTopic(stack, 'Dead', { topicName: 'orders-dead-letters' });
      const sa = Principal.serviceAccount('run@test-project.iam.gserviceaccount.com');
      t.grantPublish(sa);
      t.grantPublish(sa);
    });
    expect(iamRows(s)).toEqual(['google_pubsub_topic_iam_member | roles/pubsub.publisher | serviceAccount:run@test-project.iam.gserviceaccount.com']);
    expect(only(s, 'google_pubsub_topic_iam_member').topic).toBe(`\${google_pubsub_topic.${idOf(s, 'google_pubsub_topic')}.name}`);
  });

  test('grantConsume adds roles/pubsub.subscriber on the subscription only', () => {
    const s = synth((stack) => new DeadLetterTopic(stack, 'Dead', { topicName: 'orders-dl' }).grantConsume(Principal.group('oncall@example.com')));
    expect(iamRows(s)).toEqual(['google_pubsub_subscription_iam_member | roles/pubsub.subscriber | group:oncall@example.com']);
    expect(only(s, 'google_pubsub_subscription_iam_member').subscription).toBe(`\${google_pubsub_subscription.${idOf(s, 'google_pubsub_subscription')}.name}`);
  });

  test.each([
    ['topic name', { topicName: 'goog-dead' }, /'topicName' must be letters, digits and "-_.~\+%", 3-255 characters.*got "goog-dead"/],
    ['subscription name', { subscriptionName: '1x' }, /'subscriptionName' must be .*got "1x"/],
    ['retention below a day', { retentionDays: 0 }, /'retentionDays' must be whole days from 1 to 31.*got 0/],
    ['retention above 31 days', { retentionDays: 32 }, /'retentionDays' must be whole days from 1 to 31.*got 32/],
  ])('rejects an invalid %s', (_n, props, message) => {
    expect(() => topic(props as Partial<DeadLetterTopicProps>)).toThrow(message);
  });

  test('unresolved tokens are not checked', () => {
    expect(() => topic({ topicName: Token.asString({ Ref: 'x' }) })).not.toThrow();
  });
});

describe('HttpTargetPipeline dead letters', () => {
  test('by default: the log sink, no topic, and the handler gets the queue\'s two deciding limits, written on the queue too', () => {
    const s = pipeline();
    expect(resources(s, 'google_pubsub_topic')).toEqual({});
    expect(Object.values(resources(s, 'google_project_service')).map((a: any) => a.service)).not.toContain('pubsub.googleapis.com');
    const e = env(only(s, 'google_cloud_run_v2_service'));
    expect(e.TASKS_MAX_ATTEMPTS).toBe('100');
    expect(e.TASKS_MAX_RETRY_DURATION).toBe('0s');
    expect(e.TASKS_DEAD_LETTER_TOPIC).toBeUndefined();
    expect(only(s, 'google_cloud_tasks_queue').retry_config).toEqual({ max_attempts: 100, max_retry_duration: '0s' });
  });

  test('the handler\'s limits are exactly the queue\'s retry config', () => {
    const s = pipeline({ retry: { maxAttempts: 7, maxRetryDuration: '3600s', minBackoff: '2s', maxBackoff: '60s', maxDoublings: 3 } });
    const rc = only(s, 'google_cloud_tasks_queue').retry_config;
    expect(rc).toEqual({ max_attempts: 7, max_retry_duration: '3600s', min_backoff: '2s', max_backoff: '60s', max_doublings: 3 });
    expect(env(only(s, 'google_cloud_run_v2_service'))).toMatchObject({
      TASKS_MAX_ATTEMPTS: '7',
      TASKS_MAX_RETRY_DURATION: '3600s',
      TASKS_MIN_BACKOFF: '2s',
      TASKS_MAX_BACKOFF: '60s',
      TASKS_MAX_DOUBLINGS: '3',
    });
  });

  test('unlimited attempts (-1) reach the handler as -1: it then never calls an attempt the last', () => {
    expect(env(only(pipeline({ retry: { maxAttempts: -1 } }), 'google_cloud_run_v2_service')).TASKS_MAX_ATTEMPTS).toBe('-1');
  });

  test('sink "pubsub": topic, subscription, the Pub/Sub API, and the topic path in the handler env', () => {
    const s = pipeline({ deadLetters: { sink: 'pubsub', retentionDays: 10 } });
    const topicId = idOf(s, 'google_pubsub_topic');
    expect(only(s, 'google_pubsub_topic').name).toBe('orders-dead-letters');
    expect(only(s, 'google_pubsub_subscription').message_retention_duration).toBe('864000s');
    expect(env(only(s, 'google_cloud_run_v2_service')).TASKS_DEAD_LETTER_TOPIC).toBe(`\${google_pubsub_topic.${topicId}.id}`);
    const pubsubApi = Object.entries(resources(s, 'google_project_service')).find(([, a]: any) => a.service === 'pubsub.googleapis.com')!;
    // The Pub/Sub API joins the foundation: the wait restarts for it, and the topic waits for the wait.
    const waitId = idOf(s, 'time_sleep');
    expect(Object.values(resources(s, 'time_sleep')[waitId].triggers)).toContain(`\${google_project_service.${pubsubApi[0]}.id}`);
    expect(only(s, 'google_pubsub_topic').depends_on).toContain(`time_sleep.${waitId}`);
  });

  test('sink "pubsub": the single publisher grant is for the handler\'s runtime account, on that topic only', () => {
    const s = pipeline({ deadLetters: { sink: 'pubsub' } });
    const runSa = Object.entries(resources(s, 'google_service_account')).find(([, sa]: any) => sa.account_id === 'orders-handler-run')![0];
    const pubsubRows = iamRows(s).filter((r) => r.includes('pubsub'));
    expect(pubsubRows).toEqual([`google_pubsub_topic_iam_member | roles/pubsub.publisher | \${google_service_account.${runSa}.member}`]);
    expect(only(s, 'google_pubsub_topic_iam_member').topic).toBe(`\${google_pubsub_topic.${idOf(s, 'google_pubsub_topic')}.name}`);
    expect(resources(s, 'google_project_iam_member')).toHaveProperty([Object.keys(resources(s, 'google_project_iam_member'))[0], 'role'], 'roles/cloudtasks.serviceAgent');
  });

  test('protectFromDestroy: false lifts the topic\'s and subscription\'s protection with the rest', () => {
    const s = pipeline({ deadLetters: { sink: 'pubsub' }, protectFromDestroy: false });
    expect(only(s, 'google_pubsub_topic').lifecycle).toEqual({ prevent_destroy: false });
    expect(only(s, 'google_pubsub_subscription').lifecycle).toEqual({ prevent_destroy: false });
  });

  test('users cannot redefine the dead-letter variables in the handler environment', () => {
    expect(() =>
      synth((stack) => new TaskHandlerService(stack, 'H', { serviceName: 'h', location: 'us-central1', audience: 'a', tokenServiceAccountEmail: 'e@p.iam.gserviceaccount.com', environment: { TASKS_MAX_ATTEMPTS: '1' } })),
    ).toThrow(/'environment.TASKS_MAX_ATTEMPTS' must be a variable name .*not TASKS_\* \(set by the handler construct\), got "TASKS_MAX_ATTEMPTS"/);
  });

  test('a shared handler learns each queue\'s limits with addQueueRetryLimits (TASKS_QUEUE_RETRY_LIMITS)', () => {
    const s = synth((stack) => {
      const h = new TaskHandlerService(stack, 'H', { serviceName: 'h', location: 'us-central1', audience: 'a', tokenServiceAccountEmail: 'e@p.iam.gserviceaccount.com' });
      h.addQueueRetryLimits('orders', { maxAttempts: 5, minBackoff: '2s' });
      h.addQueueRetryLimits('emails');
    });
    const limits = JSON.parse(env(only(s, 'google_cloud_run_v2_service')).TASKS_QUEUE_RETRY_LIMITS);
    expect(limits).toEqual({
      orders: { maxAttempts: 5, maxRetryDuration: '0s', minBackoff: '2s' },
      emails: { maxAttempts: 100, maxRetryDuration: '0s' },
    });
  });

  test('the handler learns which queue its limits belong to (TASKS_QUEUE_ID): it dead-letters that queue only', () => {
    expect(env(only(pipeline(), 'google_cloud_run_v2_service')).TASKS_QUEUE_ID).toBe('orders');
  });

  const svc = { serviceName: 'h', location: 'us-central1', audience: 'a', tokenServiceAccountEmail: 'e@p.iam.gserviceaccount.com' };
  const validated = (fn: (stack: TerraformStack) => void) => {
    const stack = new TerraformStack(Testing.app(), 'test');
    new GoogleProvider(stack, 'google', { project: 'test-project', region: 'us-central1' });
    fn(stack);
    return () => Testing.synth(stack, true);
  };
  test('queueRetry without a queue is refused: the handler would dead-letter any queue a request names', () => {
    expect(validated((stack) => new TaskHandlerService(stack, 'H', { ...svc, queueRetry: { maxAttempts: 3 } }))).toThrow(/'test\/H' has queueRetry but no queueId/);
  });

  test('queueRetry is accepted with queueId, or with queues added by addQueueRetryLimits', () => {
    const s = synth((stack) => new TaskHandlerService(stack, 'H', { ...svc, queueRetry: { maxAttempts: 3 }, queueId: 'orders' }));
    expect(env(only(s, 'google_cloud_run_v2_service')).TASKS_QUEUE_ID).toBe('orders');
    expect(validated((stack) => new TaskHandlerService(stack, 'H', { ...svc, queueRetry: { maxAttempts: 3 }, queueId: 'orders' }))).not.toThrow();
    expect(validated((stack) => new TaskHandlerService(stack, 'H', { ...svc, queueRetry: { maxAttempts: 3 } }).addQueueRetryLimits('emails'))).not.toThrow();
    const shared = synth((stack) => new TaskHandlerService(stack, 'H', { ...svc, queueRetry: { maxAttempts: 3 } }).addQueueRetryLimits('emails'));
    expect(env(only(shared, 'google_cloud_run_v2_service'))).not.toHaveProperty('TASKS_QUEUE_ID');
    expect(validated((stack) => new TaskHandlerService(stack, 'H', svc))).not.toThrow();
  });

  test('queueId must be a queue id', () => {
    expect(() => synth((stack) => new TaskHandlerService(stack, 'H', { ...svc, queueRetry: {}, queueId: 'bad/queue' }))).toThrow(/queueId.*bad\/queue/);
  });

  test('a TaskHandlerService without queueRetry leaves dead letters off (no limits in its env)', () => {
    const s = synth((stack) => new TaskHandlerService(stack, 'H', { serviceName: 'h', location: 'us-central1', audience: 'a', tokenServiceAccountEmail: 'e@p.iam.gserviceaccount.com' }));
    expect(Object.keys(env(only(s, 'google_cloud_run_v2_service'))).filter((k) => /^TASKS_(MAX|QUEUE_RETRY)/.test(k))).toEqual([]);
  });
});

describe('app config for dead letters and alerts', () => {
  test('deadLetterSink must be "log" or "pubsub"', () => {
    expect(() => resolveConfig({ deadLetterSink: 'sqs' }, {})).toThrow(/'context.pipeline.deadLetterSink' must be "log" \(an ERROR log entry\) or "pubsub".*got "sqs"/);
  });

  test('the alert settings are known settings of the right type', () => {
    expect(() => resolveConfig({ alertBacklogTasks: '10' }, {})).toThrow(/'context.pipeline.alertBacklogTasks' must be a number, got "10"/);
    expect(resolveConfig({ alerts: false, alertNotificationChannels: 'projects/p/notificationChannels/1' }, {}).environments.dev.queues.tasks).toMatchObject({
      alerts: false,
      alertNotificationChannels: 'projects/p/notificationChannels/1',
    });
  });

  test('every alert and dead-letter setting is checked where the user wrote it, per queue, in one error', () => {
    const config = {
      environments: {
        prod: {
          project: 'acme-orders',
          queues: {
            orders: { alertBacklogSeconds: 5, deadLetterRetentionDays: 40 },
            emails: { alertFailingAttemptRatio: 2, alertNotificationChannels: 'projects/p/notificationChannels/1, email-me' },
          },
        },
      },
    };
    const err = (() => {
      try {
        resolveConfig(config, {});
      } catch (e) {
        return (e as Error).message;
      }
      return '';
    })();
    expect(err).toContain("'context.pipeline.environments.prod.queues.orders.alertBacklogSeconds' must be whole seconds from 60 to 86400, got 5");
    expect(err).toContain("'context.pipeline.environments.prod.queues.orders.deadLetterRetentionDays' must be whole days from 1 to 31");
    expect(err).toContain("'context.pipeline.environments.prod.queues.emails.alertFailingAttemptRatio' must be a share > 0 and <= 1");
    expect(err).toContain('\'context.pipeline.environments.prod.queues.emails.alertNotificationChannels\' must be a channel id "projects/PROJECT/notificationChannels/ID", got "email-me"');
  });

  test('a queue in front of a shared handler cannot have its own Pub/Sub dead-letter sink', () => {
    const config = { handlers: { web: {} }, queues: { a: { handler: 'web', deadLetterSink: 'pubsub' }, b: { handler: 'web' } } };
    expect(() => resolveConfig(config, {})).toThrow(/'context.pipeline.queues.a.deadLetterSink' must be "log" or unset on a queue that fronts the shared handler "web"/);
  });
});
