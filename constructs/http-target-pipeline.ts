import { Token } from 'cdktf';
import { Construct } from 'constructs';
import { checkQueueDeadline, deriveServiceName, DISPATCH_DEADLINE, existingAccountId, HttpMethod, RETRY_DEFAULTS } from '../limits';
import type { DeadLetterTopic } from './dead-letter-topic';
import { checkPipelineAdoption, importPipelineGrants, PipelineGrants } from './pipeline-adoption';
import { IServiceAccount } from './principal';
import { deriveAccountId, ServiceAccount } from './service-account';
import { ProjectFoundation } from './project-foundation';
import { QueueAlerts, QueueAlertThresholds } from './queue-alerts';
import { TaskHandlerService, TaskHandlerServiceProps } from './task-handler-service';
import { QueueRateLimitsProps, QueueRetryProps, TaskQueue } from './task-queue';
import { synthProblems, throwIfInvalid } from './validation';
import { definedOnly } from './values';

/** The pipeline's own handler service: every `TaskHandlerService` setting except what the pipeline wires. */
export interface PipelineHandlerProps
  extends Omit<
    TaskHandlerServiceProps,
    'serviceName' | 'location' | 'project' | 'audience' | 'tokenServiceAccountEmail' | 'tasksPath' | 'dispatchDeadlineSeconds' | 'deletionProtection' | 'queueRetry' | 'deadLetterTopic' | 'adoptExisting'
  > {
  /** Cloud Run service name. @default - "QUEUE_ID-handler" lowercased, shortened with a stable hash when it would not fit */
  readonly serviceName?: string;
  /** Path the queue targets. @default "/tasks" */
  readonly path?: string;
}

/** What happens to a task whose last attempt fails (see handler/src/dead-letter.ts). */
export interface PipelineDeadLetterProps {
  /**
   * "log": an ERROR log entry carrying the task (zero setup). "pubsub": a topic and a subscription that keeps
   * dead letters for `retentionDays`, publisher role for the handler's runtime account on that topic only
   * (not with `sharedHandler`: a shared service has one sink for all its queues).
   * @default "log"
   */
  readonly sink?: 'log' | 'pubsub';
  /** Topic and subscription id ("pubsub" only). @default - "QUEUE_ID-dead-letters" */
  readonly topicName?: string;
  /** Days the subscription keeps unreplayed dead letters, 1-31 ("pubsub" only). @default 7 */
  readonly retentionDays?: number;
}

/** The queue's alerts (see QueueAlerts for each threshold's default). */
export interface PipelineAlertProps extends QueueAlertThresholds {
  /** Notification channel ids, `projects/P/notificationChannels/N`. @default - none: incidents show in the console */
  readonly notificationChannels?: string[];
}

