// Runs the app (or anything else) on CDK Terrain instead of CDK for Terraform, without a second install of the
// project: `node -r ./scripts/use-cdktn.js ...` resolves every `cdktf` and `constructs` request (the app's, the
// constructs', @cdktf/provider-google's) to the copies installed beside cdktn in CDKTN_DIR (default .cache/cdktn,
// filled by `scripts/cdktn-check.sh`: `npm install --prefix .cache/cdktn cdktn@VERSION`). cdktn 0.24 asks for
// constructs >=10.6, so it brings its own.
'use strict';
const Module = require('node:module');
const { existsSync } = require('node:fs');
const { join, resolve } = require('node:path');

const dir = resolve(process.env.CDKTN_DIR || join(__dirname, '..', '.cache', 'cdktn'), 'node_modules');
const targets = { cdktf: join(dir, 'cdktn'), constructs: join(dir, 'constructs') };
for (const [name, target] of Object.entries(targets)) {
  if (!existsSync(join(target, 'package.json'))) {
    throw new Error(`scripts/use-cdktn.js: ${target} is missing (for '${name}'). Install it with: npm install --prefix ${resolve(dir, '..')} cdktn@0.24.0`);
  }
}

const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (request, parent, isMain, options) {
  const m = /^(cdktf|constructs)(\/.*)?$/.exec(request);
  return resolveFilename.call(this, m ? targets[m[1]] + (m[2] ?? '') : request, parent, isMain, options);
};
