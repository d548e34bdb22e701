import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { GoogleProvider } from '@cdktf/provider-google/lib/provider';
import { App, GcsBackend, LocalBackend, TerraformOutput, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { AppConfig, EnvironmentSettings, foundationStackName, HandlerSettings, loadConfig, notificationChannels, QueueSettings } from './config';
// The construct files, not the library's index: the index loads every construct's provider classes (Pub/Sub
// among them), and the synth hot path loads only what the app may use.
import { HttpTargetPipeline, PipelineHandlerProps } from './constructs/http-target-pipeline';
import { MovedResources } from './constructs/moved-resources';
import { PipelineDashboard } from './constructs/pipeline-dashboard';
import { ProjectFoundation } from './constructs/project-foundation';
import { ProjectFoundationStack, releaseProjectFoundation, requireTerraform } from './constructs/project-foundation-stack';
import { TaskHandlerService } from './constructs/task-handler-service';
import { CloudRunIngress, VpcEgress } from './limits';

/**
 * One environment: the provider, optional remote state, its handlers, one pipeline per queue and their
 * outputs. With `foundation` (from another stack) the environment owns nothing project-wide, and releases
 * what older versions had it own.
 */
export class PipelineStack extends TerraformStack {
  /** Pipelines by queue name. */
  readonly pipelines: Record<string, HttpTargetPipeline> = {};
  /** Shared handler services by name. */
  readonly handlers: Record<string, TaskHandlerService> = {};

  constructor(scope: Construct, name: string, s: EnvironmentSettings, backend?: AppConfig['backend'], foundation?: () => ProjectFoundation) {
    super(scope, name);
    requireTerraform(this);
    new GoogleProvider(this, 'google', { project: s.project, region: s.region });
    stateBackend(this, name, backend);
    if (foundation) releaseProjectFoundation(this, s.project);

    for (const [handlerName, h] of Object.entries(s.handlers)) {
      this.handlers[handlerName] = new TaskHandlerService(this, `Handler-${handlerName}`, {
        ...serviceProps(h),
        serviceName: h.serviceName,
        location: s.region,
        project: s.project,
        audience: `https://${h.serviceName}.${s.region}.cloudtasks.audience`,
        tasksPath: h.path,
        dispatchDeadlineSeconds: h.dispatchDeadlineSeconds,
        deletionProtection: s.protectFromDestroy,
        adoptExisting: h.adoptExisting,
      });
    }

    for (const [queueName, q] of Object.entries(s.queues)) {
      const pipeline = new HttpTargetPipeline(this, pipelineId(s, queueName, q), { ...pipelineProps(s, q, this.handlers), foundation: foundation?.() });
      this.pipelines[queueName] = pipeline;
      outputs(this, pipeline, s.singleQueue ? '' : `_${queueName}`);
    }
    for (const [queueName, formerIds] of Object.entries(formerPipelineIds(s))) {
      new MovedResources(this, `Moved-${queueName}`, this.pipelines[queueName], formerIds);
    }

    // One dashboard per environment: depth, attempt outcomes and delays of every queue with alerts on.
    const watched = Object.values(s.queues).filter((q) => q.alerts !== false);
    if (watched.length > 0) {
      const dashboard = new PipelineDashboard(this, 'Dashboard', {
        displayName: `Cloud Tasks pipeline: ${name}`,
        project: s.project,
        labels: s.labels,
        queues: watched.map((q) => ({ queueId: q.queueId, location: s.region, deadLetters: true })),
      });
      // Dashboards need Monitoring: it joins the foundation, and the dashboard waits for it like the rest.
      const first = this.pipeline.foundation;
      first.enableApi(DASHBOARD_API);
      first.requiredBy(dashboard);
    }
  }

  /** The first (in the single-queue form, the only) pipeline. */
  get pipeline(): HttpTargetPipeline {
    return Object.values(this.pipelines)[0];
  }
}

/**
 * Construct ids a queue's pipeline may have had under an earlier config of this environment, oldest first, for
 * the moves the app can know without seeing that config (the Terraform address of every resource derives from
 * the construct id; a queue's GCP identity is its project, region and queue id):
 * - `Pipeline`: the only queue of a one-entry `queues` map may be the shorthand's queue (or the queue that kept
 *   the shorthand's addresses), which lived at `Pipeline`;
 * - `Pipeline-QUEUE_ID`: a queue whose key differs from its `queueId` may have been keyed by its queue id
 *   (the default key), before a rename kept the id with `queueId`.
 * A move whose `from` is not in state does nothing, so the blocks are harmless when the guess is wrong; when the
 * guess names another queue, the plan shows that queue's replacement (refused under `prevent_destroy`), which
 * is what it shows without the blocks. Single-queue stacks and queues that keep the single-queue addresses get none.
 */
export function formerPipelineIds(s: EnvironmentSettings): Record<string, string[]> {
  if (s.singleQueue) return {};
  const current = new Set(Object.entries(s.queues).map(([name, q]) => pipelineId(s, name, q)));
  const entries = Object.entries(s.queues);
  const moves: Record<string, string[]> = {};
  for (const [name, q] of entries) {
    if (q.keepSingleQueueAddresses) continue;
    const former = [];
    if (entries.length === 1) former.push('Pipeline');
    // The id as written (a namePrefix is not part of any key).
    const written = s.namePrefix && q.queueId.startsWith(s.namePrefix) ? q.queueId.slice(s.namePrefix.length) : q.queueId;
    const byQueueId = `Pipeline-${written}`;
    if (written !== name && !current.has(byQueueId)) former.push(byQueueId);
    if (former.length > 0) moves[name] = former;
  }
  return moves;
}

/** The construct id of a queue's pipeline: every Terraform address of the queue's resources derives from it. */
function pipelineId(s: EnvironmentSettings, queueName: string, q: QueueSettings): string {
  // The single-queue form keeps the construct id (and so every Terraform address) it always had; so does
  // the queue that opts in with keepSingleQueueAddresses after moving into `queues`.
  return s.singleQueue || q.keepSingleQueueAddresses ? 'Pipeline' : `Pipeline-${queueName}`;
}

function pipelineProps(s: EnvironmentSettings, q: QueueSettings, shared: Record<string, TaskHandlerService>) {
  const h = q.handler;
  return {
    queueId: q.queueId,
    location: s.region,
    project: s.project,
    handler: h && ({ ...serviceProps(h), serviceName: h.serviceName, path: h.path } satisfies PipelineHandlerProps),
    sharedHandler: q.sharedHandler === undefined ? undefined : shared[q.sharedHandler],
    dispatchDeadlineSeconds: q.dispatchDeadlineSeconds,
    // Only `false` is written: an unchanged config keeps its props (and its synthesized JSON).
    bufferTask: q.bufferTask === false ? false : undefined,
    rateLimits: { maxDispatchesPerSecond: q.maxDispatchesPerSecond, maxConcurrentDispatches: q.maxConcurrentDispatches },
    retry: {
      maxAttempts: q.maxAttempts,
      maxRetryDuration: q.maxRetryDuration,
      minBackoff: q.minBackoff,
      maxBackoff: q.maxBackoff,
      maxDoublings: q.maxDoublings,
    },
    loggingSamplingRatio: q.loggingSamplingRatio,
    protectFromDestroy: s.protectFromDestroy,
    labels: q.labels,
    dedicatedDispatchIdentity: q.dedicatedDispatchIdentity,
    deadLetters: { sink: q.deadLetterSink as 'log' | 'pubsub' | undefined, retentionDays: q.deadLetterRetentionDays },
    existingQueue: q.existingQueue,
    existingEnqueuerEmail: q.existingEnqueuerEmail,
    adoptExisting: q.adoptExisting,
    adoptExistingGrants: q.adoptExistingGrants,
    alerts:
      q.alerts === false
        ? (false as const)
        : {
            notificationChannels: notificationChannels(q),
            backlogTasks: q.alertBacklogTasks,
            backlogSeconds: q.alertBacklogSeconds,
            failingAttemptRatio: q.alertFailingAttemptRatio,
            failingAttemptSeconds: q.alertFailingAttemptSeconds,
          },
  };
}

/** The API the environment's dashboard needs. */
const DASHBOARD_API = 'monitoring.googleapis.com';

/** APIs an environment's stack enables in its project's foundation besides the required ones (its pipelines' and the dashboard's). */
export function environmentApis(s: EnvironmentSettings): string[] {
  const queues = Object.values(s.queues);
  const apis = queues.flatMap((q) => HttpTargetPipeline.requiredApis(pipelineProps(s, q, {})));
  // The dashboard (PipelineStack) charts the queues with alerts on, and needs Monitoring.
  if (queues.some((q) => q.alerts !== false)) apis.push(DASHBOARD_API);
  return [...new Set(apis)];
}

/** Handler settings as `TaskHandlerService` props (the config's short names → the construct's). */
function serviceProps(h: HandlerSettings) {
  const vpc = h.network ?? h.subnetwork ?? h.egress;
  return {
    image: h.image,
    ingress: h.ingress as CloudRunIngress | undefined,
    timeoutSeconds: h.timeoutSeconds,
    cpu: h.cpu,
    memory: h.memory,
    minInstanceCount: h.minInstances,
    maxInstanceCount: h.maxInstances,
    concurrency: h.concurrency,
    bodyTimeoutSeconds: h.bodyTimeoutSeconds,
    maxConnections: h.maxConnections,
    environment: h.env,
    secrets: h.secrets,
    vpcAccess: vpc === undefined ? undefined : { network: h.network, subnetwork: h.subnetwork, egress: h.egress as VpcEgress | undefined },
    labels: h.labels,
    existingService: h.existingService,
    existingRuntimeServiceAccountEmail: h.existingRuntimeEmail,
  };
}

function outputs(stack: TerraformStack, pipeline: HttpTargetPipeline, suffix: string): void {
  const { queue, handler, enqueuer } = pipeline;
  new TerraformOutput(stack, `queue_name${suffix}`, { value: queue.queueName, description: 'Cloud Tasks queue id' });
  new TerraformOutput(stack, `queue_path${suffix}`, { value: queue.queuePath, description: 'projects/P/locations/L/queues/Q' });
  // A CreateTask-only queue (bufferTask: false) has no BufferTask URL to offer: it would give tasks 600 s.
  if (pipeline.bufferTask) new TerraformOutput(stack, `buffer_task_url${suffix}`, { value: queue.bufferTaskUrl, description: 'POST a body here (bearer token) to enqueue it' });
  new TerraformOutput(stack, `handler_url${suffix}`, { value: handler.uri, description: 'Cloud Run handler URL' });
  new TerraformOutput(stack, `enqueuer_service_account${suffix}`, { value: enqueuer.email, description: enqueuerDescription(pipeline) });
  const dead = pipeline.deadLetterTopic;
  if (dead) new TerraformOutput(stack, `dead_letter_subscription${suffix}`, { value: dead.subscriptionPath, description: 'Pull dead letters here (npm run dead-letters)' });
}

/**
 * What the enqueuer output is, in the words of docs/library.md "Identities": producers run as their own identity
 * (Cloud Tasks Enqueuer on the queue); the enqueuer is a producer identity only when it is not the token account.
 */
export function enqueuerDescription(pipeline: HttpTargetPipeline): string {
  return pipeline.dispatcher === pipeline.enqueuer
    ? 'Token account: every dispatch OIDC token names it and the handler trusts it. Do not run producers as it: grant their own identity Cloud Tasks Enqueuer on the queue'
    : 'Enqueuer: Cloud Tasks Enqueuer on the queue only (dispatch tokens name the dedicated dispatch account), safe for producers to run as';
}

/**
 * The stack's state: GCS with `stateBucket` (prefix `PREFIX/STACK`), else a local file `terraform.STACK.tfstate`
 * in the folder the app runs in, named by a path relative to the stack's working folder
 * (`cdktf.out/stacks/STACK`, where cdktf runs Terraform): the same file cdktf's default names by its absolute
 * path, without the machine's folder in the synthesized JSON.
 */
function stateBackend(stack: TerraformStack, name: string, backend: AppConfig['backend']): void {
  if (backend) {
    new GcsBackend(stack, { bucket: backend.bucket, prefix: `${backend.prefix}/${name}` });
    return;
  }
  const stackDir = resolve(App.of(stack).outdir, 'stacks', name);
  new LocalBackend(stack, { path: join(relative(stackDir, process.cwd()), `terraform.${name}.tfstate`) });
}

/**
 * Builds one stack per configured environment, and one foundation stack per distinct project that the
 * environments in it share (created after its first environment, so environments come first in the manifest).
 */
export function buildApp(config: AppConfig, outdir?: string): App {
  const app = new App({ outdir });
  const foundations = new Map<string, ProjectFoundationStack>();
  const foundationOf = (s: EnvironmentSettings) => () => {
    let stack = foundations.get(s.project);
    if (!stack) {
      const name = foundationStackName(s.project);
      stack = new ProjectFoundationStack(app, name, {
        project: s.project,
        waitSeconds: s.foundationWaitSeconds,
        protectFromDestroy: s.foundationProtectFromDestroy,
        adoptExisting: s.foundationAdoptExisting,
      });
      stateBackend(stack, name, config.backend);
      foundations.set(s.project, stack);
    }
    return stack.foundation;
  };
  for (const [name, settings] of Object.entries(config.environments)) {
    new PipelineStack(app, name, settings, config.backend, foundationOf(settings));
  }
  // A foundation serves every environment of its project, synthesized or not (PIPELINE_ENVIRONMENTS=dev must not
  // plan the destroy of an API staging needs): the left-out environments' APIs join it too.
  for (const settings of Object.values(config.unsynthesized ?? {})) {
    const stack = foundations.get(settings.project);
    for (const api of stack ? environmentApis(settings) : []) stack!.foundation.enableApi(api);
  }
  return app;
}

/**
 * After a synth: removes the stack folders of environments no longer configured (only directories directly in
 * `OUTDIR/stacks` that the new manifest does not name; nothing else is touched, as `cdktf synth` does) and
 * returns the one line `npm run synth` prints.
 */
export function finishSynth(outdir: string): string {
  const manifest = JSON.parse(readFileSync(join(outdir, 'manifest.json'), 'utf8')) as { stacks: Record<string, unknown> };
  const names = Object.keys(manifest.stacks);
  const stacksDir = join(outdir, 'stacks');
  const stale = existsSync(stacksDir) ? readdirSync(stacksDir, { withFileTypes: true }).filter((e) => e.isDirectory() && !names.includes(e.name)).map((e) => e.name) : [];
  for (const name of stale) rmSync(join(stacksDir, name), { recursive: true, force: true });
  const removed = stale.length > 0 ? `; removed stale ${stale.join(', ')}` : '';
  return `Synthesized ${names.length} stack${names.length === 1 ? '' : 's'} into ${relative(process.cwd(), outdir) || '.'}: ${names.join(', ')}${removed}`;
}

if (require.main === module) {
  try {
    const config = loadConfig();
    for (const warning of config.warnings) console.error(warning);
    // Every stack is built (and so every construct checked) before synth writes the first one.
    const app = buildApp(config);
    app.synth();
    process.stdout.write(`${finishSynth(app.outdir)}\n`);
  } catch (e) {
    // A config or props mistake is the user's to fix: show the message, not a stack trace.
    console.error((e as Error).message);
    process.exit(1);
  }
}
