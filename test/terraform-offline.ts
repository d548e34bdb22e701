// Terraform itself, offline, for the tests that prove what a config edit does to a deployed stack. The google
// provider cannot be downloaded here, so a synthesized stack's resources become provider-free `terraform_data`
// stand-ins at the same addresses (the type folded into the name), keeping their prevent_destroy; its moved and
// removed blocks are rewritten the same way. Terraform then applies the "before" config to local state and plans
// the "after" one: moves, forgets, deletes and refusals are Terraform's own, not a model of them.
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { resolveConfig } from '../config';
import { buildApp } from '../main';
import { tempDir } from './temp';

const hasTerraform = spawnSync('terraform', ['version'], { encoding: 'utf8' }).status === 0;

/** `describe` when a terraform binary is on PATH; otherwise `describe.skip`, with a warning naming the test file. */
export function describeWithTerraform(): jest.Describe {
  if (hasTerraform) return describe;
  console.warn(`${basename(expect.getState().testPath ?? 'a test file')} skipped: no terraform binary on PATH (install Terraform >= 1.7 to run it)`);
  return describe.skip;
}

/** The parts of a synthesized stack (cdk.tf.json) the stand-ins keep. */
export interface SynthesizedStack {
  resource?: Record<string, Record<string, { lifecycle?: { prevent_destroy?: boolean } }>>;
  moved?: { from: string; to: string }[];
  removed?: { from: string; lifecycle?: unknown }[];
}

/** One stack of the app (`dev`, `project-<id>`) as `npm run synth` writes it for this pipeline config. */
export function synthStack(pipeline: unknown, stack: string): SynthesizedStack {
  const outdir = tempDir('terraform-offline-synth-');
  buildApp(resolveConfig(pipeline, {}), outdir).synth();
  return JSON.parse(readFileSync(join(outdir, 'stacks', stack, 'cdk.tf.json'), 'utf8')) as SynthesizedStack;
}

/** A resource's stand-in name: `google_x.Name` lives at `terraform_data.google_x__Name`. */
function standInName(address: string): string {
  const [type, name] = address.split('.');
  return `${type}__${name}`;
}
const standIn = (address: string) => `terraform_data.${standInName(address)}`;

/** A stack as stand-ins: Terraform JSON with terraform_data resources only. */
export type StandIns = { resource: { terraform_data: Record<string, { lifecycle?: { prevent_destroy: true } }> } } & Pick<SynthesizedStack, 'moved' | 'removed'>;

/** The stack as provider-free Terraform JSON. `removed: false` drops its removed blocks (to show what they prevent). */
export function asTerraformData(tf: SynthesizedStack, { removed = true } = {}): StandIns {
  const resources = Object.entries(tf.resource ?? {}).flatMap(([type, byName]) =>
    Object.entries(byName).map(([name, r]) => [standInName(`${type}.${name}`), r.lifecycle?.prevent_destroy ? { lifecycle: { prevent_destroy: true } } : {}]),
  );
  return {
    resource: { terraform_data: Object.fromEntries(resources) },
    ...(tf.moved ? { moved: tf.moved.map((m) => ({ from: standIn(m.from), to: standIn(m.to) })) } : {}),
    ...(removed && tf.removed ? { removed: tf.removed.map((r) => ({ ...r, from: standIn(r.from) })) } : {}),
  };
}

/** One terraform command in `dir`, never prompting: whether it succeeded, and what it printed. */
export function terraform(dir: string, command: string, ...args: string[]): { ok: boolean; out: string; stdout: string } {
  const flags = command === 'show' ? ['-no-color'] : ['-no-color', '-input=false'];
  const r = spawnSync('terraform', [`-chdir=${dir}`, command, ...flags, ...args], { encoding: 'utf8', env: { ...process.env, CHECKPOINT_DISABLE: '1', TF_IN_AUTOMATION: '1' } });
  return { ok: r.status === 0, out: `${r.stderr}${r.stdout}`, stdout: r.stdout };
}

/** Like terraform(), but a failure throws with Terraform's output; returns stdout. */
export function mustTerraform(dir: string, command: string, ...args: string[]): string {
  const r = terraform(dir, command, ...args);
  if (!r.ok) throw new Error(`terraform ${command} ${args.join(' ')} failed:\n${r.out}`);
  return r.stdout;
}

/** A resource's line in `terraform show -json` of a plan. */
export interface PlannedChange {
  address: string;
  previous_address?: string;
  change: { actions: string[] };
}

/** A folder holding `before` (main.tf.json) applied to local state. */
export function applied(before: unknown): string {
  const dir = tempDir('terraform-offline-');
  writeFileSync(join(dir, 'main.tf.json'), JSON.stringify(before));
  mustTerraform(dir, 'init');
  mustTerraform(dir, 'apply', '-auto-approve');
  return dir;
}

/**
 * Applies `before`, then plans `after` on the same state: each resource's planned change, or the plan's error
 * (prevent_destroy refusing, for one). `after` is Terraform JSON, or HCL text written as main.tf.
 */
export function planEdit(before: unknown, after: unknown): { changes: PlannedChange[]; error?: string } {
  const dir = applied(before);
  if (typeof after === 'string') {
    rmSync(join(dir, 'main.tf.json'));
    writeFileSync(join(dir, 'main.tf'), after);
  } else writeFileSync(join(dir, 'main.tf.json'), JSON.stringify(after));
  const plan = terraform(dir, 'plan', '-out=plan.bin');
  if (!plan.ok) return { changes: [], error: plan.out };
  return { changes: (JSON.parse(mustTerraform(dir, 'show', '-json', 'plan.bin')) as { resource_changes: PlannedChange[] }).resource_changes };
}
