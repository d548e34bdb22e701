// The dead-letter reader and replay follow the credential rules of client/credentials.ts: a recording server and
// an Application Default Credentials stub that counts its requests prove that no token leaks from either.
import { DeadLetterReader, replayDeadLetter, UntrustedEndpointError } from '../../client';
import { main } from '../../client/dead-letters-cli';
import { adc, onlyLoopbackFetch } from './credential-stubs';
import { recorderForSuite } from './recorder';

jest.mock('google-auth-library', () => jest.requireActual('./credential-stubs').withAdcStub(jest.requireActual('google-auth-library')));

const SUBSCRIPTION = 'projects/test-project/subscriptions/orders-dead-letters';
const QUEUE = 'projects/test-project/locations/us-central1/queues/orders';
const LETTER = {
  queue: 'orders',
  task: 't1',
  attempts: 3,
  retryCount: 2,
  executionCount: 2,
  headers: { 'content-type': 'text/plain' },
  body: Buffer.from('hello').toString('base64'),
  error: { status: 500, outcome: 'failed', message: 'work failed' },
  deadLetteredAt: '2026-11-26T01:00:00.000Z',
};
const RECEIVED = { messageId: '77', letter: LETTER };

describe('dead letters: credentials go only where they belong', () => {
  const api = recorderForSuite();
  let fetchSpy: jest.SpyInstance;
  const savedEnv = { ...process.env };
  beforeEach(() => {
    adc.asked = 0;
    api.requests.length = 0;
    api.fallback = (r) =>
      r.url.endsWith(':pull') ? { status: 200, body: { receivedMessages: [] } } : r.url.includes(':buffer') ? { status: 200, body: { task: { name: `${QUEUE}/tasks/x` } } } : { status: 200, body: { name: `${QUEUE}/tasks/x` } };
    for (const name of ['PUBSUB_ENDPOINT', 'CLOUD_TASKS_ENDPOINT', 'CLOUD_TASKS_ADC_HOSTS', 'CLOUD_TASKS_ACCESS_TOKEN']) delete process.env[name];
    // Only loopback ever goes out, so a regression cannot reach a real host.
    fetchSpy = onlyLoopbackFetch();
  });
  afterEach(() => {
    fetchSpy.mockRestore();
    process.env = { ...savedEnv };
  });

  describe('DeadLetterReader', () => {
    test('GIVEN no token and the loopback recorder WHEN pulling THEN it is refused and ADC is never asked', async () => {
      const reader = new DeadLetterReader({ subscription: SUBSCRIPTION, endpoint: api.endpoint });
      const err = await reader.pull().catch((e) => e);
      expect(err).toBeInstanceOf(UntrustedEndpointError);
      expect(err.message).toMatch(/^no access token for http:\/\/127\.0\.0\.1:\d+: Application Default Credentials are sent only to \*\.googleapis\.com hosts/);
      expect(adc.asked).toBe(0);
      expect(api.requests).toHaveLength(0);
    });

    test('GIVEN no token and $PUBSUB_ENDPOINT on a custom https host WHEN acknowledging THEN it is refused before any request', async () => {
      process.env.PUBSUB_ENDPOINT = 'https://pubsub-proxy.example.com';
      await expect(new DeadLetterReader({ subscription: SUBSCRIPTION }).acknowledge(['a'])).rejects.toThrow(UntrustedEndpointError);
      expect(adc.asked).toBe(0);
      expect(fetchSpy).not.toHaveBeenCalled();
    });

    test('GIVEN a look-alike host pubsub.googleapis.com.example.com WHEN releasing without a token THEN ADC is never asked', async () => {
      const reader = new DeadLetterReader({ subscription: SUBSCRIPTION, endpoint: 'https://pubsub.googleapis.com.example.com' });
      await expect(reader.release(['a'])).rejects.toThrow(UntrustedEndpointError);
      expect(adc.asked).toBe(0);
      expect(fetchSpy).not.toHaveBeenCalled();
    });

    test.each(['http://10.0.0.5:8125', 'http://pubsub.example.com'])('GIVEN an explicit token and plain http endpoint %s WHEN creating the reader THEN it is refused', (endpoint) => {
      expect(() => new DeadLetterReader({ subscription: SUBSCRIPTION, endpoint, accessToken: 'ya29.secret' })).toThrow(/uses plain http, which would send the bearer token in clear text/);
      expect(fetchSpy).not.toHaveBeenCalled();
    });

    test('GIVEN no token and the default endpoint WHEN pulling THEN the ADC token goes to pubsub.googleapis.com over https', async () => {
      fetchSpy.mockResolvedValue(new Response(JSON.stringify({ receivedMessages: [] }), { status: 200 }));
      await new DeadLetterReader({ subscription: SUBSCRIPTION }).pull(5);
      expect(adc.asked).toBe(1);
      const [url, init] = fetchSpy.mock.calls[0];
      expect(url).toBe(`https://pubsub.googleapis.com/v1/${SUBSCRIPTION}:pull`);
      expect(init.headers.Authorization).toBe('Bearer adc-secret');
    });

    test('GIVEN the recorder host in adcHosts WHEN pulling without a token THEN the ADC token reaches it', async () => {
      await new DeadLetterReader({ subscription: SUBSCRIPTION, endpoint: api.endpoint, adcHosts: ['127.0.0.1'] }).pull();
      expect(adc.asked).toBe(1);
      expect(api.requests[0].headers.authorization).toBe('Bearer adc-secret');
    });

    test('GIVEN an explicit token and the loopback recorder WHEN pulling THEN that token reaches it and ADC is never asked', async () => {
      await new DeadLetterReader({ subscription: SUBSCRIPTION, endpoint: api.endpoint, accessToken: 'local' }).pull();
      expect(api.requests[0].headers.authorization).toBe('Bearer local');
      expect(adc.asked).toBe(0);
    });
  });

  describe('replayDeadLetter', () => {
    test.each(['buffer', 'create'] as const)('GIVEN no token and the loopback recorder WHEN replaying via %s THEN it is refused and ADC is never asked', async (via) => {
      await expect(replayDeadLetter(RECEIVED, QUEUE, { via, endpoint: api.endpoint })).rejects.toThrow(UntrustedEndpointError);
      expect(adc.asked).toBe(0);
      expect(api.requests).toHaveLength(0);
    });

    test('GIVEN an explicit token and a plain http endpoint off loopback WHEN replaying THEN it is refused before any request', async () => {
      await expect(replayDeadLetter(RECEIVED, QUEUE, { endpoint: 'http://192.168.1.20:8123', accessToken: 'ya29.secret' })).rejects.toThrow(/uses plain http/);
      expect(fetchSpy).not.toHaveBeenCalled();
    });

    test('GIVEN the recorder host in adcHosts WHEN replaying without a token THEN the ADC token reaches it', async () => {
      await replayDeadLetter(RECEIVED, QUEUE, { endpoint: api.endpoint, adcHosts: ['127.0.0.1'] });
      expect(adc.asked).toBe(1);
      expect(api.requests[0].url).toMatch(/:buffer$/);
      expect(api.requests[0].headers.authorization).toBe('Bearer adc-secret');
    });
  });

  describe('dead-letters CLI', () => {
    test('GIVEN no --token and a loopback --pubsub-endpoint WHEN listing THEN it fails before any request and ADC is never asked', async () => {
      const err = await main(['list', '--pubsub-endpoint', api.endpoint, '--subscription', SUBSCRIPTION], () => undefined, () => undefined).catch((e) => e);
      expect(err).toBeInstanceOf(UntrustedEndpointError);
      expect(err.message).toContain('--token or $CLOUD_TASKS_ACCESS_TOKEN');
      expect(adc.asked).toBe(0);
      expect(api.requests).toHaveLength(0);
    });
  });
});
