import { Token } from 'cdktf';

/**
 * `block` without its undefined fields, and undefined when nothing is left: an empty block would perma-diff,
 * and spreading the result over defaults keeps a default wherever the caller left a field unset.
 */
export function definedOnly<T extends object>(block: T | undefined): T | undefined {
  if (!block) return undefined;
  const entries = Object.entries(block).filter(([, v]) => v !== undefined);
  return entries.length > 0 ? (Object.fromEntries(entries) as T) : undefined;
}

/** A number as env text; a number token stays a token (String() would print its encoded placeholder). */
export function numberText(n: number): string {
  return Token.isUnresolved(n) ? Token.asString(n) : String(n);
}

/** `labels` when it has entries, else undefined (an empty map is left out of the synthesized JSON). */
export function nonEmpty(labels: Record<string, string> | undefined): Record<string, string> | undefined {
  return labels && Object.keys(labels).length > 0 ? labels : undefined;
}
