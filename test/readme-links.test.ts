// The README links only to files that are in the repository (tracked, or at least present in the checkout).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..');

/** Relative targets of inline links/images `[x](target)` and reference definitions `[x]: target`. */
function relativeLinks(markdown: string): string[] {
  const prose = markdown.replace(/```[\s\S]*?```/g, ''); // code blocks hold code, not links
  const targets = [...prose.matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g), ...prose.matchAll(/^\s*\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)/gm)].map((m) => m[1]);
  return targets.filter((t) => !/^([a-z][a-z0-9+.-]*:|#)/i.test(t)).map((t) => decodeURIComponent(t.split('#')[0]));
}

const ignored = readFileSync(join(root, '.gitignore'), 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
const topLevel = new Set(readdirSync(root));

/**
 * Repository paths named in `code` spans, e.g. `handler/src/work.ts`: spans under a top-level entry of the
 * repo or ending in a source file extension. Generated (git-ignored) paths and placeholders (`STACK`, `<x>`) are
 * not files to check.
 */
function pathMentions(markdown: string): string[] {
  return [...markdown.matchAll(/`([\w.-]+(?:\/[\w.<>*-]+)+\/?)`/g)]
    .map((m) => m[1])
    .filter((p) => topLevel.has(p.split('/')[0]) || /\.(md|ts|js|mjs|json|ya?ml|tf|sh)$/.test(p))
    .filter((p) => !ignored.some((i) => p.startsWith(i.replace(/^\//, ''))))
    .filter((p) => !p.split('/').some((seg) => /^[A-Z_]+$/.test(seg) || /[<>*]/.test(seg)));
}

describe('README links', () => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');

  test('finds inline, image and reference links, and skips URLs, anchors and code', () => {
    const sample = '[a](LICENSE) ![b](img/x.png "t") [c](https://x.y) [d](#top) [e](docs/a.md#s)\n[ref]: handler/README.md\n```\n[f](nope.md)\n```';
    expect(relativeLinks(sample)).toEqual(['LICENSE', 'img/x.png', 'docs/a.md', 'handler/README.md']);
  });

  test('every relative link in README.md points at a file in the repository', () => {
    const links = relativeLinks(readme);
    expect(links).toContain('LICENSE');
    expect(links.filter((l) => !existsSync(join(root, l)))).toEqual([]);
  });

  test('finds repository paths in code spans, skipping generated paths and placeholders', () => {
    const sample = '`handler/src/work.ts` `shared/FACTS.md` `cdktf.out/stacks/STACK/cdk.tf.json` `roles/run.invoker` `projects/P/traces/T`';
    expect(pathMentions(sample)).toEqual(['handler/src/work.ts', 'shared/FACTS.md']);
  });

  test('every repository path the README names in code exists', () => {
    const paths = pathMentions(readme);
    expect(paths).toContain('handler/src/work.ts');
    expect(paths.filter((p) => !existsSync(join(root, p)))).toEqual([]);
  });
});
