import type { OAuth2Client } from 'google-auth-library';

const SCOPE = 'https://www.googleapis.com/auth/cloud-platform';
let adc: { getAccessToken(): Promise<string | null | undefined> } | undefined;

/** The bearer token: the one given, else Application Default Credentials (loaded only when needed). */
export async function accessToken(explicit?: string): Promise<string> {
  if (explicit) return explicit;
  if (!adc) {
    const { GoogleAuth } = await import('google-auth-library');
    adc = new GoogleAuth({ scopes: [SCOPE] });
  }
  try {
    const token = await adc.getAccessToken();
    if (token) return token;
  } catch (e) {
    throw new Error(`no credentials: ${(e as Error).message}. Run \`gcloud auth application-default login\` or pass an access token`);
  }
  throw new Error('no credentials: Application Default Credentials returned no token; pass an access token');
}

/** An auth client for the official library that always sends `token`. */
export async function staticTokenClient(token: string): Promise<OAuth2Client> {
  const { OAuth2Client } = await import('google-auth-library');
  // The platform fetch: gaxios would otherwise dynamic-import node-fetch on first use.
  const client = new OAuth2Client({ transporterOptions: { fetchImplementation: fetch } });
  client.setCredentials({ access_token: token, expiry_date: Date.now() + 3600_000 });
  return client;
}

export { SCOPE };
