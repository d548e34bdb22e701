// Stands in for Application Default Credentials in the credential tests: hands out a recognisable token and
// counts how often it was asked, so a test proves that no ADC token was fetched for an untrusted host.
// Use: jest.mock('google-auth-library', () => jest.requireActual('./adc-stub').withAdcStub(jest.requireActual('google-auth-library')));
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
