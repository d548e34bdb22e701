// jest snapshot serializer for the cdktn run (jest.cdktn.config.js): a synthesized stack or manifest whose version
// stamp is cdktn's is printed with cdktf's, so the committed cdktf snapshots also check the cdktn output.
'use strict';
const { join, resolve } = require('node:path');
const { readFileSync } = require('node:fs');

const cdktf = JSON.parse(readFileSync(join(__dirname, '..', 'node_modules', 'cdktf', 'package.json'), 'utf8')).version;
const dir = resolve(process.env.CDKTN_DIR || join(__dirname, '..', '.cache', 'cdktn'), 'node_modules');
const cdktn = JSON.parse(readFileSync(join(dir, 'cdktn', 'package.json'), 'utf8')).version;

const stamped = (v) => v !== null && typeof v === 'object' && v['//'] && v['//'].metadata && v['//'].metadata.version === cdktn;

module.exports = {
  test: (v) => cdktn !== cdktf && stamped(v),
  serialize: (v, config, indentation, depth, refs, printer) =>
    printer({ ...v, '//': { ...v['//'], metadata: { ...v['//'].metadata, version: cdktf } } }, config, indentation, depth, refs),
};
