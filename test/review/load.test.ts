import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { baselineOf, loadSynthesizedApp } from '../../review';

const stack = { '//': { metadata: {} }, resource: { google_service_account: { a: { '//': { metadata: { path: 'dev/a' } }, account_id: 'x' } } }, removed: [{ from: 'x.y', lifecycle: { destroy: false } }] };
let dir: string;
beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'review-load-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));
const put = (path: string, value: unknown) => {
  mkdirSync(join(dir, path, '..'), { recursive: true });
  writeFileSync(join(dir, path), JSON.stringify(value));
};

describe('loadSynthesizedApp', () => {
  test('reads a cdktf output folder (stacks/NAME/cdk.tf.json)', () => {
    put('stacks/dev/cdk.tf.json', stack);
    put('manifest.json', {});
    expect(loadSynthesizedApp(dir)).toEqual({ dev: stack });
  });

  test('reads a folder of NAME/cdk.tf.json, skipping folders without one', () => {
    put('dev/cdk.tf.json', stack);
    put('notes/readme.json', {});
    expect(loadSynthesizedApp(dir)).toEqual({ dev: stack });
  });

  test('reads one JSON file of stack name → stack', () => {
    put('baseline.json', { dev: stack });
    expect(loadSynthesizedApp(join(dir, 'baseline.json'))).toEqual({ dev: stack });
  });

  test('refuses a folder without synthesized stacks', () => {
    expect(() => loadSynthesizedApp(dir)).toThrow(`${dir} holds no synthesized stacks (expected stacks/NAME/cdk.tf.json)`);
  });
});

test('baselineOf keeps resources without metadata and the moved, removed and import blocks, nothing else', () => {
  expect(baselineOf({ dev: stack, empty: {} })).toEqual({
    dev: { resource: { google_service_account: { a: { account_id: 'x' } } }, removed: [{ from: 'x.y', lifecycle: { destroy: false } }] },
    empty: { resource: {} },
  });
});
