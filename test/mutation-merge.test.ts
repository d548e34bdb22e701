// Joining area runs into the mutation state (scripts/mutation-merge.js): each run's own area, and never a
// result that was measured against an older version of a covering test file.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { merge, parseInput } = require('../scripts/mutation-merge');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { classify } = require('../scripts/mutation-ci');

const mutant = (status: string, tests: string[]) => ({ status, coveredBy: tests, killedBy: status === 'Killed' ? tests.slice(0, 1) : [] });
const keepAll = () => true;

// A run over handler/ started from the old state: it writes back every file, config/ carried over unmeasured.
const handlerRun = {
  files: {
    'handler/src/a.ts': { source: 'A2', mutants: [mutant('Killed', ['h1'])] },
    'config/c.ts': { source: 'C2', mutants: [mutant('Killed', ['c1'])] },
  },
  testFiles: { 'handler/test/a.test.ts': { source: 'TA2', tests: [{ id: 'h1', name: 'a' }] }, 'test/config.test.ts': { source: 'TC2', tests: [{ id: 'c1', name: 'c' }] } },
};
const oldState = {
  files: {
    'handler/src/a.ts': { source: 'A1', mutants: [mutant('Survived', ['0'])] },
    'config/c.ts': { source: 'C1', mutants: [mutant('Killed', ['1'])] },
    'local/store.ts': { source: 'S1', mutants: [mutant('Killed', ['2'])] },
  },
  testFiles: {
    'handler/test/a.test.ts': { source: 'TA1', tests: [{ id: '0', name: 'a' }] },
    'test/config.test.ts': { source: 'TC1', tests: [{ id: '1', name: 'c' }] },
    'test/store.test.ts': { source: 'TS1', tests: [{ id: '2', name: 's' }] },
  },
};

describe('parseInput', () => {
  test('PATH#GLOB,!GLOB keeps the matching files of that report; a bare PATH keeps all', () => {
    const { path, keep } = parseInput('reports/parts/h.json#handler/src/**/*.ts,!handler/src/main.ts');
    expect(path).toBe('reports/parts/h.json');
    expect([keep('handler/src/a.ts'), keep('handler/src/sinks/b.ts'), keep('handler/src/main.ts'), keep('config/c.ts')]).toEqual([true, true, false, false]);
    expect(parseInput('old.json').keep('anything.ts')).toBe(true);
  });
});

describe('merge', () => {
  const run = () => merge([{ report: handlerRun, keep: parseInput('x#handler/src/**/*.ts').keep }, { report: oldState, keep: keepAll }]);

  test('a run contributes only its area: the carried-over config result is not taken from it', () => {
    const { merged } = run();
    expect(merged.files['handler/src/a.ts'].source).toBe('A2');
    expect(merged.files['handler/src/a.ts'].mutants.map((m: { status: string }) => m.status)).toEqual(['Killed']);
    expect(merged.files['config/c.ts'].mutants).toHaveLength(1);
    expect(merged.files['config/c.ts'].source).not.toBe('C2');
  });

  test('an older file measured against a test file the newer run recorded differently loses its source, so the gate calls it stale', () => {
    const { merged, unvouched } = run();
    expect(unvouched).toEqual([{ file: 'config/c.ts', testFile: 'test/config.test.ts' }]);
    expect(merged.files['config/c.ts'].source).toBe('');
    // Even with config/c.ts itself unchanged since the old state, the gate must not vouch for it.
    const tree: Record<string, string> = { 'config/c.ts': 'C1', 'test/config.test.ts': 'TC2', 'local/store.ts': 'S1', 'test/store.test.ts': 'TS1', 'handler/src/a.ts': 'A2', 'handler/test/a.test.ts': 'TA2' };
    const r = classify(merged, Object.keys(merged.files), (f: string) => tree[f]);
    expect(r.stale.map((s: { file: string }) => s.file)).toEqual(['config/c.ts']);
    expect(r.fresh.sort()).toEqual(['handler/src/a.ts', 'local/store.ts']);
  });

  test('tests are re-keyed by file and name: the old store result points at its own test, ids renumbered', () => {
    const { merged, tests } = run();
    const storeTest = merged.files['local/store.ts'].mutants[0].killedBy[0];
    expect(merged.testFiles['test/store.test.ts'].tests).toEqual([{ id: storeTest, name: 's' }]);
    expect(tests).toBe(3);
    expect(merged.testFiles['test/config.test.ts'].source).toBe('TC2');
  });
});
