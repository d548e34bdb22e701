// "Reuse across projects": pack the library as npm would publish it, install the tarball into a fresh
// cdktf project (peers linked from this checkout: no network), and synthesize a stack with the composite.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(__dirname, '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

describe('the packed library in another project', () => {
  let project: string;

  beforeAll(() => {
    project = mkdtempSync(join(tmpdir(), 'consumer-'));
    // `npm pack` runs prepack (the build), so the tarball holds a fresh dist/.
    const [packed] = JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', project], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }));
    const target = join(project, 'node_modules', pkg.name);
    mkdirSync(target, { recursive: true });
    execFileSync('tar', ['-xzf', join(project, packed.filename), '-C', target, '--strip-components=1']);
    for (const peer of Object.keys(pkg.peerDependencies)) {
      mkdirSync(join(project, 'node_modules', peer, '..'), { recursive: true });
      symlinkSync(join(root, 'node_modules', peer), join(project, 'node_modules', peer));
    }
  }, 60_000);

  test('ships only the built library with its types', () => {
    const files = execFileSync('find', ['.', '-type', 'f'], { cwd: join(project, 'node_modules', pkg.name), encoding: 'utf8' }).split('\n');
    expect(files).toContain('./dist/constructs/index.js');
    expect(files).toContain('./dist/constructs/index.d.ts');
    expect(files).toContain('./dist/limits/index.js');
    expect(files).toContain('./dist/client/index.js');
    expect(files).toContain('./dist/client/cli.js');
    expect(files.filter((f) => /\.ts$/.test(f) && !f.endsWith('.d.ts'))).toEqual([]);
    expect(files.some((f) => f.includes('/test/') || f.endsWith('main.js'))).toBe(false);
  });

  test('a consumer app synthesizes a pipeline from the installed package', () => {
    writeFileSync(
      join(project, 'main.js'),
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
    execFileSync(process.execPath, ['main.js'], { cwd: project });
    const tf = JSON.parse(readFileSync(join(project, 'out', 'stacks', 'consumer', 'cdk.tf.json'), 'utf8'));
    const queue = Object.values(tf.resource.google_cloud_tasks_queue)[0] as any;
    expect(queue.name).toBe('billing');
    const members = Object.values(tf.resource.google_cloud_tasks_queue_iam_member).map((m: any) => m.member);
    expect(members).toContain('group:billing-producers@example.com');
  });

  test('the producer client loads without cdktf or the official client installed', () => {
    const out = execFileSync(
      process.execPath,
      ['-e', `const c = require('${pkg.name}/client'); console.log(typeof c.bufferTask, typeof c.createTask, Object.keys(require.cache).some((f) => /node_modules\\/(cdktf|@cdktf|@google-cloud)\\//.test(f)))`],
      { cwd: project, encoding: 'utf8' },
    );
    expect(out.trim()).toBe('function function false');
  });

  test('its types resolve for a TypeScript consumer', () => {
    writeFileSync(
      join(project, 'typed.ts'),
      `import { HttpTargetPipelineProps, ITaskQueue } from '${pkg.name}';
       import { MAX_DISPATCHES_PER_SECOND } from '${pkg.name}/limits';
       export const props: HttpTargetPipelineProps = { queueId: 'q', location: 'us-central1', rateLimits: { maxDispatchesPerSecond: MAX_DISPATCHES_PER_SECOND } };
       export type Q = ITaskQueue;`,
    );
    const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
    const out = execFileSync(process.execPath, [tsc, '--noEmit', '--strict', '--skipLibCheck', '--module', 'node16', '--moduleResolution', 'node16', '--types', 'node', '--typeRoots', join(root, 'node_modules', '@types'), 'typed.ts'], {
      cwd: project,
      encoding: 'utf8',
    });
    expect(out).toBe('');
  }, 30_000);
});
