// `npm run synth:hcl`: HCL in its own folder, every resource once, formatted, with the removed blocks.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { GoogleProvider } from '@cdktf/provider-google/lib/provider';
import { Testing, TerraformStack } from 'cdktf';
import { resolveConfig } from '../config';
import { TaskHandlerService } from '../constructs';
import { buildApp } from '../main';
import { tempDir } from './temp';

const root = join(__dirname, '..');
const script = join(root, 'scripts', 'synth-hcl.js');
const run = (outdir: string) =>
  spawnSync(process.execPath, [script, outdir], { cwd: root, encoding: 'utf8', env: { ...process.env, CHECKPOINT_DISABLE: '1', PIPELINE_ENVIRONMENTS: '' } });
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const occurrences = (text: string, pattern: RegExp) => text.match(new RegExp(pattern.source, `g${pattern.flags}`))?.length ?? 0;

describe('npm run synth:hcl', () => {
  const outdir = join(tempDir('hcl-'), 'out');
  const json = tempDir('hcl-json-');
  let result: ReturnType<typeof run>;

  beforeAll(() => {
    result = run(outdir);
    buildApp(resolveConfig({}, {}), json).synth();
  }, 60_000);

  const stacks = () => readdirSync(join(json, 'stacks'));
  const hclOf = (stack: string) => readFileSync(join(outdir, 'stacks', stack, 'cdk.tf'), 'utf8');
  const jsonOf = (stack: string) => JSON.parse(readFileSync(join(json, 'stacks', stack, 'cdk.tf.json'), 'utf8'));

  test('writes one cdk.tf per stack and no cdk.tf.json beside it', () => {
    expect(result.status).toBe(0);
    expect(readdirSync(join(outdir, 'stacks')).sort()).toEqual(stacks().sort());
    for (const stack of stacks()) {
      expect(readdirSync(join(outdir, 'stacks', stack))).toContain('cdk.tf');
      expect(existsSync(join(outdir, 'stacks', stack, 'cdk.tf.json'))).toBe(false);
    }
  });

  test('each resource and data source of the JSON synth appears exactly once, and nothing else', () => {
    for (const stack of stacks()) {
      const hcl = hclOf(stack);
      const tf = jsonOf(stack);
      let expected = 0;
      for (const kind of ['resource', 'data'] as const) {
        for (const [type, byName] of Object.entries<object>(tf[kind] ?? {})) {
          for (const name of Object.keys(byName)) {
            expected++;
            expect([stack, kind, type, name, occurrences(hcl, new RegExp(`^${kind} "${escape(type)}" "${escape(name)}" \\{`, 'm'))]).toEqual([stack, kind, type, name, 1]);
          }
        }
      }
      expect(occurrences(hcl, /^(resource|data) "/m)).toBe(expected);
    }
  });

  test('carries each removed block once (cdktf writes them only to JSON)', () => {
    const removed = jsonOf('dev').removed as { from: string }[];
    expect(removed.length).toBe(7); // cloudtasks, run, iam, monitoring, logging, pubsub, the agent grant
    for (const { from } of removed) {
      expect(occurrences(hclOf('dev'), new RegExp(`removed \\{\\n\\s+from = ${escape(from)}\\n\\s+lifecycle \\{\\n\\s+destroy = false`))).toBe(1);
    }
  });

  test('the terraform block requires Terraform >= 1.7 (cdktf 0.21 writes `0 = "required_version"`; the script rewrites it)', () => {
    for (const stack of stacks()) {
      expect(hclOf(stack)).toMatch(/terraform \{[\s\S]*?\n\s+required_version = ">= 1\.7"\n/);
      expect(hclOf(stack)).not.toMatch(/^\s*\d+ = "/m);
    }
  });

  test('provider meta-arguments are references, not quoted strings (the service identity uses google-beta)', () => {
    const foundation = stacks().find((n) => n.startsWith('project-'))!;
    expect(hclOf(foundation)).toMatch(/\n\s+provider\s+= google-beta\n/);
    for (const stack of stacks()) expect(hclOf(stack)).not.toMatch(/^\s*provider\s*= "/m);
  });

  test('depends_on entries are references, not quoted strings', () => {
    for (const stack of stacks()) expect(hclOf(stack)).not.toMatch(/depends_on = \[\s*"/);
  });

  test('terraform fmt -check passes (no provider, no network)', () => {
    const fmt = spawnSync('terraform', ['fmt', '-check', '-recursive', '-no-color', outdir], { encoding: 'utf8', env: { ...process.env, CHECKPOINT_DISABLE: '1' } });
    expect(fmt.error).toBeUndefined();
    expect([fmt.status, fmt.stdout]).toEqual([0, '']);
  });

  test('refuses to write into a folder that holds a JSON synth', () => {
    const r = run(json);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/holds a JSON synth: refusing to write HCL beside it/);
    expect(existsSync(join(json, 'stacks', 'dev', 'cdk.tf'))).toBe(false);
  });
});

describe('HCL of a handler service with secrets, shared by several queues', () => {
  test('env entries stay typed: value_source is a block, and the per-queue limits are a quoted string', () => {
    // GIVEN a handler with a secret env var and two queues' retry limits, WHEN written as HCL
    const app = Testing.app();
    const stack = new TerraformStack(app, 'test');
    new GoogleProvider(stack, 'google', { project: 'test-project', region: 'us-central1' });
    const handler = new TaskHandlerService(stack, 'H', {
      serviceName: 'orders',
      location: 'us-central1',
      audience: 'https://orders.us-central1.cloudtasks.audience',
      tokenServiceAccountEmail: 'enq@test-project.iam.gserviceaccount.com',
      secrets: { DB_PASS: { secret: 'db-pass' } },
    });
    handler.addQueueRetryLimits('fast', { maxAttempts: 5 });
    handler.addQueueRetryLimits('slow', { maxAttempts: 50 });
    const hcl = String(Testing.synthHcl(stack));
    // THEN the secret is a nested block Terraform accepts, not an object-valued argument
    expect(hcl).toMatch(/value_source\s*\{\s*secret_key_ref\s*\{/);
    expect(hcl).not.toMatch(/value_source\s*=/);
    // AND the limits of both queues are one JSON string (HCL-escaped), not an HCL object
    const limits = /name\s*=\s*"TASKS_QUEUE_RETRY_LIMITS"\s*\n\s*value\s*=\s*("(?:[^"\\]|\\.)*")/.exec(hcl);
    expect(limits).not.toBeNull();
    expect(JSON.parse(JSON.parse(limits![1]))).toEqual({ fast: { maxAttempts: 5, maxRetryDuration: '0s' }, slow: { maxAttempts: 50, maxRetryDuration: '0s' } });
  });
});
