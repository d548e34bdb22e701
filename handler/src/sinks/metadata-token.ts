/**
 * Access tokens for the runtime service account from the metadata server (Cloud Run, GCE), cached until a
 * minute before they expire. `GCE_METADATA_HOST` (the variable Google's libraries read) points elsewhere.
 */
export class MetadataToken {
  private cached?: { token: string; until: number };
  private pending?: Promise<string>;
  private readonly url: string;

  constructor(host: string = process.env.GCE_METADATA_HOST || 'metadata.google.internal') {
    this.url = `http://${host}/computeMetadata/v1/instance/service-accounts/default/token`;
  }

  get(now = Date.now()): Promise<string> {
    if (this.cached && this.cached.until > now) return Promise.resolve(this.cached.token);
    this.pending ??= this.fetch().finally(() => (this.pending = undefined));
    return this.pending;
  }

  private async fetch(): Promise<string> {
    const res = await fetch(this.url, { headers: { 'Metadata-Flavor': 'Google' }, signal: AbortSignal.timeout(5000) });
    if (!res.ok) throw new Error(`metadata server token: HTTP ${res.status}`);
    const body = (await res.json()) as { access_token?: string; expires_in?: number };
    if (!body.access_token) throw new Error('metadata server token: no access_token in the answer');
    this.cached = { token: body.access_token, until: Date.now() + Math.max(0, (body.expires_in ?? 0) - 60) * 1000 };
    return body.access_token;
  }
}
