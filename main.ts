import { GoogleProvider } from '@cdktf/provider-google/lib/provider';
import { App, GcsBackend, TerraformOutput, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { AppConfig, EnvironmentSettings, foundationStackName, loadConfig } from './config';
import { HttpTargetPipeline, PipelineDashboard, ProjectFoundation, ProjectFoundationStack, releaseProjectFoundation } from './constructs';
import { CloudRunIngress } from './limits';

/**
 * One environment: the provider, optional remote state, the pipeline and its outputs. With `foundation` (from
 * another stack) the environment owns nothing project-wide, and releases what older versions had it own.
 */
export class PipelineStack extends TerraformStack {
  readonly pipeline: HttpTargetPipeline;

  constructor(scope: Construct, name: string, s: EnvironmentSettings, backend?: AppConfig['backend'], foundation?: () => ProjectFoundation) {
    super(scope, name);
    new GoogleProvider(this, 'google', { project: s.project, region: s.region });
    if (backend) new GcsBackend(this, { bucket: backend.bucket, prefix: `${backend.prefix}/${name}` });
    if (foundation) releaseProjectFoundation(this, s.project);

    this.pipeline = new HttpTargetPipeline(this, 'Pipeline', {
      queueId: s.queueId,
      location: s.region,
      project: s.project,
      handler: { image: s.handlerImage, path: s.handlerPath, ingress: s.handlerIngress as CloudRunIngress | undefined },
      dispatchDeadlineSeconds: s.dispatchDeadlineSeconds,
      rateLimits: { maxDispatchesPerSecond: s.maxDispatchesPerSecond, maxConcurrentDispatches: s.maxConcurrentDispatches },
      retry: {
        maxAttempts: s.maxAttempts,
        maxRetryDuration: s.maxRetryDuration,
        minBackoff: s.minBackoff,
        maxBackoff: s.maxBackoff,
        maxDoublings: s.maxDoublings,
      },
      loggingSamplingRatio: s.loggingSamplingRatio,
      protectFromDestroy: s.protectFromDestroy,
      deadLetters: { sink: s.deadLetterSink as 'log' | 'pubsub' | undefined, retentionDays: s.deadLetterRetentionDays },
      alerts: s.alerts === false ? false : {
        notificationChannels: s.alertNotificationChannels?.split(',').map((c) => c.trim()).filter(Boolean),
        backlogTasks: s.alertBacklogTasks,
        backlogSeconds: s.alertBacklogSeconds,
        failingAttemptRatio: s.alertFailingAttemptRatio,
        failingAttemptSeconds: s.alertFailingAttemptSeconds,
      },
      dedicatedDispatchIdentity: s.dedicatedDispatchIdentity,
      foundation: foundation?.(),
    });
    if (s.alerts !== false) {
      const dashboard = new PipelineDashboard(this, 'Dashboard', {
        displayName: `Cloud Tasks pipeline: ${name}`,
        project: s.project,
        queues: [{ queueId: s.queueId, location: s.region, deadLetters: true }],
      });
      // Dashboards need Monitoring: it joins the foundation, and the dashboard waits for it like the rest.
      this.pipeline.foundation.enableApi('monitoring.googleapis.com');
      this.pipeline.foundation.requiredBy(dashboard);
    }

    const { queue, handler, enqueuer } = this.pipeline;
    new TerraformOutput(this, 'queue_name', { value: queue.queueName, description: 'Cloud Tasks queue id' });
    new TerraformOutput(this, 'queue_path', { value: queue.queuePath, description: 'projects/P/locations/L/queues/Q' });
    new TerraformOutput(this, 'buffer_task_url', { value: queue.bufferTaskUrl, description: 'POST a body here (bearer token) to enqueue it' });
    new TerraformOutput(this, 'handler_url', { value: handler.uri, description: 'Cloud Run handler URL' });
    new TerraformOutput(this, 'enqueuer_service_account', { value: enqueuer.email, description: 'Identity for producers' });
    const dead = this.pipeline.deadLetterTopic;
    if (dead) new TerraformOutput(this, 'dead_letter_subscription', { value: dead.subscriptionPath, description: 'Pull dead letters here (npm run dead-letters)' });
  }
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

if (require.main === module) {
  try {
    buildApp(loadConfig()).synth();
  } catch (e) {
    // A config or props mistake is the user's to fix: show the message, not a stack trace.
    console.error((e as Error).message);
    process.exit(1);
  }
}
