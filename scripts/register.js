// Transpile-only TypeScript loader for the synth hot path: swc strips types (no type-check; that is
// `npm run typecheck`'s job). Output is cached on disk by file content, so a warm synth never loads
// swc at all (swc alone costs ~0.15 s and ~30 MB).
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const crypto = require('node:crypto');

const cacheDir = path.join(__dirname, '..', 'node_modules', '.cache', 'ts-register');
const options = {
  sourceMaps: 'inline',
  jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
  module: { type: 'commonjs' },
};
// Changing the options changes every key, so stale output is never reused.
const salt = JSON.stringify(options);
let swc;

require.extensions['.ts'] = function compileTs(module, filename) {
  const source = fs.readFileSync(filename, 'utf8');
  const key = crypto.createHash('sha1').update(salt).update(filename).update(source).digest('hex');
  const cached = path.join(cacheDir, `${key}.js`);
  let code;
  try {
    code = fs.readFileSync(cached, 'utf8');
  } catch {
    swc = swc || require('@swc/core');
    code = swc.transformSync(source, { ...options, filename }).code;
    try {
      fs.mkdirSync(cacheDir, { recursive: true });
      fs.writeFileSync(`${cached}.${process.pid}`, code);
      fs.renameSync(`${cached}.${process.pid}`, cached); // atomic: parallel runs never read half a file
    } catch {
      // A read-only checkout still synthesizes, just without the cache.
    }
  }
  module._compile(code, filename);
};

// cdktf loads `archiver` (~80 ms, a fifth of a synth) at startup only to zip TerraformAssets, which this
// app has none of. Defer it: cdktf's one call site gets a function that loads archiver on first use.
const Module = require('node:module');
const load = Module._load;
Module._load = function lazyArchiver(request, parent, isMain) {
  if (request === 'archiver' && parent && /[\\/]cdktf[\\/]lib[\\/]private[\\/]fs\.js$/.test(parent.filename)) {
    return (...args) => load.call(this, request, parent, isMain)(...args);
  }
  return load.apply(this, arguments);
};
