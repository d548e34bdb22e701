// The synth loader (scripts/register.js): its V8 code cache must behave exactly like Node's own require, cold
// and warm, for the dependencies that meet it; and the synthesized output must not depend on it.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from './temp';

const root = join(__dirname, '..');
const register = join(root, 'scripts', 'register.js');

/** A throwaway package under a node_modules folder (the only place the cache applies to dependencies). */
function dependency(name: string, source: string): string {
  const dir = join(tempDir('register-'), 'node_modules', name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'index.js'), source);
  return dir;
}
const run = (script: string, env: Record<string, string> = {}) =>
  spawnSync(process.execPath, ['-r', register, '-e', script], { cwd: root, env: { ...process.env, ...env }, encoding: 'utf8' });

describe('scripts/register.js code cache', () => {
  test('a dependency that calls import() works on a cold and on a warm run', () => {
    const dir = dependency('dyn-import', "module.exports = () => import('node:os').then((os) => typeof os.cpus);\n");
    const script = `require(${JSON.stringify(dir)})().then((t) => console.log(t), (e) => { console.error(e.code || e.message); process.exit(1); })`;
    for (const attempt of ['cold', 'warm']) expect([attempt, run(script).stdout.trim()]).toEqual([attempt, 'function']);
  });

  test('a dependency that throws while loading still throws its own error, naming its file', () => {
    const dir = dependency('throws', "'use strict';\nconst x = 1;\nthrow new Error('boom from a dependency');\n");
    const script = `try { require(${JSON.stringify(dir)}); } catch (e) { console.log(e.message); console.log(e.stack.split('\\n')[1]); }`;
    for (const attempt of ['cold', 'warm']) {
      const [message, frame] = run(script).stdout.trim().split('\n');
      expect([attempt, message]).toEqual([attempt, 'boom from a dependency']);
      expect(frame).toContain(join(dir, 'index.js'));
    }
  });

  test('module syntax in a .js dependency falls back to Node\'s own loader instead of failing in the wrapper', () => {
    const dir = dependency('esm-syntax', "import os from 'node:os';\nexport const kind = typeof os.cpus;\n");
    const direct = spawnSync(process.execPath, ['-e', `try { console.log(require(${JSON.stringify(dir)}).kind) } catch (e) { console.log(e.name) }`], { encoding: 'utf8' });
    expect(run(`try { console.log(require(${JSON.stringify(dir)}).kind) } catch (e) { console.log(e.name) }`).stdout).toBe(direct.stdout);
  });

  test('the synthesized output is the same with and without the cache', () => {
    const synth = (env: Record<string, string>) => {
      const outdir = tempDir('register-synth-');
      execFileSync(process.execPath, ['-r', register, 'main.ts'], { cwd: root, env: { ...process.env, ...env, CDKTF_OUTDIR: outdir, CHECKPOINT_DISABLE: '1' }, stdio: 'ignore' });
      const stacks = join(outdir, 'stacks');
      return readdirSync(stacks).map((s) => readFileSync(join(stacks, s, 'cdk.tf.json'), 'utf8').replace(/"path": "[^"]*tfstate"/g, ''));
    };
    const cached = synth({});
    expect(cached.length).toBe(2);
    expect(synth({ CDKTF_NO_CODE_CACHE: '1', CDKTF_DEBUG: '1' })).toEqual(cached);
  });
});
