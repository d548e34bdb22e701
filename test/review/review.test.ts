import { formatReview, reviewChanges, SynthesizedApp, SynthesizedStack } from '../../review';
import { synthApp } from './synth-app';

const SA = 'google_service_account';
const sa = (accountId: string, extra: Record<string, unknown> = {}) => ({ account_id: accountId, project: 'p', ...extra });
const app = (stack: SynthesizedStack, name = 'dev'): SynthesizedApp => ({ [name]: stack });
const grant = (accountRef: string) => ({ service_account_id: `\${${accountRef}.name}`, role: 'roles/iam.serviceAccountUser', member: `serviceAccount:\${${accountRef}.email}` });

describe('moved blocks', () => {
  test('GIVEN a moved block from the old address THEN the resource is moved, not destroyed and created', () => {
    const r = reviewChanges(app({ resource: { [SA]: { a: sa('x') } } }), app({ resource: { [SA]: { b: sa('x') } }, moved: [{ from: `${SA}.a`, to: `${SA}.b` }] }));
    expect(r.stacks[0]).toMatchObject({ moved: [{ from: `${SA}.a`, to: `${SA}.b` }], created: [], destroyed: [], updated: [] });
  });

  test('GIVEN a moved resource that also changes THEN the change is reviewed at its new address', () => {
    const r = reviewChanges(app({ resource: { [SA]: { a: sa('x') } } }), app({ resource: { [SA]: { b: sa('y') } }, moved: [{ from: `${SA}.a`, to: `${SA}.b` }] }));
    expect(r.stacks[0].replaced).toEqual([{ address: `${SA}.b`, attributes: ['account_id'] }]);
  });

  test('GIVEN a chain of moved blocks THEN it is followed to its end', () => {
    const moved = [{ from: `${SA}.a`, to: `${SA}.b` }, { from: `${SA}.b`, to: `${SA}.c` }];
    const r = reviewChanges(app({ resource: { [SA]: { a: sa('x') } } }), app({ resource: { [SA]: { c: sa('x') } }, moved }));
    expect(r.stacks[0].moved).toEqual([{ from: `${SA}.a`, to: `${SA}.c` }]);
  });

  test('GIVEN a reference to a moved resource THEN the referencing resource does not change', () => {
    const before = { resource: { [SA]: { a: sa('x') }, google_service_account_iam_member: { g: grant(`${SA}.a`) } } };
    const after = { resource: { [SA]: { b: sa('x') }, google_service_account_iam_member: { g: grant(`${SA}.b`) } }, moved: [{ from: `${SA}.a`, to: `${SA}.b` }] };
    const r = reviewChanges(app(before), app(after));
    expect(r.stacks[0]).toMatchObject({ replaced: [], updated: [], revoked: [], granted: [] });
  });
});

describe('removed and import blocks', () => {
  test('GIVEN a removed block with destroy = false THEN the resource is forgotten, not destroyed, and its grant stays', () => {
    const before = { resource: { [SA]: { a: sa('x') }, google_service_account_iam_member: { g: grant(`${SA}.a`) } } };
    const after = { resource: { [SA]: { a: sa('x') } }, removed: [{ from: 'google_service_account_iam_member.g', lifecycle: { destroy: false } }] };
    const r = reviewChanges(app(before, 'project-p'), app(after, 'project-p'));
    expect(r.stacks[0]).toMatchObject({ removedFromState: ['google_service_account_iam_member.g'], destroyed: [], revoked: [] });
    expect(r.blocking).toBe(false);
  });

  test('GIVEN a removed block that destroys THEN the resource is destroyed', () => {
    const r = reviewChanges(app({ resource: { [SA]: { a: sa('x') } } }), app({ removed: [{ from: `${SA}.a`, lifecycle: { destroy: true } }] }));
    expect(r.stacks[0].destroyed).toEqual([`${SA}.a`]);
  });

  test('GIVEN an import block for a new address THEN it is imported, not created', () => {
    const r = reviewChanges(app({}), app({ resource: { [SA]: { a: sa('x') } }, import: [{ to: `${SA}.a`, id: 'projects/p/serviceAccounts/x@p.iam.gserviceaccount.com' }] }));
    expect(r.stacks[0]).toMatchObject({ created: [], imported: [{ address: `${SA}.a`, id: 'projects/p/serviceAccounts/x@p.iam.gserviceaccount.com' }] });
  });

  test('GIVEN an import block for an address already managed THEN it is no change', () => {
    const stack = { resource: { [SA]: { a: sa('x') } } };
    const r = reviewChanges(app(stack), app({ ...stack, import: [{ to: `${SA}.a`, id: 'x' }] }));
    expect(r.stacks[0].imported).toEqual([]);
  });
});

