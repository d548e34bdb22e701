// MovedResources: moved blocks from a construct's former ids (issue 17, item 3), and the app's choice of them.
import { Testing, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { HttpTargetPipeline } from '../constructs/http-target-pipeline';
import { MovedResources } from '../constructs/moved-resources';
import { ServiceAccount } from '../constructs/service-account';
import { resolveConfig } from '../config';
import { formerPipelineIds } from '../main';
import { synth } from './helpers';

const movedOf = (s: { json: unknown }) => (s.json as { moved?: { from: string; to: string }[] }).moved;

describe('MovedResources', () => {
  test('moves every resource under the target from its former address', () => {
    const s = synth((stack) => {
      const target = new Construct(stack, 'New');
      new ServiceAccount(target, 'Sa', { accountId: 'orders-enq', description: 'd' });
      new MovedResources(stack, 'Moves', target, ['Old']);
    });
    expect(movedOf(s)).toEqual([{ from: expect.stringMatching(/^google_service_account\.Old_Sa_[0-9A-F]{8}$/), to: expect.stringMatching(/^google_service_account\.New_Sa_[0-9A-F]{8}$/) }]);
  });

  test('the former address is the one cdktf gave the resource under the former id', () => {
    const before = synth((stack) => new ServiceAccount(new Construct(stack, 'Old'), 'Sa', { accountId: 'orders-enq', description: 'd' }));
    const after = synth((stack) => {
      const target = new Construct(stack, 'New');
      new ServiceAccount(target, 'Sa', { accountId: 'orders-enq', description: 'd' });
      new MovedResources(stack, 'Moves', target, ['Old']);
    });
    expect(movedOf(after)).toEqual([
      { from: `google_service_account.${Object.keys(before.json.resource!.google_service_account)[0]}`, to: `google_service_account.${Object.keys(after.json.resource!.google_service_account)[0]}` },
    ]);
  });

  test('several former ids chain, oldest first, one link each', () => {
    const s = synth((stack) => {
      const target = new Construct(stack, 'C');
      new ServiceAccount(target, 'Sa', { accountId: 'orders-enq', description: 'd' });
      new MovedResources(stack, 'Moves', target, ['A', 'B']);
    });
    const moves = movedOf(s)!;
    expect(moves.map((m) => [m.from.split('.')[1].split('_')[0], m.to.split('.')[1].split('_')[0]])).toEqual([['A', 'B'], ['B', 'C']]);
    expect(moves[0].to).toBe(moves[1].from);
  });

  test("a grant to a principal inside the target carries the former id in its grantee's path", () => {
    const s = synth((stack) => new MovedResources(stack, 'Moves', new HttpTargetPipeline(stack, 'Pipeline-orders', { queueId: 'orders', location: 'us-central1' }), ['Pipeline']));
    const grant = movedOf(s)!.find((m) => m.to.startsWith('google_cloud_tasks_queue_iam_member.'))!;
    expect(grant.from).toBe('google_cloud_tasks_queue_iam_member.Pipeline_Queue_cloudtasksenqueuer-Pipeline-Enqueuer_FAA88D29');
    expect(grant.to).toMatch(/\.Pipeline-orders_Queue_cloudtasksenqueuer-Pipeline-orders-Enqueuer_[0-9A-F]{8}$/);
  });

  test('a grant to a principal outside the target keeps its grantee path, even one that starts like the target', () => {
    const s = synth((stack) => {
      const outside = new ServiceAccount(new Construct(stack, 'Pipeline-orders-main'), 'Enqueuer', { accountId: 'other-enq', description: 'd' });
      const target = new HttpTargetPipeline(stack, 'Pipeline-orders', { queueId: 'orders', location: 'us-central1' });
      target.queue.grantEnqueue(outside);
      new MovedResources(stack, 'Moves', target, ['Pipeline']);
    });
    const grant = movedOf(s)!.find((m) => m.to.includes('cloudtasksenqueuer-Pipeline-orders-main-Enqueuer'))!;
    expect(grant.from).toMatch(/\.Pipeline_Queue_cloudtasksenqueuer-Pipeline-orders-main-Enqueuer_[0-9A-F]{8}$/);
  });

  test('resources added to the target after the element move too', () => {
    const s = synth((stack) => {
      const target = new Construct(stack, 'New');
      new MovedResources(stack, 'Moves', target, ['Old']);
      new ServiceAccount(target, 'Sa', { accountId: 'orders-enq', description: 'd' });
    });
    expect(movedOf(s)).toHaveLength(1);
  });

  test('a target without resources writes no moved block', () => {
    const s = synth((stack) => new MovedResources(stack, 'Moves', new Construct(stack, 'Empty'), ['Old']));
    expect(movedOf(s)).toBeUndefined();
  });

  test('refuses a target that is not a direct child of its stack', () => {
    const stack = new TerraformStack(Testing.app(), 's');
    const nested = new Construct(new Construct(stack, 'Outer'), 'Inner');
    expect(() => new MovedResources(stack, 'Moves', nested, ['Old'])).toThrow("MovedResources: 's/Outer/Inner' must be a direct child of its stack");
  });

  test('refuses a former id that is still a construct of the stack (Terraform rejects moving from a configured address)', () => {
    const stack = new TerraformStack(Testing.app(), 's');
    new Construct(stack, 'Old');
    expect(() => new MovedResources(stack, 'Moves', new Construct(stack, 'New'), ['Old'])).toThrow("MovedResources: 'Old' is still a construct of stack 's'");
  });

  test("refuses the target's own id as a former id", () => {
    const stack = new TerraformStack(Testing.app(), 's');
    expect(() => new MovedResources(stack, 'Moves', new Construct(stack, 'New'), ['New'])).toThrow("MovedResources: 'New' is still a construct");
  });
});

describe('the moves the app knows (formerPipelineIds)', () => {
  const dev = (pipeline: unknown) => resolveConfig({ project: 'acme-orders-dev', ...(pipeline as object) }, {}).environments.dev;

  test('the shorthand has nothing to move', () => {
    expect(formerPipelineIds(dev({ queueId: 'orders' }))).toEqual({});
  });

  test("a one-entry queues map may hold the shorthand's queue", () => {
    expect(formerPipelineIds(dev({ queues: { orders: {} } }))).toEqual({ orders: ['Pipeline'] });
  });

  test('a queue keyed other than its queueId may have been keyed by it', () => {
    expect(formerPipelineIds(dev({ queues: { 'orders-main': { queueId: 'orders' }, emails: {} } }))).toEqual({ 'orders-main': ['Pipeline-orders'] });
  });

  test('both, oldest first, for a one-entry map under a new key', () => {
    expect(formerPipelineIds(dev({ queues: { 'orders-main': { queueId: 'orders' } } }))).toEqual({ 'orders-main': ['Pipeline', 'Pipeline-orders'] });
  });

  test('none from an address another queue holds now', () => {
    expect(formerPipelineIds(dev({ queues: { a: { queueId: 'b' }, b: { queueId: 'c' } } }))).toEqual({ b: ['Pipeline-c'] });
  });

  test('none for a queue that keeps the single-queue addresses, and no Pipeline guess beside it', () => {
    expect(formerPipelineIds(dev({ queues: { orders: { keepSingleQueueAddresses: true }, emails: {} } }))).toEqual({});
    expect(formerPipelineIds(dev({ queues: { orders: { keepSingleQueueAddresses: true } } }))).toEqual({});
  });

  test('several entries keyed by their ids move nothing', () => {
    expect(formerPipelineIds(dev({ queues: { orders: {}, emails: {} } }))).toEqual({});
  });
});
