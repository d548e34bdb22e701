// The README's security table names the handler's connection bounds with their defaults: each row is checked
// against the handler's own defaults, so a changed default cannot leave the front door saying the old number.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadHandlerConfig } from '../handler/src/config';
import { KEEP_ALIVE_MS, LINGER_MS } from '../handler/src/server';

const readme = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');
const section = readme.slice(readme.indexOf('\n## Security\n'), readme.indexOf('\n## ', readme.indexOf('\n## Security\n') + 1));
const rows = section.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| a client') && !l.startsWith('|---'));
const row = (start: string) => {
  const found = rows.filter((r) => r.startsWith(`| ${start}`));
  expect(found).toHaveLength(1);
  return found[0];
};

describe("the README's security bounds are the handler's defaults", () => {
  const c = loadHandlerConfig({ TASKS_AUDIENCE: 'https://h.example', TASKS_SERVICE_ACCOUNT: 'sa@p.iam.gserviceaccount.com' });
  const mib = (bytes: number) => `${bytes / 1024 / 1024} MiB`;

  test('the section exists and has one row per bound', () => {
    expect(section).toContain('## Security');
    expect(rows).toHaveLength(5);
  });

  test('request head', () => {
    expect(row('sends no complete request head')).toContain(`| ${c.headTimeoutMs / 1000} s from accept (\`TASKS_HEAD_TIMEOUT_SECONDS\`) |`);
  });

  test('body of POST /tasks', () => {
    expect(c.path).toBe('/tasks');
    expect(row('sends the body of `POST /tasks`')).toContain(`| ${c.bodyTimeoutMs / 1000} s (\`TASKS_BODY_TIMEOUT_SECONDS\`) or ${mib(c.maxBodyBytes)} (\`TASKS_MAX_BODY_BYTES\`): 408 or 413 |`);
  });

  test('answered before the body is read: the linger bounds', () => {
    expect(row('is answered before its body is read')).toContain(`| ${LINGER_MS / 1000} s and ${mib(c.maxBodyBytes)} of discarded body, then the socket closes |`);
  });

  test('idle keep-alive and the connection cap', () => {
    expect(row('sits idle between keep-alive requests')).toContain(`| ${KEEP_ALIVE_MS / 1000} s, and it goes first when ${c.maxConnections} connections (\`TASKS_MAX_CONNECTIONS\`) are open |`);
  });

  test('any request: the dispatch deadline + 30 s (Node requestTimeout; handler/test/hardening.test.ts checks the server)', () => {
    expect(row('keeps any request open')).toContain('| the dispatch deadline + 30 s |');
  });
});
