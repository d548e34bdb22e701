// Issue 17, item 3: a config edit the app can recognise (shorthand → a one-entry `queues` map, a key renamed
// while `queueId` stays) moves state instead of destroying the queue, its accounts and its service. Proved with
// Terraform itself, offline: every resource of the app's synthesized stack becomes a provider-free
// `terraform_data` at the same address (type folded into the name), the app's `moved` blocks are rewritten the
// same way, the "before" config is applied to local state, and the "after" config is planned.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveConfig } from '../config';
import { buildApp } from '../main';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { movedHcl } = require('../scripts/hcl-blocks') as { movedHcl: (block: { from: string; to: string }) => string };

// Each test runs terraform init/apply/plan (seconds each on a loaded machine).
jest.setTimeout(120_000);

const hasTerraform = spawnSync('terraform', ['version'], { encoding: 'utf8' }).error === undefined;
if (!hasTerraform) console.warn('moved-blocks-terraform.test.ts skipped: no terraform binary on PATH (install Terraform >= 1.7 to run it)');
const describeWithTerraform = hasTerraform ? describe : describe.skip;

type Tf = { resource?: Record<string, Record<string, unknown>>; moved?: { from: string; to: string }[] };
const flat = (address: string) => {
  const [type, name] = address.split('.');
  return `terraform_data.${type}__${name}`;
};

function synthDev(pipeline: unknown): Tf {
  const outdir = mkdtempSync(join(tmpdir(), 'moved-synth-'));
  try {
    buildApp(resolveConfig(pipeline, {}), outdir).synth();
    return JSON.parse(readFileSync(join(outdir, 'stacks', 'dev', 'cdk.tf.json'), 'utf8')) as Tf;
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

/** The stack as provider-free Terraform: one terraform_data per resource, and its moved blocks. */
function asTerraformData(tf: Tf): Record<string, unknown> {
  const names = Object.entries(tf.resource ?? {}).flatMap(([type, byName]) => Object.keys(byName).map((name) => flat(`${type}.${name}`)));
  return {
    resource: { terraform_data: Object.fromEntries(names.map((a) => [a.slice('terraform_data.'.length), {}])) },
    ...(tf.moved ? { moved: tf.moved.map((m) => ({ from: flat(m.from), to: flat(m.to) })) } : {}),
  };
}

function terraform(dir: string, command: string, ...args: string[]): string {
  const flags = command === 'show' ? ['-no-color'] : ['-no-color', '-input=false'];
  const r = spawnSync('terraform', [`-chdir=${dir}`, command, ...flags, ...args], { encoding: 'utf8', env: { ...process.env, CHECKPOINT_DISABLE: '1', TF_IN_AUTOMATION: '1' } });
  if (r.status !== 0) throw new Error(`terraform ${command} ${args.join(' ')} failed:\n${r.stderr}${r.stdout}`);
  return r.stdout;
}

interface PlannedChange { address: string; previous_address?: string; change: { actions: string[] } }

/** The same as HCL, the moved blocks written by `npm run synth:hcl`'s movedHcl. */
function asTerraformDataHcl(tf: Tf): string {
  const json = asTerraformData(tf) as { resource: { terraform_data: Record<string, unknown> }; moved?: { from: string; to: string }[] };
  return [...Object.keys(json.resource.terraform_data).map((name) => `resource "terraform_data" "${name}" {}\n`), ...(json.moved ?? []).map(movedHcl)].join('');
}

/** Applies `before`, then plans `after` on the same state: each resource's actions and where it came from. */
function planEdit(before: unknown, after: unknown, afterAsHcl = false): PlannedChange[] {
  const dir = mkdtempSync(join(tmpdir(), 'moved-tf-'));
  try {
    writeFileSync(join(dir, 'main.tf.json'), JSON.stringify(asTerraformData(synthDev(before))));
    terraform(dir, 'init');
    terraform(dir, 'apply', '-auto-approve');
    if (afterAsHcl) {
      rmSync(join(dir, 'main.tf.json'));
      writeFileSync(join(dir, 'main.tf'), asTerraformDataHcl(synthDev(after)));
    } else writeFileSync(join(dir, 'main.tf.json'), JSON.stringify(asTerraformData(synthDev(after))));
    terraform(dir, 'plan', '-out=plan.bin');
    return (JSON.parse(terraform(dir, 'show', '-json', 'plan.bin')) as { resource_changes: PlannedChange[] }).resource_changes;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const destroyed = (changes: PlannedChange[]) => changes.filter((c) => c.change.actions.includes('delete')).map((c) => c.address);
const moved = (changes: PlannedChange[]) => changes.filter((c) => c.previous_address !== undefined);
const queueMove = (changes: PlannedChange[]) => moved(changes).find((c) => c.address.includes('google_cloud_tasks_queue__'));

describeWithTerraform('moved blocks under Terraform (terraform_data stand-ins, local state)', () => {
  const project = 'acme-orders-dev';

  test('GIVEN a deployed shorthand queue WHEN it becomes the only entry of queues THEN nothing is destroyed and the queue moves', () => {
    const changes = planEdit({ project, queueId: 'orders' }, { project, queues: { orders: {} } });
    expect(destroyed(changes)).toEqual([]);
    expect(queueMove(changes)?.previous_address).toBe('terraform_data.google_cloud_tasks_queue__Pipeline_Queue_C13966F5');
    expect(changes.every((c) => c.change.actions.join() === 'no-op')).toBe(true);
  });

  test('GIVEN queues keyed by id WHEN a key is renamed and queueId keeps the id THEN nothing is destroyed', () => {
    const changes = planEdit({ project, queues: { orders: {}, emails: {} } }, { project, queues: { 'orders-main': { queueId: 'orders' }, emails: {} } });
    expect(destroyed(changes)).toEqual([]);
    expect(moved(changes).every((c) => c.previous_address!.includes('Pipeline-orders_') && c.address.includes('Pipeline-orders-main_'))).toBe(true);
    expect(moved(changes).length).toBeGreaterThan(5);
  });

  test('GIVEN a deployed shorthand queue WHEN it becomes a one-entry queues map under a new key THEN the chain of moves destroys nothing', () => {
    const changes = planEdit({ project, queueId: 'orders' }, { project, queues: { 'orders-main': { queueId: 'orders' } } });
    expect(destroyed(changes)).toEqual([]);
    expect(queueMove(changes)?.previous_address).toBe('terraform_data.google_cloud_tasks_queue__Pipeline_Queue_C13966F5');
    expect(queueMove(changes)?.address).toMatch(/^terraform_data\.google_cloud_tasks_queue__Pipeline-orders-main_Queue_[0-9A-F]{8}$/);
  });

  test('the HCL export carries the same moves (npm run synth:hcl writes them with movedHcl)', () => {
    const changes = planEdit({ project, queueId: 'orders' }, { project, queues: { 'orders-main': { queueId: 'orders' } } }, true);
    expect(destroyed(changes)).toEqual([]);
    expect(queueMove(changes)?.previous_address).toBe('terraform_data.google_cloud_tasks_queue__Pipeline_Queue_C13966F5');
  });

  test('GIVEN an unchanged one-entry queues config WHEN planned again THEN its moved blocks change nothing', () => {
    const config = { project, queues: { 'orders-main': { queueId: 'orders' } } };
    const changes = planEdit(config, config);
    expect(changes.map((c) => c.change.actions.join())).toEqual(changes.map(() => 'no-op'));
    expect(moved(changes)).toEqual([]);
  });
});