describe('what a replacement forces on what references it', () => {
  test('GIVEN a replaced service account THEN a grant naming its email is replaced because of it, and the old member revoked', () => {
    const before = { resource: { [SA]: { a: sa('x') }, google_service_account_iam_member: { g: grant(`${SA}.a`) } } };
    const after = { resource: { [SA]: { a: sa('y') }, google_service_account_iam_member: { g: grant(`${SA}.a`) } } };
    const r = reviewChanges(app(before), app(after));
    expect(r.stacks[0].replaced.find((x) => x.address === 'google_service_account_iam_member.g')).toEqual({
      address: 'google_service_account_iam_member.g',
      attributes: ['service_account_id', 'member'],
      because: [`${SA}.a`],
    });
    expect(r.stacks[0].revoked.map((g) => g.member)).toEqual(['serviceAccount:x@p.iam.gserviceaccount.com']);
  });

  test('GIVEN a replaced resource whose referenced attribute is set in config and unchanged THEN the reference forces nothing', () => {
    const q = (location: string) => ({ name: 'q', location, project: 'p' });
    const member = (loc: string) => ({ name: '${google_cloud_tasks_queue.q.name}', location: loc, project: 'p', role: 'roles/cloudtasks.enqueuer', member: 'user:a@b.c' });
    const r = reviewChanges(
      app({ resource: { google_cloud_tasks_queue: { q: q('l1') }, google_cloud_tasks_queue_iam_member: { m: member('l1') } } }),
      app({ resource: { google_cloud_tasks_queue: { q: q('l2') }, google_cloud_tasks_queue_iam_member: { m: member('l1') } } }),
    );
    expect(r.stacks[0].replaced.map((x) => x.address)).toEqual(['google_cloud_tasks_queue.q']);
  });

  test('GIVEN a setting that references a replaced resource\'s computed attribute THEN it is updated in place', () => {
    const before = { resource: { [SA]: { a: sa('x') }, google_cloud_tasks_queue: { q: { name: 'q', location: 'l', project: 'p', http_target: { sa: `\${${SA}.a.email}` } } } } };
    const after = { resource: { [SA]: { a: sa('y') }, google_cloud_tasks_queue: { q: { name: 'q', location: 'l', project: 'p', http_target: { sa: `\${${SA}.a.email}` } } } } };
    const r = reviewChanges(app(before), app(after));
    expect(r.stacks[0].updated).toEqual([{ address: 'google_cloud_tasks_queue.q', attributes: ['http_target'] }]);
  });

  test('GIVEN only meta-arguments change THEN the resource does not change', () => {
    const r = reviewChanges(app({ resource: { [SA]: { a: sa('x') } } }), app({ resource: { [SA]: { a: sa('x', { depends_on: ['terraform_data.x'], lifecycle: { prevent_destroy: true } }) } } }));
    expect(r.stacks[0]).toMatchObject({ updated: [], replaced: [] });
  });
});

