import { Principal, TaskQueue, TaskQueueProps, ValidationError } from '../constructs';
import { synth } from './helpers';

const sa = Principal.serviceAccount('invoker@test-project.iam.gserviceaccount.com');
const base: TaskQueueProps = { queueId: 'orders', location: 'us-central1' };
const target = (extra: object) => ({ httpTarget: { uriOverride: { host: 'h.example.com' }, ...extra } });

// Each row: a bad prop set, and the message that must name the prop, the value and what is allowed.
const cases: Array<[string, Partial<TaskQueueProps> | Record<string, unknown>, RegExp]> = [
  ['queue id with underscore', { queueId: 'my_queue' }, /'queueId' must be letters, digits and hyphens, 1-100 characters \(no underscores\), got "my_queue"/],
  ['queue id too long', { queueId: 'q'.repeat(101) }, /'queueId' must be .*1-100 characters/],
  ['empty queue id', { queueId: '' }, /'queueId' must be .*got ""/],
  ['location', { location: 'US Central' }, /'location' must be a region such as "us-central1", got "US Central"/],
  ['project', { project: 'My_Project' }, /'project' must be a project id.*got "My_Project"/],
  ['rate zero', { rateLimits: { maxDispatchesPerSecond: 0 } }, /'rateLimits.maxDispatchesPerSecond' must be a number > 0 and <= 500, got 0/],
  ['rate too high', { rateLimits: { maxDispatchesPerSecond: 501 } }, /'rateLimits.maxDispatchesPerSecond' must be .*got 501/],
  ['concurrency too high', { rateLimits: { maxConcurrentDispatches: 5001 } }, /'rateLimits.maxConcurrentDispatches' must be an integer from 1 to 5000, got 5001/],
  ['concurrency fractional', { rateLimits: { maxConcurrentDispatches: 2.5 } }, /'rateLimits.maxConcurrentDispatches' must be .*got 2.5/],
  ['max attempts below -1', { retry: { maxAttempts: -2 } }, /'retry.maxAttempts' must be an integer >= -1 \(-1 = unlimited\), got -2/],
  ['fractional duration', { retry: { minBackoff: '0.5s' } }, /'retry.minBackoff' must be whole seconds such as "10s".*got "0.5s"/],
  ['duration in minutes', { retry: { maxBackoff: '10m' } }, /'retry.maxBackoff' must be whole seconds.*got "10m"/],
  ['retry duration over 31 days', { retry: { maxRetryDuration: '2678401s' } }, /'retry.maxRetryDuration' must be .*at most 31 days/],
  ['min backoff above max', { retry: { minBackoff: '60s', maxBackoff: '10s' } }, /'retry.minBackoff' must be <= retry.maxBackoff \(10s\), got "60s"/],
  ['negative doublings', { retry: { maxDoublings: -1 } }, /'retry.maxDoublings' must be an integer from 0 to 16, got -1/],
  ['sampling above 1', { loggingSamplingRatio: 1.5 }, /'loggingSamplingRatio' must be a number from 0.0 to 1.0, got 1.5/],
  ['http method', { httpTarget: { httpMethod: 'FETCH' } }, /'httpTarget.httpMethod' must be one of POST, GET, PUT, PATCH, DELETE, HEAD, OPTIONS, got "FETCH"/],
  ['scheme', { httpTarget: { uriOverride: { scheme: 'FTP' } } }, /'httpTarget.uriOverride.scheme' must be one of HTTP, HTTPS, got "FTP"/],
  ['host with scheme', { httpTarget: { uriOverride: { host: 'https://h.example.com' } } }, /'httpTarget.uriOverride.host' must be a host name without scheme.*got "https:\/\/h.example.com"/],
  ['port out of range', { httpTarget: { uriOverride: { port: 70000 } } }, /'httpTarget.uriOverride.port' must be an integer from 1 to 65535, got 70000/],
  ['path without slash', { httpTarget: { uriOverride: { path: 'tasks' } } }, /'httpTarget.uriOverride.path' must be a path starting with "\/".*got "tasks"/],
  ['query with ?', { httpTarget: { uriOverride: { query: '?a=1' } } }, /'httpTarget.uriOverride.query' must be a query string without the leading "\?".*got "\?a=1"/],
  ['enforce mode', { httpTarget: { uriOverride: { enforceMode: 'SOMETIMES' } } }, /'httpTarget.uriOverride.enforceMode' must be one of ALWAYS, IF_NOT_EXISTS, got "SOMETIMES"/],
  ['reserved header Host', { httpTarget: { headers: { Host: 'evil.example.com' } } }, /'httpTarget.headers' must be a header Cloud Tasks lets queues set \("Host" is set by Cloud Tasks and cannot be overridden\), got "Host"/],
  ['reserved header Content-Length', { httpTarget: { headers: { 'content-length': '5' } } }, /"content-length" is set by Cloud Tasks/],
  ['reserved prefix', { httpTarget: { headers: { 'X-CloudTasks-TaskName': 'x' } } }, /"X-CloudTasks-TaskName" uses a reserved prefix/],
  ['invalid header name', { httpTarget: { headers: { 'bad header': 'x' } } }, /"bad header" is not a valid header name/],
  ['headers too large', { httpTarget: { headers: { 'X-Big': 'x'.repeat(81 * 1024) } } }, /'httpTarget.headers' must be under 80 KB in total/],
  ['OIDC and OAuth together', target({ oidcToken: { serviceAccount: sa, audience: 'a' }, oauthToken: { serviceAccount: sa } }), /'httpTarget.oauthToken' must be set without oidcToken/],
  ['bad OIDC email', target({ oidcToken: { serviceAccount: { email: 'not-an-email', member: 'x', resourceName: 'x' }, audience: 'a' } }), /'httpTarget.oidcToken.serviceAccount.email' must be a service account email address such as "NAME@PROJECT.iam.gserviceaccount.com", got "not-an-email"/],
  ['empty audience', target({ oidcToken: { serviceAccount: sa, audience: ' ' } }), /'httpTarget.oidcToken.audience' must be a non-empty audience/],
  ['OAuth to a non-Google host', target({ oauthToken: { serviceAccount: sa } }), /'httpTarget.uriOverride.host' must be a \*.googleapis.com host when oauthToken is set.*got "h.example.com"/],
  ['OAuth bad scope', { httpTarget: { uriOverride: { host: 'pubsub.googleapis.com' }, oauthToken: { serviceAccount: sa, scope: 'cloud-platform' } } }, /'httpTarget.oauthToken.scope' must be an OAuth scope URL/],
  ['token over HTTP', { httpTarget: { uriOverride: { host: 'h.example.com', scheme: 'HTTP' }, oidcToken: { serviceAccount: sa, audience: 'a' } } }, /'httpTarget.uriOverride.scheme' must be HTTPS when a token is attached.*got "HTTP"/],
];

