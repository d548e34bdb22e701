import { GoogleProvider } from '@cdktf/provider-google/lib/provider';
import { Testing, TerraformStack } from 'cdktf';

/** A synthesized stack: the JSON text (for cdktf's matchers) and its parsed form. */
export interface Synthed {
  readonly text: string;
  readonly json: { resource?: Record<string, Record<string, any>>; data?: Record<string, Record<string, any>>; output?: Record<string, any> };
}

/** Builds `fn` in a fresh stack with a Google provider and synthesizes it. */
export function synth(fn: (stack: TerraformStack) => void): Synthed {
  const app = Testing.app();
  const stack = new TerraformStack(app, 'test');
  new GoogleProvider(stack, 'google', { project: 'test-project', region: 'us-central1' });
  fn(stack);
  const text = Testing.synth(stack);
  return { text, json: JSON.parse(text) };
}

/** Every resource of `type`, metadata stripped, keyed by logical id. */
export function resources(s: Synthed, type: string): Record<string, any> {
  const found = s.json.resource?.[type] ?? {};
  return Object.fromEntries(
    Object.entries(found).map(([id, body]) => {
      const { ['//']: _meta, ...rest } = body as Record<string, unknown>;
      return [id, rest];
    }),
  );
}

export function only(s: Synthed, type: string): any {
  const all = Object.values(resources(s, type));
  if (all.length !== 1) throw new Error(`expected exactly one ${type}, found ${all.length}`);
  return all[0];
}

/** The IAM grants in a stack as "resource type | role | member" rows, sorted: easy to compare as a table. */
export function iamRows(s: Synthed): string[] {
  return Object.entries(s.json.resource ?? {})
    .filter(([type]) => type.endsWith('_iam_member'))
    .flatMap(([type, byId]) => Object.values(byId).map((r: any) => `${type} | ${r.role} | ${r.member}`))
    .sort();
}
