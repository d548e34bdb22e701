/**
 * Reading and replaying dead letters from a Pub/Sub pull subscription over the REST API (the one the construct
 * creates, or the local server's, which speaks the same API). Replay re-enqueues the original body and headers
 * on the queue the dead-letter subscription belongs to (never a queue the letter names for itself) with BufferTask
 * or CreateTask, then acknowledges the letter.
 */
import { DeadLetter, DEADLINE_HEADER, deadLetterProblem, headerProblem, TASK_ID_PATTERN } from '../limits';
import { bufferTask } from './buffer-task';
import { createTask } from './create-task';
import { checkEndpoint, tokenFor } from './credentials';
import { CreatedTask, QueueRef, queuePath } from './options';

export type { DeadLetter } from '../limits';

/** Google's Pub/Sub REST base URL, where the reader goes unless told otherwise. */
export const PUBSUB_ENDPOINT = 'https://pubsub.googleapis.com';

/** Options of {@link DeadLetterReader}: which subscription, where, and with which credentials. */
export interface DeadLetterReaderOptions {
  /** The subscription to read: `projects/PROJECT/subscriptions/SUBSCRIPTION`. */
  readonly subscription: string;
  /**
   * Pub/Sub REST base URL: https, or plain http on loopback only (127.0.0.0/8, ::1, localhost).
   * @default - $PUBSUB_ENDPOINT, else https://pubsub.googleapis.com
   */
  readonly endpoint?: string;
  /** An OAuth access token, sent to `endpoint` as is. @default - Application Default Credentials, only to `*.googleapis.com` or `adcHosts` */
  readonly accessToken?: string;
  /**
   * Hosts besides `*.googleapis.com` that may receive an Application Default Credentials token (used when no
   * `accessToken` is given).
   * @default - $CLOUD_TASKS_ADC_HOSTS (comma-separated), else none
   */
  readonly adcHosts?: readonly string[];
}

/** A dead letter as pulled: leased to this reader until acknowledged or released. */
export interface ReceivedDeadLetter {
  /** The lease handle: what `acknowledge` and `release` take. */
  readonly ackId: string;
  /** Pub/Sub's message id: the letter's id in the CLI (`show ID`, `replay ID`). */
  readonly messageId: string;
  /** When the handler published the letter (RFC 3339), when Pub/Sub says. */
  readonly publishTime?: string;
  /** The message attributes the sink set, e.g. `queue`. */
  readonly attributes: Record<string, string>;
  /** The dead letter itself, decoded from the message data. */
  readonly letter: DeadLetter;
  /** Never set on a readable letter (tells it apart from an {@link UnreadableDeadLetter}). */
  readonly problem?: undefined;
}

/** A message that is not a readable dead letter (not JSON, or a field missing or malformed): shown, never replayed. */
export interface UnreadableDeadLetter {
  /** The lease handle: what `acknowledge` and `release` take. */
  readonly ackId: string;
  /** Pub/Sub's message id. */
  readonly messageId: string;
  /** When the message was published (RFC 3339), when the server says. */
  readonly publishTime?: string;
  /** The message attributes, as published. */
  readonly attributes: Record<string, string>;
  /** Never set: there is no readable letter. */
  readonly letter?: undefined;
  /** Why it cannot be read, e.g. "not JSON" or "headers must be an object, got null". */
  readonly problem: string;
}

/** What a pull gives: letters, and messages that are not letters (left for inspection: release them). */
export type PulledDeadLetter = ReceivedDeadLetter | UnreadableDeadLetter;

/** Thrown by {@link replayDeadLetter} for a letter it will not enqueue (unreadable, or naming another queue). */
export class RefusedDeadLetterError extends Error {}

/**
 * Reads one dead-letter pull subscription over the Pub/Sub REST API: pull (lease), acknowledge (delete) or
 * release. Credentials follow client/credentials.ts: plain http only on loopback, Application Default
 * Credentials only to `*.googleapis.com` or `adcHosts`; an untrusted endpoint throws before any request.
 */
export class DeadLetterReader {
  private readonly endpoint: string;
  private readonly base: string;

  /** Throws when the subscription path is malformed or the endpoint is plain http off loopback. */
  constructor(private readonly o: DeadLetterReaderOptions) {
    if (!/^projects\/[^/]+\/subscriptions\/[^/]+$/.test(o.subscription)) {
      throw new Error(`subscription must be "projects/PROJECT/subscriptions/SUBSCRIPTION", got ${JSON.stringify(o.subscription)}`);
    }
    this.endpoint = (o.endpoint ?? process.env.PUBSUB_ENDPOINT ?? PUBSUB_ENDPOINT).replace(/\/+$/, '');
    checkEndpoint(this.endpoint);
    this.base = `${this.endpoint}/v1/${o.subscription}`;
  }

  /**
   * Up to `max` messages, leased for the subscription's ack deadline. Pub/Sub may return fewer than there are. A
   * message that is not a readable letter comes back as an {@link UnreadableDeadLetter} (it never fails the pull).
   */
  async pull(max = 100): Promise<PulledDeadLetter[]> {
    const res = (await this.call('pull', { maxMessages: max })) as { receivedMessages?: { ackId: string; message: { data?: string; attributes?: Record<string, string>; messageId: string; publishTime?: string } }[] };
    return (res.receivedMessages ?? []).map(({ ackId, message }) => {
      const common = { ackId, messageId: String(message.messageId), publishTime: message.publishTime, attributes: message.attributes ?? {} };
      let letter: unknown;
      try {
        letter = JSON.parse(Buffer.from(message.data ?? '', 'base64').toString('utf8'));
      } catch {
        return { ...common, problem: 'the message data is not JSON' };
      }
      const problem = deadLetterProblem(letter);
      return problem === undefined ? { ...common, letter: letter as DeadLetter } : { ...common, problem };
    });
  }

