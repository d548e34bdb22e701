#!/usr/bin/env node
// Review speed, measured side by side with synth in the same run (a ratio, not an absolute threshold):
//   synth   what `npm run synth` runs, for the many-queue example config of docs/configuration.md
//   review  `npm run review -- --against DIR` for the same config against a baseline folder of synthesized
//           stacks (the baseline differs in one queue's rate): one synth of the app plus the review
//   ref     `npm run review -- --against HEAD`: both synths (in parallel) plus creating and removing a worktree
// Usage: npm run bench:review [-- --runs N] [--no-ref]     goal: review / synth <= 2x
'use strict';
const { spawnSync } = require('node:child_process');
const { mkdtempSync, readFileSync, rmSync, writeFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

const root = join(__dirname, '..');
const runsArg = process.argv.indexOf('--runs');
const runs = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 5;
const withRef = !process.argv.includes('--no-ref');

// The many-queue example, as a project's cdktf.json (read from the folder the commands run in).
const guide = readFileSync(join(root, 'docs', 'configuration.md'), 'utf8');
const example = [...guide.matchAll(/```json\n([\s\S]*?)```/g)].map((m) => JSON.parse(m[1])).find((j) => j.context?.pipeline?.queues);
const project = mkdtempSync(join(tmpdir(), 'bench-review-'));
writeFileSync(join(project, 'cdktf.json'), JSON.stringify(example));
const baselineProject = mkdtempSync(join(tmpdir(), 'bench-review-base-'));
const changed = structuredClone(example);
changed.context.pipeline.queues['orders-fast'].maxDispatchesPerSecond = 50;
writeFileSync(join(baselineProject, 'cdktf.json'), JSON.stringify(changed));
const baselineDir = mkdtempSync(join(tmpdir(), 'bench-review-out-'));
process.on('exit', () => [project, baselineProject, baselineDir].forEach((d) => rmSync(d, { recursive: true, force: true })));

const env = { ...process.env, CHECKPOINT_DISABLE: '1' };
const node = (args, cwd, extraEnv = {}) => {
  const started = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { cwd, env: { ...env, ...extraEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (r.status !== 0 && r.status !== 1) throw new Error(`node ${args.join(' ')} failed (${r.status}):\n${r.stderr}`);
  return { seconds, stdout: String(r.stdout) };
};
const register = join(root, 'scripts', 'register.js');
const synthArgs = ['-r', register, join(root, 'main.ts')];
const reviewArgs = (against) => ['-r', register, join(root, 'review', 'cli.ts'), '--against', against];

node(synthArgs, baselineProject, { CDKTF_OUTDIR: baselineDir }); // the baseline folder
const cases = [
  { name: 'synth', once: () => {
    const out = mkdtempSync(join(tmpdir(), 'bench-review-synth-'));
    try { return node(synthArgs, project, { CDKTF_OUTDIR: out }); } finally { rmSync(out, { recursive: true, force: true }); }
  } },
  { name: 'review', once: () => node(reviewArgs(baselineDir), project) },
  ...(withRef ? [{ name: 'ref', once: () => node(reviewArgs('HEAD'), root) }] : []),
];

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
for (const c of cases) c.once(); // warm-up: transpile and code caches, OS file cache
const samples = Object.fromEntries(cases.map((c) => [c.name, []]));
for (let i = 0; i < runs; i++) for (const c of cases) samples[c.name].push(c.once().seconds); // round-robin
const result = Object.fromEntries(cases.map((c) => [c.name, median(samples[c.name])]));

console.log(`case    runs  median s`);
for (const [name, s] of Object.entries(result)) console.log(`${name.padEnd(8)}${String(runs).padEnd(6)}${s.toFixed(3)}`);
console.log(`\nreview / synth: ${(result.review / result.synth).toFixed(2)}x time (goal <= 2x; many-queue config, baseline folder)`);
if (result.ref) console.log(`ref / synth: ${(result.ref / result.synth).toFixed(2)}x time (against HEAD: worktree + two synths in parallel)`);
console.log(`\nreview output of the one-queue rate change:\n${cases[1].once().stdout}`);
