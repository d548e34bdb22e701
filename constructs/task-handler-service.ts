import { CloudRunV2Service } from '@cdktf/provider-google/lib/cloud-run-v2-service';
import { CloudRunV2ServiceIamMember } from '@cdktf/provider-google/lib/cloud-run-v2-service-iam-member';
import { Fn, Lazy } from 'cdktf';
import { Construct } from 'constructs';
import {
  CLOUD_RUN_INGRESS,
  CLOUD_RUN_MAX_TIMEOUT_SECONDS,
  CloudRunIngress,
  DISPATCH_DEADLINE,
  LOCATION_PATTERN,
  PROJECT_ID_PATTERN,
  ROLES,
  SERVICE_NAME_PATTERN,
  isEmail,
  isIntegerBetween,
} from '../limits';
import { grantOnce, IPrincipal, IServiceAccount } from './principal';
import { deadLetterEnv, queueRetryLimitsJson } from './dead-letter-env';
import type { QueueRetryProps } from './task-queue';
import { deriveAccountId, ServiceAccount } from './service-account';
import { synthProblems, throwIfInvalid } from './validation';

/** Google's public sample image: lets synth and plan work before the handler image is built. */
export const SAMPLE_IMAGE = 'us-docker.pkg.dev/cloudrun/container/hello';

/** Props of a {@link TaskHandlerService}. */
export interface TaskHandlerServiceProps {
  /** Cloud Run service name: lowercase letters, digits and hyphens, starting with a letter, at most 49 characters. */
  readonly serviceName: string;
  /** Region, e.g. `us-central1`. */
  readonly location: string;
  /** Project id. @default - the provider's project */
  readonly project?: string;
  /** Container image. @default SAMPLE_IMAGE (Google's `hello` sample) */
  readonly image?: string;
  /**
   * The `aud` the handler accepts. Added to the service's `custom_audiences` (so Cloud Run accepts it) and
   * passed to the handler as `TASKS_AUDIENCE`, so neither needs the service URL (which would be a cycle).
   */
  readonly audience: string;
  /** The only account whose tokens the handler accepts (`TASKS_SERVICE_ACCOUNT`). */
  readonly tokenServiceAccountEmail: string;
  /** Path the queue targets (`TASKS_PATH`). @default "/tasks" */
  readonly tasksPath?: string;
  /**
   * Longest dispatch deadline producers use, 15-1800 seconds (`TASKS_DISPATCH_DEADLINE_SECONDS`).
   * @default 600
   */
  readonly dispatchDeadlineSeconds?: number;
  /** Cloud Run request timeout, >= the dispatch deadline and <= 3600 seconds. @default - the dispatch deadline */
  readonly timeoutSeconds?: number;
  /**
   * Who may reach the service over the network. Internal-only still receives Cloud Tasks from the same
   * project when tasks target the default `run.app` URL.
   * @default "INGRESS_TRAFFIC_INTERNAL_ONLY"
   */
  readonly ingress?: CloudRunIngress;
  /** Identity the handler runs as. @default - a dedicated service account is created (never the default compute account) */
  readonly runtimeServiceAccount?: IServiceAccount;
  /** Refuse `terraform destroy` of the service (`deletion_protection`). @default true */
  readonly deletionProtection?: boolean;
  /** Extra environment variables for the handler. No `TASKS_*` (reserved for this construct), `PORT` or `K_*`. @default - none */
  readonly environment?: Record<string, string>;
  /** Most instances, 1-1000. @default - the Cloud Run default */
  readonly maxInstanceCount?: number;
  /**
   * The retry limits of the queue that feeds the handler (`TASKS_MAX_ATTEMPTS`, `TASKS_MAX_RETRY_DURATION`, ...),
   * unset ones meaning the service defaults: with them the handler spots a task's last attempt and dead-letters it.
   * @default - none: dead letters off
   */
  readonly queueRetry?: QueueRetryProps;
  /** Pub/Sub topic (`projects/P/topics/T`) for dead letters (`TASKS_DEAD_LETTER_TOPIC`). @default - an ERROR log entry */
  readonly deadLetterTopic?: string;
}

