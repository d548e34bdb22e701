import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_SETTINGS, loadConfig, resolveConfig } from '../config';
import { tempDir } from './temp';

describe('app config', () => {
  test('with nothing configured: one "dev" environment, one queue "tasks" with its own handler, local state', () => {
    const c = resolveConfig({}, {});
    expect(Object.keys(c.environments)).toEqual(['dev']);
    const dev = c.environments.dev;
    expect(dev).toMatchObject({ project: DEFAULT_SETTINGS.project, region: 'us-central1', protectFromDestroy: true, singleQueue: true, handlers: {} });
    expect(Object.keys(dev.queues)).toEqual(['tasks']);
    expect(dev.queues.tasks).toMatchObject({ queueId: 'tasks', enqueuerAccountId: 'tasks-enq', dispatchDeadlineSeconds: 600 });
    expect(dev.queues.tasks.handler).toMatchObject({ serviceName: 'tasks-handler', runtimeAccountId: 'tasks-handler-run', path: '/tasks' });
    expect(c.backend).toBeUndefined();
  });

  test('file values override defaults, PIPELINE_* variables override the file, environment blocks override both', () => {
    const c = resolveConfig(
      { project: 'file-project', queueId: 'from-file', environments: { dev: {}, prod: { project: 'prod-project', maxAttempts: 10 } } },
      { PIPELINE_PROJECT: 'env-project', PIPELINE_REGION: 'europe-west1' },
    );
    expect(c.environments.dev).toMatchObject({ project: 'env-project', region: 'europe-west1' });
    expect(c.environments.dev.queues['from-file'].queueId).toBe('from-file');
    expect(c.environments.prod).toMatchObject({ project: 'prod-project', region: 'europe-west1' });
    expect(c.environments.prod.queues['from-file'].maxAttempts).toBe(10);
  });

  test('PIPELINE_ENVIRONMENTS picks the environments to synthesize', () => {
    const c = resolveConfig({ environments: { dev: {}, prod: { project: 'prod-project' } } }, { PIPELINE_ENVIRONMENTS: 'prod' });
    expect(Object.keys(c.environments)).toEqual(['prod']);
  });

  test('a state bucket turns on the GCS backend with the default prefix', () => {
    expect(resolveConfig({ stateBucket: 'tf-state-bucket' }, {}).backend).toEqual({ bucket: 'tf-state-bucket', prefix: 'cloud-tasks-pipeline' });
    expect(resolveConfig({}, { PIPELINE_STATE_BUCKET: 'b-env', PIPELINE_STATE_PREFIX: 'p' }).backend).toEqual({ bucket: 'b-env', prefix: 'p' });
  });

  const invalid: Array<[string, unknown, Record<string, string>, RegExp]> = [
    ['unknown key', { projectId: 'x' }, {}, /'context.pipeline.projectId' must be a known setting \(unknown key; did you mean "project"\? known here: queueId, .*project, region/],
    ['wrong type', { maxAttempts: '5' }, {}, /'context.pipeline.maxAttempts' must be a number, got "5"/],
    ['unknown key in an environment', { environments: { dev: { regoin: 'x' } } }, {}, /'context.pipeline.environments.dev.regoin' must be a known setting/],
    ['environment not an object', { environments: { dev: 'yes' } }, {}, /'context.pipeline.environments.dev' must be an object of settings/],
    ['bad project from env', {}, { PIPELINE_PROJECT: 'Bad Project' }, /'PIPELINE_PROJECT' must be a project id.*got "Bad Project"/],
    ['bad region', { region: 'mars' }, {}, /'context.pipeline.region' must be a region such as "us-central1", got "mars"/],
    ['bad queue id', { queueId: 'a_b' }, {}, /'context.pipeline.queueId' must be letters, digits and hyphens/],
    ['bad environment name', { environments: { Prod: {} } }, {}, /'context.pipeline.environments.Prod' must be a name of 1-30 lowercase letters.*got "Prod"/],
    ['an environment that is not configured', { environments: { dev: {}, prod: {} } }, { PIPELINE_ENVIRONMENTS: 'prdo' }, /'PIPELINE_ENVIRONMENTS' must be the name of a configured environment \(dev, prod\).*got "prdo"/],
    ['bad bucket', { stateBucket: 'B' }, {}, /'context.pipeline.stateBucket' must be a GCS bucket name/],
    ['bad bucket from env', {}, { PIPELINE_STATE_BUCKET: 'B' }, /'PIPELINE_STATE_BUCKET' must be a GCS bucket name/],
    ['bad ingress', { handlerIngress: 'PUBLIC' }, {}, /'context.pipeline.handlerIngress' must be one of INGRESS_TRAFFIC_ALL/],
    ['an empty image', { handlerImage: '' }, {}, /'context.pipeline.handlerImage' must be a container image reference.*got ""/],
    ['an image with spaces', {}, { PIPELINE_HANDLER_IMAGE: 'my image' }, /'PIPELINE_HANDLER_IMAGE' must be a container image reference.*got "my image"/],
    ['two environments on the same queue', { environments: { dev: {}, staging: {} } }, {}, /'context.pipeline.queueId \/ PIPELINE_QUEUE_ID \(not set: default\)' must be a name that gives queue "tasks" of environment "staging" its own queue: queue "tasks" of environment "dev"/],
    ['not an object', ['a'], {}, /'context.pipeline' must be an object, got \["a"\]/],
    ['queueId next to queues', { queueId: 'x', queues: { a: {} } }, {}, /'context.pipeline.queueId' must be unset when queues are configured/],
    ['an unknown shared handler', { queues: { a: { handler: 'nope' } } }, {}, /'context.pipeline.queues.a.handler' must be the name of a handler in handlers \(configured: none\), got "nope"/],
    ['a shared handler no queue fronts', { handlers: { idle: {} }, queues: { a: {} } }, {}, /'context.pipeline.handlers.idle' must be the name of a handler that at least one queue fronts/],
    ['a queue key that is no queue id', { queues: { a_b: {} } }, {}, /'context.pipeline.queues.a_b' must be letters, digits and hyphens/],
    ['a handler key that is no handler name', { handlers: { 'a b': {} }, queues: { q: { handler: 'a b' } } }, {}, /'context.pipeline.handlers.a b' must be a handler name/],
    ['a secret of the wrong shape', { handler: { secrets: { KEY: { name: 'x' } } } }, {}, /'context.pipeline.handler.secrets.KEY' must be a secret id, "projects\/P\/secrets\/ID", or \{ "secret"/],
    ['a label that is not a string', { labels: { team: 1 } }, {}, /'context.pipeline.labels.team' must be a string, got 1/],
  ];
  test.each(invalid)('rejects %s', (_n, file, env, message) => {
    expect(() => resolveConfig(file, env)).toThrow(message);
  });

  test('errors name where config comes from', () => {
    expect(() => resolveConfig({ region: 'mars' }, {})).toThrow(/^Invalid pipeline config \(cdktf.json context.pipeline and PIPELINE_\* variables\):/);
  });

  test('loadConfig reads cdktf.json context.pipeline and works without a cdktf.json', () => {
    const dir = tempDir('cfg-');
    expect(loadConfig({ cwd: dir, env: {} }).environments.dev.project).toBe(DEFAULT_SETTINGS.project);
    writeFileSync(join(dir, 'cdktf.json'), JSON.stringify({ app: 'x', context: { pipeline: { project: 'from-cdktf-json' } } }));
    expect(loadConfig({ cwd: dir, env: {} }).environments.dev.project).toBe('from-cdktf-json');
    writeFileSync(join(dir, 'cdktf.json'), '{ nope');
    expect(() => loadConfig({ cwd: dir, env: {} })).toThrow(/cdktf.json is not valid JSON/);
  });
});
