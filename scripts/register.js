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
  // Our own sources go through the code cache too, keyed by their content (the transpile key).
  compileWithCodeCache(module, code, filename, key);
};

// V8 code cache for dependencies: compiling cdktf and the provider classes (~5 MB of JS) is the largest single
// cost of a synth. Node 20 has no built-in compile cache (module.enableCompileCache is Node 22), so the
// CommonJS compile step is done here with vm.Script and its cached data, kept beside the transpile cache.
// A dependency's entry is keyed by its path, size and mtime (they change only with an install); a TypeScript
// source's by its content hash. Never by path alone: V8 itself checks only the source length.
const vm = require('node:vm');
const Module = require('node:module');
const compileCacheDir = path.join(cacheDir, '..', 'v8-code');
const compile = Module.prototype._compile;
const created = [];
function compileWithCodeCache(module, content, filename, sourceKey) {
  // Left to Node: on request; under --enable-source-maps (vm.Script does not register inline source maps, so
  // stack traces would point into the transpiled code); and for sources that call import(), because on
  // Node 20 a script built from cached data loses its dynamic-import callback (gaxios's import() would throw).
  if (process.env.CDKTF_NO_CODE_CACHE || process.sourceMapsEnabled || /\bimport\s*\(/.test(content)) return compile.call(module, content, filename);
  let id = sourceKey;
  if (id === undefined) {
    if (!filename.includes(`${path.sep}node_modules${path.sep}`)) return compile.call(module, content, filename);
    try {
      const stat = fs.statSync(filename);
      id = `${filename}\0${stat.size}\0${stat.mtimeMs}`;
    } catch {
      return compile.call(module, content, filename);
    }
  }
  const key = crypto.createHash('sha1').update(`${process.version}\0${id}`).digest('hex');
  const file = path.join(compileCacheDir, `${key}.bin`);
  let cachedData;
  try {
    cachedData = fs.readFileSync(file);
  } catch {
    // first run: compiled below, cached on exit
  }
  // A hashbang is only valid at the very start of a script: blank it (same line count) inside the wrapper.
  const source = content.startsWith('#!') ? `//${content.slice(2)}` : content;
  let script;
  try {
    script = new vm.Script(Module.wrap(source), { filename, cachedData });
  } catch (e) {
    // Module syntax in a .js file: Node's own loader detects and handles it, the CommonJS wrapper cannot.
    if (e instanceof SyntaxError) return compile.call(module, content, filename);
    throw e;
  }
  if (cachedData === undefined || script.cachedDataRejected) created.push({ script, file });
  const fn = script.runInThisContext({ displayErrors: true });
  const require = (id) => module.require(id);
  require.resolve = (request, options) => Module._resolveFilename(request, module, false, options);
  require.resolve.paths = (request) => Module._resolveLookupPaths(request, module);
  require.main = process.mainModule;
  require.extensions = Module._extensions;
  require.cache = Module._cache;
  return fn.call(module.exports, module.exports, require, module, filename, path.dirname(filename));
}
Module.prototype._compile = function (content, filename) {
  return compileWithCodeCache(this, content, filename);
};
// Written after the run, so functions V8 compiled lazily while synthesizing are in the cache too.
process.once('exit', () => {
  if (created.length === 0) return;
  try {
    fs.mkdirSync(compileCacheDir, { recursive: true });
    for (const { script, file } of created) {
      fs.writeFileSync(`${file}.${process.pid}`, script.createCachedData());
      fs.renameSync(`${file}.${process.pid}`, file);
    }
  } catch {
    // a read-only checkout still synthesizes, just without the cache
  }
});

// cdktf loads `archiver` (~80 ms, a fifth of a synth) at startup only to zip TerraformAssets, which this
// app has none of. Defer it: cdktf's one call site gets a function that loads archiver on first use.
const load = Module._load;
Module._load = function lazyArchiver(request, parent, isMain) {
  if (request === 'archiver' && parent && /[\\/]cdktf[\\/]lib[\\/]private[\\/]fs\.js$/.test(parent.filename)) {
    return (...args) => load.call(this, request, parent, isMain)(...args);
  }
  return load.apply(this, arguments);
};

// cdktf records a full stack trace (Error.stackTraceLimit = Infinity, formatted) for every token and every
// complex attribute a provider class creates, only to print it if resolving that token fails: about 15 ms,
// a tenth of a synth. Skip it on the hot path; CDKTF_DEBUG=1 keeps the traces for debugging such an error.
// Modules call it through the exports object, so replacing the export takes effect everywhere.
if (!process.env.CDKTF_DEBUG) {
  try {
    require('cdktf/lib/tokens/private/stack-trace').captureStackTrace = () => [];
  } catch {
    // another cdktf layout: keep its behaviour
  }
}
