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
  /** What is allowed, in words, as error messages end: "... is not allowed: ALLOWED". */
  readonly allowed: string;
  /** True when `value` follows the rule (never called with an unresolved token). */
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
export const CLOUD_RUN_MEMORY = {
  /** Least memory per instance, in MiB. */
  minMiB: 128,
  /** Most memory per instance, in MiB (32 GiB). */
  maxMiB: 32 * 1024,
} as const;
/** Cloud Run: at most this many requests per instance. */
export const CLOUD_RUN_MAX_CONCURRENCY = 1000;
/** Instances a service may scale to (the default quota; raise the quota first to go higher). */
export const CLOUD_RUN_MAX_INSTANCES = 1000;
/** Cloud Run allows at most this many environment variables per container. */
export const CLOUD_RUN_MAX_ENV_VARS = 1000;
/** Variables of the Cloud Run container runtime contract: set by Cloud Run, never by a service. */
export const CLOUD_RUN_RESERVED_ENV = ['PORT', 'K_SERVICE', 'K_REVISION', 'K_CONFIGURATION'] as const;
/**
 * Variables that change what the handler's runtime trusts (which code it loads, which TLS roots it accepts,
 * where its tokens come from): never set through a service's `environment` or `secrets`, each with the reason.
 * Bake a real need into the image, where it is reviewed with the code.
 */
export const RUNTIME_TRUST_ENV: Readonly<Record<string, string>> = {
  NODE_OPTIONS: 'it adds Node flags and preloaded code (--require, --import, --use-openssl-ca, ...)',
  NODE_TLS_REJECT_UNAUTHORIZED: 'it turns off TLS certificate checks (the signing keys would be fetched unverified)',
  NODE_EXTRA_CA_CERTS: 'it adds TLS roots that the signing-key fetch would trust',
  NODE_USE_SYSTEM_CA: 'it swaps the TLS roots that the signing-key fetch trusts',
  SSL_CERT_FILE: 'it swaps the TLS roots that the signing-key fetch trusts',
  SSL_CERT_DIR: 'it swaps the TLS roots that the signing-key fetch trusts',
  NODE_USE_ENV_PROXY: 'it sends HTTP(S) requests, the metadata token fetch included, through a proxy',
  NODE_PATH: 'it changes which modules the handler loads',
  LD_PRELOAD: 'it loads native code into the process',
  LD_LIBRARY_PATH: 'it changes which native libraries the process loads',
  OPENSSL_CONF: 'it loads an OpenSSL configuration that can load native modules and change TLS trust',
  OPENSSL_MODULES: 'it changes where OpenSSL loads native modules from',
  GCE_METADATA_HOST: 'it redirects the metadata server, the source of the runtime account\'s tokens',
  GCE_METADATA_IP: 'it redirects the metadata server, the source of the runtime account\'s tokens',
  GOOGLE_APPLICATION_CREDENTIALS: 'it replaces the runtime service account with a key file',
};

/** Why `name` may not be set on a handler, when it is one of {@link RUNTIME_TRUST_ENV} (any case); else undefined. */
export function runtimeTrustReason(name: string): string | undefined {
  const upper = name.toUpperCase();
  return Object.prototype.hasOwnProperty.call(RUNTIME_TRUST_ENV, upper) ? RUNTIME_TRUST_ENV[upper] : undefined;
}

/** Direct VPC egress settings. */
export const VPC_EGRESS = ['ALL_TRAFFIC', 'PRIVATE_RANGES_ONLY'] as const;
/** One of {@link VPC_EGRESS}. */
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

