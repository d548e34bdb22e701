/** Documented Cloud Tasks / Cloud Run limits (see shared/FACTS.md). */

/** Queue ids: letters, digits and hyphens, 1-100 characters (no underscores). */
export const QUEUE_ID_PATTERN = /^[A-Za-z0-9-]{1,100}$/;
/** Task ids: letters, digits, hyphens and underscores, 1-500 characters. */
export const TASK_ID_PATTERN = /^[A-Za-z0-9_-]{1,500}$/;
/** Cloud Tasks / Cloud Run locations look like `us-central1`, `europe-west4`, `northamerica-northeast1`. */
export const LOCATION_PATTERN = /^[a-z]+(-[a-z]+)*\d+$/;
/** User-managed service account ids: 6-30 characters, lowercase letter first, no trailing hyphen. */
export const ACCOUNT_ID_PATTERN = /^[a-z](?:[-a-z0-9]{4,28}[a-z0-9])$/;
/** Project ids: 6-30 characters, lowercase letter first, no trailing hyphen (domain-scoped ids allowed). */
export const PROJECT_ID_PATTERN = /^(?:[a-z][-a-z0-9.]*:)?[a-z][-a-z0-9]{4,28}[a-z0-9]$/;
/** Cloud Run service names: lowercase, digits, hyphens; letter first; at most 49 characters. */
export const SERVICE_NAME_PATTERN = /^[a-z](?:[-a-z0-9]{0,47}[a-z0-9])?$/;
/** A plausible email address (the IAM API is the final judge; this catches typos and swapped fields). */
export const EMAIL_PATTERN = /^[^\s@:/]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$/;
/** HTTP header names (RFC 9110 token characters). */
export const HEADER_NAME_PATTERN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

export const HTTP_METHODS = ['POST', 'GET', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

export const URI_SCHEMES = ['HTTP', 'HTTPS'] as const;
export type UriScheme = (typeof URI_SCHEMES)[number];

export const URI_OVERRIDE_ENFORCE_MODES = ['ALWAYS', 'IF_NOT_EXISTS'] as const;
export type UriOverrideEnforceMode = (typeof URI_OVERRIDE_ENFORCE_MODES)[number];

export const CLOUD_RUN_INGRESS = [
  'INGRESS_TRAFFIC_ALL',
  'INGRESS_TRAFFIC_INTERNAL_ONLY',
  'INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER',
] as const;
export type CloudRunIngress = (typeof CLOUD_RUN_INGRESS)[number];

export const MAX_DISPATCHES_PER_SECOND = 500;
export const MAX_CONCURRENT_DISPATCHES = 5000;

/** HTTP-target dispatch deadline, in seconds. */
export const DISPATCH_DEADLINE = { min: 15, max: 1800, default: 600 } as const;
/** The project foundation's wait after enabling APIs (for them to propagate), in seconds. */
export const FOUNDATION_WAIT_SECONDS = { min: 0, max: 600, default: 60 } as const;
/** Cloud Run request timeout ceiling, in seconds. */
export const CLOUD_RUN_MAX_TIMEOUT_SECONDS = 3600;
/** A task may be scheduled at most this far ahead. */
export const MAX_SCHEDULE_AHEAD_SECONDS = 30 * 24 * 3600;
/** Tasks live at most this long, retries included. */
export const MAX_TASK_LIFETIME_SECONDS = 31 * 24 * 3600;
/** Safe task size (body plus headers). */
export const MAX_TASK_BYTES = 100 * 1024;
/** Queue header overrides must stay below this many bytes in total. */
export const MAX_HEADER_OVERRIDE_BYTES = 80 * 1024;

/**
 * Headers Cloud Tasks sets or controls itself; overriding them at queue level is rejected or ignored.
 * Compared lowercase.
 */
export const RESERVED_HEADERS: readonly string[] = [
  'host',
  'content-length',
  'user-agent',
  'transfer-encoding',
  'connection',
  'authorization',
];
/** Header prefixes reserved for Cloud Tasks / Google (compared lowercase). */
export const RESERVED_HEADER_PREFIXES: readonly string[] = ['x-cloudtasks-', 'x-google-', 'x-appengine-'];

/** Cloud Tasks REST endpoint that BufferTask and CreateTask use. */
export const CLOUD_TASKS_ENDPOINT = 'https://cloudtasks.googleapis.com';

export const ROLES = {
  enqueuer: 'roles/cloudtasks.enqueuer',
  serviceAccountUser: 'roles/iam.serviceAccountUser',
  runInvoker: 'roles/run.invoker',
  serviceAgent: 'roles/cloudtasks.serviceAgent',
  secretAccessor: 'roles/secretmanager.secretAccessor',
} as const;
