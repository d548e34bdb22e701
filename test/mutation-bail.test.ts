// The mutation run's test environment (scripts/jest-bail-environment.js) skips a mutant's remaining tests after
// its first failure, and changes nothing outside a mutant run.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const BailEnvironment = require('../scripts/jest-bail-environment.js');

const ACTIVE = '__STRYKER_ACTIVE_MUTANT__';
const handle = (event: Record<string, unknown>): Promise<void> => BailEnvironment.prototype.handleTestEvent.call({}, event);
const start = async (): Promise<{ mode?: string }> => {
  const test: { mode?: string } = {};
  await handle({ name: 'test_start', test });
  return test;
};
const fail = (): Promise<void> => handle({ name: 'test_done', test: { errors: [new Error('boom')] } });
const pass = (): Promise<void> => handle({ name: 'test_done', test: { errors: [] } });

describe('mutation run: bail on the first failure of a mutant', () => {
  const saved = process.env[ACTIVE];
  afterEach(() => {
    if (saved === undefined) delete process.env[ACTIVE];
    else process.env[ACTIVE] = saved;
  });

  test('GIVEN mutant 1 is active WHEN a test passes THEN the next test still runs', async () => {
    process.env[ACTIVE] = '1';
    await pass();
    expect((await start()).mode).toBeUndefined();
  });

  test('GIVEN mutant 2 is active WHEN a test fails THEN its later tests are skipped', async () => {
    process.env[ACTIVE] = '2';
    await fail();
    expect((await start()).mode).toBe('skip');
  });

  test('GIVEN mutant 3 is active WHEN a beforeAll hook fails THEN its later tests are skipped', async () => {
    process.env[ACTIVE] = '3';
    await handle({ name: 'hook_failure' });
    expect((await start()).mode).toBe('skip');
  });

  test("GIVEN mutant 4 failed WHEN mutant 5's run starts THEN its tests run", async () => {
    process.env[ACTIVE] = '4';
    await fail();
    process.env[ACTIVE] = '5';
    expect((await start()).mode).toBeUndefined();
  });

  test('GIVEN no mutant is active (the normal suite) WHEN a test fails THEN the next test still runs', async () => {
    process.env[ACTIVE] = '6';
    await fail();
    delete process.env[ACTIVE];
    await fail();
    expect((await start()).mode).toBeUndefined();
  });
});
