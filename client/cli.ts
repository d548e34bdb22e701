#!/usr/bin/env node
/**
 * cloud-tasks-enqueue: put a task on the queue `npm run synth` describes.
 *   cloud-tasks-enqueue buffer --data '{"order":42}'               (installed package)
 *   npm run enqueue -- create --name order-42 --in 60s --deadline 300s --data-file order.json   (this repo)
 *   npm run enqueue -- pause   (then apply a routing change, wait ~1 min, and `resume`)
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { EnvironmentSettings, loadConfig } from '../config';
import { defaultEnvironment, isPlaceholderProject, placeholderProjectMessage } from '../limits';
import { isLoopbackHost } from './credentials';
import { bufferTask, closeClients, createTask, CreatedTask, CreateTaskOptions, pauseQueue, Payload, QueueRef, queuePath, resolveEndpoint, resumeQueue } from './index';

/**
 * How the user runs this CLI, for its help: the installed binary's own name (argv[1] is the bin link), or
 * the npm script when it runs from the TypeScript source in this repository.
 */
function programName(script = process.argv[1] ?? ''): string {
  if (script.endsWith('.ts')) return 'npm run enqueue --';
  const name = basename(script).replace(/\.js$/, '');
  return name === '' || name === 'cli' ? 'cloud-tasks-enqueue' : name;
}
const PROGRAM = programName();

const HELP = `NAME
    cloud-tasks-enqueue - add an HTTP task to a Cloud Tasks queue

SYNOPSIS
    ${PROGRAM} buffer|create [--env=ENV] [--project=PROJECT] [--location=LOCATION] [--queue=QUEUE]
        [--data=DATA | --data-file=PATH] [--header=KEY:VALUE ...] [--name=TASK_ID]
        [--in=DELAY | --at=TIME] [--deadline=DURATION] [--oidc-sa=EMAIL] [--audience=AUDIENCE]
        [--url=URL] [--method=METHOD] [--token=TOKEN] [--endpoint=URL] [--json]
    ${PROGRAM} pause|resume [--env=ENV] [--project=...] [--location=...] [--queue=...]
        [--token=TOKEN] [--endpoint=URL] [--json]

DESCRIPTION
    buffer   BufferTask: POST .../tasks:buffer. The data becomes the task body; URL, method, auth and
             header overrides come from the queue; the deadline is always 600 s, so a queue configured
             with bufferTask false refuses it. Needs roles/cloudtasks.enqueuer on the queue.
    create   CreateTask through the official client, with an explicit task. Needs
             roles/cloudtasks.enqueuer, plus roles/iam.serviceAccountUser on --oidc-sa when given.
    pause    Stop dispatching (tasks can still be added). Before changing a queue's routing in place:
             pause, apply, wait about a minute, resume. Needs roles/cloudtasks.queueAdmin.
    resume   Start dispatching again.

    Project, location and queue default to what the app synthesizes (cdktf.json context.pipeline and
    PIPELINE_* variables) for --env (default: the first environment by name, as the local dev server).

FLAGS
    --env=ENV             environment from the app config whose queue to use
    --project, --location, --queue
                          override the queue (also: --queue=projects/P/locations/L/queues/Q)
    --data=DATA           body; sent as application/json when it is valid JSON, else text/plain
    --data-file=PATH      body from a file (application/json for .json, else application/octet-stream)
    --header=KEY:VALUE    task header; repeatable; a Content-Type here wins
    --name=TASK_ID        task id (letters, digits, -, _): deduplicates, and makes retries safe
    --in=DELAY            schedule after a delay: 60s, 10m, 2h, 1d (create only)
    --at=TIME             schedule at an ISO 8601 time, at most 30 days ahead (create only)
    --deadline=DURATION   dispatch deadline, 15s-1800s, at most the queue's dispatchDeadlineSeconds
                          (create only; default: the queue's dispatchDeadlineSeconds, always sent)
    --oidc-sa=EMAIL       task-level OIDC token for this service account (create only)
    --audience=AUDIENCE   audience of that token (create only)
    --url=URL             target URL (create only; default: the queue's URI override)
    --method=METHOD       POST (default), GET, PUT, PATCH, DELETE, HEAD, OPTIONS (create only)
    --token=TOKEN         OAuth access token (default: $CLOUD_TASKS_ACCESS_TOKEN, else Application
                          Default Credentials, which are sent only to *.googleapis.com hosts and
                          the hosts listed in $CLOUD_TASKS_ADC_HOSTS)
    --endpoint=URL        API base URL: https, or plain http on loopback only (default:
                          $CLOUD_TASKS_ENDPOINT, else https://cloudtasks.googleapis.com)
    --json                print the result as JSON
    --help                show this help

EXIT STATUS
    0 created (or paused/resumed); 1 the call failed (one-line reason on stderr); 2 invalid command line.
`;

