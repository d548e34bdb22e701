/**
 * The test environment of `npm run mutation` (jest.stryker.config.js).
 *
 * 1. Bail on the first failure of a mutant. Stryker's jest runner cannot bail (jest has no programmatic bail),
 *    so a mutant that breaks something every test uses (a handler that answers 401 to everyone) ran every
 *    covering test to the end; tests that wait for work that never starts each sat out their timeout, and the
 *    sum outran Stryker's timeout: a "timeout" after tens of seconds and a restart of the test-runner process.
 *    One failure already kills the mutant, so once a test has failed while mutant N is active, the rest of N's
 *    tests are skipped.
 * 2. During Stryker's initial run (no active mutant), record which test file holds each test, by the full name
 *    Stryker filters on, in TEST_FILE_INDEX under the sandbox root: jest-fastest-first-sequencer.js uses it to
 *    load only the files that hold a mutant's covering tests.
 * Under the normal jest config this environment is not used.
 */
'use strict';
const { writeFileSync } = require('node:fs');
const { join } = require('node:path');
// The project's environment (temp-folder hygiene, test/environment.js) under the bail logic.
const { TestEnvironment } = require('../test/environment');

const ACTIVE_MUTANT = '__STRYKER_ACTIVE_MUTANT__'; // the variable Stryker's jest runner sets for a mutant run
const TEST_FILE_INDEX = '.stryker-test-files.json';
// Shared by every test file of a run: jest loads this module once per process (require cache), in-band.
const failed = { mutant: undefined };
const index = new Map(); // full test name -> test files

/** The name jest matches `testNamePattern` against: describe names and the test name, space-separated. */
function fullName(test) {
  const names = [];
  for (let block = test; block && block.parent; block = block.parent) names.unshift(block.name);
  return names.join(' ');
}

class MutationTestEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    this.testPath = context?.testPath;
    this.rootDir = config?.projectConfig?.rootDir;
  }

  async handleTestEvent(event) {
    const mutant = process.env[ACTIVE_MUTANT];
    if (mutant === undefined) {
      if (event.name === 'test_start' && this.testPath) {
        const name = fullName(event.test);
        index.set(name, [...new Set([...(index.get(name) ?? []), this.testPath])]);
      }
      return;
    }
    if (event.name === 'test_start' && failed.mutant === mutant) event.test.mode = 'skip';
    else if ((event.name === 'test_done' && event.test.errors.length > 0) || event.name === 'hook_failure') failed.mutant = mutant;
  }

  async teardown() {
    if (process.env[ACTIVE_MUTANT] === undefined && this.rootDir && index.size > 0) {
      writeFileSync(join(this.rootDir, TEST_FILE_INDEX), JSON.stringify(Object.fromEntries(index)));
    }
    await super.teardown();
  }
}

module.exports = MutationTestEnvironment;
module.exports.TEST_FILE_INDEX = TEST_FILE_INDEX;
