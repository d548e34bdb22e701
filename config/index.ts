/**
 * The app's configuration: embedded defaults, then `cdktf.json` → `context.pipeline`, then `PIPELINE_*`
 * environment variables, then per-environment blocks, then per-queue entries (each wins over the ones
 * before it). Every setting is checked here, with the rules the constructs use, and each problem is
 * reported where the user wrote it; all problems of all environments come in one error.
 *
 * cdktf-free, so the producer CLI reads exactly what `npm run synth` synthesizes.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLOUD_TASKS_LOCATIONS, CLOUD_TASKS_LOCATIONS_AS_OF, didYouMean, DISPATCH_DEADLINE, FOUNDATION_STACK_PREFIX, isCloudTasksLocation, PLACEHOLDER_IMAGE, Problems, RULES, SecretEnvRef, ValidationError } from '../limits';
import { ResolvedEnvironment, resolveEnvironment } from './environment';
export { notificationChannels } from './environment';
import { checkDistinctNames } from './names';
import { isPlainObject, Leaf, readBlock, Schema, Tree } from './layers';

/** A Cloud Run handler service, dedicated to one queue or shared (`handlers: { NAME: {...} }`). */
export interface HandlerSettings {
  /** The key in `handlers`, or the queue's name for a dedicated handler. */
  readonly name: string;
  /** Cloud Run service name (`serviceName`, or derived from the queue id / handler name). */
  readonly serviceName: string;
  /** Account id of the handler's runtime service account (derived from the service name). */
  readonly runtimeAccountId: string;
  /** Container image. @default - Google's `hello` sample (acknowledges and drops every task; `npm run deploy` refuses it) */
  readonly image?: string;
  /** Path the queue targets. @default "/tasks" */
  readonly path: string;
  /** Cloud Run ingress. @default "INGRESS_TRAFFIC_INTERNAL_ONLY" */
  readonly ingress?: string;
  /** Request timeout, >= the dispatch deadline, <= 3600 seconds. @default - the dispatch deadline */
  readonly timeoutSeconds?: number;
  /** The longest dispatch deadline of the queues in front of it. */
  readonly dispatchDeadlineSeconds: number;
  /** CPUs per instance ("1", "2", "4", "6", "8", or "0.08"-"1"). @default - Cloud Run's ("1") */
  readonly cpu?: string;
  /** Memory per instance, "128Mi"-"32Gi". @default - Cloud Run's ("512Mi") */
  readonly memory?: string;
  /** Fewest instances, 0-1000. @default - Cloud Run's (0) */
  readonly minInstances?: number;
  /** Most instances, 1-1000. @default - Cloud Run's (100) */
  readonly maxInstances?: number;
  /** Requests per instance, 1-1000. @default - Cloud Run's (80) */
  readonly concurrency?: number;
  /** Seconds the handler waits for a request body, 1-300. @default 10 */
  readonly bodyTimeoutSeconds?: number;
  /** Connections one handler instance keeps open at most, 1-100000. @default 1000 */
  readonly maxConnections?: number;
  /** Extra environment variables (`env`). @default - none */
  readonly env?: Record<string, string>;
  /** Secret Manager secrets as environment variables, by variable name. @default - none */
  readonly secrets?: Record<string, SecretEnvRef>;
  /** Direct VPC egress network. @default - no VPC access */
  readonly network?: string;
  /** Direct VPC egress subnetwork. @default - no VPC access */
  readonly subnetwork?: string;
  /** Direct VPC egress setting, ALL_TRAFFIC or PRIVATE_RANGES_ONLY. @default "PRIVATE_RANGES_ONLY" */
  readonly egress?: string;
  /** Every label of the service: the environment's common set, the queue's extras, the handler's own. */
  readonly labels?: Record<string, string>;
  /** Full name of the service deployed by hand, `projects/P/locations/L/services/S`. @default - none */
  readonly existingService?: string;
  /** Email of the hand-deployed service's runtime account. @default - none: "SERVICE-run" is created */
  readonly existingRuntimeEmail?: string;
  /** Import the service and its runtime account (its queue adopts; a shared one: some queue fronting it adopts). @default false */
  readonly adoptExisting?: boolean;
}

