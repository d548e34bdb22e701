// The code blocks of the README, docs/*.md and the folder READMEs that a reader may paste, and the rules that decide
// which are checked (see docs/contributing.md, "Code blocks in the docs"). Used by test/docs-blocks.test.ts (JSON
// and bash) and test/consumer.test.ts (TypeScript, against the packed tarball).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const root = join(__dirname, '..');

/** Languages whose blocks are checked, by fence tag. Any other tag (`jsonc`, `text`, `mermaid`, none) is not. */
export const CHECKED = { json: 'json', ts: 'ts', typescript: 'ts', bash: 'bash', sh: 'bash', shell: 'bash' } as const;
export type Checked = (typeof CHECKED)[keyof typeof CHECKED];

/** The opt-out marker: on the last non-blank line before the fence, with a reason. */
export const NOT_RUNNABLE = /^<!--\s*not-runnable:\s*(.*?)\s*-->$/;

export interface Block {
  /** `docs/library.md`. */
  readonly doc: string;
  /** 1-based line of the opening fence. */
  readonly line: number;
  /** The fence's tag as written (`json`, `ts`, ...; '' when none). */
  readonly tag: string;
  /** The checked language, when the tag is one. */
  readonly lang?: Checked;
  readonly code: string;
  /** The opt-out marker's reason, when the block has one ('' when the reason is missing). */
  readonly notRunnable?: string;
}

/** `docs/x.md:12`: where to look. */
export const where = (b: Pick<Block, 'doc' | 'line'>): string => `${b.doc}:${b.line}`;

/** README.md, docs/*.md and the READMEs of top-level folders (handler/README.md, ...). */
export function documents(): string[] {
  const docs = readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md')).sort().map((f) => `docs/${f}`);
  const folders = readdirSync(root, { withFileTypes: true })
    .filter((d) => d.isDirectory() && !d.name.startsWith('.') && d.name !== 'node_modules' && d.name !== 'docs')
    .map((d) => `${d.name}/README.md`)
    .filter((f) => existsSync(join(root, f)))
    .sort();
  return ['README.md', ...docs, ...folders];
}

/** Every fenced block of `markdown` (fences may be indented, e.g. inside a list; the indent is removed). */
export function blocks(doc: string, markdown: string): Block[] {
  const lines = markdown.split('\n');
  const found: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,})\s*([\w-]*)\s*$/.exec(lines[i]);
    if (!open) continue;
    const [, indent, fence, tag] = open;
    let end = i + 1;
    while (end < lines.length && !(lines[end].trim().startsWith(fence) && lines[end].trim().replace(/`/g, '') === '')) end++;
    const code = lines.slice(i + 1, end).map((l) => (l.startsWith(indent) ? l.slice(indent.length) : l)).join('\n');
    let prev = i - 1;
    while (prev >= 0 && lines[prev].trim() === '') prev--;
    const marker = prev >= 0 ? NOT_RUNNABLE.exec(lines[prev].trim()) : null;
    const lang = (CHECKED as Record<string, Checked>)[tag];
    found.push({ doc, line: i + 1, tag, lang, code, notRunnable: marker ? marker[1] : undefined });
    i = end;
  }
  return found;
}

/** Every block of every document. */
export function allBlocks(): Block[] {
  return documents().flatMap((doc) => blocks(doc, readFileSync(join(root, doc), 'utf8')));
}

/** The blocks that are checked: a checked language and no opt-out marker. */
export function runnable(lang: Checked): Block[] {
  return allBlocks().filter((b) => b.lang === lang && b.notRunnable === undefined);
}
