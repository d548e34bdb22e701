/**
 * The test order of `npm run mutation` (jest.stryker.config.js): fastest test files first.
 *
 * jest's default order runs the slowest files first (and files that failed last time before those), which
 * suits a full run on many workers. A mutant run is in-band and stops at its first failure
 * (jest-bail-environment.js), so the quickest chance of a failure comes first: the default order reversed.
 */
'use strict';
const Sequencer = require('@jest/test-sequencer').default;

class FastestFirstSequencer extends Sequencer {
  sort(tests) {
    return [...super.sort(tests)].reverse();
  }
}

module.exports = FastestFirstSequencer;
