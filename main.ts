import { GoogleProvider } from '@cdktf/provider-google/lib/provider';
import { App, dependable, GcsBackend, TerraformOutput, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { AppConfig, EnvironmentSettings, loadConfig } from './config';
import { HttpTargetPipeline, PipelineDashboard } from './constructs';
import { CloudRunIngress } from './limits';

/** One environment: the provider, optional remote state, the pipeline and its outputs. */
export class PipelineStack extends TerraformStack {
  readonly pipeline: HttpTargetPipeline;

  constructor(scope: Construct, name: string, s: EnvironmentSettings, backend?: AppConfig['backend']) {
    super(scope, name);
    new GoogleProvider(this, 'google', { project: s.project, region: s.region });
    if (backend) new GcsBackend(this, { bucket: backend.bucket, prefix: `${backend.prefix}/${name}` });

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
    });
    if (s.alerts !== false) {
      const dashboard = new PipelineDashboard(this, 'Dashboard', {
        displayName: `Cloud Tasks pipeline: ${name}`,
        project: s.project,
        queues: [{ queueId: s.queueId, location: s.region, deadLetters: true }],
      });
      dashboard.resource.dependsOn = [dependable(this.pipeline.serviceAgent.api('monitoring.googleapis.com'))];
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

/** Builds one stack per configured environment. */
export function buildApp(config: AppConfig, outdir?: string): App {
  const app = new App({ outdir });
  for (const [name, settings] of Object.entries(config.environments)) {
    new PipelineStack(app, name, settings, config.backend);
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