/** One queue of an environment, every layer merged and checked. */
export interface QueueSettings {
  /** The key in `queues` (the queue id for the single-queue form). */
  readonly name: string;
  /** Cloud Tasks queue id: `queueId`, else the key in `queues`. */
  readonly queueId: string;
  /** Account id of the queue's enqueuer service account (derived from the queue id). */
  readonly enqueuerAccountId: string;
  /**
   * The deadline every producer path of the queue applies, 15-1800 seconds: this project's CreateTask producers
   * send it, and the handler budgets it. Above 600 the queue must set `bufferTask: false` (BufferTask tasks
   * always get 600 s). @default 600
   */
  readonly dispatchDeadlineSeconds: number;
  /**
   * BufferTask is a producer path of the queue. `false` makes it CreateTask-only: the producer library and CLI
   * refuse BufferTask for it, and it gets no `buffer_task_url` output. Required for a deadline above 600 s.
   * @default true
   */
  readonly bufferTask: boolean;
  /** Dispatches per second, > 0 and <= 500. @default - the service default (500) */
  readonly maxDispatchesPerSecond?: number;
  /** Concurrent dispatches, 1-5000. @default - the service default (1000) */
  readonly maxConcurrentDispatches?: number;
  /** Attempts per task, >= -1 (-1 = unlimited). @default - the service default (100) */
  readonly maxAttempts?: number;
  /** Retry time limit, whole seconds ("3600s"), "0s" = unlimited. @default "0s" */
  readonly maxRetryDuration?: string;
  /** First retry delay, whole seconds. @default - the service default ("0.1s") */
  readonly minBackoff?: string;
  /** Longest retry delay, whole seconds (>= minBackoff). @default - the service default ("3600s") */
  readonly maxBackoff?: string;
  /** Times the retry delay doubles, 0-16. @default - the service default (16) */
  readonly maxDoublings?: number;
  /** Share of task operations logged, 0.0-1.0. @default 1.0 */
  readonly loggingSamplingRatio?: number;
  /** The name of the shared handler (in the environment's `handlers`) this queue fronts. */
  readonly sharedHandler?: string;
  /** The queue's own handler, when it does not front a shared one. */
  readonly handler?: HandlerSettings;
  /**
   * The queue keeps the Terraform addresses of the single-queue form (construct id `Pipeline`), so a
   * deployed single queue moves into `queues` without being replaced. At most one queue per environment.
   */
  readonly keepSingleQueueAddresses?: boolean;
  /** Sign dispatches with an account used for nothing else (see HttpTargetPipelineProps). */
  readonly dedicatedDispatchIdentity?: boolean;
  /** "log" (default) or "pubsub" (topic + subscription, replayable with `npm run dead-letters`). */
  readonly deadLetterSink?: string;
  /** Days the dead-letter subscription keeps letters, 1-31 ("pubsub" only). @default 7 */
  readonly deadLetterRetentionDays?: number;
  /** The queue's alert policies (and its place on the environment's dashboard). @default true */
  readonly alerts?: boolean;
  /** Comma-separated notification channel ids, `projects/P/notificationChannels/N`. */
  readonly alertNotificationChannels?: string;
  /** Backlog alert: tasks in the queue above this. @default 1000 */
  readonly alertBacklogTasks?: number;
  /** Backlog alert: for this long, 60-86400 seconds. @default 600 */
  readonly alertBacklogSeconds?: number;
  /** Failing-attempts alert: share of non-2xx attempts above this, (0, 1]. @default 0.1 */
  readonly alertFailingAttemptRatio?: number;
  /** Failing-attempts alert: for this long, 60-86400 seconds. @default 600 */
  readonly alertFailingAttemptSeconds?: number;
  /** Import the hand-built queue, enqueuer and own handler (see docs/adopt.md). @default false */
  readonly adoptExisting?: boolean;
  /** Full name of the queue made by hand, `projects/P/locations/L/queues/Q`. @default - none */
  readonly existingQueue?: string;
  /** Email of the enqueuer account made by hand; its id replaces the derived one. @default - none */
  readonly existingEnqueuerEmail?: string;
  /** Import the guide's grants too (made on the queue, the account and the service themselves). @default false */
  readonly adoptExistingGrants?: boolean;
  /** Labels of the queue's labelled resources (dead-letter topic and subscription, alert policies): the common set plus the queue's extras. */
  readonly labels?: Record<string, string>;
}

