/**
 * After a run: the run's private temp folder must hold nothing but the workers' (empty) folders. It is removed
 * either way; anything a test left behind fails the run, listed by name (fix the test: make it use tempDir()
 * from test/temp.ts, or remove what it made).
 */
'use strict';
const { readdirSync, rmSync, statSync } = require('node:fs');
const { join } = require('node:path');

module.exports = async () => {
  const run = process.env.JEST_PIPELINE_TMPDIR;
  if (!run) return;
  const left = [];
  for (const worker of readdirSync(run)) {
    const dir = join(run, worker);
    if (!worker.startsWith('worker-') || !statSync(dir).isDirectory()) left.push(worker);
    else for (const name of readdirSync(dir)) left.push(`${worker}/${name}`);
  }
  rmSync(run, { recursive: true, force: true });
  for (const name of ['TMPDIR', 'TMP', 'TEMP']) process.env[name] = process.env.JEST_PIPELINE_TMPDIR_PARENT;
  delete process.env.JEST_PIPELINE_TMPDIR;
  if (left.length > 0) {
    throw new Error(`the tests left ${left.length} entries in the temp folder (removed now; make each test remove what it creates):\n  ${left.sort().join('\n  ')}`);
  }
};
