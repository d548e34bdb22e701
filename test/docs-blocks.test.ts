// Every block a reader may paste from the README, docs/*.md or a folder README works as shown (the rules are in
// docs/contributing.md, "Code blocks in the docs"): ```json blocks are complete cdktf.json files that synthesize the
// app, ```bash blocks run commands that exist with flags their CLI accepts, and install lines name every required
// peer. ```ts blocks are type-checked against the packed tarball in consumer.test.ts.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../config';
import { buildApp } from '../main';
import { allBlocks, Block, blocks, documents, NOT_RUNNABLE, root, runnable, where } from './doc-blocks';

const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const repoApp = JSON.parse(readFileSync(join(root, 'cdktf.json'), 'utf8')).app as string;

/** Top-level keys cdktf 0.21 (and cdktn 0.24) read from cdktf.json. */
const CDKTF_JSON_KEYS = ['language', 'app', 'output', 'codeMakerOutput', 'projectId', 'sendCrashReports', 'terraformProviders', 'terraformModules', 'context'];
/** Commands a block may run that need not be on this machine's PATH: documented external tools. */
const EXTERNAL = ['gcloud', 'docker', 'terraform', 'curl', 'git', 'cdktf', 'cdktn'];
/** Shell builtins. */
const BUILTINS = ['export', 'cd', 'set', 'unset', 'source', 'echo', 'wait', 'kill', 'true', 'false', 'exit', 'read'];
/** npm commands a block may use besides `run` (whose script must exist). */
const NPM_VERBS = ['ci', 'install', 'i', 'pack', 'publish', 'test', 'run', 'run-script', 'exec', 'ls', 'view', 'uninstall'];
/** `npx` tools a block may run that this repository does not install: the CDK Terrain CLI (docs/cdk-terrain.md). */
const NPX_EXTERNAL = ['cdktn'];
/** Until the package is on the registry, an install names a packed tarball (or a git URL), never the bare name. */
const PUBLISHED = false;

/**
 * The simple commands of a bash block, as words: continuation lines joined, comments dropped, quotes removed,
 * split at newlines, `;`, `|`, `&&` and `||`.
 */
export function commands(code: string): string[][] {
  const text = code.replace(/\\\n/g, ' ');
  const out: string[][] = [];
  let words: string[] = [];
  let word = '';
  let inWord = false;
  const endWord = () => {
    if (inWord) words.push(word);
    word = '';
    inWord = false;
  };
  const endCommand = () => {
    endWord();
    if (words.length > 0) out.push(words);
    words = [];
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "'") {
      const close = text.indexOf("'", i + 1);
      word += text.slice(i + 1, close);
      i = close;
      inWord = true;
    } else if (c === '"') {
      let j = i + 1;
      for (; text[j] !== '"'; j++) word += text[j] === '\\' ? text[++j] : text[j];
      i = j;
      inWord = true;
    } else if (c === '\\') {
      word += text[++i];
      inWord = true;
    } else if (c === '#' && !inWord) {
      const eol = text.indexOf('\n', i);
      i = (eol < 0 ? text.length : eol) - 1;
    } else if (c === '\n' || c === ';' || c === '|' || c === '&') {
      endCommand();
    } else if (/\s/.test(c)) {
      endWord();
    } else {
      word += c;
      inWord = true;
    }
  }
  endCommand();
  return out;
}

/** An `npm run` (or `npm test`) call: the script, the package.json that must hold it, and the arguments after `--`. */
interface ScriptCall {
  readonly script: string;
  readonly workspace?: string;
  readonly args: string[];
}

/** What an npm command line runs: a script call, or another verb and its arguments. */
export function npmCall(words: string[]): { verb: string; call?: ScriptCall; rest: string[] } {
  let workspace: string | undefined;
  const positional: string[] = [];
  let i = 1;
  for (; i < words.length && words[i] !== '--'; i++) {
    if (words[i] === '-w' || words[i] === '--workspace') workspace = words[++i];
    else if (/^--workspace=/.test(words[i])) workspace = words[i].split('=')[1];
    else if (!words[i].startsWith('-') || positional[0] === 'install' || positional[0] === 'i') positional.push(words[i]);
  }
  const args = words.slice(i + 1);
  const [verb, script] = positional;
  if (verb === 'run' || verb === 'run-script') return { verb, call: { script, workspace, args }, rest: positional.slice(1) };
  if (verb === 'test') return { verb, call: { script: 'test', workspace, args }, rest: [] };
  return { verb, rest: positional.slice(1) };
}

