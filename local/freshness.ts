/**
 * Is cdktf.out still what `npm run synth` would write now? The dev server records a fingerprint of the synth
 * inputs (app, config, constructs, limits, cdktf.json, PIPELINE_* variables) beside its own synth output; output
 * synthesized elsewhere is judged by file times.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const FINGERPRINT = '.dev-inputs.sha1';

function inputFiles(root: string): string[] {
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
  return [join(root, 'main.ts'), join(root, 'cdktf.json'), ...['config', 'constructs', 'limits'].flatMap((d) => (existsSync(join(root, d)) ? walk(join(root, d)) : []))].filter(existsSync).sort();
}

export function inputsFingerprint(root: string, env: NodeJS.ProcessEnv = process.env): string {
  const hash = createHash('sha1');
  for (const file of inputFiles(root)) hash.update(relative(root, file)).update('\0').update(readFileSync(file)).update('\0');
  for (const name of Object.keys(env).filter((k) => k.startsWith('PIPELINE_')).sort()) hash.update(`${name}=${env[name]}\0`);
  return hash.digest('hex');
}

export function recordFingerprint(out: string, root: string, env: NodeJS.ProcessEnv = process.env): void {
  writeFileSync(join(out, FINGERPRINT), inputsFingerprint(root, env));
}

/** Why `out` is stale (a sentence), or undefined when it is current. */
export function staleReason(out: string, root: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const manifest = join(out, 'manifest.json');
  if (!existsSync(manifest)) return `${out} has no synthesized stacks`;
  const recorded = join(out, FINGERPRINT);
  if (existsSync(recorded)) {
    return readFileSync(recorded, 'utf8').trim() === inputsFingerprint(root, env) ? undefined : 'the app, its config or PIPELINE_* variables changed since it was synthesized';
  }
  const synthesized = statSync(manifest).mtimeMs;
  const newer = inputFiles(root).filter((f) => statSync(f).mtimeMs > synthesized);
  return newer.length > 0 ? `${newer.map((f) => relative(root, f)).slice(0, 3).join(', ')}${newer.length > 3 ? ', ...' : ''} changed after it was synthesized` : undefined;
}