/** Settings one environment (one stack) is built from. */
export interface EnvironmentSettings {
  /** Project id of the environment's resources. */
  readonly project: string;
  /** Region of the environment's queues and handlers. */
  readonly region: string;
  /** `prevent_destroy` on the queues (and dead-letter topics), `deletion_protection` on the services. @default true */
  readonly protectFromDestroy: boolean;
  /**
   * True for the single-queue form (queue settings at the top, no `queues`): its resources keep the
   * addresses one-queue stacks always had.
   */
  readonly singleQueue: boolean;
  /** Queues by name (the queue id for the single-queue form). */
  readonly queues: Record<string, QueueSettings>;
  /** Shared handlers, by name; only those some queue fronts. */
  readonly handlers: Record<string, HandlerSettings>;
  /** The project foundation (one stack per project; environments in one project must agree). */
  readonly foundationWaitSeconds?: number;
  /** `prevent_destroy` on the project's APIs and agent grant. @default true */
  readonly foundationProtectFromDestroy?: boolean;
  /** Import the APIs and agent grant an older layout created. @default false */
  readonly foundationAdoptExisting?: boolean;
  /** The environment's common labels (the dashboard's). @default - none */
  readonly labels?: Record<string, string>;
  /** Starts every GCP name of the environment (queue ids, service names, and what derives from them). @default - none */
  readonly namePrefix?: string;
}

/** The whole app: every environment to synthesize and where state goes. */
export interface AppConfig {
  /** Environment name → settings; each becomes a stack of that name. */
  readonly environments: Record<string, EnvironmentSettings>;
  /**
   * Configured environments that `PIPELINE_ENVIRONMENTS` leaves out but that share a project with a synthesized
   * one: not synthesized, but their project's foundation still serves them (it is built from every environment
   * of its project), so they are checked too.
   * @default - none
   */
  readonly unsynthesized?: Record<string, EnvironmentSettings>;
  /** GCS state backend; absent means local state. */
  readonly backend?: { readonly bucket: string; readonly prefix: string };
  /** Things to tell the user that do not stop synth (the placeholder project and image). */
  readonly warnings: readonly string[];
}

/** Used when nothing is configured: a complete example stack. The project id is a placeholder. */
export const DEFAULT_SETTINGS = {
  project: 'my-gcp-project',
  region: 'us-central1',
  queueId: 'tasks',
  handlerPath: '/tasks',
  dispatchDeadlineSeconds: DISPATCH_DEADLINE.default,
  protectFromDestroy: true,
} as const;
export const PLACEHOLDER_PROJECT = DEFAULT_SETTINGS.project;
export const DEFAULT_ENVIRONMENTS = ['dev'];
export const DEFAULT_STATE_PREFIX = 'cloud-tasks-pipeline';

/** Environment variable → setting. Values are strings. */
export const ENV_VARS: Record<string, string> = {
  PIPELINE_PROJECT: 'project',
  PIPELINE_REGION: 'region',
  PIPELINE_QUEUE_ID: 'queueId',
  PIPELINE_HANDLER_IMAGE: 'handlerImage',
  PIPELINE_ENVIRONMENTS: 'environments',
  PIPELINE_STATE_BUCKET: 'stateBucket',
  PIPELINE_STATE_PREFIX: 'statePrefix',
};
/** Set by `npm run deploy`: the placeholder project and image are refused unless PIPELINE_ALLOW_PLACEHOLDER=1. */
export const DEPLOY_VAR = 'PIPELINE_DEPLOY';
/** What the placeholder image does to tasks, in the words every warning and error uses. */
const SAMPLE_TEXT = `Google's "hello" sample answers 200 to every task, so every task is acknowledged and lost`;
export const ALLOW_PLACEHOLDER_VAR = 'PIPELINE_ALLOW_PLACEHOLDER';

