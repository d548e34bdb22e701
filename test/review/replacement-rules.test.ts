import { REPLACEMENT_RULES, replacementRule, reviewChanges, SynthesizedStack } from '../../review';
import { synthApp } from './synth-app';

/** A body with `value` at a dotted path, nested blocks as one-element lists below the top level (as cdktf writes them). */
function bodyWith(path: string, value: string): Record<string, unknown> {
  const [head, ...rest] = path.split('.');
  if (rest.length === 0) return { [head]: value };
  return { [head]: rest.length === 1 ? { [rest[0]]: value } : { [rest[0]]: [bodyWith(rest.slice(1).join('.'), value)] } };
}
const one = (type: string, body: Record<string, unknown>): Record<string, SynthesizedStack> => ({ dev: { resource: { [type]: { r: body } } } });

describe('every row of the replacement rules', () => {
  const rows = Object.entries(REPLACEMENT_RULES).flatMap(([type, rule]) => rule.forceNew.map((path) => [type, path] as const));

  test.each(rows)('%s: a change of %s forces replacement', (type, path) => {
    // GIVEN the attribute changes, WHEN reviewed, THEN the resource is replaced and the attribute named
    const r = reviewChanges(one(type, bodyWith(path, 'before')), one(type, bodyWith(path, 'after')));
    expect(r.stacks[0].replaced).toEqual([{ address: `${type}.r`, attributes: [path] }]);
  });

  test.each(Object.keys(REPLACEMENT_RULES))('%s: an attribute outside the rule updates in place', (type) => {
    const r = reviewChanges(one(type, { some_setting: 'a' }), one(type, { some_setting: 'b' }));
    expect(r.stacks[0].updated).toEqual([{ address: `${type}.r`, attributes: ['some_setting'] }]);
  });

  test.each(Object.entries(REPLACEMENT_RULES))('%s cites the provider source it comes from', (type, rule) => {
    const expected = type.startsWith('google_') ? /terraform-provider-google(-beta)? v6\.50\.0 google(-beta)?\/\S+\.go/ : /terraform-provider-time v0\.13\.1|Terraform built-in terraform_data/;
    expect(rule.source).toMatch(expected);
  });
});

describe('types without a rule', () => {
  test('a changed resource of an unknown type is "changed, replacement unknown" and blocks', () => {
    const r = reviewChanges(one('google_storage_bucket', { name: 'a' }), one('google_storage_bucket', { name: 'b' }));
    expect(r.stacks[0].unknown).toEqual([{ address: 'google_storage_bucket.r', attributes: ['name'] }]);
    expect(r.findings.map((f) => f.kind)).toEqual(['replacement-unknown']);
    expect(r.blocking).toBe(true);
  });

  test('an unchanged resource of an unknown type is no change', () => {
    const r = reviewChanges(one('google_storage_bucket', { name: 'a' }), one('google_storage_bucket', { name: 'a' }));
    expect(r.stacks[0].unknown).toEqual([]);
  });

  test('replacementRule does not take inherited names for types', () => {
    expect(replacementRule('constructor')).toBeUndefined();
  });
});

test('every resource type the documented example configs synthesize has a rule', () => {
  // GIVEN the single-queue and the many-queue examples with every optional feature on
  const app = {
    ...synthApp({ project: 'acme-orders-dev', dedicatedDispatchIdentity: true, deadLetterSink: 'pubsub', handler: { secrets: { K: 'k-id' } } }),
  };
  const types = new Set(Object.values(app).flatMap((s) => Object.keys(s.resource ?? {})));
  const missing = [...types].filter((t) => !replacementRule(t));
  expect(missing).toEqual([]);
});
