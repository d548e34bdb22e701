import { CloudTasksQueue, CloudTasksQueueConfig } from '@cdktf/provider-google/lib/cloud-tasks-queue';
import { CloudTasksQueueIamMember } from '@cdktf/provider-google/lib/cloud-tasks-queue-iam-member';
import { ServiceAccountIamMember } from '@cdktf/provider-google/lib/service-account-iam-member';
import { Construct, IConstruct } from 'constructs';
import {
  CLOUD_TASKS_ENDPOINT,
  HttpMethod,
  ROLES,
  UriOverrideEnforceMode,
  UriScheme,
} from '../limits';
import { queueImportId } from './import-ids';
import { grantOnce, IPrincipal, IServiceAccount } from './principal';
import { checkQueueAdoption, checkQueueProps } from './task-queue-rules';
import { synthProblems, throwIfInvalid } from './validation';
import { definedOnly } from './values';

/** The token Cloud Tasks attaches to every dispatch from the queue (queue-level auth). */
export interface OidcTokenProps {
  /** The account the OIDC ID token is minted for; its email is the token's `email` claim. */
  readonly serviceAccount: IServiceAccount;
  /** The token's `aud` claim: the handler's URL or one of its Cloud Run `custom_audiences`. Always set explicitly. */
  readonly audience: string;
}

/** Queue-level OAuth token: for targets on `*.googleapis.com` only. */
export interface OAuthTokenProps {
  /** The account the OAuth access token is minted for. */
  readonly serviceAccount: IServiceAccount;
  /**
   * OAuth scope of the token. Only for `*.googleapis.com` targets.
   * @default "https://www.googleapis.com/auth/cloud-platform"
   */
  readonly scope?: string;
}

/** Where the queue sends every task, whatever URL the producer gave (`http_target.uri_override`). */
export interface UriOverrideProps {
  /**
   * HTTP or HTTPS. Tokens are only sent over HTTPS.
   * @default "HTTPS"
   */
  readonly scheme?: UriScheme;
  /** Host name without scheme or path, e.g. `handler-abc-uc.a.run.app`. @default - the task's own host */
  readonly host?: string;
  /** Port, 1-65535. @default - the scheme's default port */
  readonly port?: number;
  /** Path starting with `/`, e.g. `/tasks`. @default - the task's own path */
  readonly path?: string;
  /** Query string without the leading `?`, e.g. `source=queue`. @default - the task's own query */
  readonly query?: string;
  /**
   * ALWAYS rewrites every task's URL; IF_NOT_EXISTS keeps a URL that a CreateTask caller set.
   * @default "ALWAYS"
   */
  readonly enforceMode?: UriOverrideEnforceMode;
}

/** Queue-level HTTP routing and auth (`http_target`): what lets producers use BufferTask. */
export interface QueueHttpTargetProps {
  /**
   * Method for every dispatch: POST, GET, PUT, PATCH, DELETE, HEAD or OPTIONS.
   * @default "POST"
   */
  readonly httpMethod?: HttpMethod;
  /** URL override. @default - tasks keep the URL their producer set (BufferTask then has no target) */
  readonly uriOverride?: UriOverrideProps;
  /**
   * Headers set on every dispatch. Not Host, Content-Length, User-Agent, Authorization or `X-CloudTasks-*`;
   * under 80 KB in total.
   * @default - none
   */
  readonly headers?: Record<string, string>;
  /** OIDC ID token on every dispatch (Cloud Run and other handlers). Exclusive with `oauthToken`. @default - none */
  readonly oidcToken?: OidcTokenProps;
  /** OAuth access token on every dispatch (`*.googleapis.com` targets). Exclusive with `oidcToken`. @default - none */
  readonly oauthToken?: OAuthTokenProps;
}

/** How fast the queue dispatches (`rate_limits`). */
export interface QueueRateLimitsProps {
  /** Dispatches per second, > 0 and <= 500. @default - the service default (500) */
  readonly maxDispatchesPerSecond?: number;
  /** Tasks dispatched and not yet answered, 1-5000. @default - the service default (1000) */
  readonly maxConcurrentDispatches?: number;
}

/** How the queue retries failed dispatches (`retry_config`). Retries stop when both limits are reached. */
export interface QueueRetryProps {
  /** Attempts per task, >= -1 (-1 = unlimited). @default - the service default (100) */
  readonly maxAttempts?: number;
  /** Time limit for retrying a task, whole seconds ("3600s"), "0s" = unlimited, at most 31 days. @default - unlimited */
  readonly maxRetryDuration?: string;
  /** First retry delay, whole seconds ("1s"). @default - the service default ("0.1s") */
  readonly minBackoff?: string;
  /** Longest retry delay, whole seconds (>= minBackoff). @default - the service default ("3600s") */
  readonly maxBackoff?: string;
  /** Times the delay doubles before growing linearly, 0-16. @default - the service default (16) */
  readonly maxDoublings?: number;
}