/** Props of an {@link HttpTargetPipeline}. */
export interface HttpTargetPipelineProps {
  /** Queue id: letters, digits and hyphens, 1-100 characters. */
  readonly queueId: string;
  /** Region of the queue and the handler, e.g. `us-central1`. */
  readonly location: string;
  /** Project id. @default - the provider's project */
  readonly project?: string;
  /** The handler service. @default - a sample handler with the defaults below */
  readonly handler?: PipelineHandlerProps;
  /**
   * A handler service several queues share, instead of one of its own. The queue uses its audience and
   * path; the handler accepts this queue's token account and grants it `roles/run.invoker`. The queue's
   * dispatch deadline must not exceed the handler's. Exclusive with `handler`.
   * @default - the pipeline creates its own handler
   */
  readonly sharedHandler?: TaskHandlerService;
  /**
   * Labels on every resource that takes them: the handler service, the dead-letter topic and subscription, the
   * alert policies (`user_labels`). Cloud Tasks queues and service accounts take none. @default - none
   */
  readonly labels?: Record<string, string>;
  /**
   * The project's foundation (APIs, the wait after enabling them, the service agent's grant). Pass the one
   * from a `ProjectFoundationStack` so destroying this pipeline's stack never touches it; every resource of
   * the pipeline depends on its wait.
   * @default - `ProjectFoundation.of(this, project)`: one in this pipeline's stack (protected from destroy)
   */
  readonly foundation?: ProjectFoundation;
  /**
   * The guide's enqueuer account, with its three roles: Cloud Tasks Enqueuer on the queue, Service Account User
   * on the token account, Cloud Run Invoker on the handler. Unless `dedicatedDispatchIdentity` is set, it is the
   * token account every dispatch's OIDC token names, the one identity the handler trusts: producers then run
   * as their own identity (`queue.grantEnqueue`), never as it. With `dedicatedDispatchIdentity` it holds only
   * Cloud Tasks Enqueuer and producers may run as it.
   * @default - a dedicated service account "QUEUE_ID-enq" is created (shortened with a stable hash when needed)
   */
  readonly enqueuer?: IServiceAccount;
  /**
   * Sign dispatches with an account used for nothing else ("QUEUE_ID-dsp": the queue's `oidc_token`, holding
   * only Cloud Run Invoker on the handler). The enqueuer then gets only Cloud Tasks Enqueuer on the queue:
   * no producer can run as the identity the handler trusts. Producers that set task-level tokens for it need
   * `queue.grantEnqueueWithTaskToken`. Costs one more account, and the deployer needs `actAs` on it.
   * @default false (the guide's layout: the enqueuer signs dispatches)
   */
  readonly dedicatedDispatchIdentity?: boolean;
  /**
   * The token audience, accepted by the service as a Cloud Run custom audience.
   * @default - "https://SERVICE.LOCATION.cloudtasks.audience"
   */
  readonly audience?: string;
  /**
   * The dispatch deadline every producer path of this queue applies, 15-1800 seconds: the project's CreateTask
   * producers send it (a queue has no deadline of its own), and the handler budgets each of this queue's tasks by
   * it. BufferTask tasks always get 600 s, so a longer deadline needs `bufferTask: false`.
   * @default 600
   */
  readonly dispatchDeadlineSeconds?: number;
  /**
   * BufferTask is a producer path of this queue. `false` declares the queue CreateTask-only, which a deadline
   * above 600 s requires (BufferTask cannot carry a deadline: its tasks get 600 s). Nothing in the queue itself
   * changes (BufferTask stays technically possible for anyone holding Cloud Tasks Enqueuer); the producer
   * library and CLI refuse BufferTask for it, and the app emits no `buffer_task_url` output for it.
   * @default true
   */
  readonly bufferTask?: boolean;
  /** @default "POST" */
  readonly httpMethod?: HttpMethod;
  /** Headers set on every dispatch. @default - none */
  readonly headers?: Record<string, string>;
  /** @default - the service defaults */
  readonly rateLimits?: QueueRateLimitsProps;
  /** @default - the service defaults */
  readonly retry?: QueueRetryProps;
  /** Share of task operations logged, 0.0-1.0. @default 1.0 (every operation: cheap at task volumes and vital when debugging) */
  readonly loggingSamplingRatio?: number;
  /**
   * Protect the queue (`prevent_destroy`), the service (`deletion_protection`) and the dead-letter topic and
   * subscription (`prevent_destroy`) from destroy.
   * @default true
   */
  readonly protectFromDestroy?: boolean;
  /** Dead letters: the handler stores a task whose last attempt fails, then acknowledges it. @default - the log sink */
  readonly deadLetters?: PipelineDeadLetterProps;
  /** Backlog, failing-attempt and dead-letter alerts for the queue; `false` for none. @default - on, with the QueueAlerts defaults */
  readonly alerts?: PipelineAlertProps | false;
  /**
   * The full name of the queue, when it exists (made by hand): `projects/P/locations/L/queues/Q`. Its parts
   * must equal `project`, `location` and `queueId` (each forces replacement): synth refuses a difference.
   * @default - no existing queue
   */
  readonly existingQueue?: string;
  /**
   * Email of an existing enqueuer account (`ID@PROJECT.iam.gserviceaccount.com`, made by hand): the pipeline's
   * enqueuer keeps that id instead of "QUEUE_ID-enq" (a different id would replace it). Ignored with `enqueuer`.
   * @default - no existing account: "QUEUE_ID-enq" is created
   */
  readonly existingEnqueuerEmail?: string;
  /**
   * The pipeline was built by hand: adopt the queue (`existingQueue`), the enqueuer (`existingEnqueuerEmail`,
   * unless `enqueuer` is given) and the own handler's service and runtime account (`handler.existingService`,
   * `handler.existingRuntimeServiceAccountEmail`) with Terraform `import` blocks; each name is required and
   * `project` too. The first apply imports them, then updates them in place. A `sharedHandler` is adopted
   * where it is created. Harmless once imported (Terraform skips an import whose address is in state).
   * @default false
   */
  readonly adoptExisting?: boolean;
  /**
   * With `adoptExisting`: the guide's grants were made on the queue, the enqueuer and the own handler
   * themselves (`gcloud ... add-iam-policy-binding` on each), so import them too. Leave false for grants made
   * on the project: importing a member that is not on the resource fails; created instead, the grants are
   * added beside what is there.
   * @default false
   */
  readonly adoptExistingGrants?: boolean;
}

