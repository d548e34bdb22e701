#!/usr/bin/env node
/**
 * npm run dead-letters -- list | show ID | replay ID... | replay --all | stats
 * Reads the dead-letter subscription (real: the one the stack creates; --local: the dev server's store).
 */
import { parseArgs } from 'node:util';
import { loadConfig } from '../config';
import { defaultEnvironment } from '../limits/environments';
import { LOCAL_DEV_PORTS } from '../limits/local-dev';
import { closeClients } from './create-task';
import { DeadLetterReader, PulledDeadLetter, ReceivedDeadLetter, replayDeadLetter } from './dead-letters';

const HELP = `NAME
    dead-letters - list, show and replay tasks that failed their last attempt

SYNOPSIS
    npm run dead-letters -- list [--max=N] [--json]
    npm run dead-letters -- show ID [--json]
    npm run dead-letters -- replay ID... | --all [--via=buffer|create]
    npm run dead-letters -- stats                      (local only: per-queue depth, attempts, dead letters)
    common: [--local] [--env=ENV] [--queue=NAME] [--project=P] [--location=L] [--subscription=S]
            [--pubsub-endpoint=URL] [--endpoint=URL] [--token=TOKEN]

DESCRIPTION
    Dead letters are read from a Pub/Sub pull subscription over its REST API: by default the one the stack
    creates (deadLetterSink "pubsub"), projects/PROJECT/subscriptions/QUEUE-dead-letters for --env.
    list and show give the letters back untouched. replay re-enqueues each letter's original body and headers
    on the queue the subscription belongs to (--queue; BufferTask by default, or CreateTask), with a task id
    derived from the letter, then acknowledges the letter; a letter whose enqueue fails stays.
    A letter never picks its queue: one naming another queue is refused and left. A message that is not a
    readable letter (not JSON, a field missing or malformed, a header with a line break) is reported, skipped and
    left for inspection. Control characters in letters are printed escaped (\x1b, \u009b), never raw.

FLAGS
    --local                the dev server on its default ports: Pub/Sub and stats at
                           http://127.0.0.1:${LOCAL_DEV_PORTS.ops}, Cloud Tasks at http://127.0.0.1:${LOCAL_DEV_PORTS.rest}, token "local"
                           (other ports: add --pubsub-endpoint and --endpoint; the dev banner prints them)
    --env=ENV              environment from the app config (default: the first by name, as npm run dev)
    --queue=NAME           whose dead letters, and the only queue replay sends to: a queue's name in the
                           config's queues (or its id)
                           (default: the first queue with deadLetterSink "pubsub", else the first queue)
    --project, --location  the queue's project and region (default: from the app config)
    --subscription=S       projects/P/subscriptions/S (default: QUEUE-dead-letters in the project)
    --pubsub-endpoint=URL  Pub/Sub REST base (default: $PUBSUB_ENDPOINT, else https://pubsub.googleapis.com)
    --endpoint=URL         Cloud Tasks base for replay (default: $CLOUD_TASKS_ENDPOINT, else Google's)
    --token=TOKEN          OAuth token (default: $CLOUD_TASKS_ACCESS_TOKEN, else Application Default Credentials,
                           sent only to *.googleapis.com or hosts in $CLOUD_TASKS_ADC_HOSTS). Endpoints are https,
                           or plain http on loopback only.
    --via=buffer|create    how replay enqueues (default: buffer; create for a queue with bufferTask false).
                           create sends the queue's dispatchDeadlineSeconds from the config
    --max=N                list at most N letters (default 100)
    --all                  replay every letter
    --json                 machine-readable output

EXIT STATUS
    0 done; 1 a call failed or a letter was not found; 2 invalid command line.
`;

class UsageError extends Error {}

const LOCAL = { pubsub: `http://127.0.0.1:${LOCAL_DEV_PORTS.ops}`, tasks: `http://127.0.0.1:${LOCAL_DEV_PORTS.rest}`, token: 'local' };

