/**
 * Temp folders for tests. Each one is removed when its test file ends (test/environment.js), pass or fail, so a
 * run leaves the temp folder as it found it (test/global-teardown.js checks that).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Where the test environment finds the folders to remove (the test file's global). */
const REGISTRY = '__PIPELINE_TEMP_DIRS__';

/** A new, empty folder in the temp folder, named PREFIX + random; removed after this test file. */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const g = globalThis as unknown as Record<string, string[] | undefined>;
  (g[REGISTRY] ??= []).push(dir);
  return dir;
}
