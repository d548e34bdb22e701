/**
 * A Jest matcher over the review: `expect(synth).toHaveNoDestructiveChanges(baseline, { acknowledge })`.
 * Plain functions (no import of jest): register them with `expect.extend(reviewMatchers)`.
 */
import { formatReview } from './format';
import { reviewChanges } from './review';
import type { ReviewOptions, SynthesizedApp, SynthesizedStack } from './types';

/** What the matcher accepts: an app (stack name → stack), one stack, or one stack's JSON text (`Testing.synth`). */
export type SynthesizedInput = SynthesizedApp | SynthesizedStack | string;

/** Stack name used when the matcher is given one stack rather than an app. */
export const SINGLE_STACK = 'stack';

const STACK_KEYS = ['resource', 'terraform', 'provider', '//', 'moved', 'removed', 'import', 'output', 'data'];

/** An app from any accepted input: a string is parsed, one stack becomes an app of one stack named `stack`. */
export function asSynthesizedApp(input: SynthesizedInput): SynthesizedApp {
  const value = typeof input === 'string' ? (JSON.parse(input) as SynthesizedApp | SynthesizedStack) : input;
  const keys = Object.keys(value);
  return keys.length === 0 || keys.some((k) => STACK_KEYS.includes(k)) ? { [SINGLE_STACK]: value as SynthesizedStack } : (value as SynthesizedApp);
}

/** The result a Jest matcher returns. */
export interface MatcherResult {
  /** Whether the expectation held. */
  readonly pass: boolean;
  /** The message Jest prints. */
  readonly message: () => string;
}

/**
 * Passes when going from `baseline` to `received` destroys or replaces no protected resource, revokes no grant
 * and changes no resource of an unknown type, except addresses in `options.acknowledge`.
 */
export function toHaveNoDestructiveChanges(received: SynthesizedInput, baseline: SynthesizedInput, options: ReviewOptions = {}): MatcherResult {
  const result = reviewChanges(asSynthesizedApp(baseline), asSynthesizedApp(received), options);
  return {
    pass: !result.blocking,
    message: () =>
      result.blocking
        ? `expected no unacknowledged destroy, replacement or revoked grant, but the review found:\n${formatReview(result)}`
        : `expected destructive changes, but the review found none that block:\n${formatReview(result)}`,
  };
}

/** The review's Jest matchers (a type alias, not an interface: `expect.extend` wants an index-compatible map). */
export type ReviewMatchers = {
  /** See {@link toHaveNoDestructiveChanges}. */
  readonly toHaveNoDestructiveChanges: typeof toHaveNoDestructiveChanges;
};

/** The matchers to pass to `expect.extend`. */
export const reviewMatchers: ReviewMatchers = { toHaveNoDestructiveChanges };

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace jest {
    interface Matchers<R> {
      /** Fails on an unacknowledged destroy or replacement of a protected resource, or a revoked grant, since `baseline`. */
      toHaveNoDestructiveChanges(baseline: SynthesizedInput, options?: ReviewOptions): R;
    }
  }
}
