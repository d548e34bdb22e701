/**
 * Cloud Tasks, Cloud Run and IAM limits, and the checks built on them.
 *
 * This module is shared by synth time (constructs, app config) and run time (handler, producers,
 * local server), so it must never import cdktf, the provider package or the constructs.
 */
export * from './limits';
export * from './checks';
export * from './problems';
export * from './status';
export * from './placeholder';
export * from './retry';
export * from './dead-letter';
export * from './rules';
export * from './names';
export * from './cloud-run';
export * from './queue-settings';
export * from './adopt';
export * from './deadlines';
export * from './environments';
export * from './suggest';
export * from './regions';
