/**
 * Settings merged from several layers (embedded defaults, cdktf.json, PIPELINE_* variables, environment
 * blocks, queue entries), each value remembering where the user wrote it, so an error names that place.
 */
import { closestMatch, Problems } from '../limits';

/** A value and where it came from: a cdktf.json path, a PIPELINE_* variable or "(default)". */
export class Leaf {
  constructor(
    readonly value: unknown,
    readonly origin: string,
  ) {}
}

/** Merged settings: keys to values or to nested merged settings. `home` is where the block was last written. */
export class Tree {
  readonly entries = new Map<string, Leaf | Tree>();
  constructor(public home: string) {}

  leaf(key: string): Leaf | undefined {
    const e = this.entries.get(key);
    return e instanceof Leaf ? e : undefined;
  }

  tree(key: string): Tree | undefined {
    const e = this.entries.get(key);
    return e instanceof Tree ? e : undefined;
  }

  value<T>(key: string): T | undefined {
    return this.leaf(key)?.value as T | undefined;
  }

  /** Where `key` was written, or where it would be written in this block. */
  origin(key: string): string {
    const e = this.entries.get(key);
    return e instanceof Leaf ? e.origin : e instanceof Tree ? e.home : `${this.home}.${key}`;
  }

  /** Plain values of a map block (labels, env), or undefined when empty. */
  plain<T>(): Record<string, T> | undefined {
    const out: Record<string, T> = {};
    for (const [k, e] of this.entries) if (e instanceof Leaf && e.value !== undefined) out[k] = e.value as T;
    return Object.keys(out).length > 0 ? out : undefined;
  }

  /** Every value in this block and the blocks inside it. */
  *leaves(): Generator<Leaf> {
    for (const e of this.entries.values()) {
      if (e instanceof Leaf) yield e;
      else yield* e.leaves();
    }
  }

  /** A copy, so merging into it leaves this one alone. */
  clone(): Tree {
    const t = new Tree(this.home);
    for (const [k, e] of this.entries) t.entries.set(k, e instanceof Tree ? e.clone() : e);
    return t;
  }

  /** Merges `other` over this one (its values win; nested blocks merge key by key). */
  mergeFrom(other: Tree): this {
    this.home = other.home;
    for (const [k, e] of other.entries) {
      const mine = this.entries.get(k);
      if (e instanceof Tree && mine instanceof Tree) mine.mergeFrom(e);
      else this.entries.set(k, e instanceof Tree ? e.clone() : e);
    }
    return this;
  }
}

/**
 * What a key holds. `numeric` is a string that may be written as a number (`"cpu": 2` is read as "2"). `map`
 * blocks (labels, env) hold strings; `secrets` hold a secret id or
 * `{ secret, version }`; `block` keys hold settings of the given schema; `blocks` are name → block maps.
 */
export type Kind =
  | 'string'
  | 'numeric'
  | 'number'
  | 'boolean'
  | 'map'
  | 'secrets'
  | { readonly block: Schema }
  | { readonly blocks: Schema }
  | { readonly blockOrName: Schema }
  | { readonly alias: readonly [block: string, key: string] };
export type Schema = { readonly [key: string]: Kind };

/** `handler: "name"` is kept as `handler@name`, apart from `handler: { ...settings }`. */
export const NAME_SUFFIX = '@name';

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const kindName = (kind: Kind): string =>
  typeof kind === 'string'
    ? { string: 'a string', numeric: 'a string or a number', number: 'a number', boolean: 'true or false', map: 'an object of strings', secrets: 'an object of secrets' }[kind]
    : 'alias' in kind
      ? 'a string'
      : 'blockOrName' in kind
      ? 'a handler name from handlers, or an object of handler settings'
      : 'an object of settings';

/**
 * Reads `obj` (written at `where`) against `schema` into a Tree. Unknown keys and wrong types are
 * recorded as problems at their path and left out. `aliases` maps old flat keys into a block
 * (`handlerImage` → `handler.image`) keeping the old key as the origin.
 */
