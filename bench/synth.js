#!/usr/bin/env node
// Synth speed, measured against baselines in the same run (ratios, not absolute thresholds):
//   ours   what `npm run synth` runs: swc-transpiled (cached) main.ts, provider submodule imports
//   naive  the same stack run the way a default cdktf project does: ts-node with type-checking, plus the
//          provider barrel import
//   floor  node -e "require('cdktf')": the least any cdktf app can cost
// Usage: npm run bench [-- --runs N]
'use strict';
const { spawnSync } = require('node:child_process');
const { mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

const root = join(__dirname, '..');
const runsArg = process.argv.indexOf('--runs');
const runs = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 5;
const rss = ['-r', './bench/report-rss.js'];

const cases = [
  { name: 'ours', args: [...rss, '-r', './scripts/register.js', 'main.ts'], runs },
  { name: 'naive', args: [...rss, '-r', './bench/barrel.js', '-r', 'ts-node/register', 'main.ts'], runs: Math.max(2, Math.ceil(runs / 2)) },
  { name: 'floor', args: [...rss, '-e', "require('cdktf')"], runs },
];

function once(args) {
  const outdir = mkdtempSync(join(tmpdir(), 'bench-synth-'));
  const started = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, {
    cwd: root,
    env: { ...process.env, CDKTF_OUTDIR: outdir, CHECKPOINT_DISABLE: '1' },
    stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  rmSync(outdir, { recursive: true, force: true });
  if (r.status !== 0) throw new Error(`node ${args.join(' ')} failed:\n${r.stderr}`);
  return { seconds, rssMb: Number(String(r.output[3]).trim()) / 1024 };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const results = {};
for (const c of cases) {
  once(c.args); // warm-up: fills the transpile cache and the OS file cache
  const samples = Array.from({ length: c.runs }, () => once(c.args));
  results[c.name] = { seconds: median(samples.map((s) => s.seconds)), rssMb: Math.max(...samples.map((s) => s.rssMb)), runs: c.runs };
}

const pad = (s, n) => String(s).padEnd(n);
console.log(`${pad('case', 8)}${pad('runs', 6)}${pad('median s', 10)}peak RSS MB`);
for (const [name, r] of Object.entries(results)) {
  console.log(`${pad(name, 8)}${pad(r.runs, 6)}${pad(r.seconds.toFixed(3), 10)}${r.rssMb.toFixed(0)}`);
}
const { ours, naive, floor } = results;
console.log(`\nnaive / ours: ${(naive.seconds / ours.seconds).toFixed(1)}x time, ${(naive.rssMb / ours.rssMb).toFixed(1)}x memory (goal >= 15x time)`);
console.log(`ours / floor: ${(ours.seconds / floor.seconds).toFixed(2)}x time, ${(ours.rssMb / floor.rssMb).toFixed(2)}x memory`);
console.log(`ours: ${ours.seconds.toFixed(3)} s, ${ours.rssMb.toFixed(0)} MB (goals: <= 0.65 s, <= 120 MB on 2 cores)`);
