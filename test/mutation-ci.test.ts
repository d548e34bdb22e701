// The bounded mutation gate of CI (scripts/mutation-ci.js): which files the committed state still vouches for.
import { join } from 'node:path';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { classify, globRegExp, mutateFiles, onlyFiles } = require('../scripts/mutation-ci');

const mutant = (tests: string[]) => ({ coveredBy: tests, killedBy: tests.slice(0, 1) });
const state = {
  files: {
    'constructs/a.ts': { source: 'A', mutants: [mutant(['1']), mutant(['2'])] },
    'constructs/b.ts': { source: 'B', mutants: [mutant(['3'])] },
    'config/c.ts': { source: 'C', mutants: [mutant(['1'])] },
  },
  testFiles: {
    'test/one.test.ts': { source: 'T1', tests: [{ id: '1' }, { id: '2' }] },
    'test/two.test.ts': { source: 'T2', tests: [{ id: '3' }] },
  },
};
const reader = (files: Record<string, string>) => (f: string) => files[f];

describe('globRegExp', () => {
  test('** spans folders (or none), * stays within one', () => {
    expect(globRegExp('constructs/**/*.ts').test('constructs/a.ts')).toBe(true);
    expect(globRegExp('constructs/**/*.ts').test('constructs/x/y/a.ts')).toBe(true);
    expect(globRegExp('handler/src/*.ts').test('handler/src/sinks/log.ts')).toBe(false);
    expect(globRegExp('local/store.ts').test('local/storeXts')).toBe(false);
  });
});

describe('mutateFiles', () => {
  test('patterns apply in order and ! removes', () => {
    const files = ['constructs/a.ts', 'constructs/index.ts', 'config/c.ts', 'client/options.ts', 'client/cli.ts'];
    expect(mutateFiles(['constructs/**/*.ts', '!constructs/index.ts', 'client/options.ts'], files)).toEqual(['constructs/a.ts', 'client/options.ts']);
  });
});

describe('classify', () => {
  test('GIVEN nothing changed THEN every file is fresh', () => {
    const r = classify(state, ['constructs/a.ts', 'constructs/b.ts', 'config/c.ts'], reader({ 'constructs/a.ts': 'A', 'constructs/b.ts': 'B', 'config/c.ts': 'C', 'test/one.test.ts': 'T1', 'test/two.test.ts': 'T2' }));
    expect(r).toEqual({ fresh: ['constructs/a.ts', 'constructs/b.ts', 'config/c.ts'], stale: [] });
  });

  test('GIVEN a changed source, a new file and a changed covering test THEN those are stale with their reason and recorded mutants', () => {
    const r = classify(state, ['constructs/a.ts', 'constructs/b.ts', 'config/c.ts', 'constructs/new.ts'], reader({ 'constructs/a.ts': 'A2', 'constructs/b.ts': 'B', 'config/c.ts': 'C', 'test/one.test.ts': 'T1', 'test/two.test.ts': 'T2 changed' }));
    expect(r.fresh).toEqual(['config/c.ts']);
    expect(r.stale).toEqual([
      { file: 'constructs/a.ts', reason: 'changed', mutants: 2 },
      { file: 'constructs/b.ts', reason: 'covered by a changed test file (test/two.test.ts)', mutants: 1 },
      { file: 'constructs/new.ts', reason: 'new', mutants: 0 },
    ]);
  });
});

describe('onlyFiles', () => {
  test('keeps the fresh files of a report, whether it names them relative or absolute', () => {
    const root = join(__dirname, '..');
    const files = { 'config/names.ts': { mutants: [] }, [`${root}/handler/src/work.ts`]: { mutants: [] }, 'handler/src/shutdown.ts': { mutants: [] } };
    expect(Object.keys(onlyFiles(files, ['handler/src/work.ts', 'handler/src/shutdown.ts']))).toEqual([`${root}/handler/src/work.ts`, 'handler/src/shutdown.ts']);
  });
});