describe('protection and acknowledgement', () => {
  const queue = (protect: boolean) => ({ name: 'q', location: 'l', project: 'p', lifecycle: { prevent_destroy: protect } });
  const gone = (before: SynthesizedStack, stack = 'dev', acknowledge: string[] = []) => reviewChanges(app(before, stack), app({}, stack), { acknowledge });

  test('a destroyed queue with prevent_destroy blocks, saying Terraform deletes it (the setting left the config with it); without it, it does not block', () => {
    const r = gone({ resource: { google_cloud_tasks_queue: { q: queue(true) } } });
    expect(r.findings.map((f) => [f.kind, f.message])).toEqual([['protected-destroyed', 'destroyed, but it had lifecycle.prevent_destroy, which leaves the config with it: Terraform deletes it']]);
    expect(gone({ resource: { google_cloud_tasks_queue: { q: queue(false) } } }).blocking).toBe(false);
  });

  test('a destroyed Cloud Run service is protected unless deletion_protection is false', () => {
    expect(gone({ resource: { google_cloud_run_v2_service: { s: { name: 's' } } } }).blocking).toBe(true);
    expect(gone({ resource: { google_cloud_run_v2_service: { s: { name: 's', deletion_protection: false } } } }).blocking).toBe(false);
  });

  test('anything destroyed in a foundation stack blocks, except stateless waits and anchors', () => {
    expect(gone({ resource: { google_project_service: { s: { service: 'run.googleapis.com' } } } }, 'project-p').blocking).toBe(true);
    expect(gone({ resource: { time_sleep: { w: { create_duration: '60s' } } } }, 'project-p').blocking).toBe(false);
  });

  test('a replaced protected resource blocks', () => {
    const r = reviewChanges(app({ resource: { google_cloud_tasks_queue: { q: queue(true) } } }), app({ resource: { google_cloud_tasks_queue: { q: { ...queue(true), name: 'q2' } } } }));
    expect(r.findings).toEqual([expect.objectContaining({ kind: 'protected-replaced', address: 'google_cloud_tasks_queue.q', acknowledged: false, message: 'replaced (name), but it has lifecycle.prevent_destroy (Terraform refuses the plan)' })]);
  });

  test('an acknowledgement names TYPE.NAME in any stack, or STACK:TYPE.NAME in that stack only', () => {
    const before = { resource: { google_cloud_tasks_queue: { q: queue(true) } } };
    expect(gone(before, 'dev', ['google_cloud_tasks_queue.q']).blocking).toBe(false);
    expect(gone(before, 'dev', ['dev:google_cloud_tasks_queue.q']).blocking).toBe(false);
    expect(gone(before, 'dev', ['prod:google_cloud_tasks_queue.q']).blocking).toBe(true);
  });

  test('a destroyed queue says its name is blocked for 7 days', () => {
    expect(gone({ resource: { google_cloud_tasks_queue: { q: queue(false) } } }).stacks[0].notes).toEqual(['queue "q" (p/l) is deleted with its tasks; its name cannot be reused for up to 7 days']);
  });
});

describe('stacks', () => {
  test('a stack no longer synthesized is left deployed, not destroyed', () => {
    const r = reviewChanges({ dev: {}, prod: { resource: { [SA]: { a: sa('x') } } } }, { dev: {} });
    expect(r).toMatchObject({ leftDeployed: ['prod'], blocking: false });
    expect(formatReview(r)).toContain('Stack prod: no longer synthesized; left deployed until `cdktf destroy prod`');
  });

  test('a new stack creates everything in it', () => {
    expect(reviewChanges({}, { dev: { resource: { [SA]: { a: sa('x') } } } }).stacks[0].created).toEqual([`${SA}.a`]);
  });

  test('the same object destroyed in one stack and created in another gets a removed + import note', () => {
    const r = reviewChanges({ a: { resource: { [SA]: { x: sa('x') } } }, b: {} }, { a: {}, b: { resource: { [SA]: { y: sa('x') } } } });
    expect(r.stacks.find((s) => s.stack === 'a')!.notes).toEqual([`${SA}.x is created again in stack b as ${SA}.y: keep it with a removed block (lifecycle { destroy = false }) here and an import block there`]);
  });
});

describe('formatReview', () => {
  test('says "No changes." when nothing changes', () => {
    expect(formatReview(reviewChanges({ dev: {} }, { dev: {} }))).toBe('No changes.');
  });

  test('a one-queue change fits on a screen (at most 24 lines) and names what it does', () => {
    const P = { project: 'acme-orders-dev' };
    const text = formatReview(reviewChanges(synthApp({ ...P, queues: { orders: {} } }), synthApp({ ...P, queues: { orders: {}, emails: {} } })));
    expect(text.split('\n').length).toBeLessThanOrEqual(24);
    expect(text).toContain('  + google_cloud_tasks_queue.Pipeline-emails_Queue_7D92784B');
    expect(text).toContain('  IAM + roles/cloudtasks.enqueuer to serviceAccount:emails-enq@acme-orders-dev.iam.gserviceaccount.com on google_cloud_tasks_queue acme-orders-dev/us-central1/emails');
  });

  test('lists blocking findings with the acknowledgement to pass', () => {
    const r = reviewChanges({ dev: { resource: { google_cloud_run_v2_service: { s: { name: 's' } } } } }, { dev: {} });
    expect(formatReview(r)).toMatch(/Blocking \(1\); acknowledge an intended one with --ack STACK:ADDRESS:\n {2}dev:google_cloud_run_v2_service.s: .*deletion_protection/);
  });

  test('lists acknowledged findings apart', () => {
    const r = reviewChanges({ dev: { resource: { google_cloud_run_v2_service: { s: { name: 's' } } } } }, { dev: {} }, { acknowledge: ['dev:google_cloud_run_v2_service.s'] });
    expect(formatReview(r)).toMatch(/Acknowledged:\n {2}dev:google_cloud_run_v2_service.s/);
    expect(formatReview(r)).not.toContain('Blocking');
  });
});