/** Settings of a handler service (`handlers.NAME`, or a queue's `handler: { ... }`). */
export const HANDLER_SCHEMA: Schema = {
  serviceName: 'string',
  image: 'string',
  path: 'string',
  ingress: 'string',
  timeoutSeconds: 'number',
  // "cpu": 2 is read as "2" (Cloud Run takes CPUs as a string).
  cpu: 'numeric',
  memory: 'string',
  minInstances: 'number',
  maxInstances: 'number',
  concurrency: 'number',
  bodyTimeoutSeconds: 'number',
  maxConnections: 'number',
  env: 'map',
  secrets: 'secrets',
  network: 'string',
  subnetwork: 'string',
  egress: 'string',
  labels: 'map',
  existingService: 'string',
  existingRuntimeEmail: 'string',
};
/** Settings of a queue (`queues.NAME`); written outside `queues`, they are every queue's defaults. */
export const QUEUE_SCHEMA: Schema = {
  queueId: 'string',
  dispatchDeadlineSeconds: 'number',
  bufferTask: 'boolean',
  maxDispatchesPerSecond: 'number',
  maxConcurrentDispatches: 'number',
  maxAttempts: 'number',
  maxRetryDuration: 'string',
  minBackoff: 'string',
  maxBackoff: 'string',
  maxDoublings: 'number',
  loggingSamplingRatio: 'number',
  dedicatedDispatchIdentity: 'boolean',
  deadLetterSink: 'string',
  deadLetterRetentionDays: 'number',
  alerts: 'boolean',
  alertNotificationChannels: 'string',
  alertBacklogTasks: 'number',
  alertBacklogSeconds: 'number',
  alertFailingAttemptRatio: 'number',
  alertFailingAttemptSeconds: 'number',
  adoptExisting: 'boolean',
  existingQueue: 'string',
  existingEnqueuerEmail: 'string',
  adoptExistingGrants: 'boolean',
  labels: 'map',
  handler: { blockOrName: HANDLER_SCHEMA },
  handlerImage: { alias: ['handler', 'image'] },
  handlerPath: { alias: ['handler', 'path'] },
  handlerIngress: { alias: ['handler', 'ingress'] },
};
export const ENVIRONMENT_SCHEMA: Schema = {
  ...QUEUE_SCHEMA,
  queues: { blocks: { ...QUEUE_SCHEMA, keepSingleQueueAddresses: 'boolean' } },
  project: 'string',
  region: 'string',
  protectFromDestroy: 'boolean',
  foundationWaitSeconds: 'number',
  foundationProtectFromDestroy: 'boolean',
  foundationAdoptExisting: 'boolean',
  allowUnlistedRegion: 'boolean',
  namePrefix: 'string',
  handlers: { blocks: HANDLER_SCHEMA },
};
const TOP_SCHEMA: Schema = {
  ...ENVIRONMENT_SCHEMA,
  environments: { blocks: ENVIRONMENT_SCHEMA },
  stateBucket: 'string',
  statePrefix: 'string',
};

export interface LoadOptions {
  /** Folder holding `cdktf.json`. @default process.cwd() */
  readonly cwd?: string;
  /** @default process.env */
  readonly env?: Record<string, string | undefined>;
}

export function loadConfig(options: LoadOptions = {}): AppConfig {
  const fromFile = readContext(join(options.cwd ?? process.cwd(), 'cdktf.json'));
  return resolveConfig(fromFile, options.env ?? process.env);
}

