/**
 * What `npm run dev` adds for dead letters and stats: local values for Pub/Sub references, the handler's
 * dead-letter environment (always the local store, whichever sink the stack chose), and the stats table.
 */
import type { QueueStats } from './ops';
import type { References, StackFile } from './terraform';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** `google_pubsub_topic.X.id` / `.name` and `google_pubsub_subscription.X.id` / `.name`, as Google forms them. */
export function pubsubReferences(stack: StackFile): References {
  const google = stack.json.provider?.google;
  const project = (Array.isArray(google) ? google[0] : google)?.project;
  const refs: References = {};
  for (const [type, kind] of [['google_pubsub_topic', 'topics'], ['google_pubsub_subscription', 'subscriptions']] as const) {
    for (const [id, r] of Object.entries<Json>(stack.json.resource?.[type] ?? {})) {
      refs[`${type}.${id}.name`] = r.name;
      refs[`${type}.${id}.id`] = `projects/${r.project ?? project}/${kind}/${r.name}`;
    }
  }
  return refs;
}

/**
 * Handler variables that send its dead letters to the local store: the local Pub/Sub endpoint and metadata token,
 * and a local topic when the stack uses the log sink (locally, dead letters are always kept and replayable).
 */
export function localDeadLetterEnv(opsEndpoint: string, env: Record<string, string>, project: string): Record<string, string> {
  return {
    TASKS_PUBSUB_ENDPOINT: opsEndpoint,
    GCE_METADATA_HOST: new URL(opsEndpoint).host,
    TASKS_DEAD_LETTER_TOPIC: env.TASKS_DEAD_LETTER_TOPIC || `projects/${project}/topics/local-dead-letters`,
  };
}

/** One line per queue: depth, in flight, attempts by outcome and status, dead letters. */
export function formatStats(stats: readonly QueueStats[]): string {
  const rows = stats.map((s) => {
    const outcomes = Object.entries(s.attempts.byOutcome).map(([k, v]) => `${k} ${v}`).join(', ') || 'none';
    const statuses = Object.entries(s.attempts.byStatus).map(([k, v]) => `${k}×${v}`).join(' ');
    return `${s.queue}\n  depth ${s.depth}  in flight ${s.inFlight}  dead letters ${s.deadLetters}\n  attempts: ${outcomes}${statuses ? ` (status ${statuses})` : ''}`;
  });
  return `${rows.join('\n')}\n`;
}
