/**
 * Offline change review of synthesized stacks: what a config or code change will create, replace, update,
 * destroy, move, import, forget, grant or revoke, before anyone runs Terraform. cdktf-free.
 */
export * from './types';
export * from './replacement-rules';
export { reviewChanges, FOUNDATION_STACK_PREFIX, QUEUE_NAME_BLOCKED_DAYS, STATELESS_TYPES } from './review';
export { formatReview } from './format';
export { loadSynthesizedApp, baselineOf } from './load';
export { toHaveNoDestructiveChanges, reviewMatchers, asSynthesizedApp, SINGLE_STACK } from './matcher';
export type { SynthesizedInput, MatcherResult, ReviewMatchers } from './matcher';