function readContext(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return {}; // no cdktf.json: embedded defaults
  }
  try {
    return (JSON.parse(text) as { context?: { pipeline?: unknown } }).context?.pipeline ?? {};
  } catch (e) {
    throw new Error(`${file} is not valid JSON${jsonErrorPlace(text, (e as Error).message)}: ${(e as Error).message}`);
  }
}

/** ` at line L, column C` (1-based) of a JSON.parse error, from the position it reports; "" when it names none. */
export function jsonErrorPlace(text: string, message: string): string {
  const at = /position (\d+)/.exec(message);
  if (!at) return '';
  const before = text.slice(0, Number(at[1]));
  const line = before.split('\n').length;
  return ` at line ${line}, column ${before.length - before.lastIndexOf('\n')}`;
}

const ROOT = 'context.pipeline';

/** Merges file config and environment variables over the defaults and validates the result. */
export function resolveConfig(fileConfig: unknown, env: Record<string, string | undefined>): AppConfig {
  const p = new Problems();
  const file = isPlainObject(fileConfig) ? fileConfig : (p.fail(ROOT, fileConfig, 'an object'), {});
  const top = readBlock(p, file, ROOT, TOP_SCHEMA);
  const fromEnv = envLayer(env);
  checkUnknownVariables(p, env);
  const base = defaultsLayer().mergeFrom(top).mergeFrom(fromEnv);

  const blocks = top.tree('environments');
  for (const name of blocks?.entries.keys() ?? []) {
    p.rule(`${ROOT}.environments.${name}`, name, RULES.environmentName);
    p.check(`${ROOT}.environments.${name}`, name, (v) => !v.startsWith(FOUNDATION_STACK_PREFIX), `a name not starting with "${FOUNDATION_STACK_PREFIX}" (reserved for the project foundation stacks)`);
  }
  const configured = blocks && blocks.entries.size > 0 ? [...blocks.entries.keys()] : DEFAULT_ENVIRONMENTS;
  const picked = fromEnv.leaf('environments');
  const names = picked ? String(picked.value).split(',').map((s) => s.trim()).filter(Boolean) : configured;
  for (const name of names) {
    p.fail('PIPELINE_ENVIRONMENTS', name, `the name of a configured environment (${configured.join(', ')}); add it under ${ROOT}.environments first`, !configured.includes(name));
  }

  // Every configured environment is resolved and checked, synthesized or not: a project's foundation serves all
  // of them (it is built from every environment in the project), and their GCP names share the project.
  // Each environment is checked on its own first: a left-out environment's problems count only when it shares a
  // project (and so a foundation, and GCP names) with a synthesized one.
  const checked = configured.map((name) => {
    const own = new Problems();
    const merged = base.clone().mergeFrom(blocks?.tree(name) ?? new Tree(`${ROOT}.environments.${name}`));
    checkRegion(own, merged);
    return { r: resolveEnvironment(own, name, merged), own };
  });
  const byName = new Map(checked.map((c) => [c.r.name, c.r]));
  // In the order PIPELINE_ENVIRONMENTS names them (the manifest's order: `npm run dev` serves the first).
  const resolved = names.flatMap((name) => byName.get(name) ?? []);
  const projects = new Set(resolved.map((r) => r.settings.project));
  const relevant = checked.filter(({ r }) => names.includes(r.name) || projects.has(r.settings.project));
  for (const { own } of relevant) for (const problem of own.list) p.fail(problem.prop, problem.value, problem.allowed);
  const environments = Object.fromEntries(resolved.map((r) => [r.name, r.settings]));
  const unsynthesized = Object.fromEntries(relevant.filter(({ r }) => !names.includes(r.name)).map(({ r }) => [r.name, r.settings]));
  checkDistinctNames(p, relevant.map(({ r }) => r));
  checkSharedFoundations(p, relevant.map(({ r }) => r));

  const warnings: string[] = [];
  const deploying = env[DEPLOY_VAR] === '1' && env[ALLOW_PLACEHOLDER_VAR] !== '1';
  for (const r of resolved) {
    const project = r.settings.project === PLACEHOLDER_PROJECT ? r.origins.project : undefined;
    const images = r.placeholderImages;
    if (deploying) {
      if (project) p.fail(project, PLACEHOLDER_PROJECT, `your project id for environment "${r.name}" before deploying ("${PLACEHOLDER_PROJECT}" is a placeholder; set ${ALLOW_PLACEHOLDER_VAR}=1 to deploy it anyway)`);
      for (const i of images) {
        p.fail(i.origin, PLACEHOLDER_IMAGE, `your handler image for handler "${i.handler}" of environment "${r.name}" before deploying (${SAMPLE_TEXT}; set ${ALLOW_PLACEHOLDER_VAR}=1 to deploy it anyway)`);
      }
      continue;
    }
    if (!project && images.length === 0) continue;
    // One warning per environment, naming every placeholder in it.
    const parts = [
      ...(project ? [`the placeholder project "${PLACEHOLDER_PROJECT}" (${project})`] : []),
      ...(images.length > 0 ? [`the placeholder handler image ${PLACEHOLDER_IMAGE} for ${images.map((i) => `handler "${i.handler}" (${i.origin})`).join(', ')}: ${SAMPLE_TEXT}`] : []),
    ];
    const fixes = [
      ...(project ? [`${ROOT}.project, ${ROOT}.environments.${r.name}.project or PIPELINE_PROJECT`] : []),
      ...(images.length > 0 ? [`handlerImage (PIPELINE_HANDLER_IMAGE) or each handler's image`] : []),
    ];
    warnings.push(
      `WARNING: environment "${r.name}" uses ${parts.join(', and ')}. ` +
        `Set ${fixes.join(', and ')} before deploying; npm run deploy refuses placeholders unless ${ALLOW_PLACEHOLDER_VAR}=1.`,
    );
  }

  const bucket = base.leaf('stateBucket');
  if (env[DEPLOY_VAR] === '1' && bucket?.value === undefined) {
    warnings.push(
      `WARNING: no stateBucket: Terraform state is local (terraform.STACK.tfstate files beside cdktf.json). ` +
        `Keep them safe and out of git, or set ${ROOT}.stateBucket / PIPELINE_STATE_BUCKET to keep state in GCS.`,
    );
  }
  p.check(bucket?.origin ?? 'stateBucket', bucket?.value as string | undefined, (v) => /^[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]$/.test(v), 'a GCS bucket name (3-222 lowercase letters, digits, "-", "_", ".")');
  p.throwIfAny('pipeline config (cdktf.json context.pipeline and PIPELINE_* variables)');
  const prefix = base.value<string>('statePrefix') ?? DEFAULT_STATE_PREFIX;
  const bucketName = bucket?.value as string | undefined;
  return { environments, unsynthesized, backend: bucketName ? { bucket: bucketName, prefix } : undefined, warnings };
}

