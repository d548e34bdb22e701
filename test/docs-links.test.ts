// The README and docs/ link only to files that are in the repository (tracked, or at least present in the checkout),
// and only to headings that exist in the file they point at.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

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

/** GitHub's heading anchors: lowercased, punctuation dropped, spaces to hyphens (code blocks hold no headings). */
function anchors(markdown: string): Set<string> {
  const prose = markdown.replace(/```[\s\S]*?```/g, '');
  return new Set([...prose.matchAll(/^#{1,6} (.*)$/gm)].map((m) => m[1].trim().toLowerCase().replace(/[^\w\- ]/g, '').replace(/ /g, '-')));
}

/** `[x](file#anchor)` and `[x](#anchor)` links, resolved against `from`'s folder. */
function anchorLinks(markdown: string, from: string): { file: string; anchor: string }[] {
  const prose = markdown.replace(/```[\s\S]*?```/g, '');
  return [...prose.matchAll(/\]\(([^)\s:]*)#([^)\s]+)\)/g)].map((m) => ({ file: m[1] ? join(dirname(from), m[1]) : from, anchor: m[2] }));
}

const documents = ['README.md', ...readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];

describe('links in the README and docs/', () => {
  test('finds inline, image and reference links, and skips URLs, anchors and code', () => {
    const sample = '[a](LICENSE) ![b](img/x.png "t") [c](https://x.y) [d](#top) [e](docs/a.md#s)\n[ref]: handler/README.md\n```\n[f](nope.md)\n```';
    expect(relativeLinks(sample)).toEqual(['LICENSE', 'img/x.png', 'docs/a.md', 'handler/README.md']);
  });

  test('derives GitHub anchors from headings, not from code blocks', () => {
    expect([...anchors('# The handler (`handler/`)\n## Deployer prerequisites\n```\n# comment\n```')]).toEqual(['the-handler-handler', 'deployer-prerequisites']);
  });

  test('the README stays a front door: at most 350 lines, every guide one link away', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    expect(readme.split('\n').length).toBeLessThanOrEqual(350);
    const linked = new Set(relativeLinks(readme));
    expect(documents.filter((d) => d !== 'README.md' && !linked.has(d))).toEqual([]);
  });

  test.each(documents)('every relative link in %s points at a file in the repository', (doc) => {
    const links = relativeLinks(readFileSync(join(root, doc), 'utf8'));
    expect(links.map((l) => join(dirname(doc), l)).filter((l) => !existsSync(join(root, l)))).toEqual([]);
  });

  test.each(documents)('every anchor link in %s names a heading of its target', (doc) => {
    const bad = anchorLinks(readFileSync(join(root, doc), 'utf8'), doc).filter(({ file, anchor }) => !anchors(readFileSync(join(root, file), 'utf8')).has(anchor));
    expect(bad).toEqual([]);
  });

  test('finds repository paths in code spans, skipping generated paths and placeholders', () => {
    const sample = '`handler/src/work.ts` `shared/FACTS.md` `cdktf.out/stacks/STACK/cdk.tf.json` `roles/run.invoker` `projects/P/traces/T`';
    expect(pathMentions(sample)).toEqual(['handler/src/work.ts', 'shared/FACTS.md']);
  });

  test.each(documents)('every repository path %s names in code exists', (doc) => {
    const paths = pathMentions(readFileSync(join(root, doc), 'utf8'));
    expect(paths.filter((p) => !existsSync(join(root, p)))).toEqual([]);
  });
});
