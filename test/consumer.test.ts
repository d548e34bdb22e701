// "Reuse across projects": pack the library once as npm would publish it, check what the tarball holds,
// install it into fresh projects (peers linked from this checkout: no network) and use it as a consumer would:
// synthesize a stack, type-check under every module resolution TypeScript offers, run the installed binary,
// and run the producers without the optional peers; and type-check every runnable TypeScript block of the docs
// against it under the stock `cdktf init` tsconfig (test/doc-blocks.ts, docs/contributing.md).
import { execFile, execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Block, runnable, where } from './doc-blocks';

const run = promisify(execFile);
const root = join(__dirname, '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const BIN = Object.keys(pkg.bin)[0];
const OPTIONAL_PEERS = Object.keys(pkg.peerDependenciesMeta).filter((p) => pkg.peerDependenciesMeta[p].optional);
/** Packages a TypeScript block may import besides the library and its peers; the docs tell readers to install them. */
const DOC_EXTRAS = ['@grpc/grpc-js'];

let work: string;
let files: string[];
/** A project with every peer installed. */
let full: string;
/** A project with only the required peers (what a producer-only consumer has): no @google-cloud/tasks, no google-auth-library. */
let bare: string;
/** A project with the required peers but @cdktf/provider-time, the one the install line used to leave out. */
let noTime: string;
/** A project made the way `cdktf init --template=typescript` makes one, holding the docs' TypeScript blocks. */
let docs: string;

/** Installs the tarball into `project` the way npm would: the package, its peers, and its bin link. */
function install(project: string, tarball: string, peers: string[]): void {
  const target = join(project, 'node_modules', pkg.name);
  mkdirSync(target, { recursive: true });
  execFileSync('tar', ['-xzf', tarball, '-C', target, '--strip-components=1']);
  for (const peer of peers) {
    mkdirSync(join(project, 'node_modules', peer, '..'), { recursive: true });
    symlinkSync(join(root, 'node_modules', peer), join(project, 'node_modules', peer));
  }
  mkdirSync(join(project, 'node_modules', '.bin'));
  chmodSync(join(target, pkg.bin[BIN]), 0o755); // as npm's bin-links does on install
  symlinkSync(join('..', pkg.name, pkg.bin[BIN]), join(project, 'node_modules', '.bin', BIN));
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'consumer-'));
  // `npm pack` runs prepack (the build), so the tarball holds a fresh dist/. Packed once, used by every test.
  const [packed] = JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', work], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }));
  files = packed.files.map((f: { path: string }) => f.path);
  const tarball = join(work, packed.filename);
  full = join(work, 'full');
  bare = join(work, 'bare');
  install(full, tarball, Object.keys(pkg.peerDependencies));
  install(bare, tarball, Object.keys(pkg.peerDependencies).filter((p) => !OPTIONAL_PEERS.includes(p)));
  noTime = join(work, 'no-time');
  install(noTime, tarball, Object.keys(pkg.peerDependencies).filter((p) => p !== '@cdktf/provider-time'));
  docs = join(work, 'docs');
  // The template installs @types/node and, for its __tests__, jest with @types/jest; the local-server snippet also
  // uses @grpc/grpc-js (docs say to install it).
  install(docs, tarball, [...Object.keys(pkg.peerDependencies), ...DOC_EXTRAS, '@types/node', '@types/jest']);
}, 120_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('the tarball', () => {
  /** Every path package.json promises: main, types, bin, each export and typesVersions target. */
  function declared(): string[] {
    const targets: string[] = [pkg.main, pkg.types, ...Object.values(pkg.bin as Record<string, string>)];
    const walk = (v: unknown): void => {
      if (typeof v === 'string') targets.push(v);
      else if (Array.isArray(v)) v.forEach(walk);
      else if (v && typeof v === 'object') Object.values(v).forEach(walk);
    };
    walk(pkg.exports);
    walk(pkg.typesVersions);
    return [...new Set(targets.map((t) => t.replace(/^\.\//, '')))];
  }

  test('holds the license, the readme and every declared entry point', () => {
    const missing = ['LICENSE', 'README.md', 'package.json', ...declared()].filter((f) => !files.includes(f));
    expect(missing).toEqual([]);
  });

  test('holds the JavaScript and the .d.ts of every declared export', () => {
    const js = declared().filter((f) => f.endsWith('.js'));
    expect(js).toEqual(expect.arrayContaining(['dist/constructs/index.js', 'dist/client/index.js', 'dist/limits/index.js', 'dist/review/index.js']));
    const missing = js.flatMap((f) => [f, f.replace(/\.js$/, '.d.ts')]).filter((f) => !files.includes(f));
    expect(missing).toEqual([]);
  });

  test('every shipped module has its types', () => {
    const untyped = files.filter((f) => f.endsWith('.js') && !files.includes(f.replace(/\.js$/, '.d.ts')));
    expect(untyped).toEqual([]);
  });

  test('ships nothing else: no sources, tests, fixtures, local state, synth output, build info or maps', () => {
    const allowed = /^(LICENSE|README\.md|package\.json|dist\/(constructs|limits|client|config|review)\/[\w.-]+\.(js|d\.ts))$/;
    expect(files.filter((f) => !allowed.test(f))).toEqual([]);
    const forbidden = [/(^|\/)test\//, /fixture/i, /__snapshots__/, /^\.local\//, /\.sqlite/, /cdktf\.out/, /\.tsbuildinfo$/, /\.map$/, /(?<!\.d)\.ts$/, /\.tgz$/, /node_modules/];
    expect(files.filter((f) => forbidden.some((re) => re.test(f)))).toEqual([]);
  });

  test('package.json is ready to publish: public, a semver version, a license, the built files only', () => {
    expect(pkg.private).toBeUndefined();
    expect(pkg.version).toMatch(/^\d+\.\d+\.\d+(-[\w.]+)?$/);
    expect(pkg.license).toBe('Apache-2.0');
    expect(pkg.files).toEqual(['dist/constructs', 'dist/limits', 'dist/client', 'dist/config', 'dist/review', 'README.md', 'LICENSE']);
    expect(pkg.scripts.prepack).toBe('npm run build'); // `npm publish` builds what it ships
  });

  test.todo('package.json names its repository (set "repository" once the public repository URL is known)');

  test('the binary is a node script', () => {
    const bin = readFileSync(join(full, 'node_modules', pkg.name, pkg.bin[BIN]), 'utf8');
    expect(bin.startsWith('#!/usr/bin/env node\n')).toBe(true);
  });
});

describe('a consumer project with the peers installed', () => {
  test('synthesizes a pipeline from the installed package', () => {
    writeFileSync(
      join(full, 'main.js'),
      `const { App, TerraformStack } = require('cdktf');
       const { GoogleProvider } = require('@cdktf/provider-google/lib/provider');
       const { HttpTargetPipeline, Principal } = require('${pkg.name}');
       const app = new App({ outdir: 'out' });
       const stack = new TerraformStack(app, 'consumer');
       new GoogleProvider(stack, 'google', { project: 'consumer-project', region: 'europe-west1' });
       const p = new HttpTargetPipeline(stack, 'Billing', { queueId: 'billing', location: 'europe-west1' });
       p.queue.grantEnqueue(Principal.group('billing-producers@example.com'));
       app.synth();`,
    );
    execFileSync(process.execPath, ['main.js'], { cwd: full });
    const tf = JSON.parse(readFileSync(join(full, 'out', 'stacks', 'consumer', 'cdk.tf.json'), 'utf8'));
    const queue = Object.values(tf.resource.google_cloud_tasks_queue)[0] as any;
    expect(queue.name).toBe('billing');
    const members = Object.values(tf.resource.google_cloud_tasks_queue_iam_member).map((m: any) => m.member);
    expect(members).toContain('group:billing-producers@example.com');
  });

  test('the producer client loads without cdktf or the official client', async () => {
    const { stdout } = await run(
      process.execPath,
      ['-e', `const c = require('${pkg.name}/client'); console.log(typeof c.bufferTask, typeof c.createTask, Object.keys(require.cache).some((f) => /node_modules\\/(cdktf|@cdktf|@google-cloud)\\//.test(f)))`],
      { cwd: full },
    );
    expect(stdout.trim()).toBe('function function false');
  });

  test('an ES module imports every entry by name at run time', async () => {
    writeFileSync(
      join(full, 'esm.mjs'),
      `import { HttpTargetPipeline } from '${pkg.name}';
       import { bufferTask } from '${pkg.name}/client';
       import { MAX_TASK_BYTES } from '${pkg.name}/limits';
       console.log(typeof HttpTargetPipeline, typeof bufferTask, MAX_TASK_BYTES);`,
    );
    const { stdout } = await run(process.execPath, ['esm.mjs'], { cwd: full });
    expect(stdout.trim()).toBe('function function 1000000');
  });

  // The consumer imports the constructs, the client and the limits, and proves their types really resolved:
  // each @ts-expect-error is itself an error if the import fell back to `any`.
  const consumer = `import { HttpTargetPipelineProps, ITaskQueue } from '${pkg.name}';
import { bufferTask, CreatedTask } from '${pkg.name}/client';
import { MAX_DISPATCHES_PER_SECOND } from '${pkg.name}/limits';
export const props: HttpTargetPipelineProps = { queueId: 'q', location: 'us-central1', rateLimits: { maxDispatchesPerSecond: MAX_DISPATCHES_PER_SECOND } };
export type Q = ITaskQueue;
// @ts-expect-error queueId is a string
export const bad: HttpTargetPipelineProps = { queueId: 7, location: 'us-central1' };
export const sent: Promise<CreatedTask> = bufferTask('projects/p/locations/l/queues/q', { taskId: 'a' });
// @ts-expect-error taskId is a string
bufferTask('projects/p/locations/l/queues/q', { taskId: 42 });
`;
  test.each([
    // `cdktf init`'s tsconfig: CommonJS with classic node resolution (needs typesVersions for the subpaths).
    ['node10', 'commonjs', 'node10.ts'],
    ['node16', 'node16', 'node16.ts'],
    // An ES module consumer.
    ['nodenext', 'nodenext', 'nodenext.mts'],
    ['bundler', 'esnext', 'bundler.ts'],
  ])('its types resolve under moduleResolution %s', async (resolution, module, file) => {
    writeFileSync(join(full, file), consumer);
    const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
    const args = [tsc, '--noEmit', '--strict', '--skipLibCheck', '--module', module, '--moduleResolution', resolution, '--types', 'node', '--typeRoots', join(root, 'node_modules', '@types'), file];
    const result = await run(process.execPath, args, { cwd: full, encoding: 'utf8' }).catch((e) => e);
    expect(result.stdout).toBe('');
  }, 30_000);

  test('the review entry loads without cdktf or jest', async () => {
    const { stdout } = await run(
      process.execPath,
      ['-e', `const r = require('${pkg.name}/review'); console.log(typeof r.reviewChanges, typeof r.reviewMatchers.toHaveNoDestructiveChanges, Object.keys(require.cache).some((f) => /node_modules\\/(cdktf|@cdktf|constructs|jest|expect|@jest)\\//.test(f)))`],
      { cwd: full },
    );
    expect(stdout.trim()).toBe('function function false');
  });

  test('the Jest matcher example of docs/review.md compiles under the cdktf TypeScript template settings', async () => {
    // GIVEN the documented example (the ts block after the "compiled by test/consumer.test.ts" marker)
    const doc = readFileSync(join(root, 'docs', 'review.md'), 'utf8');
    const example = /<!-- compiled by test\/consumer\.test\.ts[^>]*-->\n```ts\n([\s\S]*?)```/.exec(doc)![1];
    mkdirSync(join(full, 'review-example'));
    writeFileSync(join(full, 'review-example', 'billing.test.ts'), example);
    // WHEN compiled as `cdktf init --template=typescript` sets up its tests (CommonJS, node10 resolution, strict, jest types)
    const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
    const args = [tsc, '--noEmit', '--strict', '--skipLibCheck', '--target', 'ES2018', '--module', 'commonjs', '--moduleResolution', 'node10', '--types', 'node,jest', '--typeRoots', join(root, 'node_modules', '@types'), join('review-example', 'billing.test.ts')];
    const result = await run(process.execPath, args, { cwd: full, encoding: 'utf8' }).catch((e) => e);
    // THEN it type-checks (and the matcher is really typed: the line below must be an error)
    expect(result.stdout).toBe('');
    writeFileSync(join(full, 'review-example', 'typed.test.ts'), `import { reviewMatchers } from '${pkg.name}/review';\nexpect.extend(reviewMatchers);\n// @ts-expect-error acknowledge is a list of addresses\nexpect('{}').toHaveNoDestructiveChanges('{}', { acknowledge: 'x' });\n`);
    const typed = await run(process.execPath, [...args.slice(0, -1), join('review-example', 'typed.test.ts')], { cwd: full, encoding: 'utf8' }).catch((e) => e);
    expect(typed.stdout).toBe('');
  }, 60_000);

  test('the installed binary shows its own name in its help', async () => {
    const { stdout } = await run(join(full, 'node_modules', '.bin', BIN), ['--help'], { cwd: full });
    expect(stdout).toContain(`\nSYNOPSIS\n    ${BIN} buffer|create `);
    expect(stdout).not.toContain('npm run');
  });
});

describe('a consumer without a required construct peer', () => {
  test('GIVEN no @cdktf/provider-time WHEN loading the constructs THEN the error names it and its install command', async () => {
    const out = await run(process.execPath, ['-e', `try { require('${pkg.name}') } catch (e) { console.log(e.name + ': ' + e.message) }`], { cwd: noTime });
    expect(out.stdout.trim()).toBe(
      `MissingPeerDependencyError: ${pkg.name} (the constructs) needs the peer dependency @cdktf/provider-time, which is not installed. ` +
        `Install it with: npm install '@cdktf/provider-time@${pkg.peerDependencies['@cdktf/provider-time']}'`,
    );
  });

  test('GIVEN no @cdktf/provider-time WHEN loading the producers THEN they load (they need no construct peer)', async () => {
    const out = await run(process.execPath, ['-e', `console.log(typeof require('${pkg.name}/client').bufferTask)`], { cwd: noTime });
    expect(out.stdout.trim()).toBe('function');
  });
});

describe("the docs' TypeScript blocks", () => {
  const blocks = runnable('ts');
  const file = (b: Block) => `${b.doc.replace(/\W+/g, '-')}-${b.line}.ts`;

  test('there are some (the extraction works)', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(4);
  });

  test('each imports only the library, its peers, Node built-ins and the packages the docs install', () => {
    const allowed = [pkg.name, ...Object.keys(pkg.peerDependencies), ...DOC_EXTRAS];
    const imports = blocks.flatMap((b) => [...b.code.matchAll(/from '([^']+)'/g)].map((m) => ({ at: where(b), spec: m[1] })));
    const bad = imports.filter(({ spec }) => !spec.startsWith('node:') && !allowed.some((a) => spec === a || spec.startsWith(`${a}/`)));
    expect(bad).toEqual([]);
  });

  // One tsc run over every block, each its own module, in a project with `cdktf init`'s own tsconfig.json
  // (noUnusedLocals, noImplicitReturns, CommonJS: no top-level await, ...) and the packed library installed.
  test('type-check under the stock cdktf TypeScript template tsconfig', async () => {
    copyFileSync(join(root, 'node_modules', 'cdktf-cli', 'bundle', 'templates', 'typescript', 'tsconfig.json'), join(docs, 'tsconfig.json'));
    for (const b of blocks) writeFileSync(join(docs, file(b)), `${b.code}\nexport {};\n`);
    const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
    const result = await run(process.execPath, [tsc, '-p', '.', '--noEmit', '--pretty', 'false'], { cwd: docs, encoding: 'utf8' }).catch((e) => e);
    // Errors point at the doc: "docs-library-md-16.ts(3,1)" reads as docs/library.md, the block at line 16.
    expect(result.stdout).toBe('');
  }, 60_000);
});

describe('a consumer without the optional peers', () => {
  const env = { PATH: process.env.PATH ?? '' };
  const node = (code: string) => run(process.execPath, ['-e', code], { cwd: bare, env }).then((r) => r.stdout.trim());

  test('really lacks them', async () => {
    expect(await node(`for (const p of ${JSON.stringify(OPTIONAL_PEERS)}) { try { require.resolve(p); console.log('found ' + p); } catch {} }`)).toBe('');
  });

  test('GIVEN no access token WHEN buffering THEN the error names google-auth-library and its install command', async () => {
    const out = await node(`require('${pkg.name}/client').bufferTask('projects/acme-prod/locations/us-central1/queues/q').catch((e) => console.log(e.name + ': ' + e.message))`);
    expect(out).toBe(
      'MissingPeerDependencyError: Application Default Credentials (used when no access token is given) needs the optional peer dependency google-auth-library, which is not installed. ' +
        `Install it with: npm install google-auth-library@${pkg.peerDependencies['google-auth-library']}`,
    );
  });

  test('GIVEN createTask WHEN called THEN the error names @google-cloud/tasks and its install command', async () => {
    const out = await node(
      `require('${pkg.name}/client').createTask('projects/acme-prod/locations/us-central1/queues/q', { accessToken: 't', endpoint: 'http://127.0.0.1:9' }).catch((e) => console.log(e.name + ': ' + e.message))`,
    );
    expect(out).toBe(
      'MissingPeerDependencyError: createTask (the official Cloud Tasks client) needs the optional peer dependency @google-cloud/tasks, which is not installed. ' +
        `Install it with: npm install @google-cloud/tasks@${pkg.peerDependencies['@google-cloud/tasks']}`,
    );
  });

  test('GIVEN the installed binary WHEN creating a task THEN it exits 1 with the install command', async () => {
    const result = await run(join(bare, 'node_modules', '.bin', BIN), ['create', '--project', 'acme-prod', '--token', 't', '--endpoint', 'http://127.0.0.1:9'], { cwd: bare, env }).catch((e) => e);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`error: createTask (the official Cloud Tasks client) needs the optional peer dependency @google-cloud/tasks, which is not installed. Install it with: npm install @google-cloud/tasks@${pkg.peerDependencies['@google-cloud/tasks']}\n`);
  });
});
