/** Tests run through swc (no type-check: `npm run typecheck` does that once, separately). */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test', '<rootDir>/handler/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' } }],
  },
  modulePathIgnorePatterns: ['<rootDir>/dist/', '<rootDir>/cdktf.out/'],
  setupFilesAfterEnv: ['<rootDir>/test/setup.js'],
  snapshotFormat: { escapeString: false, printBasicPrototype: false },
};
