import { isLoopbackHost } from '../../client/credentials';

// Stands in for Application Default Credentials in the credential tests: hands out a recognisable token and
// counts how often it was asked, so a test proves that no ADC token was fetched for an untrusted host.
// Use: jest.mock('google-auth-library', () => jest.requireActual('./credential-stubs').withAdcStub(jest.requireActual('google-auth-library')));
export const adc = { asked: 0 };

/** google-auth-library with GoogleAuth replaced by the counting stub. */
export function withAdcStub(actual: object): object {
  return {
    ...actual,
    GoogleAuth: class {
      async getAccessToken(): Promise<string> {
        adc.asked++;
        return 'adc-secret';
      }
    },
  };
}

/**
 * Spies on fetch and lets only loopback requests out: every call is recorded, and a regression that sends a
 * request (and its token) elsewhere fails instead of reaching a real host. Restore with `mockRestore()`.
 */
export function onlyLoopbackFetch(): jest.SpyInstance {
  const realFetch = globalThis.fetch;
  return jest.spyOn(globalThis, 'fetch').mockImplementation((input, init) =>
    isLoopbackHost(new URL(String(input)).hostname) ? realFetch(input, init) : Promise.reject(new TypeError('fetch failed: test blocks non-loopback hosts')),
  );
}
