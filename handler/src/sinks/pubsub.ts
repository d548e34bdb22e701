import type { DeadLetter, DeadLetterSink } from '../dead-letter';
import { isLoopbackHost } from '../../../limits';
import { MetadataToken } from './metadata-token';

export const PUBSUB_ENDPOINT = 'https://pubsub.googleapis.com';

export interface PubSubSinkOptions {
  /** `projects/PROJECT/topics/TOPIC` */
  readonly topic: string;
  /** REST base URL. @default "https://pubsub.googleapis.com" */
  readonly endpoint?: string;
  /** Bearer token source. @default - the metadata server's token for the runtime service account */
  readonly token?: () => Promise<string>;
  /** Metadata server host for the default token. @default - $GCE_METADATA_HOST, else metadata.google.internal */
  readonly metadataHost?: string;
  /** Per publish call. @default 10000 */
  readonly timeoutMs?: number;
  /**
   * Waits before retrying a publish that failed with a network error, 429 or 5xx: on the task's real last
   * attempt a sink failure ends the task in Cloud Tasks, so the sink tries a little harder first.
   * @default [200, 1000]
   */
  readonly retryDelaysMs?: readonly number[];
}

class PublishError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
  }
}

/**
 * Publishes each dead letter to a Pub/Sub topic over the REST API (`topics/T:publish`): the message data is
 * the letter as JSON, the attributes say which task it was. No client library: the image stays small.
 */
export class PubSubDeadLetterSink implements DeadLetterSink {
  private readonly url: string;
  private readonly token: () => Promise<string>;

  constructor(private readonly o: PubSubSinkOptions) {
    if (!/^projects\/[^/]+\/topics\/[^/]+$/.test(o.topic)) {
      throw new Error(`dead-letter topic must be "projects/PROJECT/topics/TOPIC", got ${JSON.stringify(o.topic)}`);
    }
    const endpoint = o.endpoint ?? PUBSUB_ENDPOINT;
    // The bearer is the runtime account's token: it goes only to Google's Pub/Sub, or to this machine (local dev).
    if (!isTokenHost(endpoint)) {
      throw new Error(`dead-letter Pub/Sub endpoint must be https://*.googleapis.com, or http(s) on a loopback host (local development), got ${JSON.stringify(endpoint)}`);
    }
    this.url = `${endpoint.replace(/\/+$/, '')}/v1/${o.topic}:publish`;
    const metadata = new MetadataToken(o.metadataHost);
    this.token = o.token ?? (() => metadata.get());
  }

  /** Resolves with the Pub/Sub message id; rejects unless Pub/Sub confirmed the publish. */
  async write(letter: DeadLetter): Promise<string> {
    const body = JSON.stringify({ messages: [{ data: Buffer.from(JSON.stringify(letter)).toString('base64'), attributes: attributesOf(letter) }] });
    const delays = this.o.retryDelaysMs ?? [200, 1000];
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.publish(body);
      } catch (e) {
        const retryable = !(e instanceof PublishError) || e.retryable;
        if (!retryable || attempt >= delays.length) throw e;
        await new Promise((r) => setTimeout(r, delays[attempt]));
      }
    }
  }

  private async publish(body: string): Promise<string> {
    const res = await fetch(this.url, {
      method: 'POST',
      headers: { Authorization: `Bearer ${await this.token()}`, 'Content-Type': 'application/json' },
      body,
      signal: AbortSignal.timeout(this.o.timeoutMs ?? 10_000),
    });
    const text = await res.text();
    if (!res.ok) throw new PublishError(`Pub/Sub publish to ${this.o.topic} failed: HTTP ${res.status} ${text.slice(0, 300)}`, res.status === 429 || res.status >= 500);
    const id = (JSON.parse(text) as { messageIds?: string[] }).messageIds?.[0];
    if (!id) throw new Error(`Pub/Sub publish to ${this.o.topic} returned no message id: ${text.slice(0, 300)}`);
    return id;
  }
}

/** What subscribers can filter on without decoding the data. Attribute values are strings. */
export function attributesOf(letter: DeadLetter): Record<string, string> {
  return {
    queue: letter.queue,
    task: letter.task,
    attempts: String(letter.attempts),
    status: String(letter.error.status),
    outcome: letter.error.outcome,
  };
}

function isTokenHost(endpoint: string): boolean {
  try {
    const url = new URL(endpoint);
    if (isLoopbackHost(url.hostname)) return url.protocol === 'http:' || url.protocol === 'https:';
    return url.protocol === 'https:' && url.hostname.endsWith('.googleapis.com');
  } catch {
    return false;
  }
}
