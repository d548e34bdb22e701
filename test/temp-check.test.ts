// The run-level temp check (test/global-teardown.js): a leftover fails the run, listed by name; the run's folder
// goes either way.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from './temp';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const teardown: () => Promise<void> = require('./global-teardown.js');

describe('global teardown', () => {
  const saved = { ...process.env };
  afterEach(() => {
    for (const name of ['JEST_PIPELINE_TMPDIR', 'JEST_PIPELINE_TMPDIR_PARENT', 'TMPDIR', 'TMP', 'TEMP']) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
  });

  function runDir(): string {
    const run = join(tempDir('teardown-check-'), 'run');
    mkdirSync(join(run, 'worker-1'), { recursive: true });
    mkdirSync(join(run, 'worker-2'));
    process.env.JEST_PIPELINE_TMPDIR = run;
    process.env.JEST_PIPELINE_TMPDIR_PARENT = saved.TMPDIR ?? '/tmp';
    return run;
  }

  test('GIVEN empty worker folders THEN it passes and removes the run folder', async () => {
    const run = runDir();
    await expect(teardown()).resolves.toBeUndefined();
    expect(existsSync(run)).toBe(false);
  });

  test('GIVEN something left in a worker folder or beside them THEN it fails listing each, and still removes the run folder', async () => {
    const run = runDir();
    mkdirSync(join(run, 'worker-2', 'synth-q-abc123'));
    writeFileSync(join(run, 'stray.txt'), 'x');
    await expect(teardown()).rejects.toThrow('the tests left 2 entries in the temp folder (removed now; make each test remove what it creates):\n  stray.txt\n  worker-2/synth-q-abc123');
    expect(existsSync(run)).toBe(false);
  });
});
