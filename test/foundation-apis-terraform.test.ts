// Turning alerts or the Pub/Sub dead-letter sink off drops an API from the project's foundation. prevent_destroy
// is read from the config, so it leaves with the resource: a plain drop plans a destroy in the protected
// foundation stack (disable_on_destroy = false makes that destroy only forget the API, but the plan, and the
// change review, read as a destroy). The foundation writes a `removed` block (destroy = false) for each feature API
// no pipeline needs, so the plan says what happens: forgotten, left enabled. Proved with Terraform itself on
// terraform_data stand-ins of the foundation stack (test/terraform-offline.ts).
import { applied, asTerraformData, describeWithTerraform, PlannedChange, planEdit, synthStack, terraform } from './terraform-offline';

// Each test runs terraform init/apply/plan (seconds each on a loaded machine).
jest.setTimeout(120_000);

const project = 'acme-orders-dev';
const synthFoundation = (pipeline: unknown) => synthStack(pipeline, `project-${project}`);

const byAction = (changes: PlannedChange[], action: string) => changes.filter((c) => c.change.actions.includes(action)).map((c) => c.address.replace(/^terraform_data\.google_project_service__[^_]+_/, '').replace(/_[0-9A-F]{8}$/, ''));

describeWithTerraform()('feature APIs under Terraform (terraform_data stand-ins, local state)', () => {
  const everything = { project, queueId: 'orders', deadLetterSink: 'pubsub' };
  const nothing = { project, queueId: 'orders', alerts: false };

  test('GIVEN alerts and the Pub/Sub sink deployed WHEN both are turned off THEN the plan forgets their three APIs and destroys nothing', () => {
    const { changes, error } = planEdit(asTerraformData(synthFoundation(everything)), asTerraformData(synthFoundation(nothing)));
    expect(error).toBeUndefined();
    expect(byAction(changes, 'delete')).toEqual([]);
    expect(byAction(changes, 'forget').sort()).toEqual(['logging', 'monitoring', 'pubsub']);
  });

  test('without the removed blocks the same edit plans to destroy the three APIs: prevent_destroy left the config with them', () => {
    const { changes, error } = planEdit(asTerraformData(synthFoundation(everything)), asTerraformData(synthFoundation(nothing), { removed: false }));
    expect(error).toBeUndefined();
    expect(byAction(changes, 'delete').sort()).toEqual(['logging', 'monitoring', 'pubsub']);
  });

  test('prevent_destroy does refuse a plan while the resource is still in the config (a replacement or a stack destroy)', () => {
    const dir = applied(asTerraformData(synthFoundation(everything)));
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
