#!/usr/bin/env node
// CDK Terrain check (CI, .ci/run): the app and the construct tests on cdktn instead of cdktf.
//   1. installs cdktn (CDKTN_VERSION, default 0.24.0) into CDKTN_DIR (default .cache/cdktn, outside node_modules;
//      ~5 MB: cdktn and the constructs version it asks for), unless it is there already;
//   2. synthesizes the app twice, with cdktf and with cdktn (scripts/use-cdktn.js redirects `cdktf` and
//      `constructs`), and compares every stack and the manifest as parsed JSON: only the version stamp may differ;
//   3. runs the test files that synthesize constructs on cdktn (jest.cdktn.config.js), against cdktf's snapshots.
// Usage: node scripts/cdktn-check.js [--skip-tests]
'use strict';
const { execFileSync, spawnSync } = require('node:child_process');
const { mkdtempSync, readFileSync, readdirSync, rmSync } = require('node:fs');
const { isDeepStrictEqual } = require('node:util');
const { tmpdir } = require('node:os');
const { join, resolve } = require('node:path');

const root = join(__dirname, '..');
const version = process.env.CDKTN_VERSION || '0.24.0';
const dir = resolve(process.env.CDKTN_DIR || join(root, '.cache', 'cdktn'));
const env = { ...process.env, CDKTN_DIR: dir, CHECKPOINT_DISABLE: '1' };
const started = Date.now();
const step = (what) => console.log(`cdktn-check: ${what} (${((Date.now() - started) / 1000).toFixed(1)} s)`);

function installed() {
  try {
    return JSON.parse(readFileSync(join(dir, 'node_modules', 'cdktn', 'package.json'), 'utf8')).version === version;
  } catch {
    return false;
  }
}
if (!installed()) {
  step(`installing cdktn@${version} into ${dir}`);
  execFileSync('npm', ['install', '--prefix', dir, `cdktn@${version}`, '--no-save', '--no-package-lock', '--no-audit', '--no-fund'], { stdio: 'inherit' });
}

/** Synthesizes the app into a fresh folder; `-r` hooks first (none: cdktf). */
function synth(hooks) {
  const out = mkdtempSync(join(tmpdir(), 'cdktn-check-'));
  const args = [...hooks.flatMap((h) => ['-r', h]), '-r', './scripts/register.js', 'main.ts'];
  const r = spawnSync(process.execPath, args, { cwd: root, env: { ...env, CDKTF_OUTDIR: out }, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`synth (${hooks.length ? 'cdktn' : 'cdktf'}) failed:\n${r.stderr}`);
  return out;
}

/** The manifest and every stack, parsed, with the version stamps removed. */
function read(out) {
  const strip = (o) => {
    if (o && o['//'] && o['//'].metadata) delete o['//'].metadata.version;
    return o;
  };
  const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
  delete manifest.version;
  const stacks = Object.fromEntries(readdirSync(join(out, 'stacks')).map((s) => [s, strip(JSON.parse(readFileSync(join(out, 'stacks', s, 'cdk.tf.json'), 'utf8')))]));
  return { manifest, stacks };
}

step('synthesizing the app with cdktf and with cdktn');
const a = synth([]);
const b = synth([join(__dirname, 'use-cdktn.js')]);
try {
  const [fromCdktf, fromCdktn] = [read(a), read(b)];
  const names = Object.keys(fromCdktf.stacks);
  const differ = [...new Set([...names, ...Object.keys(fromCdktn.stacks)])].filter((s) => !isDeepStrictEqual(fromCdktf.stacks[s], fromCdktn.stacks[s]));
  if (!isDeepStrictEqual(fromCdktf.manifest, fromCdktn.manifest)) differ.push('manifest.json');
  if (differ.length > 0) {
    console.error(`cdktn-check: cdktn synthesizes differently from cdktf: ${differ.join(', ')}\n  compare: diff -r ${a} ${b}`);
    process.exit(1);
  }
  step(`the same ${names.length} stacks (${names.join(', ')}) apart from the version stamp`);
} finally {
  // Kept when they differ, for the diff the message suggests.
  if (process.exitCode === undefined) for (const d of [a, b]) rmSync(d, { recursive: true, force: true });
}

if (!process.argv.includes('--skip-tests')) {
  step('running the construct tests on cdktn');
  // NODE_OPTIONS: child processes the tests start (the app, synth:hcl) run on cdktn too.
  const jest = spawnSync(process.execPath, [join(root, 'node_modules', 'jest', 'bin', 'jest.js'), '--config', 'jest.cdktn.config.js', '--ci', '--silent'], {
    cwd: root,
    env: { ...env, NODE_OPTIONS: `${env.NODE_OPTIONS ?? ''} -r ${join(__dirname, 'use-cdktn.js')}`.trim() },
    stdio: 'inherit',
  });
  if (jest.status !== 0) process.exit(jest.status ?? 1);
}
step('done');
