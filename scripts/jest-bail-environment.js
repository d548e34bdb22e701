/**
 * The test environment of `npm run mutation` (jest.stryker.config.js): bail on the first failure of a mutant.
 *
 * Stryker's jest runner cannot bail (jest has no programmatic bail), so a mutant that breaks something every
 * test uses (a handler that answers 401 to everyone) ran every covering test to the end; tests that wait for
 * work that never starts each sat out jest's 5 s timeout, and the sum outran Stryker's timeout. The mutant was
 * then reported as a timeout, after tens of seconds and a restart of the test-runner process. One failure
 * already kills the mutant, so once a test has failed while mutant N is active, the rest of N's tests are
 * skipped. Outside a mutant run (the normal suite, Stryker's initial run) this is plain jest-environment-node.
 */
'use strict';
const { TestEnvironment } = require('jest-environment-node');

const ACTIVE_MUTANT = '__STRYKER_ACTIVE_MUTANT__'; // the variable Stryker's jest runner sets for a mutant run
// Shared by every test file of a run: jest loads this module once per process (require cache), in-band.
const failed = { mutant: undefined };

class BailOnFirstFailureEnvironment extends TestEnvironment {
  async handleTestEvent(event) {
    const mutant = process.env[ACTIVE_MUTANT];
    if (mutant === undefined) return;
    if (event.name === 'test_start' && failed.mutant === mutant) event.test.mode = 'skip';
    else if ((event.name === 'test_done' && event.test.errors.length > 0) || event.name === 'hook_failure') failed.mutant = mutant;
  }
}

module.exports = BailOnFirstFailureEnvironment;
