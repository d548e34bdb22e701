// The metadata-server token fetcher against a local HTTP server standing in for the GCE metadata server.
import { createServer, IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MetadataToken } from '../src/sinks';

const TOKEN_PATH = '/computeMetadata/v1/instance/service-accounts/default/token';

/** Answers each token request with the next queued answer (the last one repeats) and records the requests. */
class FakeMetadataServer {
  requests: { url?: string; headers: IncomingHttpHeaders }[] = [];
  answers: { status: number; body: string }[] = [];
  host = '';
  private server?: Server;
  private release?: () => void;
  held?: Promise<void>;

  async start(): Promise<this> {
    this.server = createServer(async (req, res) => {
      this.requests.push({ url: req.url, headers: req.headers });
      if (this.held) await this.held;
      const a = this.answers.length > 1 ? this.answers.shift()! : this.answers[0];
      res.writeHead(a.status, { 'Content-Type': 'application/json' }).end(a.body);
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.host = `127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  token(access_token: string, expires_in = 3600): this {
    this.answers.push({ status: 200, body: JSON.stringify({ access_token, expires_in, token_type: 'Bearer' }) });
    return this;
  }

  hold(): void {
    this.held = new Promise((r) => (this.release = r));
  }

  unhold(): void {
    this.held = undefined;
    this.release?.();
  }

  stop(): Promise<void> {
    return new Promise((r) => this.server?.close(() => r()));
  }
}

describe('MetadataToken (local metadata server)', () => {
  let md: FakeMetadataServer;
  const savedHost = process.env.GCE_METADATA_HOST;

  beforeEach(async () => {
    md = await new FakeMetadataServer().start();
  });
  afterEach(async () => {
    jest.restoreAllMocks();
    if (savedHost === undefined) delete process.env.GCE_METADATA_HOST;
    else process.env.GCE_METADATA_HOST = savedHost;
    md.unhold();
    await md.stop();
  });

  test('GIVEN a metadata server WHEN a token is requested THEN it asks for the default account token with Metadata-Flavor: Google', async () => {
    md.token('ya29.first');
    await expect(new MetadataToken(md.host).get()).resolves.toBe('ya29.first');
    expect(md.requests).toHaveLength(1);
    expect(md.requests[0].url).toBe(TOKEN_PATH);
    expect(md.requests[0].headers['metadata-flavor']).toBe('Google');
  });

  test('GIVEN GCE_METADATA_HOST is set and no host is passed WHEN a token is requested THEN it asks that host', async () => {
    process.env.GCE_METADATA_HOST = md.host;
    md.token('ya29.from-env');
    await expect(new MetadataToken().get()).resolves.toBe('ya29.from-env');
    expect(md.requests).toHaveLength(1);
  });

  test('GIVEN neither a host nor GCE_METADATA_HOST WHEN a token is requested THEN it asks metadata.google.internal', async () => {
    delete process.env.GCE_METADATA_HOST;
    const urls: string[] = [];
    jest.spyOn(globalThis, 'fetch').mockImplementation(async (input) => {
      urls.push(String(input));
      return new Response(JSON.stringify({ access_token: 'ya29.gce', expires_in: 3600 }), { status: 200 });
    });
    await expect(new MetadataToken().get()).resolves.toBe('ya29.gce');
    expect(urls).toEqual([`http://metadata.google.internal${TOKEN_PATH}`]);
  });

  test('GIVEN GCE_METADATA_HOST is empty WHEN a token is requested THEN it falls back to metadata.google.internal', async () => {
    process.env.GCE_METADATA_HOST = '';
    const urls: string[] = [];
    jest.spyOn(globalThis, 'fetch').mockImplementation(async (input) => {
      urls.push(String(input));
      return new Response(JSON.stringify({ access_token: 'ya29.gce', expires_in: 3600 }), { status: 200 });
    });
    await new MetadataToken().get();
    expect(urls).toEqual([`http://metadata.google.internal${TOKEN_PATH}`]);
  });

  test('GIVEN a token valid for an hour WHEN asked again until a minute before expiry THEN it is cached; at that minute it is fetched again', async () => {
    md.token('ya29.first').token('ya29.second');
    const T = 1_700_000_000_000;
    jest.spyOn(Date, 'now').mockReturnValue(T);
    const t = new MetadataToken(md.host);
    await expect(t.get(T)).resolves.toBe('ya29.first');
    // Valid until T + (3600 - 60) s, exclusive.
    await expect(t.get(T + 3540_000 - 1)).resolves.toBe('ya29.first');
    expect(md.requests).toHaveLength(1);
    await expect(t.get(T + 3540_000)).resolves.toBe('ya29.second');
    expect(md.requests).toHaveLength(2);
  });

  test('GIVEN the cached token expired WHEN asked twice more THEN each refresh fetches a fresh token (no stale pending fetch)', async () => {
    md.token('ya29.a', 60).token('ya29.b', 60).token('ya29.c', 60);
    const t = new MetadataToken(md.host);
    // expires_in 60 leaves no margin: every call after the fetch is past expiry.
    await expect(t.get()).resolves.toBe('ya29.a');
    await expect(t.get(Date.now() + 1)).resolves.toBe('ya29.b');
    await expect(t.get(Date.now() + 1)).resolves.toBe('ya29.c');
    expect(md.requests).toHaveLength(3);
  });

  test('GIVEN concurrent requests WHEN no token is cached THEN they share one metadata request', async () => {
    md.token('ya29.shared');
    md.hold();
    const t = new MetadataToken(md.host);
    const both = Promise.all([t.get(), t.get()]);
    for (let i = 0; i < 100 && md.requests.length === 0; i++) await new Promise((r) => setTimeout(r, 5));
    md.unhold();
    await expect(both).resolves.toEqual(['ya29.shared', 'ya29.shared']);
    expect(md.requests).toHaveLength(1);
  });

  test('GIVEN the metadata server answers 503 WHEN a token is requested THEN it rejects naming the status, and the next call retries', async () => {
    md.answers.push({ status: 503, body: JSON.stringify({ access_token: 'ya29.should-not-be-used' }) });
    md.token('ya29.after-outage');
    const t = new MetadataToken(md.host);
    await expect(t.get()).rejects.toThrow('metadata server token: HTTP 503');
    await expect(t.get()).resolves.toBe('ya29.after-outage');
  });

  test('GIVEN an answer without access_token WHEN a token is requested THEN it rejects saying so', async () => {
    md.answers.push({ status: 200, body: JSON.stringify({ expires_in: 3600 }) });
    await expect(new MetadataToken(md.host).get()).rejects.toThrow('metadata server token: no access_token in the answer');
  });

  test('GIVEN an answer without expires_in WHEN asked again THEN the token is not cached', async () => {
    md.answers.push({ status: 200, body: JSON.stringify({ access_token: 'ya29.x' }) });
    const t = new MetadataToken(md.host);
    await t.get();
    await t.get(Date.now() + 1);
    expect(md.requests).toHaveLength(2);
  });
});
