/**
 * The construct and app tests on CDK Terrain (cdktn) instead of CDK for Terraform: jest resolves modules itself,
 * so `cdktf` and `constructs` are mapped to the copies installed in CDKTN_DIR (default .cache/cdktn; see
 * scripts/use-cdktn.js, which does the same for plain node and for child processes through NODE_OPTIONS).
 * Only the files that synthesize constructs in-process run (they import the constructs, main.ts, the synth
 * helpers or cdktf). The snapshots stay cdktf's: a serializer prints cdktn's version stamp as cdktf's, the one
 * difference allowed. Run by scripts/cdktn-check.sh.
 */
const { readdirSync, readFileSync } = require('node:fs');
const { join, resolve } = require('node:path');
const base = require('./jest.config');

const dir = resolve(process.env.CDKTN_DIR || join(__dirname, '.cache', 'cdktn'), 'node_modules');
const synthesizes = /from '(\.\.\/constructs[^']*|\.\.\/main|\.\/helpers|cdktf)'/;
/** Not construct tests, though they import main.ts: the docs-block check (its CLI --help checks gain nothing). */
const skip = ['docs-blocks.test.ts'];
const files = readdirSync(join(__dirname, 'test')).filter(
  (f) => f.endsWith('.test.ts') && !skip.includes(f) && synthesizes.test(readFileSync(join(__dirname, 'test', f), 'utf8')),
);

module.exports = {
  ...base,
  roots: ['<rootDir>/test'],
  testMatch: files.map((f) => `<rootDir>/test/${f}`),
  moduleNameMapper: {
    '^cdktf$': join(dir, 'cdktn'),
    '^cdktf/(.*)$': join(dir, 'cdktn', '$1'),
    '^constructs$': join(dir, 'constructs'),
    '^constructs/(.*)$': join(dir, 'constructs', '$1'),
  },
  snapshotSerializers: ['<rootDir>/scripts/cdktn-version-serializer.js'],
};
