import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { GoogleProvider } from '@cdktf/provider-google/lib/provider';
import { App, GcsBackend, TerraformOutput, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { AppConfig, EnvironmentSettings, foundationStackName, HandlerSettings, loadConfig, notificationChannels, QueueSettings } from './config';
// The construct files, not the library's index: the index loads every construct's provider classes (Pub/Sub
// among them), and the synth hot path loads only what the app may use.
import { HttpTargetPipeline, PipelineHandlerProps } from './constructs/http-target-pipeline';
import { PipelineDashboard } from './constructs/pipeline-dashboard';
import { ProjectFoundation } from './constructs/project-foundation';
import { ProjectFoundationStack, releaseProjectFoundation } from './constructs/project-foundation-stack';
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
    new GoogleProvider(this, 'google', { project: s.project, region: s.region });
    if (backend) new GcsBackend(this, { bucket: backend.bucket, prefix: `${backend.prefix}/${name}` });
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
      // The single-queue form keeps the construct id (and so every Terraform address) it always had; so does
      // the queue that opts in with keepSingleQueueAddresses after moving into `queues`.
      const id = s.singleQueue || q.keepSingleQueueAddresses ? 'Pipeline' : `Pipeline-${queueName}`;
      const pipeline = new HttpTargetPipeline(this, id, { ...pipelineProps(s, q, this.handlers), foundation: foundation?.() });
      this.pipelines[queueName] = pipeline;
      outputs(this, pipeline, s.singleQueue ? '' : `_${queueName}`);
    }

    // One dashboard per environment: depth, attempt outcomes and delays of every queue with alerts on.
    const watched = Object.values(s.queues).filter((q) => q.alerts !== false);
    if (watched.length > 0) {
      const dashboard = new PipelineDashboard(this, 'Dashboard', {
        displayName: `Cloud Tasks pipeline: ${name}`,
        project: s.project,
        queues: watched.map((q) => ({ queueId: q.queueId, location: s.region, deadLetters: true })),
      });
      // Dashboards need Monitoring: it joins the foundation, and the dashboard waits for it like the rest.
      const first = this.pipeline.foundation;
      first.enableApi('monitoring.googleapis.com');
      first.requiredBy(dashboard);
    }
  }

  /** The first (in the single-queue form, the only) pipeline. */
  get pipeline(): HttpTargetPipeline {
    return Object.values(this.pipelines)[0];
  }
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
  new TerraformOutput(stack, `enqueuer_service_account${suffix}`, { value: enqueuer.email, description: 'Identity for producers' });
  const dead = pipeline.deadLetterTopic;
  if (dead) new TerraformOutput(stack, `dead_letter_subscription${suffix}`, { value: dead.subscriptionPath, description: 'Pull dead letters here (npm run dead-letters)' });
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
      const backend = config.backend;
      if (backend) new GcsBackend(stack, { bucket: backend.bucket, prefix: `${backend.prefix}/${name}` });
      foundations.set(s.project, stack);
    }
    return stack.foundation;
  };
  for (const [name, settings] of Object.entries(config.environments)) {
    new PipelineStack(app, name, settings, config.backend, foundationOf(settings));
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