/** Scripts of the package.json an `npm run` goes to (the root, or `-w DIR`'s). */
const scriptsOf = (workspace?: string): Record<string, string> =>
  JSON.parse(readFileSync(join(root, workspace ?? '', 'package.json'), 'utf8')).scripts ?? {};

const onPath = (cmd: string) => spawnSync('sh', ['-c', `command -v '${cmd}'`]).status === 0;

/** Problems with one command: an unknown command, npm verb, script or npx tool, or a wrong install line. */
export function problems(words: string[]): string[] {
  const first = words.findIndex((w) => !/^[A-Za-z_][A-Za-z0-9_]*=/.test(w)); // after VAR=value prefixes
  if (first < 0) return [];
  const args = words.slice(first);
  const [cmd] = args;
  if (cmd === 'npm') {
    const { verb, call, rest } = npmCall(args);
    if (!NPM_VERBS.includes(verb)) return [`'npm ${verb}' is not an npm command this project documents`];
    if (call && !(call.script in scriptsOf(call.workspace))) return [`'npm run ${call.script}': no such script in ${call.workspace ? `${call.workspace}/` : ''}package.json`];
    if (verb === 'install' || verb === 'i') return installProblems(rest);
    return [];
  }
  if (cmd === 'npx') {
    const tool = args.slice(1).find((a) => !a.startsWith('-'));
    return tool && (NPX_EXTERNAL.includes(tool) || onPath(join(root, 'node_modules', '.bin', tool))) ? [] : [`'npx ${tool}': no such tool in node_modules/.bin`];
  }
  if (BUILTINS.includes(cmd) || EXTERNAL.includes(cmd) || onPath(cmd)) return [];
  return [`'${cmd}' is not on PATH nor a documented external tool`];
}

/** An `npm install` that installs this library: names it the way that works, with every required peer at its tested version. */
function installProblems(specs: string[]): string[] {
  const library = specs.find((s) => s === pkg.name || s.startsWith(`${pkg.name}@`) || s.endsWith('.tgz') || /^(git\+|github:)/.test(s));
  if (!library) return [];
  const found: string[] = [];
  if (!PUBLISHED && (library === pkg.name || library.startsWith(`${pkg.name}@`))) found.push(`'${library}' is not on the npm registry: install the packed tarball`);
  if (library.endsWith('.tgz') && !library.endsWith(`/${pkg.name}-${pkg.version}.tgz`)) found.push(`${library}: npm pack writes ${pkg.name}-${pkg.version}.tgz`);
  for (const [peer, range] of Object.entries(pkg.peerDependencies as Record<string, string>)) {
    if (pkg.peerDependenciesMeta[peer]?.optional) continue;
    const spec = specs.find((s) => s === peer || s.startsWith(`${peer}@`));
    if (!spec) found.push(`the required peer ${peer} is not installed with the library`);
    // The versions this repository is built and tested with (devDependencies pins them), all inside the peer range.
    else if (spec !== `${peer}@${pkg.devDependencies[peer]}`) found.push(`${spec}: install ${peer}@${pkg.devDependencies[peer]}, the version tested here (peer range ${range})`);
  }
  return found;
}

describe('finding the blocks', () => {
  test('reads the fence tag, the code, indented fences and the opt-out marker', () => {
    const md = 'text\n\n<!-- not-runnable: a fragment -->\n\n```json\n{ "a": 1 }\n```\n\n1. step\n   ```bash\n   npm test\n   ```\n```\nplain\n```\n';
    expect(blocks('x.md', md)).toEqual([
      { doc: 'x.md', line: 5, tag: 'json', lang: 'json', code: '{ "a": 1 }', notRunnable: 'a fragment' },
      { doc: 'x.md', line: 10, tag: 'bash', lang: 'bash', code: 'npm test', notRunnable: undefined },
      { doc: 'x.md', line: 13, tag: '', lang: undefined, code: 'plain', notRunnable: undefined },
    ]);
  });

  test('covers the README, every docs/ file and the folder READMEs', () => {
    expect(documents()).toEqual(expect.arrayContaining(['README.md', 'docs/configuration.md', 'docs/library.md']));
  });

  test('every opt-out marker gives a reason and stands right before a json, ts or bash block', () => {
    const markers = documents().flatMap((doc) => readFileSync(join(root, doc), 'utf8').split('\n').filter((l) => NOT_RUNNABLE.test(l.trim())).map(() => doc));
    const used = allBlocks().filter((b) => b.notRunnable !== undefined);
    expect(used.filter((b) => b.notRunnable === '' || b.lang === undefined).map(where)).toEqual([]);
    expect(used.length).toBe(markers.length);
  });
});

