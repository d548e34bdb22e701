/**
 * One wording per rule. Constructs, the app config, the producers and the CLI all describe a rule with
 * the text here, so "a project id" reads the same wherever a user meets it.
 */
import {
  ACCOUNT_ID_PATTERN,
  CLOUD_RUN_INGRESS,
  DISPATCH_DEADLINE,
  EMAIL_PATTERN,
  FOUNDATION_WAIT_SECONDS,
  LOCATION_PATTERN,
  PROJECT_ID_PATTERN,
  PUBSUB_NAME_PATTERN,
  QUEUE_ID_PATTERN,
  SERVICE_NAME_PATTERN,
  TASK_ID_PATTERN,
} from './limits';

/** A rule: what is allowed, in words, and the test. */
export interface Rule<T> {
  readonly allowed: string;
  readonly ok: (value: T) => boolean;
}

const rule = <T>(allowed: string, ok: (value: T) => boolean): Rule<T> => ({ allowed, ok });
const oneOf = <T extends string>(values: readonly T[]): Rule<string> =>
  rule(`one of ${values.join(', ')}`, (v) => (values as readonly string[]).includes(v));
const integer = (min: number, max: number, unit = 'an integer'): Rule<number> =>
  rule(`${unit} from ${min} to ${max}`, (v) => Number.isInteger(v) && v >= min && v <= max);

/** Cloud Run CPU: 0.08 to <1 in steps of 0.001, or 1, 2, 4, 6 or 8 (Cloud Run "Configure CPU limits"). */
export const CLOUD_RUN_CPUS = ['1', '2', '4', '6', '8'] as const;
/** Cloud Run memory: 128 MiB (first generation) to 32 GiB. */
export const CLOUD_RUN_MEMORY = { minMiB: 128, maxMiB: 32 * 1024 } as const;
/** Cloud Run: at most this many requests per instance. */
export const CLOUD_RUN_MAX_CONCURRENCY = 1000;
/** Instances a service may scale to (the default quota; raise the quota first to go higher). */
export const CLOUD_RUN_MAX_INSTANCES = 1000;
/** Cloud Run allows at most this many environment variables per container. */
export const CLOUD_RUN_MAX_ENV_VARS = 1000;
/** Variables of the Cloud Run container runtime contract: set by Cloud Run, never by a service. */
export const CLOUD_RUN_RESERVED_ENV = ['PORT', 'K_SERVICE', 'K_REVISION', 'K_CONFIGURATION'] as const;
/** Direct VPC egress settings. */
export const VPC_EGRESS = ['ALL_TRAFFIC', 'PRIVATE_RANGES_ONLY'] as const;
export type VpcEgress = (typeof VPC_EGRESS)[number];
/** Google Cloud labels: at most 64 per resource. */
export const MAX_LABELS = 64;

/** Memory in MiB from a Kubernetes quantity such as "512Mi", "1Gi", "2G"; undefined when malformed. */
export function memoryMiB(value: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(Mi|Gi|M|G)$/.exec(value);
  if (!m) return undefined;
  const n = Number(m[1]);
  const bytes = { Mi: 2 ** 20, Gi: 2 ** 30, M: 1e6, G: 1e9 }[m[2] as 'Mi'] * n;
  return bytes / 2 ** 20;
}

/** CPU count from "1", "0.5", "500m"; undefined when malformed. */
export function cpuCount(value: string): number | undefined {
  const m = /^(\d+(?:\.\d{1,3})?)(m?)$/.exec(value);
  if (!m) return undefined;
  return m[2] === 'm' ? Number(m[1]) / 1000 : Number(m[1]);
}

/** The least CPU Cloud Run requires for a memory limit (Cloud Run "Configure memory limits"). */
export function minCpuForMemory(mib: number): number {
  if (mib > 24 * 1024) return 8;
  if (mib > 16 * 1024) return 6;
  if (mib > 8 * 1024) return 4;
  if (mib > 4 * 1024) return 2;
  if (mib > 1024) return 1;
  if (mib > 512) return 0.5;
  return 0.08;
}

