#!/usr/bin/env node
// Merges Stryker JSON reports of runs over disjoint `--mutate` sets into one report, usable as the
// incremental state file (reports/stryker-incremental.json). Test and mutant ids are numbered per run,
// so tests are re-keyed by file + name and every id is renumbered.
//   node scripts/mutation-merge.js OUT IN1 IN2 ...
'use strict';
const { readFileSync, writeFileSync } = require('node:fs');

const [out, ...inputs] = process.argv.slice(2);
if (!out || inputs.length === 0) {
  console.error('usage: node scripts/mutation-merge.js OUT.json IN1.json [IN2.json ...]');
  process.exit(2);
}
const merged = { files: {}, testFiles: {} };
const testIds = new Map(); // "file\0name" -> new id
let nextTest = 0;
let nextMutant = 0;
for (const path of inputs) {
  const report = JSON.parse(readFileSync(path, 'utf8'));
  for (const key of ['schemaVersion', 'thresholds', 'projectRoot', 'config', 'framework']) merged[key] ??= report[key];
  const remap = new Map();
  for (const [file, { tests, source }] of Object.entries(report.testFiles ?? {})) {
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
    if (merged.files[file]) throw new Error(`${file} appears in more than one report: mutate sets must be disjoint`);
    merged.files[file] = {
      ...result,
      mutants: result.mutants.map((m) => ({ ...m, id: String(nextMutant++), coveredBy: ids(m.coveredBy), killedBy: ids(m.killedBy) })),
    };
  }
}
writeFileSync(out, `${JSON.stringify(merged)}\n`);
console.log(`merged ${inputs.length} report(s): ${Object.keys(merged.files).length} files, ${nextMutant} mutants, ${nextTest} tests -> ${out}`);
