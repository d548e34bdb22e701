#!/usr/bin/env node
// Synth speed, measured against baselines in the same run (ratios, not absolute thresholds):
//   ours   what `npm run synth` runs: swc-transpiled (cached) main.ts, provider submodule imports
//   naive  the same stack run the way a default cdktf project does: ts-node with type-checking, plus the
//          provider barrel import
//   floor  node -e "require('cdktf')": the least any cdktf app can cost
//   before the app as of git revision REV (`--against REV`), run the same way from a temporary worktree
//          that shares this node_modules: "stays within 10% of today's synth" is then one command
// Usage: npm run bench [-- --runs N] [--against REV]
'use strict';
const { execFileSync, spawnSync } = require('node:child_process');
const { mkdtempSync, rmSync, symlinkSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

const root = join(__dirname, '..');
const runsArg = process.argv.indexOf('--runs');
const runs = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 5;
const rss = ['-r', './bench/report-rss.js'];

const againstArg = process.argv.indexOf('--against');
const against = againstArg > 0 ? process.argv[againstArg + 1] : undefined;
let beforeDir;
if (against) {
  beforeDir = mkdtempSync(join(tmpdir(), 'bench-before-'));
  execFileSync('git', ['worktree', 'add', '--detach', beforeDir, against], { cwd: root, stdio: 'ignore' });
  symlinkSync(join(root, 'node_modules'), join(beforeDir, 'node_modules'));
  process.on('exit', () => execFileSync('git', ['worktree', 'remove', '--force', beforeDir], { cwd: root, stdio: 'ignore' }));
}

const cases = [
  { name: 'ours', args: [...rss, '-r', './scripts/register.js', 'main.ts'], runs },
  ...(beforeDir ? [{ name: 'before', args: [...rss, '-r', './scripts/register.js', 'main.ts'], runs, cwd: beforeDir }] : []),
  { name: 'naive', args: [...rss, '-r', './bench/barrel.js', '-r', 'ts-node/register', 'main.ts'], runs: Math.max(2, Math.ceil(runs / 2)) },
  { name: 'floor', args: [...rss, '-e', "require('cdktf')"], runs },
];

function once(args, cwd = root) {
  const outdir = mkdtempSync(join(tmpdir(), 'bench-synth-'));
  const started = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, {
    cwd,
    env: { ...process.env, CDKTF_OUTDIR: outdir, CHECKPOINT_DISABLE: '1' },
    stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  rmSync(outdir, { recursive: true, force: true });
  if (r.status !== 0) throw new Error(`node ${args.join(' ')} failed:\n${r.stderr}`);
  return { seconds, rssMb: Number(String(r.output[3]).trim()) / 1024 };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
for (const c of cases) once(c.args, c.cwd); // warm-up: fills the transpile and code caches and the OS file cache
// Round-robin, so a burst of load on a shared machine hits every case alike.
const samples = Object.fromEntries(cases.map((c) => [c.name, []]));
for (let i = 0; i < runs; i++) for (const c of cases) if (i < c.runs) samples[c.name].push(once(c.args, c.cwd));
const results = {};
for (const c of cases) {
  const s = samples[c.name];
  results[c.name] = { seconds: median(s.map((x) => x.seconds)), rssMb: Math.max(...s.map((x) => x.rssMb)), runs: c.runs };
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
if (results.before) {
  const { before } = results;
  console.log(`ours / before (${against}): ${(ours.seconds / before.seconds).toFixed(2)}x time, ${(ours.rssMb / before.rssMb).toFixed(2)}x memory (goal <= 1.10x time)`);
}
