/**
 * `npm run review -- --against REF_OR_DIR [--json] [--ack ADDRESS ...]`: synthesizes this app (as `npm run
 * synth` does, into a temporary folder) and a baseline (a git revision synthesized in a temporary worktree that
 * shares this node_modules, or a folder or file of synthesized stacks), reviews the change and exits
 * 0 (nothing blocks), 1 (an unacknowledged destroy, replacement or revoked grant) or 2 (usage or synth error).
 * Synthesis runs in child processes, so this file never loads cdktf.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { formatReview } from './format';
import { loadSynthesizedApp } from './load';
import { reviewChanges } from './review';
import type { SynthesizedApp } from './types';

const USAGE = 'usage: npm run review -- --against REF_OR_DIR [--json] [--ack ADDRESS ...]';

/** Parsed command line. */
export interface ReviewArgs {
  /** A git revision, or a folder or JSON file of synthesized stacks. */
  readonly against: string;
  /** Print the result as JSON. */
  readonly json: boolean;
  /** Acknowledged addresses. */
  readonly acknowledge: string[];
}

/** Parses the arguments; throws a usage message when they are wrong. */
export function parseArgs(argv: readonly string[]): ReviewArgs {
  let against: string | undefined;
  let json = false;
  const acknowledge: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--json') json = true;
    else if (a === '--against') {
      against = argv[++i];
      if (against === undefined || against.startsWith('--')) throw new Error(`--against needs a git revision or a folder\n${USAGE}`);
    } else if (a === '--ack') {
      const start = i;
      while (argv[i + 1] !== undefined && !argv[i + 1].startsWith('--')) acknowledge.push(argv[++i]);
      if (i === start) throw new Error(`--ack needs at least one address (TYPE.NAME or STACK:TYPE.NAME)\n${USAGE}`);
    } else throw new Error(`unknown argument ${a}\n${USAGE}`);
  }
  if (against === undefined) throw new Error(`--against is required\n${USAGE}`);
  return { against, json, acknowledge };
}

/** Runs the synth of the app in `appRoot` (`main.ts`, as `npm run synth` does) with the `cdktf.json` of `cwd`, into `outdir`. */
function synth(appRoot: string, cwd: string, outdir: string): Promise<void> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ['-r', join(appRoot, 'scripts', 'register.js'), join(appRoot, 'main.ts')], {
      cwd,
      env: { ...process.env, CDKTF_OUTDIR: outdir, CHECKPOINT_DISABLE: '1' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', fail);
    child.on('close', (code) => (code === 0 ? done() : fail(new Error(`synth in ${cwd} failed (exit ${code}):\n${stderr.trim()}`))));
  });
}

/**
 * Synthesizes this checkout (the app in `root`, configured by the `cdktf.json` in `cwd`) and the baseline side by
 * side, then removes every temporary folder and worktree. A git revision is synthesized with its own code and
 * its own `cdktf.json`.
 */
export async function synthesizeBoth(root: string, against: string, cwd = root): Promise<{ before: SynthesizedApp; after: SynthesizedApp }> {
  const temps: string[] = [];
  let worktree: string | undefined;
  let after: Promise<void> | undefined;
  const temp = (prefix: string) => {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    temps.push(dir);
    return dir;
  };
  try {
    const afterDir = temp('review-after-');
    const given = resolve(cwd, against);
    if (existsSync(given)) {
      await synth(root, cwd, afterDir);
      return { before: loadSynthesizedApp(given), after: loadSynthesizedApp(afterDir) };
    }
    try {
      execFileSync('git', ['rev-parse', '--verify', '--quiet', `${against}^{commit}`], { cwd: root, stdio: 'ignore' });
    } catch {
      throw new UsageError(`${against} is neither a folder of synthesized stacks nor a git revision\n${USAGE}`);
    }
    // This checkout's synth starts first: checking the revision out (a few hundred ms) overlaps with it.
    after = synth(root, cwd, afterDir);
    after.catch(() => undefined); // awaited below; a failure must not go unhandled while the worktree is made
    const checkout = temp('review-before-');
    rmSync(checkout, { recursive: true, force: true });
    execFileSync('git', ['worktree', 'add', '--detach', checkout, against], { cwd: root, stdio: 'ignore' });
    worktree = checkout; // only a worktree that exists is removed with git (a failed add leaves a plain temp folder)
    symlinkSync(join(root, 'node_modules'), join(worktree, 'node_modules'));
    const beforeDir = temp('review-baseline-');
    // Both children end before their folders are removed, even when one fails; every failure is reported.
    const failures = (await Promise.allSettled([after, synth(worktree, worktree, beforeDir)])).flatMap((r) => (r.status === 'rejected' ? [(r.reason as Error).message] : []));
    if (failures.length > 0) throw new Error(failures.join('\n'));
    return { before: loadSynthesizedApp(beforeDir), after: loadSynthesizedApp(afterDir) };
  } finally {
    await after?.catch(() => undefined); // settled already, unless making the worktree failed
    if (worktree) execFileSync('git', ['worktree', 'remove', '--force', worktree], { cwd: root, stdio: 'ignore' });
    for (const dir of temps) rmSync(dir, { recursive: true, force: true });
  }
}

/** A mistake in how the command was called (exit 2). */
class UsageError extends Error {}

/** Runs the command; resolves to the exit code. */
export async function main(argv: readonly string[], root: string, write: (s: string) => void = (s) => process.stdout.write(s), cwd = process.cwd()): Promise<number> {
  let args: ReviewArgs;
  try {
    args = parseArgs(argv);
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n`);
    return 2;
  }
  try {
    const { before, after } = await synthesizeBoth(root, args.against, cwd);
    const result = reviewChanges(before, after, { acknowledge: args.acknowledge });
    write(args.json ? `${JSON.stringify(result, null, 2)}\n` : `${formatReview(result)}\n`);
    return result.blocking ? 1 : 0;
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n`);
    return 2;
  }
}

if (require.main === module) {
  void main(process.argv.slice(2), join(__dirname, '..')).then((code) => process.exit(code));
}
