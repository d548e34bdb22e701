#!/usr/bin/env node
// The mutation gate as CI runs it (`npm run mutation:ci`), bounded in time.
//
// `npm run mutation` re-tests every mutant whose code or covering tests changed since the committed state
// (reports/stryker-incremental.json) was written. On this project's 2-core machines that is about 9 s a mutant:
// a release that touches most mutated files (1,871 mutants after issues 17-21) needs about 4.5 hours, far past
// CI's limit. So CI splits the files in Stryker's `mutate` set in two:
// - fresh: the file and every test file covering its mutants are byte for byte what the state recorded. Stryker
//   runs on these alone (`--mutate`), reuses every result, and scripts/mutation-thresholds.js gates each file at
//   its bar: a fresh file below its bar fails CI, as before.
// - stale: anything else (changed, new, or covered by a changed test file). Listed, with the count of mutants the
//   state no longer vouches for, and not gated until `npm run mutation` (area by area, see docs/contributing.md)
//   refreshes the state. MUTATION_STRICT=1 makes a stale file fail the run (for releases).
'use strict';
const { execFileSync, spawnSync } = require('node:child_process');
const { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } = require('node:fs');
const { dirname, join, relative, resolve } = require('node:path');

const root = join(__dirname, '..');
const config = JSON.parse(readFileSync(join(root, 'stryker.config.json'), 'utf8'));

/** A Stryker `mutate` glob as a regular expression over repository paths (`**`, `*`; no braces). */
function globRegExp(glob) {
  const body = glob
    .split(/(\*\*\/|\*)/)
    .map((part) => (part === '**/' ? '(?:.*/)?' : part === '*' ? '[^/]*' : part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${body}$`);
}

/** Tracked and untracked (not ignored) files that `mutate` selects: patterns in order, `!` removes. */
function mutateFiles(patterns, files) {
  return files.filter(inPatterns(patterns));
}

/** A test of a repository path against `mutate`-style patterns: in order, `!` removes. */
function inPatterns(patterns) {
  const rules = patterns.map((p) => ({ exclude: p.startsWith('!'), re: globRegExp(p.replace(/^!/, '')) }));
  return (f) => rules.reduce((inSet, r) => (r.re.test(f) ? !r.exclude : inSet), false);
}

/**
 * Splits the mutate files into fresh and stale against the state; counts the stale files' recorded mutants.
 * `read` gives a file's text, or undefined when it is gone.
 */
function classify(state, files, read) {
  const testFileOf = new Map();
  for (const [file, { tests }] of Object.entries(state.testFiles ?? {})) for (const t of tests) testFileOf.set(t.id, file);
  const fresh = [];
  const stale = [];
  for (const file of files) {
    const recorded = state.files[file];
    if (!recorded || recorded.source !== read(file)) {
      stale.push({ file, reason: recorded ? 'changed' : 'new', mutants: recorded?.mutants.length ?? 0 });
      continue;
    }
    const covering = new Set(recorded.mutants.flatMap((m) => [...(m.coveredBy ?? []), ...(m.killedBy ?? [])]).map((id) => testFileOf.get(id)));
    const changedTest = [...covering].find((t) => t === undefined || state.testFiles[t].source !== read(t));
    if (changedTest !== undefined) stale.push({ file, reason: `covered by a changed test file (${changedTest ?? 'unknown'})`, mutants: recorded.mutants.length });
    else fresh.push(file);
  }
  return { fresh, stale };
}

/** The report's files whose repository path is in `wanted` (report paths may be absolute or relative). */
function onlyFiles(files, wanted) {
  return Object.fromEntries(Object.entries(files).filter(([file]) => wanted.includes(relative(root, resolve(root, file)).split('\\').join('/'))));
}

function main() {
  const state = JSON.parse(readFileSync(join(root, config.incrementalFile), 'utf8'));
  const listed = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], { cwd: root, encoding: 'utf8' }).split('\n').filter(Boolean);
  const { fresh, stale } = classify(state, mutateFiles(config.mutate, listed), (f) => (existsSync(join(root, f)) ? readFileSync(join(root, f), 'utf8') : undefined));

  if (fresh.length > 0) {
    // On a copy of the state: Stryker rewrites its incremental file with what it ran, and the committed one must keep
    // every file's results.
    const scratch = join(root, 'reports', 'mutation', 'ci-incremental.json');
    mkdirSync(dirname(scratch), { recursive: true });
    copyFileSync(join(root, config.incrementalFile), scratch);
    const run = spawnSync('npx', ['stryker', 'run', '--mutate', fresh.join(','), '--incrementalFile', relative(root, scratch)], { cwd: root, stdio: 'inherit' });
    if (run.status !== 0) process.exit(run.status ?? 1);
    // Stryker's report also carries what it could reuse of the stale files (their unchanged mutants): gate only
    // the fresh ones, whose every result stands.
    const reportPath = join(root, 'reports', 'mutation', 'mutation.json');
    const report = JSON.parse(readFileSync(reportPath, 'utf8'));
    const freshReport = join(root, 'reports', 'mutation', 'mutation-fresh.json');
    writeFileSync(freshReport, JSON.stringify({ ...report, files: onlyFiles(report.files, fresh) }));
    const gate = spawnSync(process.execPath, [join(__dirname, 'mutation-thresholds.js'), freshReport], { cwd: root, stdio: 'inherit' });
    if (gate.status !== 0) process.exit(gate.status ?? 1);
  }
  if (stale.length > 0) {
    const mutants = stale.reduce((n, s) => n + s.mutants, 0);
    console.log(`\nmutation state is STALE for ${stale.length} of ${fresh.length + stale.length} files (${mutants} recorded mutants, plus those of new code): not gated until`);
    console.log('`npm run mutation` refreshes reports/stryker-incremental.json (see docs/contributing.md, Mutation testing):');
    for (const s of stale) console.log(`  ${s.file.padEnd(40)} ${s.reason}`);
    if (process.env.MUTATION_STRICT === '1') process.exit(1);
  }
  console.log(`\nmutation gate: ${fresh.length} fresh files gated, ${stale.length} stale`);
}

if (require.main === module) main();
module.exports = { classify, globRegExp, inPatterns, mutateFiles, onlyFiles };