  /** Pulls until a pull comes back empty or `limit` messages are held. A failed pull gives back what it held. */
  async pullAll(limit = 1000): Promise<PulledDeadLetter[]> {
    const all: PulledDeadLetter[] = [];
    try {
      while (all.length < limit) {
        const batch = await this.pull(Math.min(100, limit - all.length));
        if (batch.length === 0) break;
        all.push(...batch);
      }
    } catch (e) {
      await this.release(all.map((r) => r.ackId)).catch(() => undefined);
      throw e;
    }
    return all;
  }

  /** Done with these letters: Pub/Sub deletes them. */
  async acknowledge(ackIds: readonly string[]): Promise<void> {
    if (ackIds.length > 0) await this.call('acknowledge', { ackIds });
  }

  /** Gives the leases back at once, so the letters stay for the next reader. */
  async release(ackIds: readonly string[]): Promise<void> {
    if (ackIds.length > 0) await this.call('modifyAckDeadline', { ackIds, ackDeadlineSeconds: 0 });
  }

  private async call(method: string, body: object): Promise<unknown> {
    const token = await tokenFor(this.endpoint, this.o);
    let res: Response;
    try {
      res = await fetch(`${this.base}:${method}`, {
        method: 'POST',
        redirect: 'manual', // the token and the ack ids go to this endpoint only
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
    } catch (e) {
      throw new Error(`cannot reach ${this.base}: ${(e as Error).cause ?? (e as Error).message}`);
    }
    const text = await res.text();
    if (!res.ok) {
      let message = text;
      try {
        message = JSON.parse(text).error?.message ?? text;
      } catch {
        // not JSON
      }
      throw new Error(`Pub/Sub ${method} on ${this.o.subscription} failed: HTTP ${res.status} ${message.slice(0, 300)}`);
    }
    return text ? JSON.parse(text) : {};
  }
}

/** Options of {@link replayDeadLetter}: how to enqueue, where, and with which credentials. */
export interface ReplayOptions {
  /**
   * BufferTask (the queue's routing and auth) or CreateTask (with the queue's deadline).
   * @default "buffer", or "create" for a queue given with `bufferTask: false` (CreateTask-only)
   */
  readonly via?: 'buffer' | 'create';
  /**
   * Cloud Tasks API base URL: https, or plain http on loopback only.
   * @default - $CLOUD_TASKS_ENDPOINT, else https://cloudtasks.googleapis.com
   */
  readonly endpoint?: string;
  /** An OAuth access token, sent to `endpoint` as is. @default - Application Default Credentials, only to `*.googleapis.com` or `adcHosts` */
  readonly accessToken?: string;
  /** Hosts besides `*.googleapis.com` trusted with Application Default Credentials. @default - $CLOUD_TASKS_ADC_HOSTS, else none */
  readonly adcHosts?: readonly string[];
}

/**
 * Re-enqueues a dead letter's original body and headers on `queue`: the queue whose dead-letter subscription it was
 * read from. A letter is data anyone able to publish (or to reach the handler) may have shaped, so it never picks
 * its queue: a letter naming another queue, or one that is malformed, is refused ({@link RefusedDeadLetterError})
 * before any request. The task id is derived from the letter's message id, so replaying the same letter twice
 * within Cloud Tasks' dedup window creates one task.
 */
export async function replayDeadLetter(received: Pick<ReceivedDeadLetter, 'messageId' | 'letter'>, queue: QueueRef, options: ReplayOptions = {}): Promise<CreatedTask> {
  const { letter } = received;
  const problem = deadLetterProblem(letter);
  if (problem !== undefined) throw new RefusedDeadLetterError(`dead letter ${received.messageId} is malformed: ${problem}`);
  const target = queueIdOf(queue);
  if (letter.queue !== target) {
    throw new RefusedDeadLetterError(`dead letter ${received.messageId} names queue ${JSON.stringify(letter.queue)}, not ${JSON.stringify(target)} (the queue this replay is for): refused`);
  }
  // The original task's deadline announcement is not copied: the replay carries its own deadline.
  const headers = Object.fromEntries(
    Object.entries(letter.headers).filter(([name]) => name.toLowerCase() !== DEADLINE_HEADER.toLowerCase() && (name.toLowerCase() === 'content-type' || headerProblem(name) === undefined)),
  );
  const taskId = replayTaskId(letter.task, received.messageId);
  const common = { payload: Buffer.from(letter.body, 'base64'), headers, taskId, endpoint: options.endpoint, accessToken: options.accessToken, adcHosts: options.adcHosts };
  const via = options.via ?? (typeof queue !== 'string' && queue.bufferTask === false ? 'create' : 'buffer');
  return via === 'create' ? createTask(queue, common) : bufferTask(queue, common);
}

/** The queue id of a queue path or reference. */
function queueIdOf(queue: QueueRef): string {
  return queuePath(queue).split('/').at(-1)!;
}

/** `TASK-replay-MESSAGEID`, cut to the 500-character task id limit, invalid characters replaced. */
export function replayTaskId(task: string, messageId: string): string {
  const suffix = `-replay-${messageId}`.replace(/[^A-Za-z0-9_-]/g, '_');
  const id = `${task.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 500 - suffix.length)}${suffix}`;
  return TASK_ID_PATTERN.test(id) ? id : `replay-${Date.now()}`;
}
