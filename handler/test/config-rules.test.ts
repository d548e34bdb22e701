// Every handler setting's rule, in-process: the variable named, the value shown, what is allowed.
import { loadHandlerConfig } from '../src/config';

const valid = { TASKS_AUDIENCE: 'aud', TASKS_SERVICE_ACCOUNT: 'a@p.iam.gserviceaccount.com' };

describe('handler settings', () => {
  test.each([
    [{ PORT: '12x' }, /'PORT' must be an integer from 0 to 65535, got NaN/],
    [{ PORT: 'x12' }, /'PORT' must be an integer from 0 to 65535, got NaN/],
    [{ TASKS_PATH: '/tasks?x=1' }, /'TASKS_PATH' must be a path starting with "\/", got "\/tasks\?x=1"/],
    [{ TASKS_PATH: 'x/tasks' }, /'TASKS_PATH' must be a path starting with "\/", got "x\/tasks"/],
    [{ TASKS_DISPATCH_DEADLINE_SECONDS: '14' }, /'TASKS_DISPATCH_DEADLINE_SECONDS' must be whole seconds from 15 to 1800, got 14/],
    [{ TASKS_WORK_TIMEOUT_SECONDS: '0' }, /'TASKS_WORK_TIMEOUT_SECONDS' must be whole seconds, at least 1 and below TASKS_DISPATCH_DEADLINE_SECONDS \(600\), got 0/],
    [{ TASKS_MAX_BODY_BYTES: '0' }, /'TASKS_MAX_BODY_BYTES' must be bytes from 1 to 33554432, got 0/],
    [{ TASKS_SHUTDOWN_GRACE_SECONDS: '10' }, /'TASKS_SHUTDOWN_GRACE_SECONDS' must be whole seconds from 0 to 9 \(Cloud Run kills ~10 s after SIGTERM\), got 10/],
    [{ TASKS_CLOCK_SKEW_SECONDS: '601' }, /'TASKS_CLOCK_SKEW_SECONDS' must be whole seconds from 0 to 600, got 601/],
    [{ TASKS_MAX_CONNECTIONS: '100001' }, /'TASKS_MAX_CONNECTIONS' must be an integer from 1 to 100000, got 100001/],
    [{ TASKS_JWKS_URL: 'not a url' }, /'TASKS_JWKS_URL' must be an https URL \(plain http only to a loopback host: localhost, 127.0.0.1, \[::1\]\), got "not a url"/],
    [{ TASKS_ISSUERS: ' , ' }, /'TASKS_ISSUERS' must be a comma-separated list of issuers, got " , "/],
    [{ TASKS_AUTH: 'Enabled' }, /'TASKS_AUTH' must be "enabled" \(default\) or "disabled" \(local experiments only\), got "Enabled"/],
  ])('rejects %j', (env, message) => {
    expect(() => loadHandlerConfig({ ...valid, ...env })).toThrow(message);
  });

  test('with auth on and nothing set, both identity settings are reported, with the empty value', () => {
    expect(() => loadHandlerConfig({})).toThrow(/^Invalid handler environment:\n.*'TASKS_AUDIENCE' must be set to the token audience the queue uses.*got ""\n.*'TASKS_SERVICE_ACCOUNT' must be set to the queue's token service account email, got ""/);
  });

  test('empty values mean the default', () => {
    const c = loadHandlerConfig({ ...valid, PORT: '', TASKS_SHUTDOWN_GRACE_SECONDS: '', TASKS_CLOCK_SKEW_SECONDS: '' });
    expect(c).toMatchObject({ port: 8080, shutdownGraceMs: 8000, auth: { clockSkewSeconds: 120 } });
  });

  test('values are read: grace, skew, body timeout, connections, issuers, project', () => {
    const c = loadHandlerConfig({
      ...valid,
      TASKS_SHUTDOWN_GRACE_SECONDS: '3',
      TASKS_CLOCK_SKEW_SECONDS: '30',
      TASKS_BODY_TIMEOUT_SECONDS: '300',
      TASKS_MAX_CONNECTIONS: '1',
      TASKS_ISSUERS: ' https://a.example , b ',
      GOOGLE_CLOUD_PROJECT: 'proj',
    });
    expect(c).toMatchObject({ shutdownGraceMs: 3000, bodyTimeoutMs: 300_000, maxConnections: 1, project: 'proj', auth: { clockSkewSeconds: 30, issuers: ['https://a.example', 'b'] } });
  });

  test('a work timeout one second under the deadline is allowed', () => {
    expect(loadHandlerConfig({ ...valid, TASKS_DISPATCH_DEADLINE_SECONDS: '60', TASKS_WORK_TIMEOUT_SECONDS: '59' }).workTimeoutMs).toBe(59_000);
  });

  test('a malformed deadline is reported once, not again through the work timeout', () => {
    let message = '';
    try {
      loadHandlerConfig({ ...valid, TASKS_DISPATCH_DEADLINE_SECONDS: 'ten', TASKS_WORK_TIMEOUT_SECONDS: '100' });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/'TASKS_DISPATCH_DEADLINE_SECONDS'/);
    expect(message).not.toMatch(/'TASKS_WORK_TIMEOUT_SECONDS'/);
  });
});
