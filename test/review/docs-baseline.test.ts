// "No unchanged config changes an address", enforced: every example config in the README and
// docs/configuration.md is synthesized with today's code and reviewed against the synthesized output committed
// in test/review/baseline/ (written by the code of the last accepted change). An unacknowledged destroy,
// replacement or revoked grant fails. After an intended change: acknowledge it below, or regenerate with
//   UPDATE_REVIEW_BASELINE=1 npx jest test/review/docs-baseline.test.ts
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { baselineOf, formatReview, reviewChanges, SynthesizedApp } from '../../review';
import { synthApp } from './synth-app';

const root = join(__dirname, '..', '..');
const baselineDir = join(__dirname, 'baseline');
const update = process.env.UPDATE_REVIEW_BASELINE === '1';

/** Intended destroys, replacements or revokes since the baseline, by `STACK:TYPE.NAME` (none today). */
const ACKNOWLEDGED: Record<string, string[]> = {};

/** The `context.pipeline` of every json block in a doc, named `FILE-N` (N counts from 1). */
function examples(file: string): [string, unknown][] {
  const text = readFileSync(join(root, file), 'utf8');
  const stem = file.replace(/^docs\//, '').replace(/\.md$/, '').toLowerCase();
  return [...text.matchAll(/```json\n([\s\S]*?)```/g)]
    .map((m) => JSON.parse(m[1]) as { context?: { pipeline?: unknown } })
    .filter((j) => j.context?.pipeline !== undefined)
    .map((j, i) => [`${stem}-${i + 1}`, j.context!.pipeline]);
}

const all = [...examples('README.md'), ...examples('docs/configuration.md')];

test('the docs hold example configs to review', () => {
  expect(all.map(([name]) => name)).toEqual(expect.arrayContaining(['readme-1', 'configuration-1', 'configuration-2']));
});

test.each(all)('%s: no unacknowledged destroy, replacement or revoked grant since the baseline', (name, pipeline) => {
  const file = join(baselineDir, `${name}.json`);
  const now = synthApp(pipeline);
  if (update || !existsSync(file)) {
    if (!update) throw new Error(`${file} is missing: a new example config needs a baseline (UPDATE_REVIEW_BASELINE=1 npx jest ${__filename})`);
    mkdirSync(baselineDir, { recursive: true });
    writeFileSync(file, `${JSON.stringify(baselineOf(now), null, 1)}\n`);
  }
  const baseline = JSON.parse(readFileSync(file, 'utf8')) as SynthesizedApp;
  const result = reviewChanges(baseline, now, { acknowledge: ACKNOWLEDGED[name] ?? [] });
  if (result.blocking) throw new Error(`${name} changes what is deployed:\n${formatReview(result)}`);
  expect(result.blocking).toBe(false);
});