/** Props of a {@link TaskQueue}. */
export interface TaskQueueProps {
  /** Queue id: letters, digits and hyphens, 1-100 characters. Changing it replaces the queue. */
  readonly queueId: string;
  /** Region, e.g. `us-central1`. Changing it replaces the queue. */
  readonly location: string;
  /** Project id. @default - the provider's project */
  readonly project?: string;
  /** Queue-level routing and auth. @default - none: every task must carry its own URL and token */
  readonly httpTarget?: QueueHttpTargetProps;
  /** Dispatch rate limits. @default - the service defaults */
  readonly rateLimits?: QueueRateLimitsProps;
  /** Retry policy. @default - the service defaults */
  readonly retry?: QueueRetryProps;
  /** Share of task operations logged to Cloud Logging, 0.0-1.0. @default - logging off */
  readonly loggingSamplingRatio?: number;
  /**
   * Refuse `terraform destroy` of the queue (`lifecycle.prevent_destroy`). Deleting a queue deletes its
   * tasks and blocks its name for up to 3 days; set false only for throwaway environments.
   * @default true
   */
  readonly preventDestroy?: boolean;
  /**
   * The full name of a queue that exists (made by hand), `projects/P/locations/L/queues/Q`, as
   * `gcloud tasks queues describe` prints it. Its project, location and id must equal `project`, `location`
   * and `queueId` (each forces replacement, which would delete the queue and its tasks): synth refuses a difference.
   * @default - no existing queue
   */
  readonly existingQueue?: string;
  /**
   * Adopt the existing queue (`existingQueue`, required) with a Terraform `import` block instead of creating
   * it; `project` is required. The first apply imports it, then updates it in place to these settings.
   * @default false
   */
  readonly adoptExisting?: boolean;
}

/** What `grantEnqueue` created. */
export interface EnqueueGrant {
  /** `roles/cloudtasks.enqueuer` on the queue. */
  readonly enqueuer: CloudTasksQueueIamMember;
}

/** What `grantEnqueueWithTaskToken` created. */
export interface EnqueueWithTaskTokenGrant extends EnqueueGrant {
  /** `roles/iam.serviceAccountUser` on the queue's token account. */
  readonly actAs: ServiceAccountIamMember;
}

/** A Cloud Tasks queue, created here or imported. */
export interface ITaskQueue extends IConstruct {
  /** Queue id (short name). */
  readonly queueName: string;
  /** Full resource name, `projects/P/locations/L/queues/Q`. */
  readonly queuePath: string;
  /** Region of the queue, e.g. `us-central1`. */
  readonly location: string;
  /** `POST` here with a bearer token to buffer a task (the body becomes the task body). */
  readonly bufferTaskUrl: string;
  /** The account in the queue's OIDC/OAuth token, if the queue has queue-level auth. */
  readonly tokenServiceAccount?: IServiceAccount;
  /**
   * Lets `principal` add tasks with BufferTask or CreateTask: `roles/cloudtasks.enqueuer` on this queue only.
   * Enough for every task that carries no token of its own (the queue's `http_target` supplies it).
   */
  grantEnqueue(principal: IPrincipal): EnqueueGrant;
  /**
   * `grantEnqueue` plus `roles/iam.serviceAccountUser` (`actAs`) on the queue's token account, for producers
   * whose CreateTask calls set a task-level `oidcToken`/`oauthToken` for that account. `actAs` also lets the
   * holder run workloads as the account and call the handler directly: grant it only to such producers.
   * Fails when the queue has no token account.
   */
  grantEnqueueWithTaskToken(principal: IPrincipal): EnqueueWithTaskTokenGrant;
}

/** Attributes of an existing queue, for `TaskQueue.fromQueueAttributes`. */
export interface TaskQueueAttributes {
  /** Project id of the queue. */
  readonly project: string;
  /** Region of the queue, e.g. `us-central1`. */
  readonly location: string;
  /** Queue id (short name). */
  readonly queueName: string;
  /** The account in the queue's token, for `grantEnqueueWithTaskToken`. @default - the queue has no queue-level auth */
  readonly tokenServiceAccount?: IServiceAccount;
}

abstract class TaskQueueBase extends Construct implements ITaskQueue {
  abstract readonly queueName: string;
  abstract readonly queuePath: string;
  abstract readonly location: string;
  abstract readonly tokenServiceAccount?: IServiceAccount;
  protected abstract readonly project: string;

  get bufferTaskUrl(): string {
    return `${CLOUD_TASKS_ENDPOINT}/v2/${this.queuePath}/tasks:buffer`;
  }

  grantEnqueue(principal: IPrincipal): EnqueueGrant {
    const enqueuer = grantOnce(this, ROLES.enqueuer, principal, (id) =>
      new CloudTasksQueueIamMember(this, id, {
        project: this.project,
        location: this.location,
        name: this.queueName,
        role: ROLES.enqueuer,
        member: principal.member,
      }),
    );
    return { enqueuer };
  }

