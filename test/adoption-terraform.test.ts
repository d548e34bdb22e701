// Terraform 1.11 itself on the adopted stack's import blocks, offline: `terraform fmt` parses the HCL rendering,
// and a provider-free mirror (the same blocks aimed at built-in terraform_data resources) validates, plans the
// imports, and shows that an import whose address is already in state is skipped.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ADOPTING, synthStacks, synthTexts } from './adoption-fixtures';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { fixTerraformAttributes, unquoteDependsOn, unquoteProvider } = require('../scripts/hcl-blocks');

const hasTerraform = spawnSync('terraform', ['version'], { encoding: 'utf8' }).status === 0;
if (!hasTerraform) console.warn('adoption-terraform.test.ts: no terraform binary on PATH, so the Terraform checks are skipped (install Terraform >= 1.7 to run them)');
const describeWithTerraform = hasTerraform ? describe : describe.skip;

const ADOPTING_ALL = { ...ADOPTING, queues: { orders: { ...ADOPTING.queues.orders, adoptExistingGrants: true } } };
const tf = (cwd: string, ...args: string[]) =>
  spawnSync('terraform', [...args, '-no-color'], { cwd, encoding: 'utf8', env: { ...process.env, CHECKPOINT_DISABLE: '1', TF_IN_AUTOMATION: '1' }, timeout: 60_000 });

describeWithTerraform('terraform 1.11 on the import blocks (offline)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'adopt-tf-'));
  const imports = (synthStacks(ADOPTING_ALL).dev.import as { to: string; id: string }[]).map((i) => ({ ...i }));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('terraform fmt accepts the HCL rendering, and its import blocks carry the JSON synth ids', () => {
    const file = join(dir, 'fmt', 'cdk.tf');
    mkdirSync(join(dir, 'fmt'));
    // As `npm run synth:hcl` writes it: cdktf's HCL writer plus the fixes scripts/synth-hcl.js applies (the
    // terraform block's required_version, unquoted provider and depends_on references).
    const terraform = JSON.parse(synthTexts(ADOPTING_ALL).dev).terraform;
    writeFileSync(file, fixTerraformAttributes(unquoteProvider(unquoteDependsOn(synthTexts(ADOPTING_ALL, true).dev)), terraform));
    const fmt = tf(join(dir, 'fmt'), 'fmt', '-list=false', 'cdk.tf');
    expect([fmt.status, fmt.stderr]).toEqual([0, expect.not.stringContaining('Error')]);
    const formatted = readFileSync(file, 'utf8');
    const blocks = [...formatted.matchAll(/^import \{\n([^}]*)\n\}/gm)].map((m) => ({ id: /^ {2}id = "([^"]+)"$/m.exec(m[1])?.[1], to: /^ {2}to = (\S+)$/m.exec(m[1])?.[1] }));
    expect(blocks.sort((a, b) => String(a.to).localeCompare(String(b.to)))).toEqual([...imports].sort((a, b) => a.to.localeCompare(b.to)));
  });

  describe('a provider-free mirror: each import aimed at a terraform_data resource of its own', () => {
    const mirror = join(dir, 'mirror');
    const name = (to: string) => to.replace(/[^A-Za-z0-9_-]/g, '_');
    beforeAll(() => {
      mkdirSync(mirror);
      const hcl = imports.map((i) => `resource "terraform_data" "${name(i.to)}" {}\n\nimport {\n  to = terraform_data.${name(i.to)}\n  id = ${JSON.stringify(i.id)}\n}\n`).join('\n');
      writeFileSync(join(mirror, 'main.tf'), hcl);
      expect(tf(mirror, 'init', '-input=false').status).toBe(0);
    }, 60_000);

    test('terraform validate accepts the import blocks', () => {
      const r = tf(mirror, 'validate');
      expect([r.status, r.stdout.trim()]).toEqual([0, 'Success! The configuration is valid.']);
    }, 60_000);

    test('terraform plan imports each of them, and nothing else', () => {
      const r = tf(mirror, 'plan', '-input=false');
      expect(r.stdout).toContain(`Plan: ${imports.length} to import, 0 to add, 0 to change, 0 to destroy.`);
    }, 60_000);

    test('once applied, the same import blocks plan nothing: an import whose address is in state is skipped', () => {
      expect(tf(mirror, 'apply', '-input=false', '-auto-approve').status).toBe(0);
      const r = tf(mirror, 'plan', '-input=false', '-detailed-exitcode');
      expect([r.status, r.stdout]).toEqual([0, expect.stringContaining('No changes.')]);
    }, 60_000);
  });
});
