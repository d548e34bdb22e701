import { loadPeer } from './peers';
import { sentences } from './text';

const SCOPE = 'https://www.googleapis.com/auth/cloud-platform';
// google-auth-library is an optional peer dependency: typed structurally, loaded only when needed.
type GoogleAuthLib = {
  GoogleAuth: new (options: { scopes: string[] }) => { getAccessToken(): Promise<string | null | undefined> };
  OAuth2Client: new (options: object) => AuthClient;
};
/** An auth client the official library accepts (google-auth-library's OAuth2Client). */
export interface AuthClient {
  setCredentials(credentials: { access_token: string; expiry_date: number }): void;
}
const loadAuthLibrary = (feature: string) => loadPeer<GoogleAuthLib>('google-auth-library', feature);

let adc: { getAccessToken(): Promise<string | null | undefined> } | undefined;

/** The bearer token: the one given, else Application Default Credentials (loaded only when needed). */
export async function accessToken(explicit?: string): Promise<string> {
  if (explicit) return explicit;
  if (!adc) {
    const { GoogleAuth } = await loadAuthLibrary('Application Default Credentials (used when no access token is given)');
    adc = new GoogleAuth({ scopes: [SCOPE] });
  }
  try {
    const token = await adc.getAccessToken();
    if (token) return token;
  } catch (e) {
    throw new Error(sentences(`no credentials: ${(e as Error).message}`, 'Run `gcloud auth application-default login` or pass an access token'));
  }
  throw new Error('no credentials: Application Default Credentials returned no token; pass an access token');
}

/** An auth client for the official library that always sends `token`. */
export async function staticTokenClient(token: string): Promise<AuthClient> {
  const { OAuth2Client } = await loadAuthLibrary('an explicit access token with the official client');
  // The platform fetch (gaxios would otherwise dynamic-import node-fetch on first use), never following redirects:
  // a 3xx from the endpoint would re-send the task to wherever it points.
  const noRedirects: typeof fetch = (input, init) => fetch(input, { ...init, redirect: 'manual' });
  const client = new OAuth2Client({ transporterOptions: { fetchImplementation: noRedirects } });
  client.setCredentials({ access_token: token, expiry_date: Date.now() + 3600_000 });
  return client;
}

