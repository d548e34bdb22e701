// The image ships on a supported Node LTS, pinned to an exact release; development keeps its own floor.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');
const dockerfile = readFileSync(join(root, 'handler', 'Dockerfile'), 'utf8');

/** End of security support per Node LTS line (nodejs.org/en/about/previous-releases). Add the next LTS when it comes. */
const NODE_LTS_END: Record<number, string> = { 22: '2027-04-30', 24: '2028-04-30' };
/** node:MAJOR.MINOR.PATCH-DEBIAN-slim, optionally with a digest: never a floating tag such as node:24-slim. */
const PINNED = /^node:(\d+)\.\d+\.\d+-(bookworm|trixie)-slim(@sha256:[0-9a-f]{64})?$/;

const shipped = /^ARG NODE_IMAGE=(\S+)$/m.exec(dockerfile)?.[1] ?? '';
const froms = [...dockerfile.matchAll(/^FROM\s+(\S+)/gm)].map((m) => m[1]);

describe('handler image', () => {
  test('the base image is pinned to an exact Node release', () => {
    expect(shipped).toMatch(PINNED);
  });

  test('the base image is a Node LTS line still receiving security fixes', () => {
    const major = Number(PINNED.exec(shipped)?.[1]);
    const end = NODE_LTS_END[major];
    expect(end).toBeDefined();
    // Fails the day the line reaches end of life: bump NODE_IMAGE in handler/Dockerfile.
    expect(Date.now()).toBeLessThan(Date.parse(`${end}T00:00:00Z`));
  });

  test('every stage builds from that one pinned image', () => {
    expect(froms).toEqual(['${NODE_IMAGE}', '${NODE_IMAGE}']);
  });

  test('the development floor stays separate: the packages still accept Node >= 20.9', () => {
    for (const pkg of ['package.json', 'handler/package.json']) {
      expect(JSON.parse(readFileSync(join(root, pkg), 'utf8')).engines.node).toBe('>=20.9');
    }
  });
});
