// Transpile-only TypeScript loader for the synth hot path: swc strips types (no type-check; that is
// `npm run typecheck`'s job), so `node -r ./scripts/register.js main.ts` starts in milliseconds.
'use strict';
const fs = require('node:fs');
const { transformSync } = require('@swc/core');

require.extensions['.ts'] = function compileTs(module, filename) {
  const { code } = transformSync(fs.readFileSync(filename, 'utf8'), {
    filename,
    sourceMaps: 'inline',
    jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
    module: { type: 'commonjs' },
  });
  module._compile(code, filename);
};