/** Every shared rule, by the kind of value it checks. */
export const RULES = {
  /** A Google Cloud project id. */
  projectId: rule<string>('a project id: 6-30 lowercase letters, digits and hyphens, starting with a letter, not ending with a hyphen (e.g. "acme-orders-prod")', (v) => PROJECT_ID_PATTERN.test(v)),
  /** A Cloud Tasks / Cloud Run region such as `us-central1`. */
  region: rule<string>('a region such as "us-central1"', (v) => LOCATION_PATTERN.test(v)),
  /** A Cloud Tasks queue id. */
  queueId: rule<string>('letters, digits and hyphens, 1-100 characters (no underscores)', (v) => QUEUE_ID_PATTERN.test(v)),
  /** A Cloud Tasks task id (the last part of a task name). */
  taskId: rule<string>('letters, digits, "-" or "_", 1-500 characters', (v) => TASK_ID_PATTERN.test(v)),
  /** A Cloud Run service name (at most 49 characters). */
  serviceName: rule<string>('a Cloud Run service name: lowercase letters, digits and hyphens, starting with a letter, not ending with a hyphen, at most 49 characters', (v) => SERVICE_NAME_PATTERN.test(v)),
  /** A user-managed service account id (6-30 characters). */
  accountId: rule<string>('a service account id: 6-30 lowercase letters, digits and hyphens, starting with a letter and not ending with a hyphen', (v) => ACCOUNT_ID_PATTERN.test(v)),
  /** A service account email address. */
  serviceAccountEmail: rule<string>('a service account email address such as "NAME@PROJECT.iam.gserviceaccount.com"', (v) => EMAIL_PATTERN.test(v)),
  /** Any email address (a user or a group member). */
  email: rule<string>('an email address such as "alice@example.com"', (v) => EMAIL_PATTERN.test(v)),
  /** A container image reference (at most 1024 characters). */
  image: rule<string>('a container image reference such as "us-docker.pkg.dev/PROJECT/REPO/IMAGE:TAG" (lowercase path, optional :tag and @sha256:digest)', (v) => v.length <= 1024 && IMAGE_PATTERN.test(v)),
  /** An HTTP path starting with "/" (the handler's tasks path). */
  path: rule<string>('a path starting with "/" without spaces, "?" or "#"', (v) => /^\/[^\s?#]*$/.test(v)),
  /** One of {@link CLOUD_RUN_INGRESS}. */
  ingress: oneOf(CLOUD_RUN_INGRESS),
  /** An HTTP-target dispatch deadline, whole seconds from 15 to 1800. */
  dispatchDeadlineSeconds: rule<number>(`whole seconds from ${DISPATCH_DEADLINE.min} to ${DISPATCH_DEADLINE.max} (Cloud Tasks waits at most 30 minutes)`, (v) => Number.isInteger(v) && v >= DISPATCH_DEADLINE.min && v <= DISPATCH_DEADLINE.max),
  /** CPUs per Cloud Run instance, as a string. */
  cpu: rule<string>(`CPUs as a string: ${CLOUD_RUN_CPUS.join(', ')}, or from "0.08" to "1" in steps of 0.001 (Cloud Run's CPU limits)`, (v) => {
    const n = cpuCount(v);
    return n !== undefined && ((n >= 0.08 && n <= 1) || (CLOUD_RUN_CPUS as readonly string[]).includes(String(n)));
  }),
  /** Memory per Cloud Run instance, "128Mi" to "32Gi". */
  memory: rule<string>('a memory size from "128Mi" to "32Gi" (suffix Mi or Gi; Cloud Run\'s memory limits)', (v) => {
    const mib = memoryMiB(v);
    return mib !== undefined && mib >= CLOUD_RUN_MEMORY.minMiB && mib <= CLOUD_RUN_MEMORY.maxMiB;
  }),
  /** The project foundation's wait after enabling APIs, whole seconds from 0 to 600. */
  foundationWaitSeconds: integer(FOUNDATION_WAIT_SECONDS.min, FOUNDATION_WAIT_SECONDS.max, 'whole seconds'),
  /** Fewest Cloud Run instances, 0 to 1000. */
  minInstances: integer(0, CLOUD_RUN_MAX_INSTANCES),
  /** Most Cloud Run instances, 1 to 1000. */
  maxInstances: integer(1, CLOUD_RUN_MAX_INSTANCES),
  /** Requests per Cloud Run instance, 1 to 1000. */
  concurrency: integer(1, CLOUD_RUN_MAX_CONCURRENCY),
  /** How long the handler waits for a request body (`TASKS_BODY_TIMEOUT_SECONDS`). */
  bodyTimeoutSeconds: integer(1, 300, 'whole seconds'),
  /** The handler's cap on open connections (`TASKS_MAX_CONNECTIONS`). */
  maxConnections: integer(1, 100_000),
  /** A handler environment variable name the user may set (not reserved by Cloud Run, not `TASKS_*`). */
  envName: rule<string>(`a variable name of letters, digits and "_", not starting with a digit, not ${CLOUD_RUN_RESERVED_ENV.join(', ')} (set by Cloud Run) and not TASKS_* (set by the handler construct)`, (v) =>
    // Every TASKS_* variable is the handler's (auth mode, audience, JWKS URL, ...): letting a user set one
    // could turn verification off or trust foreign keys.
    /^[A-Za-z_][A-Za-z0-9_]*$/.test(v) && !(CLOUD_RUN_RESERVED_ENV as readonly string[]).includes(v.toUpperCase()) && !/^TASKS_/i.test(v) && !v.startsWith('X_GOOGLE_')),
  /** A handler environment variable value, at most 32768 bytes. */
  envValue: rule<string>('a string of at most 32768 bytes', (v) => Buffer.byteLength(v) <= 32768),
  /** A Secret Manager secret id or full name. */
  secret: rule<string>('a Secret Manager secret: its id (1-255 letters, digits, "-" or "_") or "projects/PROJECT/secrets/ID"', (v) => /^(?:projects\/[^/\s]+\/secrets\/)?[A-Za-z0-9_-]{1,255}$/.test(v)),
  /** A Secret Manager version: "latest" or a version number. */
  secretVersion: rule<string>('"latest" or a version number such as "3"', (v) => v === 'latest' || /^[1-9]\d{0,9}$/.test(v)),
  /** A VPC network name or full name (Direct VPC egress). */
  network: rule<string>('a VPC network name (lowercase letters, digits and hyphens, at most 63) or "projects/PROJECT/global/networks/NAME"', (v) => NAME_63.test(v.replace(/^projects\/[^/\s]+\/global\/networks\//, ''))),
  /** A VPC subnetwork name or full name (Direct VPC egress). */
  subnetwork: rule<string>('a subnetwork name (lowercase letters, digits and hyphens, at most 63) or "projects/PROJECT/regions/REGION/subnetworks/NAME"', (v) => NAME_63.test(v.replace(/^projects\/[^/\s]+\/regions\/[a-z0-9-]+\/subnetworks\//, ''))),
  /** One of {@link VPC_EGRESS}. */
  egress: oneOf(VPC_EGRESS),
  /** An environment's name prefix: it starts queue ids and Cloud Run service names, so lowercase, a letter first. */
  namePrefix: rule<string>('a name prefix: 1-20 lowercase letters, digits or "-", starting with a letter (e.g. "stg-")', (v) => /^[a-z][a-z0-9-]{0,19}$/.test(v)),
  /** A Google Cloud label key. */
  labelKey: rule<string>('a label key: 1-63 lowercase letters, digits, "_" or "-", starting with a letter', (v) => /^[a-z][a-z0-9_-]{0,62}$/.test(v)),
  /** A Google Cloud label value (may be empty). */
  labelValue: rule<string>('a label value: at most 63 lowercase letters, digits, "_" or "-"', (v) => /^[a-z0-9_-]{0,63}$/.test(v)),
  /** A label map of at most {@link MAX_LABELS} entries. */
  labels: rule<Record<string, string>>(`at most ${MAX_LABELS} labels`, (v) => Object.keys(v).length <= MAX_LABELS),
  /** A key of the app config's shared `handlers` map. */
  handlerName: rule<string>('a handler name of 1-63 letters, digits and hyphens', (v) => /^[A-Za-z0-9-]{1,63}$/.test(v)),
  /** A key of the app config's `environments` map. */
  environmentName: rule<string>('a name of 1-30 lowercase letters, digits and hyphens, starting with a letter', (v) => /^[a-z][a-z0-9-]{0,29}$/.test(v)),
  /** Any string with a non-space character. */
  nonEmpty: rule<string>('a non-empty string', (v) => v.trim().length > 0),
  /** Where the handler sends dead letters: "log" or "pubsub". */
  deadLetterSink: rule<string>('"log" (an ERROR log entry) or "pubsub" (a topic and subscription)', (v) => v === 'log' || v === 'pubsub'),
  /** A Pub/Sub topic or subscription id. */
  pubsubName: rule<string>('letters, digits and "-_.~+%", 3-255 characters, starting with a letter and not with "goog"', (v) => PUBSUB_NAME_PATTERN.test(v)),
  /** How long the dead-letter subscription keeps messages, whole days from 1 to 31. */
  retentionDays: rule<number>('whole days from 1 to 31 (the subscription retention limits)', (v) => Number.isInteger(v) && v >= 1 && v <= 31),
  /** A backlog alert threshold, in tasks (at least 1). */
  alertTasks: rule<number>('a whole number of tasks, at least 1', (v) => Number.isInteger(v) && v >= 1),
  /** An alert duration or age threshold, whole seconds from 60 to 86400 (one day). */
  alertSeconds: integer(60, 86400, 'whole seconds'),
  /** A share of failing attempts that raises an alert, > 0 and <= 1. */
  alertRatio: rule<number>('a share > 0 and <= 1, e.g. 0.1 for 10%', (v) => Number.isFinite(v) && v > 0 && v <= 1),
  /** A Cloud Monitoring notification channel, `projects/PROJECT/notificationChannels/ID`. */
  notificationChannel: rule<string>('a channel id "projects/PROJECT/notificationChannels/ID"', (v) => /^projects\/[^/]+\/notificationChannels\/[^/]+$/.test(v)),
} as const;
