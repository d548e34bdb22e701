// The mutation run's test environment (scripts/jest-bail-environment.js) skips a mutant's remaining tests after
// its first failure, and changes nothing outside a mutant run.
import { tempDir } from './temp';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const BailEnvironment = require('../scripts/jest-bail-environment.js');

const ACTIVE = '__STRYKER_ACTIVE_MUTANT__';
const handle = (event: Record<string, unknown>): Promise<void> => BailEnvironment.prototype.handleTestEvent.call({}, event);
const start = async (): Promise<{ mode?: string }> => {
  const test: { mode?: string } = {};
  await handle({ name: 'test_start', test });
  return test;
};
const failTest = (): Promise<void> => handle({ name: 'test_done', test: { errors: [new Error('boom')] } });
const passTest = (): Promise<void> => handle({ name: 'test_done', test: { errors: [] } });

describe('mutation run: bail on the first failure of a mutant', () => {
  const saved = process.env[ACTIVE];
  afterEach(() => {
    if (saved === undefined) delete process.env[ACTIVE];
    else process.env[ACTIVE] = saved;
  });

  test('GIVEN mutant 1 is active WHEN a test passes THEN the next test still runs', async () => {
    process.env[ACTIVE] = '1';
    await passTest();
    expect((await start()).mode).toBeUndefined();
  });

  test('GIVEN mutant 2 is active WHEN a test fails THEN its later tests are skipped', async () => {
    process.env[ACTIVE] = '2';
    await failTest();
    expect((await start()).mode).toBe('skip');
  });

  test('GIVEN mutant 3 is active WHEN a beforeAll hook fails THEN its later tests are skipped', async () => {
    process.env[ACTIVE] = '3';
    await handle({ name: 'hook_failure' });
    expect((await start()).mode).toBe('skip');
  });

  test("GIVEN mutant 4 failed WHEN mutant 5's run starts THEN its tests run", async () => {
    process.env[ACTIVE] = '4';
    await failTest();
    process.env[ACTIVE] = '5';
    expect((await start()).mode).toBeUndefined();
  });

  test('GIVEN no mutant is active (the normal suite) WHEN a test fails THEN the next test still runs', async () => {
    process.env[ACTIVE] = '6';
    await failTest();
    delete process.env[ACTIVE];
    await failTest();
    expect((await start()).mode).toBeUndefined();
  });
});

describe("mutation run: only the files that hold a mutant's covering tests", () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const Sequencer = require('../scripts/jest-fastest-first-sequencer.js');
  const { writeFileSync } = jest.requireActual<typeof import('node:fs')>('node:fs');
  const { join } = jest.requireActual<typeof import('node:path')>('node:path');
  const saved = process.env[ACTIVE];
  afterEach(() => {
    if (saved === undefined) delete process.env[ACTIVE];
    else process.env[ACTIVE] = saved;
  });

  function setup(): { files: (pattern?: string) => string[] } {
    const rootDir = tempDir('mutation-seq-');
    writeFileSync(
      join(rootDir, BailEnvironment.TEST_FILE_INDEX),
      JSON.stringify({ 'auth rejects a Basic header': ['/r/auth.test.ts'], 'queue rate limits apply': ['/r/queue.test.ts'], 'shared name': ['/r/queue.test.ts', '/r/other.test.ts'] }),
    );
    const tests = ['/r/auth.test.ts', '/r/queue.test.ts', '/r/other.test.ts', '/r/new.test.ts'].map((path) => ({ path, duration: 1, context: { config: { rootDir, cacheDirectory: rootDir, name: 'seq' }, hasteFS: { getSize: () => 1 } } }));
    return {
      files: (pattern) => new Sequencer({ globalConfig: { testNamePattern: pattern } }).sort(tests).map((t: { path: string }) => t.path).sort(),
    };
  }

  test('GIVEN a mutant run WHEN its pattern names a test of one file THEN that file and the files the record does not know run', () => {
    process.env[ACTIVE] = '1';
    expect(setup().files('(auth rejects a Basic header)')).toEqual(['/r/auth.test.ts', '/r/new.test.ts']);
  });

  test('GIVEN a mutant run WHEN a test name is in two files THEN both run', () => {
    process.env[ACTIVE] = '1';
    expect(setup().files('(shared name)')).toEqual(['/r/new.test.ts', '/r/other.test.ts', '/r/queue.test.ts']);
  });

  test('GIVEN no active mutant (the initial run) WHEN there is a pattern THEN every file runs', () => {
    delete process.env[ACTIVE];
    expect(setup().files('(auth rejects a Basic header)')).toHaveLength(4);
  });
});
