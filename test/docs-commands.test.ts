// Docs that a deploy depends on. Every deploy command in the README and docs/ runs as written: cdktf deploys an environment stack only together
// with the foundation stack it depends on (`npm run deploy -- project-PROJECT ENV`), so a command that names an
// environment without a `project-*` stack fails (issue 17, item 7).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..');
const files = ['README.md', ...readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md')).map((f) => join('docs', f))];

/** `[file, command, stacks]` for every `npm run deploy -- ...` / `cdktf deploy ...` that names stacks. */
function deployCommands(): [string, string, string[]][] {
  return files.flatMap((file) =>
    [...readFileSync(join(root, file), 'utf8').matchAll(/(?:npm run deploy --|cdktf deploy)((?: +[A-Za-z0-9_-]+)+)/g)].map(
      (m) => [file, m[0], m[1].trim().split(/ +/).filter((a) => !a.startsWith('-'))] as [string, string, string[]],
    ),
  );
}

test('the docs hold deploy commands to check', () => {
  expect(deployCommands().length).toBeGreaterThanOrEqual(5);
});

test('every deploy command that names an environment names a foundation stack too', () => {
  const alone = deployCommands().filter(([, , stacks]) => stacks.some((s) => !s.startsWith('project-')) && !stacks.some((s) => s.startsWith('project-')));
  expect(alone.map(([file, command]) => `${file}: ${command}`)).toEqual([]);
});

test('the deployer-roles table covers the secrets grants (secretmanager.secrets.setIamPolicy)', () => {
  const table = readFileSync(join(root, 'docs', 'deploy.md'), 'utf8').split('\n').filter((l) => l.startsWith('|'));
  expect(table.filter((row) => row.includes('secretmanager.secrets.setIamPolicy') && row.includes('google_secret_manager_secret_iam_member'))).toHaveLength(1);
});
