import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { resolveConfig } from '../config';
import { buildApp } from '../main';
import { tempDir } from './temp';

const root = join(__dirname, '..');

function synthApp(file: unknown = {}, env: Record<string, string> = {}) {
  const outdir = tempDir('synth-');
  buildApp(resolveConfig(file, env), outdir).synth();
  const manifest = JSON.parse(readFileSync(join(outdir, 'manifest.json'), 'utf8'));
  const stack = (name: string) => readFileSync(join(outdir, 'stacks', name, 'cdk.tf.json'), 'utf8');
  return { outdir, manifest, stack };
}

describe('who producers run as: the outputs, the README and the defaults say one thing (docs/library.md "Identities")', () => {
  test('by default the enqueuer output is described as the token account producers must not run as', () => {
    const out = JSON.parse(synthApp().stack('dev')).output.enqueuer_service_account.description as string;
    expect(out).toMatch(/^Token account: every dispatch OIDC token names it and the handler trusts it\. Do not run producers as it/);
  });

  test('with dedicatedDispatchIdentity the enqueuer output is an enqueuer-only account producers may use', () => {
    const out = JSON.parse(synthApp({ dedicatedDispatchIdentity: true }).stack('dev')).output.enqueuer_service_account.description as string;
    expect(out).toMatch(/^Enqueuer: Cloud Tasks Enqueuer on the queue only .* safe for producers to run as$/);
  });

  test('the README no longer tells producers to use the token account', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    expect(readme).not.toMatch(/producers use it|Producer<br\/>enqueuer SA/);
    expect(readme).toMatch(/Producers run as their own identity/);
  });
});

describe('local state (no stateBucket)', () => {
  test('each stack names its state file by a path relative to its working folder, which resolves to terraform.STACK.tfstate where the app runs', () => {
    const { outdir, stack } = synthApp();
    for (const name of ['dev', 'project-my-gcp-project']) {
      const path = JSON.parse(stack(name)).terraform.backend.local.path as string;
      expect([name, isAbsolute(path)]).toEqual([name, false]);
      expect(resolve(outdir, 'stacks', name, path)).toBe(resolve(process.cwd(), `terraform.${name}.tfstate`));
    }
  });

  test("the environment reads the foundation's outputs from the same relative state file", () => {
    const { outdir, stack } = synthApp();
    const remote = JSON.parse(stack('dev')).data.terraform_remote_state['cross-stack-reference-input-project-my-gcp-project'].config.path as string;
    expect(resolve(outdir, 'stacks', 'dev', remote)).toBe(resolve(process.cwd(), 'terraform.project-my-gcp-project.tfstate'));
  });

  test('.gitignore covers the local state files and their backups', () => {
    const ignored = readFileSync(join(root, '.gitignore'), 'utf8').split('\n');
    expect(ignored).toEqual(expect.arrayContaining(['terraform.*.tfstate', 'terraform.*.tfstate.backup']));
  });

  test('npm run deploy (PIPELINE_DEPLOY=1) without stateBucket warns that state is local; with one, or on a plain synth, it does not', () => {
    const deploy = { PIPELINE_DEPLOY: '1', PIPELINE_PROJECT: 'acme-orders-dev', PIPELINE_HANDLER_IMAGE: 'europe-docker.pkg.dev/acme/handlers/orders:1.4.0' };
    const local = /^WARNING: no stateBucket: Terraform state is local \(terraform\.STACK\.tfstate files beside cdktf\.json\)/;
    expect(resolveConfig({}, deploy).warnings.filter((w) => local.test(w))).toHaveLength(1);
    expect(resolveConfig({ stateBucket: 'acme-tf-state' }, deploy).warnings.filter((w) => local.test(w))).toEqual([]);
    expect(resolveConfig({}, { PIPELINE_PROJECT: 'acme-orders-dev' }).warnings.filter((w) => local.test(w))).toEqual([]);
  });
});

