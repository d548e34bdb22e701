// No unchanged config changes a Terraform address (issue 17): the configs in the docs, and the forms the docs
// describe in words, synthesize exactly the addresses recorded before this release's changes
// (test/fixtures/doc-config-addresses.json). A new resource is listed below with its reason; a changed or
// missing address fails.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { addressesOf, docConfigs, PROSE_CONFIGS } from './fixtures/doc-configs';

const recorded = JSON.parse(readFileSync(join(__dirname, 'fixtures', 'doc-config-addresses.json'), 'utf8')) as Record<string, string[]>;

/** Addresses this release adds on purpose (new resources; nothing existing moves). */
const ADDED: RegExp[] = [
  // Item 5: the foundation creates the Cloud Tasks agent before granting it its role (google-beta).
  /^project-[\w-]+: resource\.google_project_service_identity\.CloudTasksServiceAgent-[\w-]+_ServiceAgent_[0-9A-F]{8}$/,
];

/**
 * Addresses a documented config lost because the config itself changed on purpose: the many-queue example's
 * `orders-slow` (1800 s) is now CreateTask-only (`bufferTask: false`, issue 17 item 1), and a CreateTask-only
 * queue has no `buffer_task_url` output (a POST there would give its tasks 600 s). Outputs hold no data.
 */
const REMOVED: RegExp[] = [/^(dev|prod): output\.buffer_task_url_orders-slow$/];

const configs = { ...docConfigs(), ...PROSE_CONFIGS };

test('every recorded config is still in the docs or the prose list', () => {
  expect(Object.keys(configs).sort()).toEqual(Object.keys(recorded).sort());
});

test.each(Object.keys(recorded))('%s keeps every Terraform address it had', (name) => {
  const now = addressesOf(configs[name]);
  expect(now.filter((a) => !ADDED.some((r) => r.test(a)))).toEqual(recorded[name].filter((a) => !REMOVED.some((r) => r.test(a))));
});
