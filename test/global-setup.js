/**
 * Before a run: a private temp folder for the whole run (workers get a folder each inside it: test/environment.js),
 * so test/global-teardown.js can tell exactly what the run left behind, even with other runs on the machine.
 */
'use strict';
const { mkdtempSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

module.exports = async () => {
  process.env.JEST_PIPELINE_TMPDIR_PARENT = tmpdir();
  process.env.JEST_PIPELINE_TMPDIR = mkdtempSync(join(tmpdir(), 'pipeline-jest-'));
};