describe('TaskQueue validation', () => {
  test.each(cases)('rejects %s', (_name, props, message) => {
    expect(() => synth((stack) => new TaskQueue(stack, 'Queue', { ...base, ...(props as Partial<TaskQueueProps>) }))).toThrow(message);
  });

  test('lists every problem in one error that names the construct path', () => {
    let error: unknown;
    try {
      synth((stack) => new TaskQueue(stack, 'Queue', { queueId: 'bad_id', location: 'nowhere', loggingSamplingRatio: 2 }));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValidationError);
    const v = error as ValidationError;
    expect(v.message).toMatch(/^Invalid props for 'test\/Queue':/);
    expect(v.problems.map((p) => p.prop)).toEqual(['queueId', 'location', 'loggingSamplingRatio']);
  });

  test('accepts the documented extremes', () => {
    expect(() =>
      synth((stack) =>
        new TaskQueue(stack, 'Queue', {
          queueId: 'q'.repeat(100),
          location: 'northamerica-northeast1',
          rateLimits: { maxDispatchesPerSecond: 500, maxConcurrentDispatches: 5000 },
          retry: { maxAttempts: -1, maxRetryDuration: '0s', minBackoff: '0s', maxBackoff: '2678400s', maxDoublings: 0 },
          loggingSamplingRatio: 0,
        }),
      ),
    ).not.toThrow();
  });
});
