#!/usr/bin/env node
// `npm run synth:hcl [-- OUTDIR]`: the app as plain Terraform HCL (`cdk.tf` per stack) in its own folder,
// default `cdktf.out.hcl`. Never into cdktf.out: a `cdk.tf` beside a `cdk.tf.json` defines everything twice
// and `terraform init` fails.
//
// On top of cdktf's HCL writer it adds what that writer drops or gets wrong:
//   - `removed` blocks (cdktf 0.21 writes them only to JSON; without them, applying the HCL after an
//     upgrade would destroy the service agent's grant): copied from a JSON synth of the same app;
//   - `moved` blocks of the app's MovedResources (written only to JSON, like `removed`; without them a
//     renamed queue key would destroy the queue): copied the same way;
//   - plain attributes of the `terraform` block (`required_version`): cdktf 0.21's renderTerraform passes the
//     list of their names to renderSimpleAttributes, which writes `0 = "required_version"`; rewritten with the
//     value from the JSON synth;
//   - quoted `provider = "google-beta"` references (deprecated): unquoted;
//   - quoted `depends_on` entries ("type.name" is deprecated syntax): unquoted;
//   - formatting: `terraform fmt` when a terraform binary is on PATH (it needs no provider and no network).
'use strict';
const { spawnSync } = require('node:child_process');
const { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, appendFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join, resolve } = require('node:path');
const { fixTerraformAttributes, movedHcl, removedHcl, unquoteDependsOn, unquoteProvider } = require('./hcl-blocks');

const root = join(__dirname, '..');
const outdir = resolve(process.argv[2] || join(root, 'cdktf.out.hcl'));
if (existsSync(join(outdir, 'manifest.json')) && !existsSync(join(outdir, '.hcl-export'))) {
  fail(`${outdir} holds a JSON synth: refusing to write HCL beside it (pick another folder)`);
}

function synth(dir, hcl) {
  const r = spawnSync(process.execPath, ['-r', join(root, 'scripts', 'register.js'), join(root, 'main.ts')], {
    cwd: root,
    env: { ...process.env, CDKTF_OUTDIR: dir, SYNTH_HCL_OUTPUT: hcl ? 'true' : 'false', CHECKPOINT_DISABLE: '1' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

function fail(message) {
  console.error(message);
  process.exit(1);
}

rmSync(outdir, { recursive: true, force: true });
synth(outdir, true);
writeFileSync(join(outdir, '.hcl-export'), 'Written by npm run synth:hcl; safe to delete and regenerate.\n');

const json = mkdtempSync(join(tmpdir(), 'synth-json-'));
try {
  synth(json, false);
  for (const stack of readdirSync(join(outdir, 'stacks'))) {
    const file = join(outdir, 'stacks', stack, 'cdk.tf');
    if (existsSync(join(outdir, 'stacks', stack, 'cdk.tf.json'))) fail(`${file}: a cdk.tf.json was written beside it`);
    const tf = JSON.parse(readFileSync(join(json, 'stacks', stack, 'cdk.tf.json'), 'utf8'));
    writeFileSync(file, fixTerraformAttributes(unquoteProvider(unquoteDependsOn(readFileSync(file, 'utf8'))), tf.terraform));
    for (const block of tf.removed ?? []) appendFileSync(file, removedHcl(block));
    for (const block of tf.moved ?? []) appendFileSync(file, movedHcl(block));
  }
} finally {
  rmSync(json, { recursive: true, force: true });
}

const fmt = spawnSync('terraform', ['fmt', '-recursive', '-no-color', outdir], { encoding: 'utf8', env: { ...process.env, CHECKPOINT_DISABLE: '1' } });
if (fmt.error) {
  console.error(`terraform not found: ${outdir} is valid HCL but unformatted (run \`terraform fmt -recursive\` there)`);
} else if (fmt.status !== 0) {
  fail(`terraform fmt failed on ${outdir}:\n${fmt.stderr}`);
}
console.log(`HCL written to ${outdir}/stacks/*/cdk.tf (state paths are absolute: review the backend blocks)`);
