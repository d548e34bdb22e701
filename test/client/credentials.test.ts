// Credentials go only where they belong: a recording API server and an Application Default Credentials stub
// that records whether it was asked for a token prove that neither an explicit token nor ADC leaks.
import { bufferTask, createTask, pauseQueue, resumeQueue, UntrustedEndpointError } from '../../client';
import { checkEndpoint, isLoopbackHost } from '../../client/credentials';
import { sentences } from '../../client/text';
import { adc, onlyLoopbackFetch } from './credential-stubs';
import { recorderForSuite } from './recorder';

jest.mock('google-auth-library', () => jest.requireActual('./credential-stubs').withAdcStub(jest.requireActual('google-auth-library')));

const QUEUE = 'projects/test-project/locations/us-central1/queues/orders';
const createdReply = { status: 200, body: { name: `${QUEUE}/tasks/1`, scheduleTime: '2026-11-25T21:00:00Z' } };

describe('credentials and endpoints', () => {
  const api = recorderForSuite();
  let fetchSpy: jest.SpyInstance;
  beforeEach(() => {
    adc.asked = 0;
    api.requests.length = 0;
    api.fallback = (r) => (r.url.includes(':buffer') ? { status: 200, body: { task: { name: `${QUEUE}/tasks/1` } } } : createdReply);
    fetchSpy = onlyLoopbackFetch();
  });
  afterEach(() => {
    fetchSpy.mockRestore();
    delete process.env.CLOUD_TASKS_ADC_HOSTS;
  });

  describe('plain http is refused except on loopback', () => {
    test.each(['http://10.0.0.5:8123', 'http://tasks.example.com', 'http://[::ffff:10.0.0.5]:80', 'http://127.0.0.1.example.com'])(
      'GIVEN an explicit token and endpoint %s WHEN buffering THEN it is refused before any request',
      async (endpoint) => {
        const err = await bufferTask(QUEUE, { endpoint, accessToken: 'ya29.secret' }).catch((e) => e);
        expect(err).toBeInstanceOf(UntrustedEndpointError);
        expect(err.message).toMatch(/uses plain http, which would send the bearer token in clear text; use https \(plain http is allowed only for loopback/);
        expect(err.message).toContain(JSON.stringify(endpoint));
        expect(fetchSpy).not.toHaveBeenCalled();
      },
    );

    test('GIVEN an explicit token and a non-loopback http endpoint WHEN creating a task THEN it is refused before any request', async () => {
      const err = await createTask(QUEUE, { endpoint: 'http://192.168.1.20:8123', accessToken: 'ya29.secret' }).catch((e) => e);
      expect(err).toBeInstanceOf(UntrustedEndpointError);
      expect(fetchSpy).not.toHaveBeenCalled();
      expect(api.requests).toHaveLength(0);
    });

    test('GIVEN no token and a non-loopback http endpoint WHEN buffering THEN ADC is never asked', async () => {
      await expect(bufferTask(QUEUE, { endpoint: 'http://10.0.0.5:8123' })).rejects.toThrow(UntrustedEndpointError);
      expect(adc.asked).toBe(0);
    });

    test.each(['http://127.0.0.1:8123', 'http://127.10.20.30', 'http://localhost:8123', 'http://LOCALHOST', 'http://[::1]:8123', 'https://tasks.example.com'])(
      'GIVEN endpoint %s WHEN checked THEN it is accepted',
      (endpoint) => {
        expect(checkEndpoint(endpoint).href).toBe(new URL(endpoint).href);
      },
    );

    test.each(['ftp://tasks.example.com', 'not a url', 'http://128.0.0.1'])('GIVEN endpoint %s WHEN checked THEN it is refused', (endpoint) => {
      expect(() => checkEndpoint(endpoint)).toThrow(UntrustedEndpointError);
    });

    test('loopback means 127.0.0.0/8, ::1 and localhost only', () => {
      expect(['127.0.0.1', '127.255.255.254', '[::1]', 'localhost'].every(isLoopbackHost)).toBe(true);
      expect(['128.0.0.1', '10.0.0.1', 'localhost.example.com', '0.0.0.0', '[::]'].some(isLoopbackHost)).toBe(false);
    });

    test('GIVEN an explicit token and the loopback recorder WHEN buffering THEN the token reaches it', async () => {
      await bufferTask(QUEUE, { endpoint: api.endpoint, accessToken: 'local-token' });
      expect(api.requests[0].headers.authorization).toBe('Bearer local-token');
      expect(adc.asked).toBe(0);
    });
  });

  describe('pause / resume follow the same rules', () => {
    test('GIVEN an explicit token and a non-loopback http endpoint WHEN pausing THEN it is refused before any request', async () => {
      await expect(pauseQueue(QUEUE, { endpoint: 'http://10.0.0.5:8123', accessToken: 'secret' })).rejects.toThrow(UntrustedEndpointError);
      expect(fetchSpy).not.toHaveBeenCalled();
    });

    test('GIVEN no token and the loopback recorder WHEN resuming THEN it is refused and ADC is never asked', async () => {
      await expect(resumeQueue(QUEUE, { endpoint: api.endpoint })).rejects.toThrow(UntrustedEndpointError);
      expect(adc.asked).toBe(0);
      expect(api.requests).toHaveLength(0);
    });

    test('GIVEN the recorder host in adcHosts WHEN pausing without a token THEN the ADC token reaches it', async () => {
      api.fallback = () => ({ status: 200, body: { name: QUEUE, state: 'PAUSED' } });
      await pauseQueue(QUEUE, { endpoint: api.endpoint, adcHosts: ['127.0.0.1'] });
      expect(adc.asked).toBe(1);
      expect(api.requests[0].headers.authorization).toBe('Bearer adc-secret');
    });
  });

  describe('Application Default Credentials go only to *.googleapis.com or a trusted host', () => {
    test('GIVEN no token and the loopback recorder WHEN buffering THEN it is refused and ADC is never asked', async () => {
      const err = await bufferTask(QUEUE, { endpoint: api.endpoint }).catch((e) => e);
      expect(err).toBeInstanceOf(UntrustedEndpointError);
      expect(err.message).toMatch(/^no access token for http:\/\/127\.0\.0\.1:\d+: Application Default Credentials are sent only to \*\.googleapis\.com hosts/);
      expect(err.message).toContain('adcHosts: ["127.0.0.1"] ($CLOUD_TASKS_ADC_HOSTS=127.0.0.1)');
      expect(adc.asked).toBe(0);
      expect(api.requests).toHaveLength(0);
    });

    test('GIVEN no token and a custom https host WHEN creating a task THEN it is refused and ADC is never asked', async () => {
      await expect(createTask(QUEUE, { endpoint: 'https://tasks-proxy.example.com' })).rejects.toThrow(/Application Default Credentials are sent only to \*\.googleapis\.com hosts/);
      expect(adc.asked).toBe(0);
      expect(fetchSpy).not.toHaveBeenCalled();
    });

    test('GIVEN a look-alike host googleapis.com.example.com WHEN buffering without a token THEN ADC is never asked', async () => {
      await expect(bufferTask(QUEUE, { endpoint: 'https://cloudtasks.googleapis.com.example.com' })).rejects.toThrow(UntrustedEndpointError);
      expect(adc.asked).toBe(0);
      expect(fetchSpy).not.toHaveBeenCalled();
    });

    test('GIVEN no token and the default endpoint WHEN buffering THEN the ADC token goes to cloudtasks.googleapis.com over https', async () => {
      fetchSpy.mockResolvedValue(new Response(JSON.stringify({ task: { name: `${QUEUE}/tasks/9` } }), { status: 200 }));
      await bufferTask(QUEUE, { payload: 'x' });
      expect(adc.asked).toBe(1);
      const [url, init] = fetchSpy.mock.calls[0];
      expect(url).toBe(`https://cloudtasks.googleapis.com/v2/${QUEUE}/tasks:buffer`);
      expect(init.headers.Authorization).toBe('Bearer adc-secret');
    });

    test('GIVEN the recorder host in adcHosts WHEN buffering without a token THEN the ADC token reaches it', async () => {
      await bufferTask(QUEUE, { endpoint: api.endpoint, adcHosts: ['127.0.0.1'] });
      expect(adc.asked).toBe(1);
      expect(api.requests[0].headers.authorization).toBe('Bearer adc-secret');
    });

    test('GIVEN the recorder host in $CLOUD_TASKS_ADC_HOSTS WHEN creating a task without a token THEN the ADC token reaches it', async () => {
      process.env.CLOUD_TASKS_ADC_HOSTS = 'tasks.example.com, 127.0.0.1';
      await createTask(QUEUE, { endpoint: api.endpoint, taskId: 'adc-1' });
      expect(adc.asked).toBe(1);
      expect(api.requests[0].headers.authorization).toBe('Bearer adc-secret');
    });

    test('GIVEN $CLOUD_TASKS_ADC_HOSTS trusts a host WHEN the adcHosts option is given THEN the option wins', async () => {
      process.env.CLOUD_TASKS_ADC_HOSTS = '127.0.0.1';
      await expect(bufferTask(QUEUE, { endpoint: api.endpoint, adcHosts: ['tasks.example.com'] })).rejects.toThrow(UntrustedEndpointError);
      expect(adc.asked).toBe(0);
    });
  });
});

describe('messages read as sentences', () => {
  test('a detail ending in a period is not followed by a second one', () => {
    expect(sentences('no credentials: Could not load the default credentials.', 'Run gcloud')).toBe('no credentials: Could not load the default credentials. Run gcloud');
  });
  test('parts without a period get one', () => {
    expect(sentences('UNAVAILABLE: busy', 'Gave up after 4 attempts')).toBe('UNAVAILABLE: busy. Gave up after 4 attempts');
  });
  test('a question or exclamation mark ends a sentence on its own', () => {
    expect(sentences('really?', 'yes')).toBe('really? yes');
  });
});
