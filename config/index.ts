/**
 * The app's configuration: embedded defaults, then `cdktf.json` → `context.pipeline`, then `PIPELINE_*`
 * environment variables; per-environment blocks win over all of these for their environment.
 *
 * cdktf-free, so the producer CLI reads exactly what `npm run synth` synthesizes.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CLOUD_RUN_INGRESS,
  DISPATCH_DEADLINE,
  LOCATION_PATTERN,
  PROJECT_ID_PATTERN,
  Problems,
  QUEUE_ID_PATTERN,
  ValidationError,
} from '../limits';

/** Settings one environment (one stack) is built from. */
export interface EnvironmentSettings {
  readonly project: string;
  readonly region: string;
  readonly queueId: string;
  readonly handlerImage?: string;
  readonly handlerPath: string;
  readonly handlerIngress?: string;
  readonly dispatchDeadlineSeconds: number;
  readonly maxDispatchesPerSecond?: number;
  readonly maxConcurrentDispatches?: number;
  readonly maxAttempts?: number;
  readonly maxRetryDuration?: string;
  readonly minBackoff?: string;
  readonly maxBackoff?: string;
  readonly maxDoublings?: number;
  readonly loggingSamplingRatio?: number;
  readonly protectFromDestroy: boolean;
  /** "log" (default) or "pubsub" (topic + subscription, replayable with `npm run dead-letters`). */
  readonly deadLetterSink?: string;
  readonly deadLetterRetentionDays?: number;
  /** Alert policies and the dashboard. @default true */
  readonly alerts?: boolean;
  /** Comma-separated notification channel ids, `projects/P/notificationChannels/N`. */
  readonly alertNotificationChannels?: string;
  readonly alertBacklogTasks?: number;
  readonly alertBacklogSeconds?: number;
  readonly alertFailingAttemptRatio?: number;
  readonly alertFailingAttemptSeconds?: number;
  /** Sign dispatches with an account used for nothing else (see HttpTargetPipelineProps). */
  readonly dedicatedDispatchIdentity?: boolean;
  /** The project foundation (one stack per project; environments in one project must agree). */
  readonly foundationWaitSeconds?: number;
  readonly foundationProtectFromDestroy?: boolean;
  readonly foundationAdoptExisting?: boolean;
}

export interface AppConfig {
  /** Environment name → settings; each becomes a stack of that name. */
  readonly environments: Record<string, EnvironmentSettings>;
  /** GCS state backend; absent means local state. */
  readonly backend?: { readonly bucket: string; readonly prefix: string };
}

type Kind = 'string' | 'number' | 'boolean';
const SETTING_KINDS: Record<keyof EnvironmentSettings, Kind> = {
  project: 'string',
  region: 'string',
  queueId: 'string',
  handlerImage: 'string',
  handlerPath: 'string',
  handlerIngress: 'string',
  dispatchDeadlineSeconds: 'number',
  maxDispatchesPerSecond: 'number',
  maxConcurrentDispatches: 'number',
  maxAttempts: 'number',
  maxRetryDuration: 'string',
  minBackoff: 'string',
  maxBackoff: 'string',
  maxDoublings: 'number',
  loggingSamplingRatio: 'number',
  protectFromDestroy: 'boolean',
  deadLetterSink: 'string',
  deadLetterRetentionDays: 'number',
  alerts: 'boolean',
  alertNotificationChannels: 'string',
  alertBacklogTasks: 'number',
  alertBacklogSeconds: 'number',
  alertFailingAttemptRatio: 'number',
  alertFailingAttemptSeconds: 'number',
  dedicatedDispatchIdentity: 'boolean',
  foundationWaitSeconds: 'number',
  foundationProtectFromDestroy: 'boolean',
  foundationAdoptExisting: 'boolean',
};
const TOP_LEVEL_KINDS: Record<string, Kind | 'object'> = {
  ...SETTING_KINDS,
  environments: 'object',
  stateBucket: 'string',
  statePrefix: 'string',
};