describe('the app (main.ts)', () => {
  test('zero-config synth writes a complete "dev" stack and its project foundation stack (snapshots)', () => {
    const { manifest, stack } = synthApp();
    expect(Object.keys(manifest.stacks)).toEqual(['dev', 'project-my-gcp-project']);
    const tf = JSON.parse(stack('dev'));
    expect(Object.keys(tf.resource).sort()).toEqual([
      'google_cloud_run_v2_service',
      'google_cloud_run_v2_service_iam_member',
      'google_cloud_tasks_queue',
      'google_cloud_tasks_queue_iam_member',
      'google_logging_metric',
      'google_monitoring_alert_policy',
      'google_monitoring_dashboard',
      'google_service_account',
      'google_service_account_iam_member',
      'terraform_data',
    ]);
    expect(tf.provider.google).toEqual([{ project: 'my-gcp-project', region: 'us-central1' }]);
    expect(tf.terraform.backend).toEqual({ local: { path: expect.stringMatching(/terraform\.dev\.tfstate$/) } });
    // The only machine-specific values: local state paths.
    tf.terraform.backend.local.path = '<outdir>/terraform.dev.tfstate';
    tf.data.terraform_remote_state['cross-stack-reference-input-project-my-gcp-project'].config.path = '<outdir>/terraform.project-my-gcp-project.tfstate';
    expect(tf).toMatchSnapshot();
    const foundation = JSON.parse(stack('project-my-gcp-project'));
    foundation.terraform.backend.local.path = '<outdir>/terraform.project-my-gcp-project.tfstate';
    expect(foundation).toMatchSnapshot();
  });

  test('outputs: queue name, BufferTask URL, handler URL and enqueuer email', () => {
    const tf = JSON.parse(synthApp().stack('dev'));
    expect(Object.keys(tf.output).sort()).toEqual(['buffer_task_url', 'enqueuer_service_account', 'handler_url', 'queue_name', 'queue_path']);
    expect(tf.output.buffer_task_url.value).toMatch(/^https:\/\/cloudtasks\.googleapis\.com\/v2\/\$\{google_cloud_tasks_queue\.\w+\.id\}\/tasks:buffer$/);
    expect(tf.output.handler_url.value).toMatch(/^\$\{google_cloud_run_v2_service\.\w+\.uri\}$/);
  });

  test('synth is deterministic: twice gives identical bytes', () => {
    const a = synthApp().stack('dev').replace(/"path": ".*tfstate"/g, '');
    const b = synthApp().stack('dev').replace(/"path": ".*tfstate"/g, '');
    expect(a).toBe(b);
  });

  test('environments become separate stacks, each with its own GCS state prefix', () => {
    const { manifest, stack } = synthApp(
      { stateBucket: 'team-tf-state', environments: { dev: { project: 'dev-project' }, prod: { project: 'prod-project' } } },
      {},
    );
    expect(Object.keys(manifest.stacks).sort()).toEqual(['dev', 'prod', 'project-dev-project', 'project-prod-project']);
    expect(JSON.parse(stack('project-prod-project')).terraform.backend).toEqual({ gcs: { bucket: 'team-tf-state', prefix: 'cloud-tasks-pipeline/project-prod-project' } });
    expect(JSON.parse(stack('prod')).terraform.backend).toEqual({ gcs: { bucket: 'team-tf-state', prefix: 'cloud-tasks-pipeline/prod' } });
    expect(JSON.parse(stack('prod')).provider.google[0].project).toBe('prod-project');
  });

  test('running main.ts with bad config exits 1 with the message, not a stack trace', () => {
    const r = spawnSync(process.execPath, ['-r', './scripts/register.js', 'main.ts'], {
      cwd: root,
      env: { ...process.env, PIPELINE_REGION: 'mars', CDKTF_OUTDIR: tempDir('bad-') },
      encoding: 'utf8',
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/'PIPELINE_REGION' must be a region such as "us-central1", got "mars"/);
    expect(r.stderr).not.toMatch(/at .*\.ts:\d+/);
  });
});