/** PIPELINE_* variables that are not settings but are read elsewhere (deploy), or set by CI systems. */
const OTHER_VARS = [DEPLOY_VAR, ALLOW_PLACEHOLDER_VAR];
/** Azure Pipelines sets PIPELINE_WORKSPACE on every agent: not ours, and no typo. */
const FOREIGN_VARS = ['PIPELINE_WORKSPACE'];

/** A PIPELINE_* variable that is none of ours is refused, like an unknown key in cdktf.json (a typo would be ignored). */
function checkUnknownVariables(p: Problems, env: Record<string, string | undefined>): void {
  const known = [...Object.keys(ENV_VARS), ...OTHER_VARS];
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith('PIPELINE_') || value === undefined || known.includes(name) || FOREIGN_VARS.includes(name)) continue;
    p.fail(name, value, `a known variable (unknown PIPELINE_* variable${didYouMean(name, known)}; known: ${known.join(', ')})`);
  }
}

/** AWS-style region prefixes people write from habit, and Google's names for them. */
const REGION_HABITS: readonly [RegExp, string][] = [
  [/^eu-/, 'europe-'],
  [/^ap-/, 'asia-'],
  [/^sa-/, 'southamerica-'],
  [/^(ca|na)-/, 'northamerica-'],
];

/**
 * The region must be a Cloud Tasks location (limits/regions.ts), unless the environment allows a newer one with
 * `allowUnlistedRegion`. Malformed names are left to the region rule of the constructs' checks.
 */
