import {
  CloudRunV2Service,
  CloudRunV2ServiceTemplate,
  CloudRunV2ServiceTemplateContainers,
  CloudRunV2ServiceTemplateContainersEnv,
} from '@cdktf/provider-google/lib/cloud-run-v2-service';
import { CloudRunV2ServiceIamMember } from '@cdktf/provider-google/lib/cloud-run-v2-service-iam-member';
import type { SecretManagerSecretIamMember } from '@cdktf/provider-google/lib/secret-manager-secret-iam-member';
import { dependable, Fn, Lazy } from 'cdktf';
import { Construct } from 'constructs';
import { checkCloudRunSettings, checkExistingAccount, checkExistingPath, CloudRunSettings, DISPATCH_DEADLINE, existingAccountId, PLACEHOLDER_IMAGE, Problems, ROLES, RULES, SecretEnvRef, shortHash } from '../limits';
import { cloudRunServiceImportId } from './import-ids';
import { grantOnce, IPrincipal, IServiceAccount } from './principal';
import { deadLetterEnv, queueRetryLimitsJson } from './dead-letter-env';
import type { QueueRetryProps } from './task-queue';
import { deriveAccountId, ServiceAccount } from './service-account';
import { synthProblems, throwIfInvalid } from './validation';
import { definedOnly, numberText } from './values';

export type { SecretEnvRef, VpcAccessSettings } from '../limits';

/**
 * Google's public sample image: lets synth and plan work before the handler image is built. It acknowledges
 * every task without doing anything; `npm run deploy` refuses it (see `PLACEHOLDER_IMAGE` in limits).
 */
export const SAMPLE_IMAGE = PLACEHOLDER_IMAGE;

/**
 * Props of a {@link TaskHandlerService}: the Cloud Run settings the app config shares (see `CloudRunSettings`
 * for each one's range and default), with the service's name and region required, and what only the construct sets.
 */
export interface TaskHandlerServiceProps extends Omit<CloudRunSettings, 'serviceName' | 'location'> {
  /** Cloud Run service name: lowercase letters, digits and hyphens, starting with a letter, at most 49 characters. */
  readonly serviceName: string;
  /** Region, e.g. `us-central1`. */
  readonly location: string;
  /**
   * The `aud` the handler accepts. Added to the service's `custom_audiences` (so Cloud Run accepts it) and
   * passed to the handler as `TASKS_AUDIENCE`, so neither needs the service URL (which would be a cycle).
   */
  readonly audience: string;
  /**
   * An account whose tokens the handler accepts (`TASKS_SERVICE_ACCOUNT`). More can be added with
   * `addTokenAccount`, so several queues can front one service.
   * @default - none: add at least one with `addTokenAccount`
   */
  readonly tokenServiceAccountEmail?: string;
  /** Identity the handler runs as. @default - a dedicated service account is created (never the default compute account) */
  readonly runtimeServiceAccount?: IServiceAccount;
  /** Refuse `terraform destroy` of the service (`deletion_protection`). @default true */
  readonly deletionProtection?: boolean;
  /**
   * The retry limits of the queue that feeds the handler (`TASKS_MAX_ATTEMPTS`, `TASKS_MAX_RETRY_DURATION`, ...),
   * unset ones meaning the service defaults: with them the handler spots a task's last attempt and dead-letters it.
   * @default - none: dead letters off
   */
  readonly queueRetry?: QueueRetryProps;
  /**
   * The id of the queue `queueRetry` belongs to (`TASKS_QUEUE_ID`): the handler dead-letters by those limits only
   * tasks of that queue (a request naming another queue in `X-CloudTasks-QueueName` is never dead-lettered).
   * Required with `queueRetry` unless queues join with `addQueueRetryLimits`.
   * @default - none: `queueRetry` applies to no queue
   */
  readonly queueId?: string;
  /** Pub/Sub topic (`projects/P/topics/T`) for dead letters (`TASKS_DEAD_LETTER_TOPIC`). @default - an ERROR log entry */
  readonly deadLetterTopic?: string;
  /**
   * The full name of a Cloud Run service that exists (deployed by hand), `projects/P/locations/L/services/S`.
   * Its project, location and name must equal `project`, `location` and `serviceName` (each forces replacement):
   * synth refuses a difference.
   * @default - no existing service
   */
  readonly existingService?: string;
  /**
   * Email of the existing service's runtime account. A user-managed one (`ID@PROJECT.iam.gserviceaccount.com`)
   * becomes the handler's runtime account under its own id (adopted with `adoptExisting`); Compute Engine's
   * default account is left alone and a dedicated account is created, the service switching to it in place.
   * Ignored with `runtimeServiceAccount`.
   * @default - a dedicated account "SERVICE-run" is created
   */
  readonly existingRuntimeServiceAccountEmail?: string;
  /**
   * Adopt the existing service (`existingService`, required) and its user-managed runtime account
   * (`existingRuntimeServiceAccountEmail`, required unless `runtimeServiceAccount` is given) with Terraform
   * `import` blocks; `project` is required. The first apply imports, then updates in place (a new revision).
   * @default false
   */
  readonly adoptExisting?: boolean;
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
  /** `roles/secretmanager.secretAccessor` grants, one per secret. */
  readonly secretGrants: SecretManagerSecretIamMember[] = [];
  private readonly project?: string;
  private readonly queueRetryLimits = new Map<string, QueueRetryProps>();
  private readonly queueDeadlines = new Map<string, number>();
  /** Variables that queues in front add after construction, each read when the stack is written. */
  private readonly perQueueEnv: CloudRunV2ServiceTemplateContainersEnv[] = [];
  private readonly template: CloudRunV2ServiceTemplate;
  private readonly tokenAccounts: string[] = [];