/** Used when nothing is configured: a complete example stack. The project id is a placeholder. */
export const DEFAULT_SETTINGS = {
  project: 'my-gcp-project',
  region: 'us-central1',
  queueId: 'tasks',
  handlerPath: '/tasks',
  dispatchDeadlineSeconds: DISPATCH_DEADLINE.default,
  protectFromDestroy: true,
} as const;
export const DEFAULT_ENVIRONMENTS = ['dev'];
export const DEFAULT_STATE_PREFIX = 'cloud-tasks-pipeline';

/** Environment variable → setting. Values are parsed to the setting's type. */
export const ENV_VARS: Record<string, string> = {
  PIPELINE_PROJECT: 'project',
  PIPELINE_REGION: 'region',
  PIPELINE_QUEUE_ID: 'queueId',
  PIPELINE_HANDLER_IMAGE: 'handlerImage',
  PIPELINE_ENVIRONMENTS: 'environments',
  PIPELINE_STATE_BUCKET: 'stateBucket',
  PIPELINE_STATE_PREFIX: 'statePrefix',
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
    throw new Error(`${file} is not valid JSON: ${(e as Error).message}`);
  }
}

/** Merges file config and environment variables over the defaults and validates the result. */
export function resolveConfig(fileConfig: unknown, env: Record<string, string | undefined>): AppConfig {
  const p = new Problems();
  const file = isPlainObject(fileConfig) ? fileConfig : (p.fail('context.pipeline', fileConfig, 'an object'), {});
  checkKinds(p, 'context.pipeline', file, TOP_LEVEL_KINDS);

  const fromEnv: Record<string, unknown> = {};
  for (const [name, key] of Object.entries(ENV_VARS)) {
    const raw = env[name];
    if (raw !== undefined && raw !== '') fromEnv[key] = raw;
  }

  const top = { ...file, ...fromEnv } as Record<string, unknown>;
  const envBlocks = environmentBlocks(p, file.environments, fromEnv.environments);
  const environments: Record<string, EnvironmentSettings> = {};
  for (const [name, block] of Object.entries(envBlocks)) {
    checkKinds(p, `context.pipeline.environments.${name}`, block, SETTING_KINDS);
    const merged = { ...DEFAULT_SETTINGS, ...pick(top, SETTING_KINDS), ...block } as unknown as EnvironmentSettings;
    checkSettings(p, `environments.${name}`, merged);
    environments[name] = merged;
  }
  checkDistinctQueues(p, environments);
  checkSharedFoundations(p, environments);

  const bucket = top.stateBucket as string | undefined;
  p.check('stateBucket', bucket, (v) => /^[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]$/.test(v), 'a GCS bucket name (lowercase letters, digits, "-", "_", ".")');
  p.throwIfAny('pipeline config (cdktf.json context.pipeline and PIPELINE_* variables)');
  const prefix = (top.statePrefix as string | undefined) ?? DEFAULT_STATE_PREFIX;
  return { environments, backend: bucket ? { bucket, prefix } : undefined };
}

function environmentBlocks(p: Problems, fromFile: unknown, fromEnv: unknown): Record<string, Record<string, unknown>> {
  const blocks: Record<string, Record<string, unknown>> = {};
  if (fromFile !== undefined && isPlainObject(fromFile)) {
    for (const [name, block] of Object.entries(fromFile)) {
      if (isPlainObject(block)) blocks[name] = block;
      else p.fail(`environments.${name}`, block, 'an object of settings (use {} for the defaults)');
    }
  }
  // PIPELINE_ENVIRONMENTS picks which environments to synthesize (and adds unknown ones with defaults).
  const names =
    typeof fromEnv === 'string'
      ? fromEnv.split(',').map((s) => s.trim()).filter(Boolean)
      : Object.keys(blocks).length > 0
        ? Object.keys(blocks)
        : [...DEFAULT_ENVIRONMENTS];
  const picked: Record<string, Record<string, unknown>> = {};
  for (const name of names) {
    p.check('environments', name, (v) => /^[a-z][a-z0-9-]{0,29}$/.test(v), 'names of 1-30 lowercase letters, digits and hyphens, starting with a letter');
    p.check('environments', name, (v) => !v.startsWith(FOUNDATION_STACK_PREFIX), `names not starting with "${FOUNDATION_STACK_PREFIX}" (reserved for the project foundation stacks)`);
    picked[name] = blocks[name] ?? {};
  }
  return picked;
}