describe('splitting bash into commands', () => {
  test('joins continuation lines, drops comments and quotes, splits at ;, |, && and newlines', () => {
    const code = `A=1 npm run x -- --flag 'a b' # note\ncurl -d "{\\"k\\":1}" \\\n  -H 'X: y' | jq . && sleep 1; echo '#not a comment'`;
    expect(commands(code)).toEqual([['A=1', 'npm', 'run', 'x', '--', '--flag', 'a b'], ['curl', '-d', '{"k":1}', '-H', 'X: y'], ['jq', '.'], ['sleep', '1'], ['echo', '#not a comment']]);
  });

  test('an npm command line: the script, its workspace and the arguments after --', () => {
    expect(npmCall(['npm', 'run', '--silent', 'build', '-w', 'handler', '--', '--x'])).toEqual({ verb: 'run', call: { script: 'build', workspace: 'handler', args: ['--x'] }, rest: ['build'] });
    expect(npmCall(['npm', 'test', '--', '-u'])).toEqual({ verb: 'test', call: { script: 'test', workspace: undefined, args: ['-u'] }, rest: [] });
  });

  test.each([
    [['npm', 'run', 'no-such-script'], "'npm run no-such-script': no such script in package.json"],
    [['npm', 'frobnicate'], "'npm frobnicate' is not an npm command this project documents"],
    [['npx', 'no-such-tool'], "'npx no-such-tool': no such tool in node_modules/.bin"],
    [['no-such-command-f19b'], "'no-such-command-f19b' is not on PATH nor a documented external tool"],
    [['npm', 'install', 'cloud-tasks-http-pipeline'], "'cloud-tasks-http-pipeline' is not on the npm registry: install the packed tarball"],
  ])('refuses %j', (words, message) => {
    expect(problems(words)).toContain(message);
  });

  test('an install of the library must bring every required peer, at the version tested here', () => {
    const line = ['npm', 'install', `../x/${pkg.name}-${pkg.version}.tgz`, 'cdktf@0.20.0', 'constructs@10.4.2', '@cdktf/provider-google@16.12.1'];
    expect(problems(line)).toEqual(['the required peer @cdktf/provider-time is not installed with the library', `cdktf@0.20.0: install cdktf@0.21.0, the version tested here (peer range ${pkg.peerDependencies.cdktf})`]);
  });

  test('an install of another tarball name than npm pack writes is refused', () => {
    expect(problems(['npm', 'install', `${pkg.name}-0.0.0.tgz`])).toContain(`${pkg.name}-0.0.0.tgz: npm pack writes ${pkg.name}-${pkg.version}.tgz`);
  });

  test('accepts existing scripts, npm verbs, builtins, external tools and commands on PATH', () => {
    expect([['npm', 'run', 'synth'], ['PIPELINE_X=1', 'npm', 'test'], ['npm', 'ci'], ['npx', 'cdktf', 'synth'], ['export', 'A=1'], ['gcloud', 'auth'], ['sleep', '1']].flatMap(problems)).toEqual([]);
  });
});

describe('```json blocks: complete cdktf.json files', () => {
  const json = runnable('json');
  test('there are some', () => expect(json.length).toBeGreaterThan(0));

  test.each(json.map((b) => [where(b), b] as [string, Block]))('%s is a complete cdktf.json', (_at, b) => {
    const file = JSON.parse(b.code);
    // What `cdktf synth` / `cdktf deploy` refuse: "not a cdktf project directory ... missing language / app keys".
    expect({ language: file.language, app: typeof file.app }).toEqual({ language: 'typescript', app: 'string' });
    expect(Object.keys(file).filter((k) => !CDKTF_JSON_KEYS.includes(k))).toEqual([]);
  });

  const ours = json.filter((b) => JSON.parse(b.code).app === repoApp);
  test.each(ours.map((b) => [where(b), b] as [string, Block]))('%s synthesizes the app when it is the whole cdktf.json', (_at, b) => {
    expect(stacksOf(b.code).length).toBeGreaterThan(0);
  }, 30_000);
});

