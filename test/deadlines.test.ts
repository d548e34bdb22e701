// The dispatch deadline end to end, at synth time: a queue's deadline is what every producer path applies, so a
// deadline above BufferTask's 600 s needs a CreateTask-only queue, and a shared handler budgets per queue.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Fn, Token } from 'cdktf';
import { resolveConfig } from '../config';
import { HttpTargetPipeline, HttpTargetPipelineProps, TaskHandlerService } from '../constructs';
import { loadHandlerConfig, workTimeoutMsFor } from '../handler/src/config';
import { buildApp } from '../main';
import { only, resources, synth } from './helpers';

const base: HttpTargetPipelineProps = { queueId: 'orders', location: 'us-central1', project: 'test-project' };
const envOf = (svc: any): Record<string, string> => Object.fromEntries(svc.template.containers[0].env.map((e: any) => [e.name, e.value]));

function synthApp(file: unknown): any {
  const outdir = mkdtempSync(join(tmpdir(), 'deadlines-'));
  try {
    buildApp(resolveConfig(file, {}), outdir).synth();
    return JSON.parse(readFileSync(join(outdir, 'stacks', 'dev', 'cdk.tf.json'), 'utf8'));
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

const lanes = {
  project: 'acme-orders-dev',
  handlers: { orders: { image: 'europe-docker.pkg.dev/acme/handlers/orders:1.0' } },
  queues: {
    'orders-fast': { handler: 'orders' },
    'orders-slow': { handler: 'orders', dispatchDeadlineSeconds: 1800, bufferTask: false },
  },
};

describe('app config: a deadline BufferTask cannot carry', () => {
  test('GIVEN a queue of 1800 s that allows BufferTask WHEN resolved THEN synth fails naming the setting, the value and the fix', () => {
    expect(() => resolveConfig({ queues: { slow: { dispatchDeadlineSeconds: 1800 } } }, {})).toThrow(
      "'context.pipeline.queues.slow.dispatchDeadlineSeconds' must be at most 600 while BufferTask may enqueue on the queue (Cloud Tasks gives every BufferTask task 600 s, and the handler would budget 1800 s): set context.pipeline.queues.slow.bufferTask to false to make the queue CreateTask-only (its producers then send the 1800 s deadline), or lower the deadline, got 1800",
    );
  });

  test('GIVEN 601 s WHEN resolved THEN it is refused; 600 s is accepted', () => {
    expect(() => resolveConfig({ dispatchDeadlineSeconds: 601 }, {})).toThrow(/'context.pipeline.dispatchDeadlineSeconds' must be at most 600 while BufferTask/);
    expect(resolveConfig({ dispatchDeadlineSeconds: 600 }, {}).environments.dev.queues.tasks.dispatchDeadlineSeconds).toBe(600);
  });

  test('GIVEN bufferTask false WHEN the deadline is 1800 s THEN the queue resolves as CreateTask-only', () => {
    const q = resolveConfig({ dispatchDeadlineSeconds: 1800, bufferTask: false }, {}).environments.dev.queues.tasks;
    expect(q).toMatchObject({ dispatchDeadlineSeconds: 1800, bufferTask: false });
  });

  test('GIVEN no bufferTask WHEN resolved THEN the queue allows BufferTask', () => {
    expect(resolveConfig({}, {}).environments.dev.queues.tasks.bufferTask).toBe(true);
  });

  test('GIVEN bufferTask that is not a boolean WHEN resolved THEN it is refused by type', () => {
    expect(() => resolveConfig({ bufferTask: 'no' }, {})).toThrow(/context.pipeline.bufferTask/);
  });
});

describe('the construct: a deadline BufferTask cannot carry', () => {
  test('GIVEN 900 s without bufferTask false THEN synth fails with the construct path', () => {
    expect(() => synth((stack) => new HttpTargetPipeline(stack, 'Orders', { ...base, dispatchDeadlineSeconds: 900 }))).toThrow(
      /Invalid props for 'test\/Orders':\n {2}- 'dispatchDeadlineSeconds' must be at most 600 while BufferTask may enqueue on the queue .*set bufferTask to false.*got 900/,
    );
  });

  test('GIVEN 900 s with bufferTask false THEN the handler is sized for it and the pipeline says CreateTask-only', () => {
    let pipeline!: HttpTargetPipeline;
    const s = synth((stack) => (pipeline = new HttpTargetPipeline(stack, 'Orders', { ...base, dispatchDeadlineSeconds: 900, bufferTask: false })));
    const svc = only(s, 'google_cloud_run_v2_service');
    expect(svc.template.timeout).toBe('900s');
    expect(envOf(svc).TASKS_DISPATCH_DEADLINE_SECONDS).toBe('900');
    expect(pipeline.bufferTask).toBe(false);
    expect(pipeline.dispatchDeadlineSeconds).toBe(900);
  });

  test('GIVEN an unresolved deadline THEN it is not compared', () => {
    expect(() => synth((stack) => new HttpTargetPipeline(stack, 'Orders', { ...base, dispatchDeadlineSeconds: Token.asNumber(Fn.tonumber('900')), handler: { timeoutSeconds: 1800 } }))).not.toThrow();
  });

  test('GIVEN a dedicated handler THEN its env has no per-queue deadlines (the single-queue env is unchanged)', () => {
    const s = synth((stack) => new HttpTargetPipeline(stack, 'Orders', base));
    expect(Object.keys(envOf(only(s, 'google_cloud_run_v2_service')))).not.toContain('TASKS_QUEUE_DEADLINES');
  });

  test('GIVEN a shared handler THEN each queue adds its own deadline to TASKS_QUEUE_DEADLINES', () => {
    const s = synth((stack) => {
      const shared = new TaskHandlerService(stack, 'Orders', { serviceName: 'orders', location: 'us-central1', project: 'test-project', audience: 'https://orders.example/aud', dispatchDeadlineSeconds: 1800 });
      new HttpTargetPipeline(stack, 'Fast', { ...base, queueId: 'orders-fast', sharedHandler: shared, dispatchDeadlineSeconds: 300 });
      new HttpTargetPipeline(stack, 'Slow', { ...base, queueId: 'orders-slow', sharedHandler: shared, dispatchDeadlineSeconds: 1800, bufferTask: false });
    });
    const env = envOf(only(s, 'google_cloud_run_v2_service'));
    expect(JSON.parse(env.TASKS_QUEUE_DEADLINES)).toEqual({ 'orders-fast': 300, 'orders-slow': 1800 });
    expect(env.TASKS_DISPATCH_DEADLINE_SECONDS).toBe('1800');
  });

  test('GIVEN two queues in front of a shared handler THEN each per-queue variable is written once', () => {
    const s = synth((stack) => {
      const shared = new TaskHandlerService(stack, 'Orders', { serviceName: 'orders', location: 'us-central1', project: 'test-project', audience: 'https://orders.example/aud' });
      new HttpTargetPipeline(stack, 'Fast', { ...base, queueId: 'orders-fast', sharedHandler: shared });
      new HttpTargetPipeline(stack, 'Slow', { ...base, queueId: 'orders-slow', sharedHandler: shared });
    });
    const names = only(s, 'google_cloud_run_v2_service').template.containers[0].env.map((e: any) => e.name);
    expect(names.filter((n: string) => n === 'TASKS_QUEUE_DEADLINES')).toHaveLength(1);
    expect(names.filter((n: string) => n === 'TASKS_QUEUE_RETRY_LIMITS')).toHaveLength(1);
  });

  test('GIVEN a shared service WHEN a queue deadline above the service one is added directly THEN it is refused', () => {
    expect(() =>
      synth((stack) => {
        const shared = new TaskHandlerService(stack, 'Orders', { serviceName: 'orders', location: 'us-central1', audience: 'https://orders.example/aud', dispatchDeadlineSeconds: 600, tokenServiceAccountEmail: 'a@p.iam.gserviceaccount.com' });
        shared.addQueueDeadline('slow', 601);
      }),
    ).toThrow(/'dispatchDeadlineSeconds of queue slow' must be at most the service's dispatchDeadlineSeconds \(600\), got 601/);
  });

  test('GIVEN a shared service WHEN a queue deadline equal to the service one is added THEN it is accepted', () => {
    const s = synth((stack) => {
      const shared = new TaskHandlerService(stack, 'Orders', { serviceName: 'orders', location: 'us-central1', audience: 'https://orders.example/aud', dispatchDeadlineSeconds: 600, tokenServiceAccountEmail: 'a@p.iam.gserviceaccount.com' });
      shared.addQueueDeadline('fast', 600);
    });
    expect(envOf(only(s, 'google_cloud_run_v2_service')).TASKS_QUEUE_DEADLINES).toBe('{"fast":600}');
  });
});

describe('the app: a fast and a slow lane in front of one shared handler', () => {
  const tf = synthApp(lanes);
  const svc = Object.values<any>(resources({ text: '', json: tf }, 'google_cloud_run_v2_service'))[0];
  const env = envOf(svc);

  test('the service waits for the longest deadline', () => {
    expect(svc.template.timeout).toBe('1800s');
    expect(env.TASKS_DISPATCH_DEADLINE_SECONDS).toBe('1800');
  });

  test('the handler built from that env budgets each lane by its own deadline, and an unknown queue by the smallest', () => {
    const config = loadHandlerConfig({ ...env, TASKS_SERVICE_ACCOUNT: 'a@p.iam.gserviceaccount.com' });
    expect(workTimeoutMsFor(config, 'orders-fast')).toBe(595_000);
    expect(workTimeoutMsFor(config, 'orders-slow')).toBe(1_795_000);
    expect(workTimeoutMsFor(config, 'unknown')).toBe(595_000);
  });

  test('the CreateTask-only lane has no buffer_task_url output; the fast lane keeps its own', () => {
    expect(Object.keys(tf.output)).toContain('buffer_task_url_orders-fast');
    expect(Object.keys(tf.output)).not.toContain('buffer_task_url_orders-slow');
    expect(Object.keys(tf.output)).toContain('queue_path_orders-slow');
  });
});
