#!/usr/bin/env node
// Joins Stryker JSON reports of runs over different `--mutate` areas into one report, usable as the incremental
// state file (reports/stryker-incremental.json). Newest first:
//   node scripts/mutation-merge.js OUT IN1.json[#GLOB,GLOB] IN2.json[#GLOB] ... OLD-STATE.json
// - `#GLOB,...` keeps only that report's files matching the globs (the area the run mutated). A run started from
//   the committed state writes every file back, the others with results Stryker carried over without running
//   them: only its own area is measured. A file is taken from the first report that has it.
// - Test and mutant ids are numbered per run, so tests are re-keyed by file + name and every id is renumbered.
// - A test file's source is the first report's. A file from a later (older) report whose mutants were measured
//   against another version of a covering test file keeps its mutants but loses its recorded source, so
//   `npm run mutation:ci` calls it stale (changed) until it is measured again: the state never vouches for a
//   result that newer tests did not produce.
'use strict';
const { readFileSync, writeFileSync } = require('node:fs');
const { inPatterns } = require('./mutation-ci');

/** `PATH#GLOB,GLOB` → { path, keep(file) }. */
function parseInput(arg) {
  const [path, globs] = arg.split('#');
  return { path, keep: globs ? inPatterns(globs.split(',')) : () => true };
}

/** Merges `[{ report, keep }]`, newest first; returns the merged report and what it had to mark stale. */
function merge(inputs) {
  const merged = { files: {}, testFiles: {} };
  const testIds = new Map(); // "file\0name" -> new id
  const unvouched = [];
  let nextTest = 0;
  let nextMutant = 0;
  for (const { report, keep } of inputs) {
    for (const key of ['schemaVersion', 'thresholds', 'projectRoot', 'config', 'framework']) merged[key] ??= report[key];
    const remap = new Map();
    const superseded = new Map(); // old test id -> its test file, when a newer report recorded another source
    for (const [file, { tests, source }] of Object.entries(report.testFiles ?? {})) {
      const known = merged.testFiles[file];
      if (known && known.source !== source) for (const t of tests) superseded.set(t.id, file);
      const target = (merged.testFiles[file] ??= { tests: [], ...(source !== undefined && { source }) });
      for (const t of tests) {
        const key = `${file}\0${t.name}`;
        if (!testIds.has(key)) {
          testIds.set(key, String(nextTest++));
          target.tests.push({ ...t, id: testIds.get(key) });
        }
        remap.set(t.id, testIds.get(key));
      }
    }
    const ids = (list) => list?.map((id) => remap.get(id) ?? id);
    for (const [file, result] of Object.entries(report.files)) {
      if (merged.files[file] || !keep(file)) continue;
      const tests = result.mutants.flatMap((m) => [...(m.coveredBy ?? []), ...(m.killedBy ?? [])]);
      const changedTest = tests.map((id) => superseded.get(id)).find((f) => f !== undefined);
      if (changedTest !== undefined) unvouched.push({ file, testFile: changedTest });
      merged.files[file] = {
        ...result,
        ...(changedTest !== undefined && { source: '' }),
        mutants: result.mutants.map((m) => ({ ...m, id: String(nextMutant++), coveredBy: ids(m.coveredBy), killedBy: ids(m.killedBy) })),
      };
    }
  }
  return { merged, unvouched, mutants: nextMutant, tests: nextTest };
}

function main() {
  const [out, ...args] = process.argv.slice(2);
  if (!out || args.length === 0) {
    console.error('usage: node scripts/mutation-merge.js OUT.json NEWEST.json[#GLOB,...] ... OLDEST.json');
    process.exit(2);
  }
  const inputs = args.map(parseInput).map(({ path, keep }) => ({ report: JSON.parse(readFileSync(path, 'utf8')), keep }));
  const { merged, unvouched, mutants, tests } = merge(inputs);
  writeFileSync(out, `${JSON.stringify(merged)}\n`);
  for (const u of unvouched) console.log(`stale: ${u.file} was measured against an older ${u.testFile}; measure it again`);
  console.log(`merged ${inputs.length} report(s): ${Object.keys(merged.files).length} files, ${mutants} mutants, ${tests} tests -> ${out}`);
}

if (require.main === module) main();
module.exports = { merge, parseInput };
