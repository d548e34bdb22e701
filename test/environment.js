/**
 * The test environment: node's, plus temp-folder hygiene.
 * - Each worker gets its own temp folder inside the run's private one (test/global-setup.js): TMPDIR is set before
 *   the test file's sandbox copies the environment, so os.tmpdir() and every child process use it.
 * - When a test file ends, the folders it made with tempDir() (test/temp.ts) are removed, and so are the
 *   `cdktf.outdir.*` folders that cdktf's Testing helpers (synthScope, fullSynth, app) make per call and never
 *   remove. Those are only removed from the worker's private folder, where nothing else runs at the same time.
 */
'use strict';
const { mkdirSync, readdirSync, rmSync } = require('node:fs');
const { join } = require('node:path');
const { TestEnvironment: NodeEnvironment } = require('jest-environment-node');

const RUN_DIR = 'JEST_PIPELINE_TMPDIR';
const REGISTRY = '__PIPELINE_TEMP_DIRS__';

class TestEnvironment extends NodeEnvironment {
  constructor(config, context) {
    const run = process.env[RUN_DIR];
    let mine;
    if (run) {
      mine = join(run, `worker-${process.env.JEST_WORKER_ID ?? '1'}`);
      mkdirSync(mine, { recursive: true });
      for (const name of ['TMPDIR', 'TMP', 'TEMP']) process.env[name] = mine;
    }
    super(config, context);
    this.privateTmp = mine;
  }

  async teardown() {
    for (const dir of this.global[REGISTRY] ?? []) rmSync(dir, { recursive: true, force: true });
    if (this.privateTmp) {
      for (const name of readdirSync(this.privateTmp)) {
        if (name.startsWith('cdktf.outdir')) rmSync(join(this.privateTmp, name), { recursive: true, force: true });
      }
    }
    await super.teardown();
  }
}

module.exports = TestEnvironment;
module.exports.TestEnvironment = TestEnvironment;