export async function main(
  argv: string[],
  out: (text: string) => void = (t) => process.stdout.write(t),
  err: (text: string) => void = (t) => process.stderr.write(t),
): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      local: { type: 'boolean' },
      env: { type: 'string' },
      project: { type: 'string' },
      location: { type: 'string' },
      subscription: { type: 'string' },
      queue: { type: 'string' },
      'pubsub-endpoint': { type: 'string' },
      endpoint: { type: 'string' },
      token: { type: 'string' },
      via: { type: 'string' },
      max: { type: 'string' },
      all: { type: 'boolean' },
      json: { type: 'boolean' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    out(HELP);
    return 0;
  }
  const [command, ...ids] = positionals;
  if (!['list', 'show', 'replay', 'stats'].includes(command ?? '')) throw new UsageError(`expected list, show, replay or stats, got ${JSON.stringify(command ?? '')}`);
  if (values.via !== undefined && values.via !== 'buffer' && values.via !== 'create') throw new UsageError(`--via must be "buffer" or "create", got ${JSON.stringify(values.via)}`);
  if (command === 'show' && ids.length !== 1) throw new UsageError('show takes one dead-letter ID');
  if (command === 'replay' && (ids.length === 0) === !values.all) throw new UsageError('replay takes dead-letter IDs or --all (not both)');
  if ((command === 'list' || command === 'stats') && ids.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(ids[0])}`);
  const max = values.max === undefined ? 100 : Number(values.max);
  if (!Number.isInteger(max) || max < 1) throw new UsageError(`--max must be a whole number >= 1, got ${JSON.stringify(values.max)}`);

  const pubsubEndpoint = values['pubsub-endpoint'] ?? (values.local ? LOCAL.pubsub : undefined);
  if (command === 'stats') {
    const base = pubsubEndpoint ?? LOCAL.pubsub;
    const res = await fetch(`${base}/stats`).catch((e: Error) => {
      throw new Error(`cannot reach the dev server at ${base} (is \`npm run dev\` running?): ${e.cause ?? e.message}`);
    });
    const { queues } = (await res.json()) as { queues: { queue: string; depth: number; inFlight: number; deadLetters: number; attempts: { byOutcome: Record<string, number> } }[] };
    if (values.json) out(`${JSON.stringify(queues)}\n`);
    else for (const q of queues) out(`${q.queue}  depth ${q.depth}  in flight ${q.inFlight}  dead letters ${q.deadLetters}  attempts ${JSON.stringify(q.attempts.byOutcome)}\n`);
    return 0;
  }

  const target = targetOf(values);
  const logOnly = logSinkMessage(target, values, pubsubEndpoint);
  if (logOnly) throw new Error(logOnly);
  const token = values.token ?? (process.env.CLOUD_TASKS_ACCESS_TOKEN || undefined) ?? (values.local ? LOCAL.token : undefined);
  const reader = new DeadLetterReader({ subscription: values.subscription ?? target.subscription, endpoint: pubsubEndpoint, accessToken: token });
  const held = command === 'list' ? await reader.pullAll(max) : await reader.pullAll();
  const done: string[] = [];
  let failed = 0;
  try {
    // Messages that are not letters never stop the others: reported, skipped, released for inspection.
    const letters = held.filter((r): r is ReceivedDeadLetter => r.problem === undefined);
    const unreadable = (r: PulledDeadLetter) => `dead letter ${safe(r.messageId)} is unreadable (${safe(r.problem ?? '')}): skipped, left for inspection\n`;
    if (command === 'list') {
      for (const r of held) if (r.problem !== undefined) err(unreadable(r));
      if (values.json) out(`${safeJson(held.map((r) => (r.problem === undefined ? summary(r) : { id: r.messageId, problem: r.problem })))}\n`);
      else if (letters.length === 0) out('No dead letters.\n');
      else for (const r of letters) out(`${line(r)}\n`);
      return 0;
    }
    const picked = values.all ? held : held.filter((r) => ids.includes(r.messageId));
    for (const r of picked) if (r.problem !== undefined) err(unreadable(r));
    const wanted = picked.filter((r): r is ReceivedDeadLetter => r.problem === undefined);
    const missing = values.all ? [] : ids.filter((id) => !held.some((r) => r.messageId === id));
    for (const id of missing) err(`no dead letter ${safe(id)} (unknown, already replayed, or leased by another reader for up to 60 s)\n`);
    const bad = missing.length + picked.length - wanted.length;
    if (command === 'show') {
      for (const r of wanted) out(values.json ? `${safeJson({ ...summary(r), letter: r.letter })}\n` : details(r));
      return bad > 0 ? 1 : 0;
    }
    const endpoint = values.endpoint ?? (values.local ? LOCAL.tasks : undefined);
    // The subscription belongs to one queue: every letter goes back there, or nowhere.
    // The queue's deadline settings from the config: CreateTask sends its deadline, a CreateTask-only queue replays with it.
    const queue = { project: target.project, location: target.location, queue: target.queueId, ...target.deadlines[target.queueId] };
    for (const r of wanted) {
      try {
        const created = await replayDeadLetter(r, queue, { via: values.via as 'buffer' | 'create' | undefined, endpoint, accessToken: token });
        done.push(r.ackId);
        out(values.json ? `${safeJson({ id: r.messageId, replayed: created.name })}\n` : `Replayed ${safe(r.messageId)} (task ${safe(r.letter.task)}) as [${safe(created.name)}].\n`);
      } catch (e) {
        failed++;
        err(`replay of ${safe(r.messageId)} failed, the letter stays: ${safe((e as Error).message)}\n`);
      }
    }
    await reader.acknowledge(done);
    return failed > 0 || bad > 0 ? 1 : 0;
  } finally {
    await reader.release(held.map((r) => r.ackId).filter((id) => !done.includes(id)));
    await closeClients();
  }
}

/**
 * Text from a letter, safe to print on a terminal: C0 and C1 control characters and DEL (escape sequences can
 * retitle the window, hide lines or rewrite what was printed before) become visible escapes. Tab stays.
 */
