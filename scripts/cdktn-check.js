#!/usr/bin/env node
// CDK Terrain check (CI, .ci/run): the app and the construct tests on cdktn instead of cdktf.
//   1. installs cdktn (CDKTN_VERSION, default 0.24.0) into CDKTN_DIR (default .cache/cdktn, outside node_modules;
//      ~5 MB: cdktn and the constructs version it asks for), unless it is there already;
//   2. synthesizes the app twice, with cdktf and with cdktn (scripts/use-cdktn.js redirects `cdktf` and
//      `constructs`), for the repository's cdktf.json and for every cdktf.json the docs show for this app, and
//      compares every stack and the manifest as parsed JSON: only the version stamp may differ;
//   3. runs the test files that synthesize constructs on cdktn (jest.cdktn.config.js), against cdktf's snapshots.
// Usage: node scripts/cdktn-check.js [--skip-tests]
'use strict';
const { execFileSync, spawnSync } = require('node:child_process');
const { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } = require('node:fs');
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

/**
 * The configurations to compare: the repository's cdktf.json, and every cdktf.json the docs show for this app
 * (the README's, the many-queue example with shared handlers, secrets, VPC egress and a Pub/Sub sink, ...).
 */
function configs() {
  const app = JSON.parse(readFileSync(join(root, 'cdktf.json'), 'utf8')).app;
  const docs = ['README.md', ...readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
  const shown = docs.flatMap((doc) =>
    [...readFileSync(join(root, doc), 'utf8').matchAll(/^```json\n([\s\S]*?)^```$/gm)]
      .map((m, i) => ({ name: `${doc} json block ${i + 1}`, text: m[1] }))
      .filter((c) => {
        try {
          return JSON.parse(c.text).app === app;
        } catch {
          return false; // the docs-block test reports it
        }
      }),
  );
  return [{ name: 'cdktf.json', text: readFileSync(join(root, 'cdktf.json'), 'utf8') }, ...shown];
}

/** Synthesizes the app for one cdktf.json into a fresh folder; `-r` hooks first (none: cdktf). */
function synth(config, hooks) {
  const cwd = mkdtempSync(join(tmpdir(), 'cdktn-check-'));
  writeFileSync(join(cwd, 'cdktf.json'), config.text);
  const args = [...hooks.flatMap((h) => ['-r', h]), '-r', join(__dirname, 'register.js'), join(root, 'main.ts')];
  const r = spawnSync(process.execPath, args, { cwd, env: { ...env, CDKTF_OUTDIR: join(cwd, 'out') }, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`synth of ${config.name} (${hooks.length ? 'cdktn' : 'cdktf'}) failed:\n${r.stderr}`);
  return cwd;
}

/** The manifest and every stack, parsed, with the version stamps removed (local state paths made relative). */
function read(dir) {
  const out = join(dir, 'out');
  const text = (f) => readFileSync(f, 'utf8').split(dir).join('<dir>');
  const strip = (o) => {
    if (o && o['//'] && o['//'].metadata) delete o['//'].metadata.version;
    return o;
  };
  const manifest = JSON.parse(text(join(out, 'manifest.json')));
  delete manifest.version;
  const stacks = Object.fromEntries(readdirSync(join(out, 'stacks')).map((s) => [s, strip(JSON.parse(text(join(out, 'stacks', s, 'cdk.tf.json'))))]));
  return { manifest, stacks };
}

for (const config of configs()) {
  const a = synth(config, []);
  const b = synth(config, [join(__dirname, 'use-cdktn.js')]);
  const [fromCdktf, fromCdktn] = [read(a), read(b)];
  const names = Object.keys(fromCdktf.stacks);
  const differ = [...new Set([...names, ...Object.keys(fromCdktn.stacks)])].filter((s) => !isDeepStrictEqual(fromCdktf.stacks[s], fromCdktn.stacks[s]));
  if (!isDeepStrictEqual(fromCdktf.manifest, fromCdktn.manifest)) differ.push('manifest.json');
  if (differ.length > 0) {
    // The two folders stay, for the diff the message suggests.
    console.error(`cdktn-check: ${config.name}: cdktn synthesizes differently from cdktf: ${differ.join(', ')}\n  compare: diff -r ${a}/out ${b}/out`);
    process.exit(1);
  }
  for (const d of [a, b]) rmSync(d, { recursive: true, force: true });
  step(`${config.name}: the same ${names.length} stacks (${names.join(', ')}) with cdktf and cdktn, apart from the version stamp`);
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
