// Turning alerts or the Pub/Sub dead-letter sink off drops an API from the project's foundation. prevent_destroy
// is read from the config, so it leaves with the resource: a plain drop plans a destroy in the protected
// foundation stack (disable_on_destroy = false makes that destroy only forget the API, but the plan, and the
// change review, read as a destroy). The foundation writes a `removed` block (destroy = false) for each feature API
// no pipeline needs, so the plan says what happens: forgotten, left enabled. Proved with Terraform itself, offline: the foundation
// stack's resources become provider-free `terraform_data` at the same addresses (type folded into the name), with
// their prevent_destroy, and its removed blocks are rewritten the same way.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { resolveConfig } from '../config';
import { buildApp } from '../main';
import { tempDir } from './temp';

// Each test runs terraform init/apply/plan (seconds each on a loaded machine).
jest.setTimeout(120_000);

const hasTerraform = spawnSync('terraform', ['version'], { encoding: 'utf8' }).error === undefined;
if (!hasTerraform) console.warn('foundation-apis-terraform.test.ts skipped: no terraform binary on PATH (install Terraform >= 1.7 to run it)');
const describeWithTerraform = hasTerraform ? describe : describe.skip;

type Resource = { lifecycle?: { prevent_destroy?: boolean } };
type Tf = { resource?: Record<string, Record<string, Resource>>; removed?: { from: string; lifecycle: unknown }[] };
type PlannedChange = { address: string; change: { actions: string[] } };

const project = 'acme-orders-dev';
const flat = (address: string) => {
  const [type, name] = address.split('.');
  return `terraform_data.${type}__${name}`;
};

function synthFoundation(pipeline: unknown): Tf {
  const outdir = tempDir('foundation-apis-synth-');
  buildApp(resolveConfig(pipeline, {}), outdir).synth();
  return JSON.parse(readFileSync(join(outdir, 'stacks', `project-${project}`, 'cdk.tf.json'), 'utf8')) as Tf;
}

/** The stack as provider-free Terraform: one terraform_data per resource (keeping prevent_destroy), its removed blocks. */
function asTerraformData(tf: Tf, keepRemoved = true): Record<string, unknown> {
  const resources = Object.entries(tf.resource ?? {}).flatMap(([type, byName]) =>
    Object.entries(byName).map(([name, r]) => [flat(`${type}.${name}`).slice('terraform_data.'.length), r.lifecycle?.prevent_destroy ? { lifecycle: { prevent_destroy: true } } : {}]),
  );
  return {
    resource: { terraform_data: Object.fromEntries(resources) },
    ...(keepRemoved && tf.removed ? { removed: tf.removed.map((r) => ({ ...r, from: flat(r.from) })) } : {}),
  };
}

function terraform(dir: string, command: string, ...args: string[]): { ok: boolean; out: string; stdout: string } {
  const flags = command === 'show' ? ['-no-color'] : ['-no-color', '-input=false'];
  const r = spawnSync('terraform', [`-chdir=${dir}`, command, ...flags, ...args], { encoding: 'utf8', env: { ...process.env, CHECKPOINT_DISABLE: '1', TF_IN_AUTOMATION: '1' } });
  return { ok: r.status === 0, out: `${r.stderr}${r.stdout}`, stdout: r.stdout };
}

function must(dir: string, command: string, ...args: string[]): string {
  const r = terraform(dir, command, ...args);
  if (!r.ok) throw new Error(`terraform ${command} ${args.join(' ')} failed:\n${r.out}`);
  return r.stdout;
}

/** Applies `before`, then plans `after` on the same state: the planned changes, or the plan's error. */
function planEdit(before: Record<string, unknown>, after: Record<string, unknown>): { changes: PlannedChange[]; error?: string } {
  const dir = tempDir('foundation-apis-tf-');
  writeFileSync(join(dir, 'main.tf.json'), JSON.stringify(before));
  must(dir, 'init');
  must(dir, 'apply', '-auto-approve');
  writeFileSync(join(dir, 'main.tf.json'), JSON.stringify(after));
  const plan = terraform(dir, 'plan', '-out=plan.bin');
  if (!plan.ok) return { changes: [], error: plan.out };
  return { changes: (JSON.parse(must(dir, 'show', '-json', 'plan.bin')) as { resource_changes: PlannedChange[] }).resource_changes };
}

const byAction = (changes: PlannedChange[], action: string) => changes.filter((c) => c.change.actions.includes(action)).map((c) => c.address.replace(/^terraform_data\.google_project_service__[^_]+_/, '').replace(/_[0-9A-F]{8}$/, ''));

describeWithTerraform('feature APIs under Terraform (terraform_data stand-ins, local state)', () => {
  const everything = { project, queueId: 'orders', deadLetterSink: 'pubsub' };
  const nothing = { project, queueId: 'orders', alerts: false };

  test('GIVEN alerts and the Pub/Sub sink deployed WHEN both are turned off THEN the plan forgets their three APIs and destroys nothing', () => {
    const { changes, error } = planEdit(asTerraformData(synthFoundation(everything)), asTerraformData(synthFoundation(nothing)));
    expect(error).toBeUndefined();
    expect(byAction(changes, 'delete')).toEqual([]);
    expect(byAction(changes, 'forget').sort()).toEqual(['logging', 'monitoring', 'pubsub']);
  });

  test('without the removed blocks the same edit plans to destroy the three APIs: prevent_destroy left the config with them', () => {
    const { changes, error } = planEdit(asTerraformData(synthFoundation(everything)), asTerraformData(synthFoundation(nothing), false));
    expect(error).toBeUndefined();
    expect(byAction(changes, 'delete').sort()).toEqual(['logging', 'monitoring', 'pubsub']);
  });

  test('prevent_destroy does refuse a plan while the resource is still in the config (a replacement or a stack destroy)', () => {
    const before = asTerraformData(synthFoundation(everything));
    const dir = tempDir('foundation-apis-tf-');
    writeFileSync(join(dir, 'main.tf.json'), JSON.stringify(before));
    must(dir, 'init');
    must(dir, 'apply', '-auto-approve');
    const destroy = terraform(dir, 'plan', '-destroy');
    expect(destroy.ok).toBe(false);
    expect(destroy.out).toMatch(/Instance cannot be destroyed/);
  });

  test('GIVEN a fresh project with alerts off THEN the removed blocks for APIs never in state do nothing, and turning alerts on later creates the two APIs', () => {
    const off = asTerraformData(synthFoundation(nothing));
    const again = planEdit(off, off);
    expect(again.error).toBeUndefined();
    expect(again.changes.every((c) => c.change.actions.join() === 'no-op')).toBe(true);
    const on = planEdit(off, asTerraformData(synthFoundation({ project, queueId: 'orders' })));
    expect(on.error).toBeUndefined();
    expect(byAction(on.changes, 'create').sort()).toEqual(['logging', 'monitoring']);
    expect(byAction(on.changes, 'delete')).toEqual([]);
  });
});
