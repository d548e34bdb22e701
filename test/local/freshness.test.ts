// Stale cdktf.out detection for `npm run dev`.
import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { recordFingerprint, staleReason } from '../../local/freshness';
import { tempDir } from '../temp';

/** A tiny project: an app, a config module, and a synthesized output folder. */
function project(): { root: string; out: string } {
  const root = tempDir('fresh-');
  mkdirSync(join(root, 'config'));
  writeFileSync(join(root, 'main.ts'), 'app');
  writeFileSync(join(root, 'config', 'index.ts'), 'export const a = 1;');
  const out = join(root, 'cdktf.out');
  mkdirSync(out);
  writeFileSync(join(out, 'manifest.json'), '{}');
  return { root, out };
}

describe('stale synthesized output', () => {
  test('output the dev server synthesized is current until an input changes', () => {
    const { root, out } = project();
    recordFingerprint(out, root, {});
    expect(staleReason(out, root, {})).toBeUndefined();
    writeFileSync(join(root, 'config', 'index.ts'), 'export const a = 2;');
    expect(staleReason(out, root, {})).toMatch(/changed since it was synthesized/);
  });

  test('a different PIPELINE_* variable makes it stale', () => {
    const { root, out } = project();
    recordFingerprint(out, root, { PIPELINE_PROJECT: 'a' });
    expect(staleReason(out, root, { PIPELINE_PROJECT: 'a', OTHER: 'x' })).toBeUndefined();
    expect(staleReason(out, root, { PIPELINE_PROJECT: 'b' })).toMatch(/PIPELINE_\* variables changed/);
  });

  test('output synthesized elsewhere is stale when a source file is newer, naming the file', () => {
    const { root, out } = project();
    const past = new Date(Date.now() - 60_000);
    utimesSync(join(root, 'main.ts'), past, past);
    utimesSync(join(root, 'config', 'index.ts'), past, past);
    expect(staleReason(out, root, {})).toBeUndefined();
    utimesSync(join(root, 'config', 'index.ts'), new Date(), new Date(Date.now() + 1000));
    expect(staleReason(out, root, {})).toBe('config/index.ts changed after it was synthesized');
  });

  test('a folder without a manifest has nothing synthesized', () => {
    const { root } = project();
    expect(staleReason(join(root, 'elsewhere'), root, {})).toMatch(/has no synthesized stacks/);
  });
});
