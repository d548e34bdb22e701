// Issue 17, item 3: a config edit the app can recognise (shorthand → a one-entry `queues` map, a key renamed
// while `queueId` stays) moves state instead of destroying the queue, its accounts and its service. Proved with
// Terraform itself, offline, on terraform_data stand-ins of the app's dev stack (test/terraform-offline.ts): the
// "before" config is applied to local state, and the "after" config is planned.
import { asTerraformData, describeWithTerraform, PlannedChange, planEdit as plan, StandIns, synthStack } from './terraform-offline';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { movedHcl } = require('../scripts/hcl-blocks') as { movedHcl: (block: { from: string; to: string }) => string };

// Each test runs terraform init/apply/plan (seconds each on a loaded machine).
jest.setTimeout(120_000);

const synthDev = (pipeline: unknown) => asTerraformData(synthStack(pipeline, 'dev'));

/** The resources and moved blocks as HCL, the moved blocks written by `npm run synth:hcl`'s movedHcl. */
function asHcl(json: StandIns): string {
  return [...Object.keys(json.resource.terraform_data).map((name) => `resource "terraform_data" "${name}" {}\n`), ...(json.moved ?? []).map(movedHcl)].join('');
}

/** Applies the `before` config's dev stack, then plans the `after` one's (as JSON, or as HCL): every planned change. */
function planEdit(before: unknown, after: unknown, afterAsHcl = false): PlannedChange[] {
  const { changes, error } = plan(synthDev(before), afterAsHcl ? asHcl(synthDev(after)) : synthDev(after));
  if (error) throw new Error(error);
  return changes;
}

const destroyed = (changes: PlannedChange[]) => changes.filter((c) => c.change.actions.includes('delete')).map((c) => c.address);
const moved = (changes: PlannedChange[]) => changes.filter((c) => c.previous_address !== undefined);
const queueMove = (changes: PlannedChange[]) => moved(changes).find((c) => c.address.includes('google_cloud_tasks_queue__'));

describeWithTerraform()('moved blocks under Terraform (terraform_data stand-ins, local state)', () => {
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