  constructor(scope: Construct, id: string, props: TaskHandlerServiceProps) {
    super(scope, id);
    this.tasksPath = props.tasksPath ?? '/tasks';
    this.dispatchDeadlineSeconds = props.dispatchDeadlineSeconds ?? DISPATCH_DEADLINE.default;
    const timeout = props.timeoutSeconds ?? this.dispatchDeadlineSeconds;
    const p = synthProblems()
      .rule('audience', props.audience, RULES.nonEmpty)
      .rule('tokenServiceAccountEmail', props.tokenServiceAccountEmail, RULES.serviceAccountEmail)
      .rule('queueId', props.queueId, RULES.queueId);
    checkCloudRunSettings(p, { ...props, tasksPath: this.tasksPath, dispatchDeadlineSeconds: this.dispatchDeadlineSeconds, timeoutSeconds: timeout });
    checkHandlerAdoption(p, props);
    throwIfInvalid(this, p);

    this.project = props.project;
    this.serviceName = props.serviceName;
    this.location = props.location;
    this.audience = props.audience;
    if (props.tokenServiceAccountEmail !== undefined) this.tokenAccounts.push(props.tokenServiceAccountEmail);
    this.runtimeServiceAccount =
      props.runtimeServiceAccount ??
      new ServiceAccount(this, 'Runtime', {
        // A hand-made account keeps its own id (a different one would replace it).
        accountId: existingAccountId(props.existingRuntimeServiceAccountEmail) ?? deriveAccountId(props.serviceName, 'run'),
        project: props.project,
        description: `Runtime identity of the ${props.serviceName} Cloud Tasks handler`,
        adoptExisting: props.adoptExisting && existingAccountId(props.existingRuntimeServiceAccountEmail) !== undefined,
      });

    const env: CloudRunV2ServiceTemplateContainersEnv[] = [
      ...Object.entries(props.environment ?? {}).map(([name, value]) => ({ name, value })),
      ...Object.entries(props.secrets ?? {}).map(([name, ref]) => ({
        name,
        valueSource: { secretKeyRef: { secret: ref.secret, version: ref.version ?? 'latest' } },
      })),
      { name: 'TASKS_AUDIENCE', value: props.audience },
      // Every queue in front of this service adds its token account; resolved when the stack is written.
      { name: 'TASKS_SERVICE_ACCOUNT', value: Lazy.stringValue({ produce: () => this.tokenAccounts.join(',') }) },
      { name: 'TASKS_PATH', value: this.tasksPath },
      { name: 'TASKS_DISPATCH_DEADLINE_SECONDS', value: String(this.dispatchDeadlineSeconds) },
      // The handler's tuning, only when set (the handler has the same defaults).
      ...(props.bodyTimeoutSeconds === undefined ? [] : [{ name: 'TASKS_BODY_TIMEOUT_SECONDS', value: numberText(props.bodyTimeoutSeconds) }]),
      ...(props.maxConnections === undefined ? [] : [{ name: 'TASKS_MAX_CONNECTIONS', value: numberText(props.maxConnections) }]),
      ...Object.entries(deadLetterEnv(props.queueRetry, props.deadLetterTopic, props.queueId)).map(([name, value]) => ({ name, value })),
    ];
    const limits = definedOnly({ cpu: props.cpu, memory: props.memory }) as Record<string, string> | undefined;
    const scaling = definedOnly({ minInstanceCount: props.minInstanceCount, maxInstanceCount: props.maxInstanceCount });
    const vpc = props.vpcAccess;
    const template: CloudRunV2ServiceTemplate = {
      serviceAccount: this.runtimeServiceAccount.email,
      timeout: `${timeout}s`,
      scaling,
      maxInstanceRequestConcurrency: props.concurrency,
      vpcAccess: vpc && {
        networkInterfaces: [definedOnly({ network: vpc.network, subnetwork: vpc.subnetwork }) ?? {}],
        egress: vpc.egress ?? 'PRIVATE_RANGES_ONLY',
      },
      containers: [
        {
          image: props.image ?? SAMPLE_IMAGE,
          env,
          // Setting resources turns off the implicit request-based CPU: keep it (tasks are requests).
          resources: limits && { limits, cpuIdle: true },
        },
      ],
    };
    this.template = template;
    this.resource = new CloudRunV2Service(this, 'Resource', {
      name: props.serviceName,
      location: props.location,
      project: props.project,
      ingress: props.ingress ?? 'INGRESS_TRAFFIC_INTERNAL_ONLY',
      customAudiences: [props.audience],
      deletionProtection: props.deletionProtection ?? true,
      labels: props.labels && Object.keys(props.labels).length > 0 ? props.labels : undefined,
      template,
    });
    if (props.adoptExisting) {
      this.resource.importFrom(cloudRunServiceImportId(props.project!, props.location, props.serviceName));
    }
    for (const ref of uniqueSecrets(props.secrets)) this.grantSecretAccess(ref);
    this.node.addValidation({
      validate: () => (this.tokenAccounts.length > 0 ? [] : [`'${this.node.path}' accepts no token account: give tokenServiceAccountEmail or call addTokenAccount`]),
    });
    // The handler refuses limits that belong to no queue (it would dead-letter whatever queue a request names).
    this.node.addValidation({
      validate: () =>
        props.queueRetry === undefined || props.queueId !== undefined || this.queueRetryLimits.size > 0
          ? []
          : [`'${this.node.path}' has queueRetry but no queueId: give the id of the queue the limits belong to, or add queues with addQueueRetryLimits`],
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
    this.addPerQueueEnv('TASKS_QUEUE_RETRY_LIMITS', () => queueRetryLimitsJson(this.queueRetryLimits));
  }

  /**
   * Tells a handler shared by several queues the dispatch deadline of one of them (`TASKS_QUEUE_DEADLINES`), so
   * it budgets that queue's tasks by that queue's deadline (a fast lane never gets the slow lane's budget).
   * Must not exceed the service's `dispatchDeadlineSeconds`.
   */
  addQueueDeadline(queueId: string, dispatchDeadlineSeconds: number): void {
    const p = synthProblems();
    p.fail(`dispatchDeadlineSeconds of queue ${queueId}`, dispatchDeadlineSeconds, `at most the service's dispatchDeadlineSeconds (${this.dispatchDeadlineSeconds})`, p.known(dispatchDeadlineSeconds) && p.known(this.dispatchDeadlineSeconds) && dispatchDeadlineSeconds > this.dispatchDeadlineSeconds);
    throwIfInvalid(this, p);
    this.queueDeadlines.set(queueId, dispatchDeadlineSeconds);
    this.addPerQueueEnv('TASKS_QUEUE_DEADLINES', () => JSON.stringify(Object.fromEntries(this.queueDeadlines)));
  }

  /**
   * The constructor's template plus the per-queue variables (each once, in the order first added). Their values
   * are read when the stack is written, so every queue joins them. Only the values are lazy: the env list stays
   * typed, so JSON and HCL synth both map it.
   */
  private addPerQueueEnv(name: string, produce: () => string): void {
    if (this.perQueueEnv.some((e) => e.name === name)) return;
    this.perQueueEnv.push({ name, value: Lazy.stringValue({ produce }) });
    const [container] = this.template.containers as CloudRunV2ServiceTemplateContainers[];
    this.resource.putTemplate({ ...this.template, containers: [{ ...container, env: [...(container.env as CloudRunV2ServiceTemplateContainersEnv[]), ...this.perQueueEnv] }] });
  }

  /** Token accounts the handler accepts (`TASKS_SERVICE_ACCOUNT`, comma-separated). */
  get tokenServiceAccountEmails(): readonly string[] {
    return this.tokenAccounts;
  }

  /**
   * Lets a queue whose tokens name `account` deliver here: the handler accepts its tokens
   * (`TASKS_SERVICE_ACCOUNT`) and the account gets `roles/run.invoker` on this service.
   */
  addTokenAccount(account: IServiceAccount): CloudRunV2ServiceIamMember {
    if (!this.tokenAccounts.includes(account.email)) this.tokenAccounts.push(account.email);
    return this.grantInvoke(account);
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

  /**
   * `roles/secretmanager.secretAccessor` for the runtime account on that one secret. The service waits
   * for it: a revision that cannot read its secrets fails to start.
   */
  private grantSecretAccess(secret: string): void {
    const full = /^projects\/([^/]+)\/secrets\/([^/]+)$/.exec(secret);
    // Loaded only when a secret is used: most handlers have none.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { SecretManagerSecretIamMember } = require('@cdktf/provider-google/lib/secret-manager-secret-iam-member') as typeof import('@cdktf/provider-google/lib/secret-manager-secret-iam-member');
    const grant = new SecretManagerSecretIamMember(this, `secretAccessor-${shortHash(secret)}`, {
      project: full ? full[1] : this.project,
      secretId: full ? full[2] : secret,
      role: ROLES.secretAccessor,
      member: this.runtimeServiceAccount.member,
    });
    this.secretGrants.push(grant);
    this.resource.dependsOn = [...(this.resource.dependsOn ?? []), dependable(grant)];
  }
}

/** An adopted service: its existing name and runtime account given and matching, and a project for the import ids. */
function checkHandlerAdoption(p: Problems, props: TaskHandlerServiceProps): void {
  const adopt = props.adoptExisting === true;
  p.fail('project', undefined, 'set when adoptExisting is true (the import ids name the project)', adopt && props.project === undefined);
  checkExistingPath(p, 'service', { adopt, existing: props.existingService, declared: { project: props.project, location: props.location, name: props.serviceName } });
  if (props.runtimeServiceAccount === undefined) {
    checkExistingAccount(p, 'existingRuntimeServiceAccountEmail', { adopt, existing: props.existingRuntimeServiceAccountEmail, project: props.project, role: 'runtime' });
  }
}

function uniqueSecrets(secrets: Record<string, SecretEnvRef> | undefined): string[] {
  return [...new Set(Object.values(secrets ?? {}).map((ref) => ref.secret))];
}