function checkKinds(p: Problems, where: string, obj: Record<string, unknown>, kinds: Record<string, string>): void {
  for (const [key, value] of Object.entries(obj)) {
    const kind = kinds[key];
    if (kind === undefined) {
      p.fail(`${where}.${key}`, value, `a known setting (unknown key; known: ${Object.keys(kinds).join(', ')})`);
    } else if (kind === 'object' ? !isPlainObject(value) : typeof value !== kind) {
      p.fail(`${where}.${key}`, value, `a ${kind}`);
    }
  }
}

function checkSettings(p: Problems, where: string, s: EnvironmentSettings): void {
  const typed = <K extends keyof EnvironmentSettings>(key: K) =>
    typeof s[key] === SETTING_KINDS[key] ? s[key] : undefined;
  p.check(`${where}.project`, typed('project'), (v) => PROJECT_ID_PATTERN.test(v), 'a project id: 6-30 lowercase letters, digits and hyphens, starting with a letter');
  p.check(`${where}.region`, typed('region'), (v) => LOCATION_PATTERN.test(v), 'a region such as "us-central1"');
  p.check(`${where}.queueId`, typed('queueId'), (v) => QUEUE_ID_PATTERN.test(v), 'letters, digits and hyphens, 1-100 characters (no underscores)');
  p.check(`${where}.handlerIngress`, typed('handlerIngress'), (v) => (CLOUD_RUN_INGRESS as readonly string[]).includes(v), `one of ${CLOUD_RUN_INGRESS.join(', ')}`);
  p.check(`${where}.deadLetterSink`, typed('deadLetterSink'), (v) => v === 'log' || v === 'pubsub', '"log" (an ERROR log entry) or "pubsub" (a topic and subscription)');
  // The remaining ranges are the constructs' rules; they report them with the construct path at synth.
}

function checkDistinctQueues(p: Problems, environments: Record<string, EnvironmentSettings>): void {
  const seen = new Map<string, string>();
  for (const [name, s] of Object.entries(environments)) {
    const key = `projects/${s.project}/locations/${s.region}/queues/${s.queueId}`;
    const other = seen.get(key);
    p.fail(`environments.${name}.queueId`, s.queueId, `different from environment "${other}", which uses the same project and region (${key})`, other !== undefined);
    seen.set(key, name);
  }
}

/** Foundation settings are per project: environments sharing a project must not disagree on them. */
const FOUNDATION_SETTINGS = ['foundationWaitSeconds', 'foundationProtectFromDestroy', 'foundationAdoptExisting'] as const;

function checkSharedFoundations(p: Problems, environments: Record<string, EnvironmentSettings>): void {
  const first = new Map<string, string>();
  for (const [name, s] of Object.entries(environments)) {
    const other = first.get(s.project);
    if (other === undefined) {
      first.set(s.project, name);
      continue;
    }
    for (const key of FOUNDATION_SETTINGS) {
      const mine = s[key];
      const theirs = environments[other][key];
      p.fail(`environments.${name}.${key}`, mine, `the same as in environment "${other}" (${String(theirs)}), which shares project ${s.project} and its foundation`, mine !== theirs);
    }
  }
}

/** Stack name of a project's foundation: `project-PROJECT_ID` (domain-scoped ids get "-" for ":" and "."). */
export const FOUNDATION_STACK_PREFIX = 'project-';
export function foundationStackName(project: string): string {
  return `${FOUNDATION_STACK_PREFIX}${project.replace(/[^a-z0-9-]/g, '-')}`;
}

function pick(obj: Record<string, unknown>, keys: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(obj).filter(([k]) => k in keys));
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export { ValidationError };