export function readBlock(p: Problems, obj: Record<string, unknown>, where: string, schema: Schema): Tree {
  const tree = new Tree(where);
  const aliases: Record<string, readonly [string, string]> = {};
  for (const [key, kind] of Object.entries(schema)) if (typeof kind === 'object' && 'alias' in kind) aliases[key] = kind.alias;
  // Aliases first, so the block form wins when both are written in one place.
  for (const [key, [block, inner]] of Object.entries(aliases)) {
    if (!(key in obj) || obj[key] === undefined) continue;
    const value = obj[key];
    if (typeof value !== 'string') {
      p.fail(`${where}.${key}`, value, 'a string');
      continue;
    }
    const target = tree.tree(block) ?? new Tree(`${where}.${block}`);
    target.entries.set(inner, new Leaf(value, `${where}.${key}`));
    tree.entries.set(block, target);
  }
  for (const [key, value] of Object.entries(obj)) {
    if (key in aliases || value === undefined) continue;
    const kind = schema[key];
    const path = `${where}.${key}`;
    if (kind === undefined) {
      const near = closestMatch(key, Object.keys(schema));
      p.fail(path, value, `a known setting (unknown key; ${near === undefined ? '' : `did you mean "${near}"? `}known here: ${Object.keys(schema).join(', ')})`);
      continue;
    }
    const entry = readValue(p, value, path, kind, tree.tree(key));
    if (typeof kind === 'object' && 'blockOrName' in kind) {
      // A name and a block are kept apart: a name picks a shared block, a block written later clears the
      // name (its settings are the queue's own), and aliases only ever add settings.
      if (entry instanceof Leaf) tree.entries.set(`${key}${NAME_SUFFIX}`, entry);
      else if (entry) {
        tree.entries.set(key, entry);
        tree.entries.set(`${key}${NAME_SUFFIX}`, new Leaf(undefined, path));
      }
      continue;
    }
    if (entry) tree.entries.set(key, entry);
  }
  return tree;
}

function readValue(p: Problems, value: unknown, path: string, kind: Kind, existing: Tree | undefined): Leaf | Tree | undefined {
  const wrong = () => (p.fail(path, value, kindName(kind)), undefined);
  if (kind === 'numeric') {
    if (typeof value === 'number' && Number.isFinite(value)) return new Leaf(String(value), path);
    return typeof value === 'string' ? new Leaf(value, path) : wrong();
  }
  if (kind === 'string' || kind === 'number' || kind === 'boolean') {
    return typeof value === kind ? new Leaf(value, path) : wrong();
  }
  if (kind === 'map' || kind === 'secrets') {
    if (!isPlainObject(value)) return wrong();
    const tree = new Tree(path);
    for (const [k, v] of Object.entries(value)) {
      const ok = kind === 'map' ? typeof v === 'string' : typeof v === 'string' || (isPlainObject(v) && isSecretObject(v));
      if (ok) tree.entries.set(k, new Leaf(v, `${path}.${k}`));
      else p.fail(`${path}.${k}`, v, kind === 'map' ? 'a string' : 'a secret id, "projects/P/secrets/ID", or { "secret": ID, "version": "latest" or a number }');
    }
    return tree;
  }
  if ('blockOrName' in kind) {
    if (typeof value === 'string') return new Leaf(value, path);
    if (!isPlainObject(value)) return wrong();
    const block = readBlock(p, value, path, kind.blockOrName);
    // Settings written next to aliases in the same place merge with them.
    return existing ? existing.clone().mergeFrom(block) : block;
  }
  if ('alias' in kind) return undefined; // read with the aliases above
  if (!isPlainObject(value)) return wrong();
  if ('block' in kind) return readBlock(p, value, path, kind.block);
  const tree = new Tree(path);
  for (const [name, block] of Object.entries(value)) {
    if (isPlainObject(block)) tree.entries.set(name, readBlock(p, block, `${path}.${name}`, kind.blocks));
    else p.fail(`${path}.${name}`, block, 'an object of settings (use {} for the defaults)');
  }
  return tree;
}

function isSecretObject(v: Record<string, unknown>): boolean {
  return typeof v.secret === 'string' && (v.version === undefined || typeof v.version === 'string') && Object.keys(v).every((k) => k === 'secret' || k === 'version');
}
