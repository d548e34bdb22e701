/**
 * Jest as StrykerJS runs it (`npm run mutation`): the normal config minus the suites that only exercise
 * code in child processes or a packed tarball. Their coverage is invisible to Stryker's per-test analysis,
 * so they would only lengthen the initial run without killing a single mutant.
 */
const base = require('./jest.config');

module.exports = {
  ...base,
  testPathIgnorePatterns: ['/node_modules/', '/test/consumer\\.test\\.ts$', '/test/app\\.test\\.ts$', '/test/client/cli\\.test\\.ts$', '/handler/test/process\\.test\\.ts$', '/test/local/durability\\.test\\.ts$'],
};
