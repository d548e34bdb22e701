// What `npm run synth` says and cleans up: one line naming the stacks, and the folders of environments gone.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { resolveConfig } from '../config';
import { buildApp, finishSynth } from '../main';
import { tempDir } from './temp';

function synth(environments: Record<string, object>): string {
  const outdir = join(tempDir('synth-out-'), 'cdktf.out');
  buildApp(resolveConfig({ project: 'test-project', environments }, {}), outdir).synth();
  return outdir;
}

describe('finishSynth', () => {
  test('GIVEN a synth THEN one line names every stack written', () => {
    const outdir = synth({ dev: {} });
    expect(finishSynth(outdir)).toMatch(/^Synthesized 2 stacks into .*cdktf\.out: dev, project-test-project$/);
  });

  test('GIVEN the folder of an environment no longer configured THEN it is removed and reported', () => {
    const outdir = synth({ dev: {} });
    mkdirSync(join(outdir, 'stacks', 'staging'));
    writeFileSync(join(outdir, 'stacks', 'staging', 'cdk.tf.json'), '{}');
    expect(finishSynth(outdir)).toMatch(/: dev, project-test-project; removed stale staging$/);
    expect(existsSync(join(outdir, 'stacks', 'staging'))).toBe(false);
    expect(existsSync(join(outdir, 'stacks', 'dev', 'cdk.tf.json'))).toBe(true);
  });

  test('GIVEN files in stacks/ or folders beside it THEN they are left alone (only stack folders are removed)', () => {
    const outdir = synth({ dev: {} });
    writeFileSync(join(outdir, 'stacks', 'notes.txt'), 'mine');
    mkdirSync(join(outdir, 'other'));
    expect(finishSynth(outdir)).not.toContain('removed');
    expect([existsSync(join(outdir, 'stacks', 'notes.txt')), existsSync(join(outdir, 'other'))]).toEqual([true, true]);
  });
});
