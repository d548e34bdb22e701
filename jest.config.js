/** Tests run through swc (no type-check: `npm run typecheck` does that once, separately). */
module.exports = {
  // node's, plus: a temp folder per worker, and test files' temp folders removed when they end.
  testEnvironment: '<rootDir>/test/environment.js',
  // A private temp folder per run; the run fails if a test leaves anything in it.
  globalSetup: '<rootDir>/test/global-setup.js',
  globalTeardown: '<rootDir>/test/global-teardown.js',
  // Many suites wait on child processes and sockets: two workers keep both cores busy (jest's default is cores - 1).
  maxWorkers: 2,
  // "A worker process has failed to exit gracefully": no handle is left open (measured: every worker's 'exit' event
  // fires 0-150 ms after jest's end message, with no timer, socket, server or child process alive), but a worker
  // that loaded cdktf and the provider classes takes longer than jest's default 500 ms to terminate on a busy
  // 2-core machine (load average ~13 here), and was force-killed with that warning. A real leak still gets it,
  // after 5 s.
  workerGracefulExitTimeout: 5000,
  roots: ['<rootDir>/test', '<rootDir>/handler/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' } }],
  },
  modulePathIgnorePatterns: ['<rootDir>/dist/', '<rootDir>/cdktf.out/'],
  setupFilesAfterEnv: ['<rootDir>/test/setup.js'],
  snapshotFormat: { escapeString: false, printBasicPrototype: false },
};
