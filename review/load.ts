/** Reads synthesized stacks from disk (cdktf-free). */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { SynthesizedApp, SynthesizedStack } from './types';

/**
 * Loads synthesized stacks from `path`: a cdktf output folder (`stacks/NAME/cdk.tf.json`), a folder of
 * `NAME/cdk.tf.json`, or one JSON file mapping stack name → synthesized stack.
 */
export function loadSynthesizedApp(path: string): SynthesizedApp {
  if (statSync(path).isFile()) return JSON.parse(readFileSync(path, 'utf8')) as SynthesizedApp;
  const dir = existsSync(join(path, 'stacks')) ? join(path, 'stacks') : path;
  const app: Record<string, SynthesizedStack> = {};
  for (const name of readdirSync(dir).sort()) {
    const file = join(dir, name, 'cdk.tf.json');
    if (existsSync(file)) app[name] = JSON.parse(readFileSync(file, 'utf8')) as SynthesizedStack;
  }
  if (Object.keys(app).length === 0) throw new Error(`${path} holds no synthesized stacks (expected stacks/NAME/cdk.tf.json)`);
  return app;
}

/** A stack reduced to what the review reads (resources without metadata, moved, removed, import): for baselines. */
export function baselineOf(app: SynthesizedApp): SynthesizedApp {
  const out: Record<string, SynthesizedStack> = {};
  for (const [name, stack] of Object.entries(app)) {
    const resource = Object.fromEntries(
      Object.entries(stack.resource ?? {}).map(([type, byName]) => [
        type,
        Object.fromEntries(Object.entries(byName).map(([n, body]) => [n, Object.fromEntries(Object.entries(body).filter(([k]) => k !== '//'))])),
      ]),
    );
    out[name] = {
      resource,
      ...(stack.moved ? { moved: stack.moved } : {}),
      ...(stack.removed ? { removed: stack.removed } : {}),
      ...(stack.import ? { import: stack.import } : {}),
    };
  }
  return out;
}
