/**
 * Where a bearer token may go. Every call carries one, so:
 * - plain `http://` endpoints are refused except on loopback (a token in clear text on a network is a leak);
 * - Application Default Credentials (a cloud-platform token for the user's whole account) are sent only to
 *   `*.googleapis.com`, or to hosts the user trusts explicitly. An explicit token goes where it is sent.
 */
import { isLoopbackHost } from '../limits';
import { accessToken } from './auth';

/** Environment variable: comma-separated extra hosts that may receive Application Default Credentials. */
export const ADC_HOSTS_ENV = 'CLOUD_TASKS_ADC_HOSTS';

/** Credentials would go where they do not belong; raised before any request is made or token fetched. */
export class UntrustedEndpointError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UntrustedEndpointError';
  }
}

/** What decides where credentials may go. */
export interface CredentialOptions {
  /** An explicit OAuth access token. */
  readonly accessToken?: string;
  /** Extra hosts (besides `*.googleapis.com`) trusted with Application Default Credentials. */
  readonly adcHosts?: readonly string[];
}

/** Loopback: 127.0.0.0/8, ::1 and `localhost` (the rule the handler uses too). */
export { isLoopbackHost };

/** Google's API hosts, e.g. `cloudtasks.googleapis.com`. */
export function isGoogleApisHost(hostname: string): boolean {
  return hostname.toLowerCase().endsWith('.googleapis.com');
}

/** Parses the endpoint and refuses plain http to anything but loopback. */
export function checkEndpoint(endpoint: string): URL {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new UntrustedEndpointError(`endpoint must be an absolute https URL, got ${JSON.stringify(endpoint)}`);
  }
  if (url.protocol === 'https:') return url;
  if (url.protocol === 'http:' && isLoopbackHost(url.hostname)) return url;
  throw new UntrustedEndpointError(
    url.protocol === 'http:'
      ? `endpoint ${JSON.stringify(endpoint)} uses plain http, which would send the bearer token in clear text; use https (plain http is allowed only for loopback: 127.0.0.0/8, ::1, localhost)`
      : `endpoint must be an https URL, got ${JSON.stringify(endpoint)}`,
  );
}

/** The extra trusted hosts: the option, else $CLOUD_TASKS_ADC_HOSTS; lowercase hostnames. */
export function adcHosts(option?: readonly string[]): string[] {
  const hosts = option ?? (process.env[ADC_HOSTS_ENV] ?? '').split(',');
  return hosts.map((h) => h.trim().toLowerCase()).filter((h) => h !== '');
}

/** May Application Default Credentials go to this endpoint? */
export function adcAllowed(url: URL, option?: readonly string[]): boolean {
  return isGoogleApisHost(url.hostname) || adcHosts(option).includes(url.hostname.toLowerCase());
}

/**
 * The bearer token for `endpoint`: the explicit one, else Application Default Credentials when the host
 * may receive them. Throws {@link UntrustedEndpointError} before fetching anything otherwise.
 */
export async function tokenFor(endpoint: string, options: CredentialOptions): Promise<string> {
  const url = checkEndpoint(endpoint);
  if (options.accessToken) return options.accessToken;
  if (!adcAllowed(url, options.adcHosts)) {
    throw new UntrustedEndpointError(
      `no access token for ${url.origin}: Application Default Credentials are sent only to *.googleapis.com hosts. ` +
        `Pass an access token (CLI: --token or $CLOUD_TASKS_ACCESS_TOKEN), or trust the host with ` +
        `adcHosts: [${JSON.stringify(url.hostname)}] ($${ADC_HOSTS_ENV}=${url.hostname})`,
    );
  }
  return accessToken();
}
