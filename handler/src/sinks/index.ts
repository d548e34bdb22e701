import { DeadLetterPolicy, DeadLetterSink, loadQueueIds, loadQueueRetryPolicies, loadRetryPolicy } from '../dead-letter';
import type { Logger } from '../log';
import { LogDeadLetterSink } from './log';
import { PubSubDeadLetterSink } from './pubsub';

export { LogDeadLetterSink } from './log';
export { attributesOf, PubSubDeadLetterSink, PUBSUB_ENDPOINT } from './pubsub';
export type { PubSubSinkOptions } from './pubsub';
export { MetadataToken } from './metadata-token';

/** The sink the environment asks for: Pub/Sub when `TASKS_DEAD_LETTER_TOPIC` is set, else the ERROR log entry. */
export function sinkFromEnv(env: Record<string, string | undefined> = process.env, logger?: Logger): DeadLetterSink {
  const topic = env.TASKS_DEAD_LETTER_TOPIC;
  if (topic) return new PubSubDeadLetterSink({ topic, endpoint: env.TASKS_PUBSUB_ENDPOINT || undefined, metadataHost: env.GCE_METADATA_HOST || undefined });
  return new LogDeadLetterSink(logger);
}

/**
 * Dead letters as the environment configures them; undefined (off) when the retry limits are not set. Only the
 * queues the handler serves are dead-lettered: `TASKS_QUEUE_ID` (what `TASKS_MAX_ATTEMPTS`... belong to) and the
 * queues of `TASKS_QUEUE_RETRY_LIMITS`. Throws when limits are set for no queue.
 */
export function deadLettersFromEnv(env: Record<string, string | undefined> = process.env, logger?: Logger): DeadLetterPolicy | undefined {
  const retry = loadRetryPolicy(env);
  const byQueue = loadQueueRetryPolicies(env);
  const queues = loadQueueIds(env);
  if (!retry && Object.keys(byQueue).length === 0) return undefined;
  return new DeadLetterPolicy(retry, sinkFromEnv(env, logger), undefined, byQueue, queues);
}