export function safe(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => {
    const code = c.charCodeAt(0);
    return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/** JSON whose text is safe on a terminal: JSON.stringify escapes C0 controls but writes DEL and C1 raw. */
function safeJson(value: unknown): string {
  return JSON.stringify(value).replace(/[\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Where the dead letters are read, and the sink the config gives that queue (undefined: a queue not in the config). */
interface Target {
  readonly project: string;
  readonly location: string;
  readonly subscription: string;
  readonly env: string;
  readonly queueId: string;
  readonly sink?: string;
  /** Each configured queue's deadline settings: replay sends its queue's deadline (CreateTask-only queues replay with CreateTask). */
  readonly deadlines: Record<string, { dispatchDeadlineSeconds: number; bufferTask: boolean }>;
}

function targetOf(v: { env?: string; queue?: string; project?: string; location?: string }): Target {
  const config = loadConfig();
  const names = Object.keys(config.environments);
  const env = v.env ?? defaultEnvironment(names) ?? '';
  const s = config.environments[env];
  if (!s) throw new UsageError(`unknown --env ${JSON.stringify(env)}; configured: ${names.join(', ')}`);
  const project = v.project ?? s.project;
  // The subscription of the first queue with the Pub/Sub sink (named after its queue id), else of the first queue.
  const queues = Object.values(s.queues);
  const queue = v.queue === undefined ? (queues.find((q) => q.deadLetterSink === 'pubsub') ?? queues[0]) : (s.queues[v.queue] ?? queues.find((q) => q.queueId === v.queue));
  const queueId = queue?.queueId ?? v.queue!;
  const sink = queue && (queue.deadLetterSink ?? 'log');
  const deadlines = Object.fromEntries(queues.map((q) => [q.queueId, { dispatchDeadlineSeconds: q.dispatchDeadlineSeconds, bufferTask: q.bufferTask }]));
  return { project, location: v.location ?? s.region, subscription: `projects/${project}/subscriptions/${queueId}-dead-letters`, env, queueId, sink, deadlines };
}

/**
 * A queue whose dead letters go to the log has no subscription: reading Google's Pub/Sub would only fail (404, or
 * ENOTFOUND offline). Says where its letters are instead; undefined when Pub/Sub is the place to read.
 */
function logSinkMessage(t: Target, v: { local?: boolean; subscription?: string }, pubsubEndpoint: string | undefined): string | undefined {
  if (t.sink !== 'log' || v.local || v.subscription !== undefined || pubsubEndpoint !== undefined || process.env.PUBSUB_ENDPOINT) return undefined;
  return (
    `queue "${t.queueId}" of environment "${t.env}" keeps its dead letters in the log (deadLetterSink "log", the default), so there is no ` +
    `Pub/Sub subscription to read. The dev server's dead letters: add --local. In the cloud: gcloud logging read ` +
    `'jsonPayload.event="dead-letter"' --project ${t.project}. To list, show and replay them here, set deadLetterSink "pubsub" on the queue.`
  );
}

function summary(r: ReceivedDeadLetter) {
  const l = r.letter;
  return { id: r.messageId, queue: l.queue, task: l.task, attempts: l.attempts, status: l.error.status, outcome: l.error.outcome, error: l.error.message, deadLetteredAt: l.deadLetteredAt };
}

function line(r: ReceivedDeadLetter): string {
  const s = summary(r);
  return safe(`${s.id}  ${s.deadLetteredAt}  ${s.queue}/${s.task}  ${s.attempts} attempts  ${s.status} ${s.outcome}: ${s.error.slice(0, 120)}`);
}

function details(r: ReceivedDeadLetter): string {
  const body = Buffer.from(r.letter.body, 'base64');
  const text = body.toString('utf8');
  // Valid UTF-8 whose only control characters are tab and newline prints as text (a CR could overwrite a line).
  const printable = Buffer.from(text, 'utf8').equals(body) && text.split('\n').every((l) => safe(l) === l);
  return [
    `ID        ${safe(r.messageId)}`,
    `Queue     ${r.letter.queue}`,
    `Task      ${safe(r.letter.task)}`,
    `Attempts  ${r.letter.attempts} (retries ${r.letter.retryCount}, executions ${r.letter.executionCount})`,
    `Error     ${r.letter.error.status} ${safe(r.letter.error.outcome)}: ${safe(r.letter.error.message)}`,
    `When      ${safe(r.letter.deadLetteredAt)}`,
    'Headers',
    ...Object.entries(r.letter.headers).map(([k, v]) => `  ${k}: ${safe(v)}`),
    `Body (${body.length} bytes${printable ? '' : ', base64'})`,
    printable ? text : r.letter.body,
    '',
  ].join('\n');
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e: Error) => {
      const usage = e instanceof UsageError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
      process.stderr.write(`error: ${e.message.replace(/\s+/g, ' ').trim()}${usage ? ' (see --help)' : ''}\n`);
      process.exit(usage ? 2 : 1);
    },
  );
}
