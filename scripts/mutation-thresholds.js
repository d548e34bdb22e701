#!/usr/bin/env node
// Per-file mutation-score gate. Stryker's `thresholds.break` is one global number; issue 13 asks for 85% on
// the IAM/auth/dedupe/dispatch code and 75% elsewhere, per file. This reads Stryker's JSON report
// (reports/mutation/mutation.json, which after an incremental run holds reused results for unchanged code
// too), prints one row per file and exits 1 if any file is below its bar.
'use strict';
const { readFileSync } = require('node:fs');
const { join, relative } = require('node:path');

const root = join(__dirname, '..');
/** First matching rule wins; `test` sees the path relative to the repository root. */
const RULES = [
  { test: (f) => f.startsWith('constructs/'), min: 85 },
  { test: (f) => f === 'handler/src/auth.ts' || f === 'handler/src/idempotency.ts', min: 85 },
  { test: (f) => f === 'local/dispatcher.ts', min: 85 },
  { test: () => true, min: 75 },
];
const DETECTED = new Set(['Killed', 'Timeout']);
const UNDETECTED = new Set(['Survived', 'NoCoverage']);

/** Stryker's mutation score: detected / (detected + undetected); errors and ignored mutants do not count. */
function score(mutants) {
  let detected = 0;
  let undetected = 0;
  for (const m of mutants) {
    if (DETECTED.has(m.status)) detected++;
    else if (UNDETECTED.has(m.status)) undetected++;
  }
  const total = detected + undetected;
  return { detected, total, percent: total === 0 ? NaN : (100 * detected) / total };
}

function main() {
  const reportPath = process.argv[2] ?? join(root, 'reports', 'mutation', 'mutation.json');
  const report = JSON.parse(readFileSync(reportPath, 'utf8'));
  const rows = Object.entries(report.files)
    .map(([file, { mutants }]) => {
      const path = relative(root, join(root, file)).split('\\').join('/');
      const min = RULES.find((r) => r.test(path)).min;
      return { path, min, ...score(mutants) };
    })
    .sort((a, b) => a.path.localeCompare(b.path));
  const failing = rows.filter((r) => r.total > 0 && r.percent < r.min);
  const width = Math.max(...rows.map((r) => r.path.length));
  for (const r of rows) {
    const pct = Number.isNaN(r.percent) ? '  n/a' : `${r.percent.toFixed(1).padStart(5)}%`;
    const verdict = r.total === 0 ? 'no mutants' : r.percent >= r.min ? 'ok' : `BELOW ${r.min}%`;
    console.log(`${r.path.padEnd(width)}  ${pct}  ${String(r.detected).padStart(4)}/${String(r.total).padEnd(4)}  (min ${r.min}%)  ${verdict}`);
  }
  if (failing.length > 0) {
    console.error(`\nmutation score below threshold in ${failing.length} file(s): ${failing.map((r) => r.path).join(', ')}`);
    process.exit(1);
  }
  console.log(`\nall ${rows.length} files at or above their mutation thresholds`);
}

main();
