import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_SETTINGS, loadConfig, resolveConfig } from '../config';

describe('app config', () => {
  test('with nothing configured: one "dev" environment with the embedded defaults and local state', () => {
    const c = resolveConfig({}, {});
    expect(Object.keys(c.environments)).toEqual(['dev']);
    expect(c.environments.dev).toEqual(DEFAULT_SETTINGS);
    expect(c.environments.dev.region).toBe('us-central1');
    expect(c.backend).toBeUndefined();
  });

  test('file values override defaults, PIPELINE_* variables override the file, environment blocks override both', () => {
    const c = resolveConfig(
      { project: 'file-project', queueId: 'from-file', environments: { dev: {}, prod: { project: 'prod-project', maxAttempts: 10 } } },
      { PIPELINE_PROJECT: 'env-project', PIPELINE_REGION: 'europe-west1' },
    );
    expect(c.environments.dev).toMatchObject({ project: 'env-project', region: 'europe-west1', queueId: 'from-file' });
    expect(c.environments.prod).toMatchObject({ project: 'prod-project', region: 'europe-west1', maxAttempts: 10 });
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
    ['unknown key', { projectId: 'x' }, {}, /'context.pipeline.projectId' must be a known setting \(unknown key; known: project, region/],
    ['wrong type', { maxAttempts: '5' }, {}, /'context.pipeline.maxAttempts' must be a number, got "5"/],
    ['unknown key in an environment', { environments: { dev: { regoin: 'x' } } }, {}, /'context.pipeline.environments.dev.regoin' must be a known setting/],
    ['environment not an object', { environments: { dev: 'yes' } }, {}, /'environments.dev' must be an object of settings/],
    ['bad project from env', {}, { PIPELINE_PROJECT: 'Bad Project' }, /'environments.dev.project' must be a project id.*got "Bad Project"/],
    ['bad region', { region: 'mars' }, {}, /'environments.dev.region' must be a region such as "us-central1", got "mars"/],
    ['bad queue id', { queueId: 'a_b' }, {}, /'environments.dev.queueId' must be letters, digits and hyphens/],
    ['bad environment name', {}, { PIPELINE_ENVIRONMENTS: 'Prod' }, /'environments' must be names of 1-30 lowercase letters.*got "Prod"/],
    ['bad bucket', { stateBucket: 'B' }, {}, /'stateBucket' must be a GCS bucket name/],
    ['bad ingress', { handlerIngress: 'PUBLIC' }, {}, /'environments.dev.handlerIngress' must be one of INGRESS_TRAFFIC_ALL/],
    ['two environments on the same queue', { environments: { dev: {}, staging: {} } }, {}, /'environments.staging.queueId' must be different from environment "dev", which uses the same project and region/],
    ['not an object', ['a'], {}, /'context.pipeline' must be an object, got \["a"\]/],
  ];
  test.each(invalid)('rejects %s', (_n, file, env, message) => {
    expect(() => resolveConfig(file, env)).toThrow(message);
  });

  test('errors name where config comes from', () => {
    expect(() => resolveConfig({ region: 'mars' }, {})).toThrow(/^Invalid pipeline config \(cdktf.json context.pipeline and PIPELINE_\* variables\):/);
  });

  test('loadConfig reads cdktf.json context.pipeline and works without a cdktf.json', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
    expect(loadConfig({ cwd: dir, env: {} }).environments.dev.project).toBe(DEFAULT_SETTINGS.project);
    writeFileSync(join(dir, 'cdktf.json'), JSON.stringify({ app: 'x', context: { pipeline: { project: 'from-cdktf-json' } } }));
    expect(loadConfig({ cwd: dir, env: {} }).environments.dev.project).toBe('from-cdktf-json');
    writeFileSync(join(dir, 'cdktf.json'), '{ nope');
    expect(() => loadConfig({ cwd: dir, env: {} })).toThrow(/cdktf.json is not valid JSON/);
  });
});
