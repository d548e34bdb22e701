// `npm run deploy` with a config mistake (here: the placeholder project of the default config): the message
// comes once, before cdktf starts (left to cdktf, an app's error is printed twice).
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const root = join(__dirname, '..');

test('GIVEN the placeholder project WHEN npm run deploy THEN the refusal is printed once and it exits 1 before cdktf runs', () => {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('PIPELINE_')));
  const r = spawnSync('npm', ['run', '--silent', 'deploy'], { cwd: root, encoding: 'utf8', env: { ...env, CHECKPOINT_DISABLE: '1' }, timeout: 60_000 });
  const output = `${r.stdout}${r.stderr}`;
  expect(r.status).toBe(1);
  expect(output.match(/"my-gcp-project" is a placeholder/g)).toHaveLength(1);
  expect(output).not.toContain('Synthesizing');
}, 60_000);
