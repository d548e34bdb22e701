/**
 * Jest as StrykerJS runs it (`npm run mutation`): the normal config, plus the settings that keep a mutant's run
 * short (explained where they are set below), minus
 * - the suites that only exercise code in child processes or a packed tarball (consumer, app, CLI, durability,
 *   dev-process; handler/test/process.test.ts stays: it also holds in-process config tests) and the docs-block
 *   check (it asks npm scripts for their --help in child processes): their coverage is
 *   invisible to Stryker's per-test analysis, so they would only lengthen the initial run without killing a mutant;
 * - test/moved-blocks-terraform.test.ts and test/foundation-apis-terraform.test.ts: they run the terraform binary
 *   for seconds per test; the constructs they prove (moved-resources.ts, the foundation's removed blocks) are
 *   covered in process by test/moved-resources.test.ts and test/project-foundation.test.ts;
 * - the fuzz suites (handler and local) and the handler's idle-socket flood: they cover every line of a server, so
 *   they would run (for seconds, or until the timeout) for each of its mutants, while the targeted tests kill them
 *   in milliseconds.
 */
const base = require('./jest.config');

module.exports = {
  ...base,
  // With enableFindRelatedTests, jest picks a mutant's test files from its dependency graph, which only
  // covers files under `roots`: with the normal roots (the test folders) a test that reaches a construct
  // through main.ts or config/ was not "related", and its mutants could survive unseen.
  roots: ['<rootDir>'],
  // Bail on a mutant's first failing test: see the file.
  // An absolute path: Stryker loads the environment itself and does not expand <rootDir>.
  testEnvironment: require.resolve('./scripts/jest-bail-environment.js'),
  // The temp-folder check of a whole run (test/global-teardown.js) is for `npm test`: a mutant that breaks a
  // cleanup must count as killed or survived by its tests, not fail Stryker's run.
  globalSetup: undefined,
  globalTeardown: undefined,
  // A test waiting for an answer that a mutant stopped fails after 4 s instead of outlasting Stryker's timeout
  // (timeoutMS 6000 in stryker.config.json): a failure kills the mutant in place, a timeout restarts the runner
  // process, which cost about 20 s a mutant here. Slower tests set their own timeout.
  testTimeout: 4000,
  testSequencer: require.resolve('./scripts/jest-fastest-first-sequencer.js'),
  testPathIgnorePatterns: ['/node_modules/', '/test/consumer\\.test\\.ts$', '/test/app\\.test\\.ts$', '/test/client/cli\\.test\\.ts$', '/test/local/durability\\.test\\.ts$', '/handler/test/fuzz\\.test\\.ts$', '/handler/test/idle-flood\\.test\\.ts$', '/test/local/fuzz\\.test\\.ts$', '/test/local/dev-process\\.test\\.ts$', '/test/docs-blocks\\.test\\.ts$', '/test/moved-blocks-terraform\\.test\\.ts$', '/test/foundation-apis-terraform\\.test\\.ts$'],
};
