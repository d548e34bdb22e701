import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveConfig } from '../../config';
import { buildApp } from '../../main';
import { loadSynthesizedApp, SynthesizedApp } from '../../review';

/** Synthesizes the app for `context.pipeline` = `file` (as `npm run synth` would) and reads every stack back. */
export function synthApp(file: unknown, env: Record<string, string | undefined> = {}): SynthesizedApp {
  const outdir = mkdtempSync(join(tmpdir(), 'review-synth-'));
  try {
    buildApp(resolveConfig(file, env), outdir).synth();
    return loadSynthesizedApp(outdir);
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}