/**
 * The Cloud Run service that receives tasks (`google_cloud_run_v2_service`). Only principals granted
 * `grantInvoke` may call it: `invoker_iam_disabled` is never set.
 */
export class TaskHandlerService extends Construct {
  /** The underlying provider resource, for escape hatches. */
  readonly resource: CloudRunV2Service;
  /** The identity the handler runs as. */
  readonly runtimeServiceAccount: IServiceAccount;
  /** The service URL, `https://NAME-HASH.REGION.run.app` (known after apply). */
  readonly uri: string;
  /** The service host: `uri` without the scheme, what a queue's `uri_override.host` takes. */
  readonly host: string;
  /** Cloud Run service name. */
  readonly serviceName: string;
  /** Region of the service. */
  readonly location: string;
  /** The token audience the handler accepts (`TASKS_AUDIENCE`). */
  readonly audience: string;
  /** Path the queue targets (`TASKS_PATH`). */
  readonly tasksPath: string;
  /** Longest dispatch deadline the service is sized for, in seconds. */
  readonly dispatchDeadlineSeconds: number;
  private readonly project?: string;
  private readonly queueRetryLimits = new Map<string, QueueRetryProps>();

  constructor(scope: Construct, id: string, props: TaskHandlerServiceProps) {
    super(scope, id);
    this.tasksPath = props.tasksPath ?? '/tasks';
    this.dispatchDeadlineSeconds = props.dispatchDeadlineSeconds ?? DISPATCH_DEADLINE.default;
    const timeout = props.timeoutSeconds ?? this.dispatchDeadlineSeconds;
    const p = synthProblems()
      .check('serviceName', props.serviceName, (v) => SERVICE_NAME_PATTERN.test(v), 'lowercase letters, digits and hyphens, starting with a letter, at most 49 characters')
      .check('location', props.location, (v) => LOCATION_PATTERN.test(v), 'a region such as "us-central1"')
      .check('project', props.project, (v) => PROJECT_ID_PATTERN.test(v), 'a project id: 6-30 lowercase letters, digits and hyphens, starting with a letter')
      .check('audience', props.audience, (v) => v.trim().length > 0, 'a non-empty string')
      .check('tokenServiceAccountEmail', props.tokenServiceAccountEmail, isEmail, 'a service account email address')
      .check('tasksPath', this.tasksPath, (v) => /^\/[^\s?#]*$/.test(v), 'a path starting with "/" without spaces, "?" or "#"')
      .check('dispatchDeadlineSeconds', this.dispatchDeadlineSeconds, (v) => isIntegerBetween(v, DISPATCH_DEADLINE.min, DISPATCH_DEADLINE.max), `whole seconds from ${DISPATCH_DEADLINE.min} to ${DISPATCH_DEADLINE.max} (Cloud Tasks waits at most 30 minutes)`)
      .check('timeoutSeconds', timeout, (v) => isIntegerBetween(v, 1, CLOUD_RUN_MAX_TIMEOUT_SECONDS), `whole seconds from 1 to ${CLOUD_RUN_MAX_TIMEOUT_SECONDS}`)
      .check('ingress', props.ingress, (v) => CLOUD_RUN_INGRESS.includes(v), `one of ${CLOUD_RUN_INGRESS.join(', ')}`)
      .check('maxInstanceCount', props.maxInstanceCount, (v) => isIntegerBetween(v, 1, 1000), 'an integer from 1 to 1000');
    if (p.known(timeout) && p.known(this.dispatchDeadlineSeconds)) {
      p.fail('timeoutSeconds', timeout, `>= dispatchDeadlineSeconds (${this.dispatchDeadlineSeconds}): Cloud Run would cut requests Cloud Tasks is still waiting for`, timeout < this.dispatchDeadlineSeconds);
    }
    const taken = Object.keys(props.environment ?? {}).filter(isReservedEnv);
    p.fail('environment', taken, 'free of TASKS_* (the handler\'s auth and routing settings, set only by this construct) and of PORT, K_SERVICE, K_REVISION, K_CONFIGURATION (set by Cloud Run)', taken.length > 0);
    throwIfInvalid(this, p);

    this.project = props.project;
    this.serviceName = props.serviceName;
    this.location = props.location;
    this.audience = props.audience;
    this.runtimeServiceAccount =
      props.runtimeServiceAccount ??
      new ServiceAccount(this, 'Runtime', {
        accountId: deriveAccountId(props.serviceName, 'run'),
        project: props.project,
        description: `Runtime identity of the ${props.serviceName} Cloud Tasks handler`,
      });

    const env: Record<string, string> = {
      ...props.environment,
      TASKS_AUDIENCE: props.audience,
      TASKS_SERVICE_ACCOUNT: props.tokenServiceAccountEmail,
      TASKS_PATH: this.tasksPath,
      TASKS_DISPATCH_DEADLINE_SECONDS: String(this.dispatchDeadlineSeconds),
      ...deadLetterEnv(props.queueRetry, props.deadLetterTopic),
    };
    this.resource = new CloudRunV2Service(this, 'Resource', {
      name: props.serviceName,
      location: props.location,
      project: props.project,
      ingress: props.ingress ?? 'INGRESS_TRAFFIC_INTERNAL_ONLY',
      customAudiences: [props.audience],
      deletionProtection: props.deletionProtection ?? true,
      template: {
        serviceAccount: this.runtimeServiceAccount.email,
        timeout: `${timeout}s`,
        scaling: props.maxInstanceCount === undefined ? undefined : { maxInstanceCount: props.maxInstanceCount },
        containers: [
          {
            image: props.image ?? SAMPLE_IMAGE,
            // Lazy: queues added later with addQueueRetryLimits still reach the handler.
            env: Lazy.anyValue({
              produce: () => {
                const limits = queueRetryLimitsJson(this.queueRetryLimits);
                return Object.entries(limits ? { ...env, TASKS_QUEUE_RETRY_LIMITS: limits } : env).map(([name, value]) => ({ name, value }));
              },
            }),
          },
        ],
      },
    });
    this.uri = this.resource.uri;
    this.host = Fn.trimprefix(this.resource.uri, 'https://');
  }

  /**
   * Tells a handler shared by several queues the retry limits of one of them (`TASKS_QUEUE_RETRY_LIMITS`), so it
   * dead-letters that queue's last attempts by that queue's own rule; they win over `queueRetry` for that queue.
   */
  addQueueRetryLimits(queueId: string, retry: QueueRetryProps = {}): void {
    this.queueRetryLimits.set(queueId, retry);
  }

  /** Lets `principal` call the service: `roles/run.invoker` on this service only. */
  grantInvoke(principal: IPrincipal): CloudRunV2ServiceIamMember {
    return grantOnce(this, ROLES.runInvoker, principal, (id) =>
      new CloudRunV2ServiceIamMember(this, id, {
        project: this.project ?? this.resource.project,
        location: this.location,
        name: this.resource.name,
        role: ROLES.runInvoker,
        member: principal.member,
      }),
    );
  }
}

/**
 * Every `TASKS_*` variable is the handler's (auth mode, audience, JWKS URL, issuers, ...): letting
 * `environment` set one could turn verification off or trust foreign keys. Cloud Run sets the others.
 */
function isReservedEnv(name: string): boolean {
  return /^TASKS_/i.test(name) || ['PORT', 'K_SERVICE', 'K_REVISION', 'K_CONFIGURATION'].includes(name.toUpperCase());
}
