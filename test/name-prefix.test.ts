// An environment-level namePrefix (issue 17, item 7): two environments in one project get their own GCP names from
// one setting, collisions suggest it, and configs that do not set it keep every name.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveConfig } from '../config';
import { buildApp, formerPipelineIds } from '../main';

const twoEnvs = (staging: Record<string, unknown> = {}) => ({
  project: 'acme-orders',
  handlers: { shared: {} },
  queues: { orders: { handler: 'shared' }, emails: { deadLetterSink: 'pubsub', handler: { serviceName: 'mailer' } } },
  environments: { dev: {}, staging },
});

function synthStaging(file: unknown) {
  const outdir = mkdtempSync(join(tmpdir(), 'prefix-'));
  try {
    buildApp(resolveConfig(file, {}), outdir).synth();
    return JSON.parse(readFileSync(join(outdir, 'stacks', 'staging', 'cdk.tf.json'), 'utf8'));
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}
const names = (tf: any, type: string, key = 'name') => Object.values<any>(tf.resource[type] ?? {}).map((r) => r[key]).sort();

test('without a namePrefix two environments in one project collide, and the error suggests namePrefix', () => {
  expect(() => resolveConfig(twoEnvs(), {})).toThrow(
    /'context\.pipeline\.queues\.orders' must be a name that gives queue "orders" of environment "staging" its own queue: .*; or give environment "staging" a namePrefix \(context\.pipeline\.environments\.staging\.namePrefix, e\.g\. "staging-"\)/,
  );
});

test('a collision inside one environment does not suggest namePrefix', () => {
  let message = '';
  try {
    resolveConfig({ queues: { a: { queueId: 'same' }, b: { queueId: 'same' } } }, {});
  } catch (e) {
    message = (e as Error).message;
  }
  expect(message).toMatch(/already gets projects\/my-gcp-project\/locations\/us-central1\/queues\/same/);
  expect(message).not.toMatch(/namePrefix/);
});

test('with a namePrefix every derived GCP name of the environment starts with it', () => {
  const c = resolveConfig(twoEnvs({ namePrefix: 'stg-' }), {});
  const staging = c.environments.staging;
  expect(Object.values(staging.queues).map((q) => [q.name, q.queueId, q.enqueuerAccountId])).toEqual([
    ['orders', 'stg-orders', 'stg-orders-enq'],
    ['emails', 'stg-emails', 'stg-emails-enq'],
  ]);
  expect(staging.handlers.shared.serviceName).toBe('stg-shared');
  expect(staging.queues.emails.handler!.serviceName).toBe('stg-mailer'); // an explicit serviceName too
  expect(staging.namePrefix).toBe('stg-');
});

test('the synthesized staging stack uses the prefixed names for queues, services, accounts, topic, subscription and metric', () => {
  const tf = synthStaging(twoEnvs({ namePrefix: 'stg-' }));
  expect(names(tf, 'google_cloud_tasks_queue')).toEqual(['stg-emails', 'stg-orders']);
  expect(names(tf, 'google_cloud_run_v2_service')).toEqual(['stg-mailer', 'stg-shared']);
  expect(names(tf, 'google_service_account', 'account_id').every((id: string) => id.startsWith('stg-'))).toBe(true);
  expect(names(tf, 'google_pubsub_topic')).toEqual(['stg-emails-dead-letters']);
  expect(names(tf, 'google_pubsub_subscription')).toEqual(['stg-emails-dead-letters']);
  expect(names(tf, 'google_logging_metric').every((n: string) => /\/stg-(orders|emails)$/.test(n))).toBe(true);
});

test('the prefix changes no Terraform address (the keys decide them) and adds no moved block', () => {
  const plain = synthStaging({ project: 'acme-orders', queues: { orders: {} }, environments: { staging: {} } });
  const prefixed = synthStaging({ project: 'acme-orders', queues: { orders: {} }, environments: { staging: { namePrefix: 'stg-' } } });
  const addresses = (tf: any) => Object.entries<any>(tf.resource).flatMap(([type, byId]) => Object.keys(byId).map((id) => `${type}.${id}`)).sort();
  expect(addresses(prefixed)).toEqual(addresses(plain));
  expect(formerPipelineIds(resolveConfig({ project: 'acme-orders', queues: { orders: {}, emails: {} }, namePrefix: 'stg-' }, {}).environments.dev)).toEqual({});
});

test.each([
  ['upper case', 'Stg-'],
  ['a digit first', '1-'],
  ['too long', `${'s'.repeat(20)}-`],
])('a namePrefix with %s is refused with the rule', (_what, prefix) => {
  expect(() => resolveConfig({ environments: { staging: { namePrefix: prefix } } }, {})).toThrow(
    new RegExp(`'context\\.pipeline\\.environments\\.staging\\.namePrefix' must be a name prefix: 1-20 lowercase letters, digits or "-", starting with a letter \\(e\\.g\\. "stg-"\\), got "${prefix}"`),
  );
});

test('a namePrefix on a queue is refused (it is an environment setting)', () => {
  expect(() => resolveConfig({ queues: { orders: { namePrefix: 'stg-' } } }, {})).toThrow(/'context\.pipeline\.queues\.orders\.namePrefix' must be a known setting/);
});
