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

/** HTTP methods a Cloud Tasks HTTP target accepts. */
export const HTTP_METHODS = ['POST', 'GET', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'] as const;
/** One of {@link HTTP_METHODS}. */
export type HttpMethod = (typeof HTTP_METHODS)[number];

/** Schemes of a queue's `uri_override`. */
export const URI_SCHEMES = ['HTTP', 'HTTPS'] as const;
/** One of {@link URI_SCHEMES}. */
export type UriScheme = (typeof URI_SCHEMES)[number];

/** When the queue's URI override applies: always, or only to tasks without their own URL. */
export const URI_OVERRIDE_ENFORCE_MODES = ['ALWAYS', 'IF_NOT_EXISTS'] as const;
/** One of {@link URI_OVERRIDE_ENFORCE_MODES}. */
export type UriOverrideEnforceMode = (typeof URI_OVERRIDE_ENFORCE_MODES)[number];

/** Cloud Run ingress settings. */
export const CLOUD_RUN_INGRESS = [
  'INGRESS_TRAFFIC_ALL',
  'INGRESS_TRAFFIC_INTERNAL_ONLY',
  'INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER',
] as const;
/** One of {@link CLOUD_RUN_INGRESS}. */
export type CloudRunIngress = (typeof CLOUD_RUN_INGRESS)[number];

/** Highest `rate_limits.max_dispatches_per_second`. */
export const MAX_DISPATCHES_PER_SECOND = 500;
/** Highest `rate_limits.max_concurrent_dispatches`. */
export const MAX_CONCURRENT_DISPATCHES = 5000;

/** HTTP-target dispatch deadline, in seconds. */
export const DISPATCH_DEADLINE = {
  /** Shortest deadline. */
  min: 15,
  /** Longest deadline (30 min). */
  max: 1800,
  /** The service default (10 min). */
  default: 600,
} as const;
/** The project foundation's wait after enabling APIs (for them to propagate), in seconds. */
export const FOUNDATION_WAIT_SECONDS = {
  /** Shortest allowed wait (0: no wait, for projects whose APIs are long enabled). */
  min: 0,
  /** Longest allowed wait: ten minutes. */
  max: 600,
  /** The wait when `waitSeconds` is not given. */
  default: 60,
} as const;
/** Cloud Run request timeout ceiling, in seconds. */
export const CLOUD_RUN_MAX_TIMEOUT_SECONDS = 3600;
/** A task may be scheduled at most this far ahead. */
export const MAX_SCHEDULE_AHEAD_SECONDS = 30 * 24 * 3600;
/** Tasks live at most this long, retries included. */
export const MAX_TASK_LIFETIME_SECONDS = 31 * 24 * 3600;
/**
 * Largest task (body plus headers): the quotas page's system limit, 1 MB, read as 1,000,000 bytes (the smaller
 * reading). Sources disagree: the CreateTask comment in the v2 proto still says 100 KB, and the service is
 * reported to accept up to about 1 MiB (1,048,576 bytes). docs/producers.md says so too.
 */
export const MAX_TASK_BYTES = 1_000_000;
/** {@link MAX_TASK_BYTES} as messages show it. */
export const MAX_TASK_SIZE_TEXT = '1 MB';
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

/** IAM roles the pipeline grants. */
export const ROLES = {
  /** Add tasks to a queue. */
  enqueuer: 'roles/cloudtasks.enqueuer',
  /** Act as a service account (attach its token to a task). */
  serviceAccountUser: 'roles/iam.serviceAccountUser',
  /** Invoke a Cloud Run service. */
  runInvoker: 'roles/run.invoker',
  /** The Cloud Tasks service agent's own role; never granted to anything else. */
  serviceAgent: 'roles/cloudtasks.serviceAgent',
  /** Publish to a Pub/Sub topic (the handler's dead-letter sink). */
  pubsubPublisher: 'roles/pubsub.publisher',
  /** Pull and acknowledge from a Pub/Sub subscription (the dead-letter replay). */
  pubsubSubscriber: 'roles/pubsub.subscriber',
  /** Read one Secret Manager secret's versions (a secret env var of the handler). */
  secretAccessor: 'roles/secretmanager.secretAccessor',
} as const;

/** Pub/Sub topic and subscription ids: 3-255 characters, a letter first, not starting with "goog". */
export const PUBSUB_NAME_PATTERN = /^(?!goog)[A-Za-z][-A-Za-z0-9_.~+%]{2,254}$/;
