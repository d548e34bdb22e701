// Handler settings at their boundaries: what loads, what is rejected, and the message naming variable, value and range.
import { GOOGLE_ISSUERS, GOOGLE_JWKS_URL, loadHandlerConfig } from '../src/config';

const valid = { TASKS_AUDIENCE: 'https://orders.example/tasks', TASKS_SERVICE_ACCOUNT: 'enq@p1.iam.gserviceaccount.com' };
const load = (env: Record<string, string | undefined>) => loadHandlerConfig({ ...valid, ...env });

describe('handler settings at their boundaries', () => {
  test('GIVEN only the identity settings WHEN loaded THEN every default applies, auth on with Google keys and issuers', () => {
    expect(loadHandlerConfig({ ...valid })).toEqual({
      port: 8080,
      path: '/tasks',
      auth: {
        audience: 'https://orders.example/tasks',
        serviceAccount: 'enq@p1.iam.gserviceaccount.com',
        serviceAccounts: undefined,
        jwksUrl: GOOGLE_JWKS_URL,
        issuers: GOOGLE_ISSUERS,
        clockSkewSeconds: 120,
      },
      maxBodyBytes: 1024 * 1024,
      dispatchDeadlineSeconds: 600,
      workTimeoutMs: 595_000,
      queueDeadlines: {},
      shutdownGraceMs: 8000,
      bodyTimeoutMs: 10_000,
      maxConnections: 1000,
      headTimeoutMs: 5000,
      project: undefined,
    });
  });

  test('GIVEN numeric settings WHEN loaded THEN their values are used', () => {
    expect(load({ PORT: '9090', TASKS_MAX_BODY_BYTES: String(32 * 1024 * 1024), TASKS_MAX_CONNECTIONS: '1' })).toMatchObject({ port: 9090, maxBodyBytes: 33554432, maxConnections: 1 });
  });

  test.each([['1', 1000], ['60', 60_000]])('GIVEN TASKS_HEAD_TIMEOUT_SECONDS=%s WHEN loaded THEN connections idle %i ms are closed', (raw, ms) => {
    expect(load({ TASKS_HEAD_TIMEOUT_SECONDS: raw }).headTimeoutMs).toBe(ms);
  });

  test('GIVEN empty numeric settings WHEN loaded THEN the defaults apply', () => {
    expect(load({ PORT: '', TASKS_MAX_BODY_BYTES: '' })).toMatchObject({ port: 8080, maxBodyBytes: 1024 * 1024 });
  });

  test.each([
    [{ PORT: 'x12' }, `'PORT' must be an integer from 0 to 65535, got NaN`],
    [{ PORT: '1e3' }, `'PORT' must be an integer from 0 to 65535, got NaN`],
    [{ PORT: ' 8080' }, `'PORT' must be an integer from 0 to 65535, got NaN`],
    [{ PORT: '65536' }, `'PORT' must be an integer from 0 to 65535, got 65536`],
    [{ TASKS_MAX_BODY_BYTES: '33554433' }, `'TASKS_MAX_BODY_BYTES' must be bytes from 1 to 33554432, got 33554433`],
    [{ TASKS_MAX_CONNECTIONS: '0' }, `'TASKS_MAX_CONNECTIONS' must be an integer from 1 to 100000, got 0`],
    [{ TASKS_HEAD_TIMEOUT_SECONDS: '0' }, `'TASKS_HEAD_TIMEOUT_SECONDS' must be whole seconds from 1 to 60, got 0`],
    [{ TASKS_HEAD_TIMEOUT_SECONDS: '61' }, `'TASKS_HEAD_TIMEOUT_SECONDS' must be whole seconds from 1 to 60, got 61`],
    [{ TASKS_WORK_TIMEOUT_SECONDS: '600' }, `'TASKS_WORK_TIMEOUT_SECONDS' must be whole seconds, at least 1 and below TASKS_DISPATCH_DEADLINE_SECONDS (600), got 600`],
    [{ TASKS_WORK_TIMEOUT_SECONDS: 'x' }, `'TASKS_WORK_TIMEOUT_SECONDS' must be whole seconds, at least 1 and below TASKS_DISPATCH_DEADLINE_SECONDS (600), got NaN`],
    [{ TASKS_PATH: '/with space' }, `'TASKS_PATH' must be a path starting with "/", got "/with space"`],
    [{ TASKS_AUTH: 'on' }, `'TASKS_AUTH' must be "enabled" (default) or "disabled" (local experiments only), got "on"`],
    [{ TASKS_AUDIENCE: '   ' }, `'TASKS_AUDIENCE' must be set to the token audience the queue uses (or TASKS_AUTH=disabled for local experiments), got "   "`],
    [{ TASKS_SERVICE_ACCOUNT: 'a@p1.iam.gserviceaccount.com,not-an-email' }, `'TASKS_SERVICE_ACCOUNT' must be set to the queue's token service account email, got "a@p1.iam.gserviceaccount.com,not-an-email"`],
    [{ TASKS_JWKS_URL: 'http://keys.example/certs' }, `'TASKS_JWKS_URL' must be an https URL (plain http only to a loopback host: localhost, 127.0.0.1, [::1]), got "http://keys.example/certs"`],
    [{ TASKS_JWKS_URL: 'ftp://127.0.0.1/certs' }, `'TASKS_JWKS_URL' must be an https URL`],
  ])('GIVEN %j WHEN loaded THEN it is rejected naming the variable, value and range', (env, message) => {
    expect(() => load(env)).toThrow(message);
  });

  test('GIVEN NODE_TLS_REJECT_UNAUTHORIZED=0 with verification on WHEN loaded THEN startup is refused with the reason', () => {
    expect(() => load({ NODE_TLS_REJECT_UNAUTHORIZED: '0' })).toThrow(`'NODE_TLS_REJECT_UNAUTHORIZED' must be unset while tokens are verified: it turns off TLS certificate checks (the signing keys would be fetched unverified), got "0"`);
  });

  test.each([[{ NODE_TLS_REJECT_UNAUTHORIZED: '1' }], [{ NODE_TLS_REJECT_UNAUTHORIZED: '0', TASKS_AUTH: 'disabled' }]])('GIVEN %j WHEN loaded THEN it starts (keys are verified, or there are none)', (env) => {
    expect(() => load(env)).not.toThrow();
  });

  test.each(['GCE_METADATA_HOST', 'GCE_METADATA_IP'])('GIVEN %s on Cloud Run WHEN loaded THEN startup is refused with the reason', (name) => {
    expect(() => load({ K_SERVICE: 'orders-handler', [name]: '10.0.0.9' })).toThrow(`'${name}' must be unset on Cloud Run (K_SERVICE is set): it redirects the metadata server, the source of the runtime account's tokens, got "10.0.0.9"`);
  });

  test.each([[{ GCE_METADATA_HOST: '127.0.0.1:9' }], [{ K_SERVICE: 'orders-handler', GCE_METADATA_HOST: '' }]])('GIVEN %j WHEN loaded THEN it starts (the local server points the handler at its own metadata face)', (env) => {
    expect(() => load(env)).not.toThrow();
  });

  test('GIVEN TASKS_PATH with several segments WHEN loaded THEN it is used', () => {
    expect(load({ TASKS_PATH: '/v1/orders/tasks' }).path).toBe('/v1/orders/tasks');
  });

  test('GIVEN a work timeout of 1 s or just below the deadline WHEN loaded THEN it is accepted', () => {
    expect(load({ TASKS_WORK_TIMEOUT_SECONDS: '1' }).workTimeoutMs).toBe(1000);
    expect(load({ TASKS_WORK_TIMEOUT_SECONDS: '599' }).workTimeoutMs).toBe(599_000);
  });

  test('GIVEN TASKS_AUTH=enabled on Cloud Run WHEN loaded THEN auth is on', () => {
    expect(load({ TASKS_AUTH: 'enabled', K_SERVICE: 'orders-handler' }).auth?.audience).toBe('https://orders.example/tasks');
  });

  test('GIVEN TASKS_AUTH=disabled off Cloud Run WHEN loaded THEN no auth settings are needed or read', () => {
    const c = loadHandlerConfig({ TASKS_AUTH: 'disabled', TASKS_JWKS_URL: 'not a url' });
    expect(c.auth).toBeUndefined();
  });

  test('GIVEN TASKS_AUTH=disabled on Cloud Run WHEN loaded THEN it is rejected naming K_SERVICE', () => {
    expect(() => loadHandlerConfig({ TASKS_AUTH: 'disabled', K_SERVICE: 'orders-handler' })).toThrow(`'TASKS_AUTH' must be "enabled" on Cloud Run (K_SERVICE is set to "orders-handler"); "disabled" is for local experiments only, got "disabled"`);
  });

  test('GIVEN key sources, issuers and several accounts WHEN loaded THEN they are used as given (trimmed)', () => {
    const c = load({ TASKS_JWKS_URL: 'https://keys.example/certs', TASKS_ISSUERS: ' https://a.example , b.example ', TASKS_SERVICE_ACCOUNT: 'a@p1.iam.gserviceaccount.com, b@p2.iam.gserviceaccount.com' });
    expect(c.auth).toMatchObject({
      jwksUrl: 'https://keys.example/certs',
      issuers: ['https://a.example', 'b.example'],
      serviceAccount: 'a@p1.iam.gserviceaccount.com, b@p2.iam.gserviceaccount.com',
      serviceAccounts: ['a@p1.iam.gserviceaccount.com', 'b@p2.iam.gserviceaccount.com'],
    });
  });

  test('GIVEN a plain-http key source on loopback WHEN loaded THEN it is accepted (local development)', () => {
    expect(load({ TASKS_JWKS_URL: 'http://127.0.0.1:8123/certs' }).auth?.jwksUrl).toBe('http://127.0.0.1:8123/certs');
  });
});