  grantEnqueueWithTaskToken(principal: IPrincipal): EnqueueWithTaskTokenGrant {
    const sa = this.tokenServiceAccount;
    if (!sa) {
      throw new Error(
        `grantEnqueueWithTaskToken on '${this.node.path}': the queue has no token service account ` +
          '(no httpTarget.oidcToken/oauthToken, or tokenServiceAccount not given to fromQueueAttributes); use grantEnqueue',
      );
    }
    const { enqueuer } = this.grantEnqueue(principal);
    const actAs = grantOnce(this, ROLES.serviceAccountUser, principal, (id) =>
      new ServiceAccountIamMember(this, id, { serviceAccountId: sa.resourceName, role: ROLES.serviceAccountUser, member: principal.member }),
    );
    return { enqueuer, actAs };
  }
}

/** A Cloud Tasks queue (`google_cloud_tasks_queue`) with queue-level HTTP routing and auth. */
export class TaskQueue extends TaskQueueBase {
  /** A queue created elsewhere; grants work on it as on a created one. */
  static fromQueueAttributes(scope: Construct, id: string, attrs: TaskQueueAttributes): ITaskQueue {
    // The same rules as a created queue, reported under the attribute names the caller wrote.
    const names: Record<string, string> = { queueId: 'queueName' };
    const problems = synthProblems();
    checkQueueProps(problems.renamed((prop) => names[prop] ?? prop), { queueId: attrs.queueName, location: attrs.location, project: attrs.project });
    class Imported extends TaskQueueBase {
      readonly queueName = attrs.queueName;
      readonly location = attrs.location;
      readonly project = attrs.project;
      readonly queuePath = `projects/${attrs.project}/locations/${attrs.location}/queues/${attrs.queueName}`;
      readonly tokenServiceAccount = attrs.tokenServiceAccount;
    }
    const queue = new Imported(scope, id);
    throwIfInvalid(queue, problems);
    return queue;
  }

  /** The underlying provider resource, for escape hatches. */
  readonly resource: CloudTasksQueue;
  /** Queue id (short name). */
  readonly queueName: string;
  /** Full resource name, `projects/P/locations/L/queues/Q`. */
  readonly queuePath: string;
  /** Region of the queue. */
  readonly location: string;
  /** The account in the queue's OIDC/OAuth token, if the queue has queue-level auth. */
  readonly tokenServiceAccount?: IServiceAccount;
  protected readonly project: string;

  constructor(scope: Construct, id: string, props: TaskQueueProps) {
    super(scope, id);
    const problems = synthProblems();
    checkQueueProps(problems, props);
    checkQueueAdoption(problems, props);
    throwIfInvalid(this, problems);

    const target = props.httpTarget;
    this.tokenServiceAccount = target?.oidcToken?.serviceAccount ?? target?.oauthToken?.serviceAccount;
    this.resource = new CloudTasksQueue(this, 'Resource', {
      name: props.queueId,
      location: props.location,
      project: props.project,
      httpTarget: target && httpTargetConfig(target),
      rateLimits: definedOnly(props.rateLimits),
      retryConfig: definedOnly(props.retry),
      stackdriverLoggingConfig:
        props.loggingSamplingRatio === undefined ? undefined : { samplingRatio: props.loggingSamplingRatio },
      lifecycle: { preventDestroy: props.preventDestroy ?? true },
    });
    if (props.adoptExisting) {
      this.resource.importFrom(queueImportId(props.project!, props.location, props.queueId));
    }
    this.queueName = this.resource.name;
    this.queuePath = this.resource.id;
    this.location = this.resource.location;
    this.project = this.resource.project;
  }
}

function httpTargetConfig(target: QueueHttpTargetProps): CloudTasksQueueConfig['httpTarget'] {
  const uri = target.uriOverride;
  return {
    httpMethod: target.httpMethod ?? 'POST',
    uriOverride: uri && {
      scheme: uri.scheme ?? 'HTTPS',
      host: uri.host,
      port: uri.port === undefined ? undefined : String(uri.port),
      pathOverride: uri.path === undefined ? undefined : { path: uri.path },
      // An empty query_override block perma-diffs on provider 6.50.0: emit it only with a value.
      queryOverride: uri.query ? { queryParams: uri.query } : undefined,
      uriOverrideEnforceMode: uri.enforceMode ?? 'ALWAYS',
    },
    headerOverrides: target.headers
      ? Object.entries(target.headers).map(([key, value]) => ({ header: { key, value } }))
      : undefined,
    oidcToken: target.oidcToken && {
      serviceAccountEmail: target.oidcToken.serviceAccount.email,
      audience: target.oidcToken.audience,
    },
    oauthToken: target.oauthToken && {
      serviceAccountEmail: target.oauthToken.serviceAccount.email,
      scope: target.oauthToken.scope ?? 'https://www.googleapis.com/auth/cloud-platform',
    },
  };
}