describe('formatReview, one line per kind of change', () => {
  const before = { dev: { resource: { [SA]: { a: sa('x'), gone: sa('g') }, google_storage_bucket: { b: { name: 'b1' } }, google_cloud_tasks_queue: { q: { name: 'q', location: 'l', project: 'p', rate_limits: { max: 1 } } } } } };
  const after = {
    dev: {
      resource: { [SA]: { moved: sa('x'), adopted: sa('i') }, google_storage_bucket: { b: { name: 'b2' } }, google_cloud_tasks_queue: { q: { name: 'q', location: 'l', project: 'p', rate_limits: { max: 2 } } } },
      moved: [{ from: `${SA}.a`, to: `${SA}.moved` }],
      removed: [{ from: `${SA}.gone`, lifecycle: { destroy: false } }],
      import: [{ to: `${SA}.adopted`, id: 'projects/p/serviceAccounts/i@p.iam.gserviceaccount.com' }],
    },
  };
  const lines = formatReview(reviewChanges(before, after)).split('\n');

  test('counts every kind in the stack line', () => {
    expect(lines[0]).toBe('Stack dev: 1 to update in place, 1 to move, 1 to import, 1 to forget (left in place), 1 to change (replacement unknown)');
  });

  test.each([
    ['an update with its attributes', '  ~ google_cloud_tasks_queue.q  (rate_limits)'],
    ['a change of an unknown type', '  ? google_storage_bucket.b  (changed, replacement unknown: name)'],
    ['a move', `  > ${SA}.a -> ${SA}.moved  (moved)`],
    ['an import with its id', `  <= ${SA}.adopted  (imported: projects/p/serviceAccounts/i@p.iam.gserviceaccount.com)`],
    ['a resource forgotten', `  x ${SA}.gone  (removed from state, left in place)`],
  ])('prints %s', (_what, line) => {
    expect(lines).toContain(line);
  });

  test('prints a stack whose only change is a grant as such', () => {
    const empty = reviewChanges({}, { dev: {} });
    const grant = { address: 'google_project_iam_member.g', resource: 'google_project p', role: 'roles/viewer', member: 'user:a@x.y' };
    const text = formatReview({ ...empty, stacks: [{ ...empty.stacks[0], granted: [grant] }] });
    expect(text).toBe('Stack dev: IAM changes only\n  IAM + roles/viewer to user:a@x.y on google_project p');
  });

  test('prints the config setting that keeps the addresses once above the moved blocks', () => {
    const P = { project: 'acme-orders-dev' };
    const text = formatReview(reviewChanges(synthApp({ ...P, queueId: 'orders' }), synthApp({ ...P, queues: { orders: {}, emails: {} } })));
    expect(text).toMatch(/ {2}suggestion: 11 destroyed resource\(s\) are the same objects as created ones; keep them with these moved blocks \(or set "keepSingleQueueAddresses": true on queue "orders" keeps the Pipeline addresses\):\n {4}moved \{\n {6}from = /);
  });
});

describe('identities from configured values', () => {
  test('a numeric attribute a reference names is read as its text', () => {
    const stackOf = (port: number): SynthesizedApp => ({ dev: { resource: { google_cloud_tasks_queue: { q: { name: 'q', location: 'l', project: 'p', port } }, google_cloud_tasks_queue_iam_member: { m: { name: 'q', location: '${google_cloud_tasks_queue.q.port}', project: 'p', role: 'r', member: 'user:a@b.c' } } } } });
    expect(reviewChanges({ dev: {} }, stackOf(2)).stacks[0].granted.map((g) => g.resource)).toEqual(['google_cloud_tasks_queue p/2/q']);
  });
});

test('a queue replaced only because a reference forces it is re-created under the same name: the note says the create fails', () => {
  const stackOf = (trigger: string): SynthesizedApp => ({
    dev: { resource: { terraform_data: { t: { input: 'q', triggers_replace: trigger } }, google_cloud_tasks_queue: { q: { name: '${terraform_data.t.output}', location: 'l', project: 'p' } } } },
  });
  const r = reviewChanges(stackOf('a'), stackOf('b'));
  expect(r.stacks[0].replaced.map((x) => x.address)).toEqual(['google_cloud_tasks_queue.q', 'terraform_data.t']);
  expect(r.stacks[0].notes).toEqual(['queue "${terraform_data.t.output}" (p/l) is deleted with its tasks and created again: the name is blocked for up to 7 days after deletion, so the create fails']);
});
