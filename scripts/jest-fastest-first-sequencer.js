/**
 * The test order of `npm run mutation` (jest.stryker.config.js).
 *
 * - Only the files that hold a mutant's covering tests. Stryker runs a mutant's covering tests by name
 *   (`testNamePattern`) over every related test file, and jest loads each of those files (and what it imports)
 *   even when none of its tests match: most of a mutant's time here. The initial run recorded which file holds
 *   each test (jest-bail-environment.js); a file is left out only when that record shows none of its tests
 *   match. Files it does not know (a run without the record) always stay.
 * - Fastest first. jest's default order runs the slowest files first (and files that failed last time before
 *   those), which suits a full run on many workers. A mutant run is in-band and stops at its first failure, so
 *   the quickest chance of a failure comes first: the default order reversed.
 */
'use strict';
const { readFileSync } = require('node:fs');
const { join } = require('node:path');
const Sequencer = require('@jest/test-sequencer').default;
const { TEST_FILE_INDEX } = require('./jest-bail-environment.js');

/** Test files -> whether one of their recorded tests matches the pattern; undefined without a record. */
function filesWithMatchingTests(rootDir, pattern) {
  let index;
  try {
    index = JSON.parse(readFileSync(join(rootDir, TEST_FILE_INDEX), 'utf8'));
  } catch {
    return undefined;
  }
  const regex = new RegExp(pattern, 'i'); // as jest-circus compiles it
  const files = new Map();
  for (const [name, paths] of Object.entries(index)) {
    const hit = regex.test(name);
    for (const path of paths) files.set(path, (files.get(path) ?? false) || hit);
  }
  return files;
}

class MutationSequencer extends Sequencer {
  constructor(options) {
    super(options);
    this.pattern = options?.globalConfig?.testNamePattern;
  }

  sort(tests) {
    const ordered = [...super.sort(tests)].reverse();
    if (process.env.__STRYKER_ACTIVE_MUTANT__ === undefined || !this.pattern || ordered.length === 0) return ordered;
    const files = filesWithMatchingTests(ordered[0].context.config.rootDir, this.pattern);
    return files ? ordered.filter((t) => files.get(t.path) !== false) : ordered;
  }
}

module.exports = MutationSequencer;
