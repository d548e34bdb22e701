import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { baselineOf, SynthesizedApp } from '../../review';
import { main, parseArgs } from '../../review/cli';
import { tempDir } from '../temp';
import { synthApp } from './synth-app';

const root = join(__dirname, '..', '..');

describe('parseArgs', () => {
  test('reads --against, --json and every address after --ack', () => {
    expect(parseArgs(['--against', 'main', '--json', '--ack', 'a.b', 'dev:c.d'])).toEqual({ against: 'main', json: true, acknowledge: ['a.b', 'dev:c.d'] });
  });

  test.each([
    [[], /--against is required/],
    [['--against'], /--against needs a git revision or a folder/],
    [['--against', 'x', '--ack'], /--ack needs at least one address/],
    [['--against', 'x', '--force'], /unknown argument --force/],
  ])('refuses %j', (argv, message) => {
    expect(() => parseArgs(argv as string[])).toThrow(message);
  });
});

describe('npm run review', () => {
  let work: string;
  let stderr: jest.SpyInstance;
  // This checkout's cdktf.json configures nothing: the app synthesizes the default config, which the baseline mirrors.
  const defaults = baselineOf(synthApp({}, {}));
  beforeEach(() => {
    work = mkdtempSync(join(tmpdir(), 'review-cli-'));
    stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  });
  afterEach(() => {
    stderr.mockRestore();
    rmSync(work, { recursive: true, force: true });
  });
  const run = async (baseline: SynthesizedApp, ...extra: string[]) => {
    const file = join(work, 'baseline.json');
    writeFileSync(file, JSON.stringify(baseline));
    let out = '';
    const code = await main(['--against', file, ...extra], root, (s) => (out += s));
    return { code, out };
  };
  /** The default config's baseline plus a protected queue that the current app no longer has. */
  const withExtraQueue = (): SynthesizedApp => {
    const dev = defaults.dev;
    const queue = { name: 'old', location: 'us-central1', project: 'my-gcp-project', lifecycle: { prevent_destroy: true } };
    return { ...defaults, dev: { ...dev, resource: { ...dev.resource, google_cloud_tasks_queue: { ...dev.resource!.google_cloud_tasks_queue, Old_Queue: queue } } } };
  };

  test('exits 0 and says "No changes." against its own synthesized output', async () => {
    expect(await run(defaults)).toEqual({ code: 0, out: 'No changes.\n' });
  }, 60_000);

  test('exits 1 on a protected destroy, and says how to acknowledge it', async () => {
    const { code, out } = await run(withExtraQueue());
    expect(code).toBe(1);
    expect(out).toContain('dev:google_cloud_tasks_queue.Old_Queue: destroyed, but it had lifecycle.prevent_destroy, which leaves the config with it: Terraform deletes it');
  }, 60_000);

  test('exits 0 when the destroy is acknowledged', async () => {
    expect((await run(withExtraQueue(), '--ack', 'dev:google_cloud_tasks_queue.Old_Queue')).code).toBe(0);
  }, 60_000);

  test('--json prints the result for tools', async () => {
    const { out } = await run(withExtraQueue(), '--json');
    expect(JSON.parse(out)).toMatchObject({ blocking: true, findings: [{ stack: 'dev', address: 'google_cloud_tasks_queue.Old_Queue', kind: 'protected-destroyed' }] });
  }, 60_000);

  test('exits 2 on a usage error', async () => {
    expect(await main(['--json'], root, () => undefined)).toBe(2);
  });

  test('exits 2 for a baseline that is neither a folder nor a revision', async () => {
    expect(await main(['--against', 'no-such-ref-or-folder'], root, () => undefined)).toBe(2);
    expect(stderr).toHaveBeenCalledWith(expect.stringMatching(/no-such-ref-or-folder is neither a folder of synthesized stacks nor a git revision/));
  }, 60_000);

  test('reviews against a git revision in a temporary worktree, and removes it afterwards', async () => {
    const worktrees = () => execFileSync('git', ['worktree', 'list'], { cwd: root, encoding: 'utf8' });
    const temps = () => readdirSync(tmpdir()).filter((d) => /^review-(before|after|baseline)-/.test(d)).sort();
    const [beforeWorktrees, beforeTemps] = [worktrees(), temps()];
    const code = await main(['--against', 'HEAD'], root, () => undefined);
    expect([0, 1]).toContain(code); // HEAD may differ from the working tree; the review itself ran
    expect(worktrees()).toBe(beforeWorktrees);
    expect(temps()).toEqual(beforeTemps);
  }, 120_000);

  test("a revision whose synth fails: exits 2 with its error, after this checkout's slower synth has ended, and leaves nothing behind", async () => {
    // A repository whose committed main.ts fails at once and whose working-tree main.ts writes its output a second
    // later: the review must not remove the temp folders while that child can still write into one.
    const repo = tempDir('review-cli-repo-');
    const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', '-c', 'commit.gpgsign=false', '-c', 'core.hooksPath=/dev/null', ...args], { cwd: repo, stdio: 'ignore' });
    mkdirSync(join(repo, 'scripts'));
    mkdirSync(join(repo, 'node_modules'));
    writeFileSync(join(repo, 'scripts', 'register.js'), '');
    writeFileSync(join(repo, 'main.ts'), "throw new Error('synth failed at the revision');\n");
    git('init', '-q');
    git('add', 'main.ts', 'scripts');
    git('commit', '-qm', 'failing synth');
    writeFileSync(
      join(repo, 'main.ts'),
      "setTimeout(() => { const fs = require('fs'); fs.mkdirSync(process.env.CDKTF_OUTDIR, { recursive: true }); fs.writeFileSync(process.env.CDKTF_OUTDIR + '/late', 'x'); }, 1000);\n",
    );
    const temps = () => readdirSync(tmpdir()).filter((d) => /^review-(before|after|baseline)-/.test(d)).sort();
    const before = temps();
    expect(await main(['--against', 'HEAD'], repo, () => undefined, repo)).toBe(2);
    expect(stderr).toHaveBeenCalledWith(expect.stringContaining('synth failed at the revision'));
    await new Promise((r) => setTimeout(r, 1500)); // a child still running would write its file by now
    expect(temps()).toEqual(before);
    expect(execFileSync('git', ['worktree', 'list'], { cwd: repo, encoding: 'utf8' }).trim().split('\n')).toHaveLength(1);
    expect(existsSync(join(repo, '.git', 'worktrees')) ? readdirSync(join(repo, '.git', 'worktrees')) : []).toEqual([]);
  }, 60_000);
});
