import { DeadLetterTopic, Principal, QueueAlerts, QueueAlertsProps, TaskQueue, TaskQueueProps } from '../constructs';
import { only, synth } from './helpers';

// Each message must name the property the user set, so the user knows which one to fix.
const sa = Principal.serviceAccount('invoker@test-project.iam.gserviceaccount.com');
const queue = (props: Partial<TaskQueueProps>) => synth((stack) => new TaskQueue(stack, 'Queue', { queueId: 'orders', location: 'us-central1', ...props }));
const alerts = (props: Partial<QueueAlertsProps>) =>
  synth((stack) => new QueueAlerts(stack, 'Alerts', { queueId: 'orders', location: 'us-central1', project: 'test-project', handlerServiceName: 'orders-handler', ...props }));

describe('DeadLetterTopic messages name the property', () => {
  test('GIVEN a project id with an underscore WHEN synthesized THEN the error names project and the value', () => {
    expect(() => synth((stack) => new DeadLetterTopic(stack, 'Dlq', { topicName: 'orders-dead', project: 'My_Project' }))).toThrow(
      /Invalid props for 'test\/Dlq':\n {2}- 'project' must be a project id: .*got "My_Project"/,
    );
  });
});

describe('QueueAlerts messages name the property', () => {
  test('GIVEN a location that is not a region WHEN synthesized THEN the error names location', () => {
    expect(() => alerts({ location: 'US Central' })).toThrow(`  - 'location' must be a region such as "us-central1", got "US Central"`);
  });

  test('GIVEN a malformed project id WHEN synthesized THEN the error names project', () => {
    expect(() => alerts({ project: 'My_Project' })).toThrow(/ {2}- 'project' must be a project id: .*got "My_Project"/);
  });

  test('GIVEN a handler service name that is not a Cloud Run name WHEN synthesized THEN the error names handlerServiceName', () => {
    expect(() => alerts({ handlerServiceName: 'Orders_Handler' })).toThrow(/ {2}- 'handlerServiceName' must be a Cloud Run service name: .*got "Orders_Handler"/);
  });
});

describe('TaskQueue token messages name the property', () => {
  test('GIVEN both token types WHEN synthesized THEN the error names httpTarget.oauthToken', () => {
    expect(() => queue({ httpTarget: { uriOverride: { host: 'pubsub.googleapis.com' }, oidcToken: { serviceAccount: sa, audience: 'a' }, oauthToken: { serviceAccount: sa } } })).toThrow(
      `  - 'httpTarget.oauthToken' must be set without oidcToken: a queue attaches one token type (OIDC for handlers, OAuth for *.googleapis.com), got "both oidcToken and oauthToken"`,
    );
  });

  test('GIVEN an OAuth token account with a malformed email WHEN synthesized THEN the error names httpTarget.oauthToken.serviceAccount.email', () => {
    const bad = { email: 'not-an-email', member: 'serviceAccount:not-an-email', resourceName: 'x' };
    expect(() => queue({ httpTarget: { uriOverride: { host: 'pubsub.googleapis.com' }, oauthToken: { serviceAccount: bad } } })).toThrow(
      `  - 'httpTarget.oauthToken.serviceAccount.email' must be a service account email address such as "NAME@PROJECT.iam.gserviceaccount.com", got "not-an-email"`,
    );
  });
});

describe('TaskQueue tokens without a uriOverride', () => {
  test('GIVEN an OAuth token and no uriOverride WHEN synthesized THEN validation passes (the tasks name their own host) and the token is set', () => {
    const q = only(queue({ httpTarget: { oauthToken: { serviceAccount: sa } } }), 'google_cloud_tasks_queue');
    expect(q.http_target.oauth_token.service_account_email).toBe(sa.email);
    expect(q.http_target.uri_override).toBeUndefined();
  });

  test('GIVEN an OIDC token and no uriOverride WHEN synthesized THEN validation passes and the token is set', () => {
    const q = only(queue({ httpTarget: { oidcToken: { serviceAccount: sa, audience: 'https://h.example.com' } } }), 'google_cloud_tasks_queue');
    expect(q.http_target.oidc_token).toEqual({ service_account_email: sa.email, audience: 'https://h.example.com' });
    expect(q.http_target.uri_override).toBeUndefined();
  });

  test('GIVEN no token WHEN the uriOverride scheme is HTTP THEN it is accepted (only tokens require HTTPS)', () => {
    const q = only(queue({ httpTarget: { uriOverride: { scheme: 'HTTP', host: 'h.example.com' } } }), 'google_cloud_tasks_queue');
    expect(q.http_target.uri_override).toMatchObject({ scheme: 'HTTP', host: 'h.example.com' });
  });
});