/** The stacks the app synthesizes from `cdktf` (a cdktf.json's text) in a temporary folder; memoized. */
const synthesized = new Map<string, string[]>();
function stacksOf(cdktf: string): string[] {
  if (!synthesized.has(cdktf)) {
    const dir = mkdtempSync(join(tmpdir(), 'docs-json-'));
    try {
      writeFileSync(join(dir, 'cdktf.json'), cdktf);
      buildApp(loadConfig({ cwd: dir, env: {} }), join(dir, 'out')).synth();
      synthesized.set(cdktf, Object.keys(JSON.parse(readFileSync(join(dir, 'out', 'manifest.json'), 'utf8')).stacks));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return synthesized.get(cdktf)!;
}

/**
 * Stacks a `npm run deploy|diff -- STACK...` may name: those of the cdktf.json blocks earlier in the same document
 * (what the reader just wrote), else of any documented cdktf.json for this app or the zero-config app.
 */
function deployableStacks(b: Block): string[] {
  const ours = runnable('json').filter((j) => JSON.parse(j.code).app === repoApp);
  const before = ours.filter((j) => j.doc === b.doc && j.line < b.line);
  const configs = before.length > 0 ? before.map((j) => j.code) : ['{}', ...ours.map((j) => j.code)];
  return [...new Set(configs.flatMap(stacksOf))];
}

describe('```bash blocks: commands that exist, with flags their CLI accepts', () => {
  const bash = runnable('bash');
  test('there are some', () => expect(bash.length).toBeGreaterThan(0));

  test.each(bash.map((b) => [where(b), b] as [string, Block]))('%s runs only existing commands and scripts', (_at, b) => {
    expect(commands(b.code).flatMap(problems)).toEqual([]);
  });

  // cdktf deploy / diff fail on a stack name the app does not make ("Could not find stack"). Upper-case words are
  // placeholders (project-PROJECT, ENV).
  const deploys = bash.flatMap((b) =>
    commands(b.code)
      .map((words) => npmCall(words.slice(Math.max(0, words.indexOf('npm')))).call)
      .filter((c): c is ScriptCall => c !== undefined && ['deploy', 'diff'].includes(c.script))
      .map((c) => [where(b), b, c.args.filter((a) => !a.startsWith('-') && !/[A-Z]/.test(a))] as [string, Block, string[]]),
  );
  test.each(deploys)('%s deploys only stacks the documented config makes', (_at, b, stacks) => {
    const known = deployableStacks(b);
    expect(stacks.filter((s) => !known.includes(s))).toEqual([]);
  }, 60_000);

  // Each script shown with --flags is asked for its --help once; every flag shown must appear in it.
  const calls = bash.flatMap((b) =>
    commands(b.code)
      .map((words) => words.slice(words.indexOf('npm')))
      .filter((words) => words[0] === 'npm')
      .map((words) => ({ at: where(b), call: npmCall(words).call }))
      .filter((c): c is { at: string; call: ScriptCall } => c.call !== undefined && c.call.args.some((a) => a.startsWith('--'))),
  );
  const scripts = [...new Set(calls.map((c) => JSON.stringify([c.call.script, c.call.workspace ?? null])))].map((s) => JSON.parse(s) as [string, string | null]);
  test.each(scripts)("the flags shown for 'npm run %s' are in its --help", (script, workspace) => {
    const npm = spawnSync('npm', ['run', '--silent', script, ...(workspace ? ['-w', workspace] : []), '--', '--help'], {
      cwd: root,
      encoding: 'utf8',
      timeout: 60_000,
      env: { ...process.env, CHECKPOINT_DISABLE: '1' },
    });
    const help = `${npm.stdout}\n${npm.stderr}`;
    const flags = calls
      .filter((c) => c.call.script === script && (c.call.workspace ?? null) === workspace)
      .flatMap((c) => c.call.args.filter((a) => a.startsWith('--')).map((a) => ({ at: c.at, flag: a.split('=')[0] })));
    const unknown = flags.filter(({ flag }) => !new RegExp(`(^|[^\\w-])${flag}(?![\\w-])`).test(help));
    expect(unknown).toEqual([]);
  }, 60_000);
});