/**
 * The whole HTTP-target pipeline: a queue whose dispatches go to a Cloud Run handler with an OIDC token,
 * an enqueuer identity with exactly the roles it needs, on top of the project's foundation.
 */
export class HttpTargetPipeline extends Construct {
  /** The queue, routed to the handler with an OIDC token for the dispatcher. */
  readonly queue: TaskQueue;
  /** The Cloud Run service that receives the tasks (its own, or the shared one). */
  readonly handler: TaskHandlerService;
  /** The enqueuer account: the token account too, unless `dedicatedDispatchIdentity` (see the `enqueuer` prop). */
  readonly enqueuer: IServiceAccount;
  /** The account in every dispatch's OIDC token: the enqueuer, or the dedicated dispatch identity. */
  readonly dispatcher: IServiceAccount;
  /** The project's foundation (APIs, the post-enable wait, the service agent's role) this pipeline builds on. */
  readonly foundation: ProjectFoundation;
  /** @deprecated Use `foundation`. */
  readonly serviceAgent: ProjectFoundation;
  /** The OIDC audience of the queue and the handler. */
  readonly audience: string;
  /** The dead-letter topic and subscription, with `deadLetters.sink` "pubsub". */
  readonly deadLetterTopic?: DeadLetterTopic;
  /** The deadline every producer path of this queue applies, in seconds (`dispatchDeadlineSeconds`). */
  readonly dispatchDeadlineSeconds: number;
  /** False when the queue is CreateTask-only (`bufferTask`). */
  readonly bufferTask: boolean;
  /** The queue's alert policies, unless `alerts` is false. */
  readonly alerts?: QueueAlerts;

  /**
   * APIs a pipeline with these props enables in its project's foundation, besides `REQUIRED_APIS`: Pub/Sub for
   * the "pubsub" dead-letter sink; Monitoring (alert policies) and Logging (the dead-letter log metric) unless
   * `alerts` is false. The app also asks this for environments it does not synthesize, so their project's
   * foundation keeps what they need.
   */
  static requiredApis(props: Pick<HttpTargetPipelineProps, 'deadLetters' | 'alerts'>): string[] {
    return [...(props.deadLetters?.sink === 'pubsub' ? ['pubsub.googleapis.com'] : []), ...(props.alerts === false ? [] : ['monitoring.googleapis.com', 'logging.googleapis.com'])];
  }