/** The least memory Cloud Run requires for a CPU count, in MiB. */
export function minMemoryForCpu(cpu: number): number {
  if (cpu >= 6) return 4 * 1024;
  if (cpu >= 4) return 2 * 1024;
  return CLOUD_RUN_MEMORY.minMiB;
}

const IMAGE_PATTERN =
  /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*(?::\d+)?\/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$/;
const NAME_63 = /^[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?$/;

export const RULES = {
  projectId: rule<string>('a project id: 6-30 lowercase letters, digits and hyphens, starting with a letter, not ending with a hyphen (e.g. "acme-orders-prod")', (v) => PROJECT_ID_PATTERN.test(v)),
  region: rule<string>('a region such as "us-central1"', (v) => LOCATION_PATTERN.test(v)),
  queueId: rule<string>('letters, digits and hyphens, 1-100 characters (no underscores)', (v) => QUEUE_ID_PATTERN.test(v)),
  taskId: rule<string>('letters, digits, "-" or "_", 1-500 characters', (v) => TASK_ID_PATTERN.test(v)),
  serviceName: rule<string>('a Cloud Run service name: lowercase letters, digits and hyphens, starting with a letter, not ending with a hyphen, at most 49 characters', (v) => SERVICE_NAME_PATTERN.test(v)),
  accountId: rule<string>('a service account id: 6-30 lowercase letters, digits and hyphens, starting with a letter and not ending with a hyphen', (v) => ACCOUNT_ID_PATTERN.test(v)),
  serviceAccountEmail: rule<string>('a service account email address such as "NAME@PROJECT.iam.gserviceaccount.com"', (v) => EMAIL_PATTERN.test(v)),
  email: rule<string>('an email address such as "alice@example.com"', (v) => EMAIL_PATTERN.test(v)),
  image: rule<string>('a container image reference such as "us-docker.pkg.dev/PROJECT/REPO/IMAGE:TAG" (lowercase path, optional :tag and @sha256:digest)', (v) => v.length <= 1024 && IMAGE_PATTERN.test(v)),
  path: rule<string>('a path starting with "/" without spaces, "?" or "#"', (v) => /^\/[^\s?#]*$/.test(v)),
  ingress: oneOf(CLOUD_RUN_INGRESS),
  dispatchDeadlineSeconds: rule<number>(`whole seconds from ${DISPATCH_DEADLINE.min} to ${DISPATCH_DEADLINE.max} (Cloud Tasks waits at most 30 minutes)`, (v) => Number.isInteger(v) && v >= DISPATCH_DEADLINE.min && v <= DISPATCH_DEADLINE.max),
  cpu: rule<string>(`CPUs as a string: ${CLOUD_RUN_CPUS.join(', ')}, or from "0.08" to "1" in steps of 0.001 (Cloud Run's CPU limits)`, (v) => {
    const n = cpuCount(v);
    return n !== undefined && ((n >= 0.08 && n <= 1) || (CLOUD_RUN_CPUS as readonly string[]).includes(String(n)));
  }),
  memory: rule<string>('a memory size from "128Mi" to "32Gi" (suffix Mi or Gi; Cloud Run\'s memory limits)', (v) => {
    const mib = memoryMiB(v);
    return mib !== undefined && mib >= CLOUD_RUN_MEMORY.minMiB && mib <= CLOUD_RUN_MEMORY.maxMiB;
  }),
  foundationWaitSeconds: integer(FOUNDATION_WAIT_SECONDS.min, FOUNDATION_WAIT_SECONDS.max, 'whole seconds'),
  minInstances: integer(0, CLOUD_RUN_MAX_INSTANCES),
  maxInstances: integer(1, CLOUD_RUN_MAX_INSTANCES),
  concurrency: integer(1, CLOUD_RUN_MAX_CONCURRENCY),
  envName: rule<string>(`a variable name of letters, digits and "_", not starting with a digit, not ${CLOUD_RUN_RESERVED_ENV.join(', ')} (set by Cloud Run) and not TASKS_* (set by the handler construct)`, (v) =>
    // Every TASKS_* variable is the handler's (auth mode, audience, JWKS URL, ...): letting a user set one
    // could turn verification off or trust foreign keys.
    /^[A-Za-z_][A-Za-z0-9_]*$/.test(v) && !(CLOUD_RUN_RESERVED_ENV as readonly string[]).includes(v.toUpperCase()) && !/^TASKS_/i.test(v) && !v.startsWith('X_GOOGLE_')),
  envValue: rule<string>('a string of at most 32768 bytes', (v) => Buffer.byteLength(v) <= 32768),
  secret: rule<string>('a Secret Manager secret: its id (1-255 letters, digits, "-" or "_") or "projects/PROJECT/secrets/ID"', (v) => /^(?:projects\/[^/\s]+\/secrets\/)?[A-Za-z0-9_-]{1,255}$/.test(v)),
  secretVersion: rule<string>('"latest" or a version number such as "3"', (v) => v === 'latest' || /^[1-9]\d{0,9}$/.test(v)),
  network: rule<string>('a VPC network name (lowercase letters, digits and hyphens, at most 63) or "projects/PROJECT/global/networks/NAME"', (v) => NAME_63.test(v.replace(/^projects\/[^/\s]+\/global\/networks\//, ''))),
  subnetwork: rule<string>('a subnetwork name (lowercase letters, digits and hyphens, at most 63) or "projects/PROJECT/regions/REGION/subnetworks/NAME"', (v) => NAME_63.test(v.replace(/^projects\/[^/\s]+\/regions\/[a-z0-9-]+\/subnetworks\//, ''))),
  egress: oneOf(VPC_EGRESS),
  labelKey: rule<string>('a label key: 1-63 lowercase letters, digits, "_" or "-", starting with a letter', (v) => /^[a-z][a-z0-9_-]{0,62}$/.test(v)),
  labelValue: rule<string>('a label value: at most 63 lowercase letters, digits, "_" or "-"', (v) => /^[a-z0-9_-]{0,63}$/.test(v)),
  labels: rule<Record<string, string>>(`at most ${MAX_LABELS} labels`, (v) => Object.keys(v).length <= MAX_LABELS),
  handlerName: rule<string>('a handler name of 1-63 letters, digits and hyphens', (v) => /^[A-Za-z0-9-]{1,63}$/.test(v)),
  environmentName: rule<string>('a name of 1-30 lowercase letters, digits and hyphens, starting with a letter', (v) => /^[a-z][a-z0-9-]{0,29}$/.test(v)),
  nonEmpty: rule<string>('a non-empty string', (v) => v.trim().length > 0),
  deadLetterSink: rule<string>('"log" (an ERROR log entry) or "pubsub" (a topic and subscription)', (v) => v === 'log' || v === 'pubsub'),
  pubsubName: rule<string>('letters, digits and "-_.~+%", 3-255 characters, starting with a letter and not with "goog"', (v) => PUBSUB_NAME_PATTERN.test(v)),
  retentionDays: rule<number>('whole days from 1 to 31 (the subscription retention limits)', (v) => Number.isInteger(v) && v >= 1 && v <= 31),
  alertTasks: rule<number>('a whole number of tasks, at least 1', (v) => Number.isInteger(v) && v >= 1),
  alertSeconds: integer(60, 86400, 'whole seconds'),
  alertRatio: rule<number>('a share > 0 and <= 1, e.g. 0.1 for 10%', (v) => Number.isFinite(v) && v > 0 && v <= 1),
  notificationChannel: rule<string>('a channel id "projects/PROJECT/notificationChannels/ID"', (v) => /^projects\/[^/]+\/notificationChannels\/[^/]+$/.test(v)),
} as const;