class UsageError extends Error {}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      env: { type: 'string' },
      project: { type: 'string' },
      location: { type: 'string' },
      queue: { type: 'string' },
      data: { type: 'string' },
      'data-file': { type: 'string' },
      header: { type: 'string', multiple: true },
      name: { type: 'string' },
      in: { type: 'string' },
      at: { type: 'string' },
      deadline: { type: 'string' },
      'oidc-sa': { type: 'string' },
      audience: { type: 'string' },
      url: { type: 'string' },
      method: { type: 'string' },
      token: { type: 'string' },
      endpoint: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const [command, ...extra] = positionals;
  if (extra.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(extra[0])}`);
  if (command === 'pause' || command === 'resume') return queueCommand(command, values);
  if (command !== 'buffer' && command !== 'create') throw new UsageError(`expected "buffer", "create", "pause" or "resume", got ${JSON.stringify(command ?? '')}`);
  if (values.data !== undefined && values['data-file'] !== undefined) throw new UsageError('--data and --data-file are mutually exclusive');
  if (values.in !== undefined && values.at !== undefined) throw new UsageError('--in and --at are mutually exclusive');
  const createOnly = ['in', 'at', 'deadline', 'oidc-sa', 'audience', 'url', 'method'] as const;
  const misplaced = createOnly.filter((k) => values[k] !== undefined);
  if (command === 'buffer' && misplaced.length > 0) {
    throw new UsageError(`--${misplaced[0]} is for "create"; BufferTask takes routing and auth from the queue`);
  }

  const options: CreateTaskOptions = {
    payload: payloadFrom(values.data, values['data-file']),
    headers: headersFrom(values.header ?? [], values['data-file']),
    taskId: values.name,
    accessToken: values.token ?? (process.env.CLOUD_TASKS_ACCESS_TOKEN || undefined),
    endpoint: values.endpoint,
    schedule: values.in ?? values.at,
    dispatchDeadline: values.deadline,
    oidcToken: values['oidc-sa'] ? { serviceAccountEmail: values['oidc-sa'], audience: values.audience } : undefined,
    url: values.url,
    httpMethod: values.method?.toUpperCase() as CreateTaskOptions['httpMethod'],
  };
  const queue = queueFrom(values);
  warnOnPlaceholder(queue, options.endpoint);
  let created: CreatedTask;
  try {
    created = command === 'buffer' ? await bufferTask(queue, options) : await createTask(queue, options);
  } finally {
    await closeClients();
  }
  if (values.json) {
    process.stdout.write(`${JSON.stringify({ method: command, name: created.name, scheduleTime: created.scheduleTime?.toISOString(), deduplicated: created.deduplicated ?? false })}\n`);
  } else {
    process.stdout.write(`Created task [${created.name}]${created.scheduleTime ? `, scheduled for ${created.scheduleTime.toISOString()}` : ''}.\n`);
  }
  return 0;
}

/** pause / resume: queue flags, token, endpoint and --json only. */
async function queueCommand(command: 'pause' | 'resume', values: Record<string, unknown>): Promise<number> {
  const allowed = ['env', 'project', 'location', 'queue', 'token', 'endpoint', 'json'];
  const other = Object.keys(values).filter((k) => values[k] !== undefined && !allowed.includes(k));
  if (other.length > 0) throw new UsageError(`--${other[0]} is not a "${command}" flag`);
  const v = values as { token?: string; endpoint?: string; json?: boolean };
  const options = { accessToken: v.token ?? (process.env.CLOUD_TASKS_ACCESS_TOKEN || undefined), endpoint: v.endpoint };
  const queue = queueFrom(values);
  warnOnPlaceholder(queue, options.endpoint);
  const result = command === 'pause' ? await pauseQueue(queue, options) : await resumeQueue(queue, options);
  process.stdout.write(v.json ? `${JSON.stringify(result)}\n` : `Queue [${result.name}] is ${result.state}.\n`);
  return 0;
}

/**
 * The queue, with its deadline settings from the config when it is a configured queue: create sends its
 * `dispatchDeadlineSeconds`, and buffer is refused for a CreateTask-only queue (`bufferTask: false`).
 */
function queueFrom(v: { env?: string; project?: string; location?: string; queue?: string }): QueueRef {
  if (v.queue?.startsWith('projects/')) return configuredPath(v.queue, v.env);
  const { settings } = environmentOf(v.env);
  // --queue is a queue's name in the config (its id may differ) or a queue id; default: the first queue.
  const queues = Object.values(settings.queues);
  const queueId = v.queue === undefined ? queues[0]?.queueId : (settings.queues[v.queue]?.queueId ?? v.queue);
  return { project: v.project ?? settings.project, location: v.location ?? settings.region, queue: queueId, ...deadlinesOf(settings, queueId) };
}

function environmentOf(name: string | undefined): { settings: EnvironmentSettings } {
  const config = loadConfig();
  const names = Object.keys(config.environments);
  const env = name ?? defaultEnvironment(names) ?? '';
  const settings = config.environments[env];
  if (!settings) throw new UsageError(`unknown --env ${JSON.stringify(env)}; configured: ${names.join(', ')}`);
  return { settings };
}

/** A configured queue's deadline settings (none for a queue the config does not have). */
function deadlinesOf(settings: EnvironmentSettings, queueId: string | undefined): { dispatchDeadlineSeconds?: number; bufferTask?: boolean } {
  const q = Object.values(settings.queues).find((c) => c.queueId === queueId);
  return q ? { dispatchDeadlineSeconds: q.dispatchDeadlineSeconds, bufferTask: q.bufferTask } : {};
}

/** A full queue path, with the config's deadline settings when it names a configured queue (and the config loads). */
function configuredPath(path: string, env: string | undefined): QueueRef {
  const m = /^projects\/([^/]+)\/locations\/([^/]+)\/queues\/([^/]+)$/.exec(path);
  if (!m) return path; // reported by the call, with the path rule
  let settings: EnvironmentSettings;
  try {
    settings = environmentOf(env).settings;
  } catch (e) {
    if (env !== undefined) throw e;
    return path; // no usable config: the path alone, with the default deadline
  }
  if (settings.project !== m[1] || settings.region !== m[2]) return path;
  return { project: m[1], location: m[2], queue: m[3], ...deadlinesOf(settings, m[3]) };
}

/**
 * The app's rule: the placeholder project is no real project. A local server (loopback endpoint) serves the
 * placeholder's queues legitimately, so only calls that leave the machine are warned about.
 */
function warnOnPlaceholder(ref: QueueRef, endpoint: string | undefined): void {
  const queue = queuePath(ref);
  let local = false;
  try {
    local = isLoopbackHost(new URL(resolveEndpoint(endpoint)).hostname);
  } catch {
    // an invalid endpoint is reported by the call itself
  }
  if (!local && isPlaceholderProject(queue.split('/')[1])) {
    const remedy = 'set "project" in cdktf.json (context.pipeline or per environment) or PIPELINE_PROJECT, or pass --project';
    process.stderr.write(`warning: ${placeholderProjectMessage(`queue ${queue}`)}: ${remedy}\n`);
  }
}

function payloadFrom(data: string | undefined, file: string | undefined): Payload | undefined {
  if (file !== undefined) return readFileSync(file === '-' ? 0 : file);
  if (data === undefined) return undefined;
  try {
    const parsed = JSON.parse(data);
    if (typeof parsed === 'object' && parsed !== null) return parsed as Payload;
  } catch {
    // not JSON: send as text
  }
  return data;
}

function headersFrom(pairs: string[], file: string | undefined): Record<string, string> {
  const headers: Record<string, string> = {};
  if (file?.endsWith('.json')) headers['Content-Type'] = 'application/json';
  for (const pair of pairs) {
    const i = pair.indexOf(':');
    if (i <= 0) throw new UsageError(`--header must be KEY:VALUE, got ${JSON.stringify(pair)}`);
    const key = pair.slice(0, i).trim();
    if (key.toLowerCase() === 'content-type') delete headers['Content-Type'];
    headers[key] = pair.slice(i + 1).trim();
  }
  return headers;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: Error) => {
    const usage = e instanceof UsageError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    process.stderr.write(`error: ${e.message.replace(/\s+/g, ' ').trim()}${usage ? ` (see ${PROGRAM} --help)` : ''}\n`);
    process.exit(usage ? 2 : 1);
  },
);