  constructor(scope: Construct, id: string, props: HttpTargetPipelineProps) {
    super(scope, id);
    const h = props.handler ?? {};
    const shared = props.sharedHandler;
    const serviceName = shared?.serviceName ?? h.serviceName ?? deriveServiceName(props.queueId);
    const protect = props.protectFromDestroy ?? true;
    this.audience = props.audience ?? shared?.audience ?? `https://${serviceName}.${props.location}.cloudtasks.audience`;
    this.dispatchDeadlineSeconds = props.dispatchDeadlineSeconds ?? DISPATCH_DEADLINE.default;
    this.bufferTask = props.bufferTask ?? true;
    const deadlines = synthProblems();
    checkQueueDeadline(deadlines, { dispatchDeadlineSeconds: this.dispatchDeadlineSeconds, bufferTask: this.bufferTask });
    throwIfInvalid(this, deadlines);
    if (shared) checkSharedHandler(this, props, shared);
    checkPipelineAdoption(this, props);

    const foundationProject = props.foundation?.projectId;
    if (foundationProject !== undefined && props.project !== undefined && !Token.isUnresolved(foundationProject) && !Token.isUnresolved(props.project) && foundationProject !== props.project) {
      throw new Error(`'foundation' of '${this.node.path}' is for project ${foundationProject}, but the pipeline's 'project' is ${props.project}: use that project's foundation`);
    }
    this.foundation = props.foundation ?? ProjectFoundation.of(this, props.project);
    this.serviceAgent = this.foundation;
    this.enqueuer =
      props.enqueuer ??
      new ServiceAccount(this, 'Enqueuer', {
        accountId: existingAccountId(props.existingEnqueuerEmail) ?? deriveAccountId(props.queueId, 'enq'),
        project: props.project,
        adoptExisting: props.adoptExisting,
        description: props.dedicatedDispatchIdentity
          ? `Enqueues tasks on Cloud Tasks queue ${props.queueId}`
          : `Enqueues tasks on Cloud Tasks queue ${props.queueId}; signs its dispatch tokens`,
      });
    this.dispatcher = props.dedicatedDispatchIdentity
      ? new ServiceAccount(this, 'Dispatcher', {
          accountId: deriveAccountId(props.queueId, 'dsp'),
          project: props.project,
          description: `Signs the dispatch tokens of Cloud Tasks queue ${props.queueId}; nothing else runs as it`,
        })
      : this.enqueuer;

    // The two limits that decide a task's last attempt are written out, so the queue and the handler's rule agree.
    const retry = { maxAttempts: RETRY_DEFAULTS.maxAttempts, maxRetryDuration: `${RETRY_DEFAULTS.maxRetryDuration}s`, ...definedOnly(props.retry) };
    const dl = props.deadLetters ?? {};
    if (dl.sink === 'pubsub') {
      // Loaded only here: the Pub/Sub provider classes are ~0.7 MB of JS that a log-sink synth never needs.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { DeadLetterTopic } = require('./dead-letter-topic') as typeof import('./dead-letter-topic');
      this.deadLetterTopic = new DeadLetterTopic(this, 'DeadLetters', {
        topicName: dl.topicName ?? `${props.queueId}-dead-letters`,
        project: props.project,
        retentionDays: dl.retentionDays,
        preventDestroy: protect,
        labels: props.labels,
      });
    }
    for (const api of HttpTargetPipeline.requiredApis(props)) this.foundation.enableApi(api);

    const { path, serviceName: _name, labels: handlerLabels, ...service } = h;
    const labels = { ...props.labels, ...handlerLabels };
    this.handler =
      shared ??
      new TaskHandlerService(this, 'Handler', {
        ...service,
        serviceName,
        location: props.location,
        project: props.project,
        audience: this.audience,
        tokenServiceAccountEmail: this.dispatcher.email,
        tasksPath: path,
        dispatchDeadlineSeconds: props.dispatchDeadlineSeconds,
        labels, // the service leaves out empty labels
        deletionProtection: protect,
        queueRetry: retry,
        queueId: props.queueId,
        deadLetterTopic: this.deadLetterTopic?.topicPath,
        adoptExisting: props.adoptExisting,
      });
    // A shared handler learns each queue's own limits, to spot that queue's last attempts, and its deadline,
    // to budget that queue's tasks by it.
    shared?.addQueueRetryLimits(props.queueId, retry);
    shared?.addQueueDeadline(props.queueId, this.dispatchDeadlineSeconds);

    this.queue = new TaskQueue(this, 'Queue', {
      queueId: props.queueId,
      location: props.location,
      project: props.project,
      httpTarget: {
        httpMethod: props.httpMethod,
        uriOverride: { scheme: 'HTTPS', host: this.handler.host, path: this.handler.tasksPath },
        headers: props.headers,
        oidcToken: { serviceAccount: this.dispatcher, audience: this.audience },
      },
      rateLimits: props.rateLimits,
      retry,
      loggingSamplingRatio: props.loggingSamplingRatio ?? 1,
      preventDestroy: protect,
      existingQueue: props.existingQueue,
      adoptExisting: props.adoptExisting,
    });

    // Every resource here (grants added later included) waits for the foundation: the APIs, the wait after
    // enabling them, and the service agent's grant. A shared handler lives outside this
    // scope, so it is made to wait too (once, however many queues front it).
    this.foundation.requiredBy(this);
    if (shared) this.foundation.requiredBy(shared);

    // The guide's enqueuer: Cloud Tasks Enqueuer on the queue, Service Account User on itself (the token
    // account), Cloud Run Invoker on the handler (its token is what the handler receives).
    const grants: PipelineGrants = this.dispatcher === this.enqueuer ? this.queue.grantEnqueueWithTaskToken(this.enqueuer) : this.queue.grantEnqueue(this.enqueuer);
    // The handler accepts the dispatcher's tokens (a shared one lists every queue's) and lets it invoke.
    if (shared) shared.addTokenAccount(this.dispatcher);
    else {
      const invoker = this.handler.grantInvoke(this.dispatcher);
      // Only the guide's enqueuer can hold it already: a dedicated dispatch identity is new.
      if (this.dispatcher === this.enqueuer) grants.invoker = invoker;
    }
    if (props.adoptExistingGrants) importPipelineGrants(props, this.enqueuer, grants);
    // The handler publishes dead letters: Pub/Sub Publisher on that one topic.
    this.deadLetterTopic?.grantPublish(this.handler.runtimeServiceAccount);

    if (props.alerts !== false) {
      this.alerts = new QueueAlerts(this, 'Alerts', {
        ...props.alerts,
        queueId: props.queueId,
        location: props.location,
        project: props.project,
        handlerServiceName: serviceName,
        labels: props.labels,
      });
    }
  }
}

function checkSharedHandler(scope: Construct, props: HttpTargetPipelineProps, shared: TaskHandlerService): void {
  const p = synthProblems();
  p.fail('handler', props.handler, 'unset when sharedHandler is given (configure the shared service where it is created)', props.handler !== undefined);
  p.fail('deadLetters.sink', props.deadLetters?.sink, '"log" or unset when sharedHandler is given (a shared service has one dead-letter sink for all its queues)', props.deadLetters?.sink === 'pubsub');
  p.fail('audience', props.audience, `the shared handler's audience (${shared.audience}) or unset`, p.known(props.audience) && props.audience !== shared.audience);
  const deadline = props.dispatchDeadlineSeconds ?? DISPATCH_DEADLINE.default;
  p.fail('dispatchDeadlineSeconds', deadline, `at most the shared handler's dispatch deadline (${shared.dispatchDeadlineSeconds} s): it would cut the task off earlier`, p.known(deadline) && p.known(shared.dispatchDeadlineSeconds) && deadline > shared.dispatchDeadlineSeconds);
  throwIfInvalid(scope, p);
}