function checkRegion(p: Problems, env: Tree): void {
  const region = env.leaf('region');
  const value = region?.value;
  if (region === undefined || typeof value !== 'string' || !RULES.region.ok(value) || isCloudTasksLocation(value)) return;
  if (env.value<boolean>('allowUnlistedRegion') === true) return;
  const habit = REGION_HABITS.map(([from, to]) => value.replace(from, to)).find((v) => v !== value && isCloudTasksLocation(v));
  const hint = habit === undefined ? didYouMean(value, CLOUD_TASKS_LOCATIONS) : ` (did you mean "${habit}"?)`;
  p.fail(
    region.origin,
    value,
    `a Cloud Tasks location${hint}; for a region newer than the list (limits/regions.ts, as of ${CLOUD_TASKS_LOCATIONS_AS_OF}) set "allowUnlistedRegion": true`,
  );
}

/** Foundation settings are per project: environments sharing a project must not disagree on them. */
const FOUNDATION_SETTINGS = ['foundationWaitSeconds', 'foundationProtectFromDestroy', 'foundationAdoptExisting'] as const;

function checkSharedFoundations(p: Problems, environments: readonly ResolvedEnvironment[]): void {
  const first = new Map<string, ResolvedEnvironment>();
  for (const env of environments) {
    const other = first.get(env.settings.project);
    if (other === undefined) {
      first.set(env.settings.project, env);
      continue;
    }
    for (const key of FOUNDATION_SETTINGS) {
      const mine = env.settings[key];
      const theirs = other.settings[key];
      p.fail(env.origins[key], mine, `the same as in environment "${other.name}" (${String(theirs)}, ${other.origins[key]}), which shares project ${env.settings.project} and its foundation`, mine !== theirs);
    }
  }
}

/** Stack name of a project's foundation: `project-PROJECT_ID` (domain-scoped ids get "-" for ":" and "."). */
export { FOUNDATION_STACK_PREFIX };
export function foundationStackName(project: string): string {
  return `${FOUNDATION_STACK_PREFIX}${project.replace(/[^a-z0-9-]/g, '-')}`;
}

/** The embedded defaults; an error about one names the setting and where it can be set. */
function defaultsLayer(): Tree {
  const tree = new Tree(ROOT);
  const envVarOf = (key: string) => Object.keys(ENV_VARS).find((v) => ENV_VARS[v] === key);
  for (const [key, value] of Object.entries(DEFAULT_SETTINGS)) {
    if (key === 'handlerPath') continue;
    const envVar = envVarOf(key);
    tree.entries.set(key, new Leaf(value, `${ROOT}.${key}${envVar ? ` / ${envVar}` : ''} (not set: default)`));
  }
  const handler = new Tree(`${ROOT}.handler`);
  handler.entries.set('path', new Leaf(DEFAULT_SETTINGS.handlerPath, `${ROOT}.handler.path (default)`));
  tree.entries.set('handler', handler);
  return tree;
}

/** PIPELINE_* variables, each value remembering its variable. */
function envLayer(env: Record<string, string | undefined>): Tree {
  const tree = new Tree(ROOT);
  for (const [name, key] of Object.entries(ENV_VARS)) {
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    if (key === 'handlerImage') {
      const handler = new Tree(`${ROOT}.handler`);
      handler.entries.set('image', new Leaf(raw, name));
      tree.entries.set('handler', handler);
    } else {
      tree.entries.set(key, new Leaf(raw, name));
    }
  }
  return tree;
}

export { ValidationError };
