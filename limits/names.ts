/**
 * Names the constructs derive for the user (service names, account ids). A name that fits is used as
 * is, so deployed names never change; one that does not fit is shortened and given a stable hash of the
 * full input, so two long inputs that share a prefix never get the same name.
 */
import { createHash } from 'node:crypto';
import { ACCOUNT_ID_PATTERN, SERVICE_NAME_PATTERN } from './limits';

/** Characters of the hash suffix added to a shortened name. */
const HASH_CHARS = 6;

/** A short, stable hash of `text` (lowercase hex). */
export function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, HASH_CHARS);
}

const clean = (s: string) => s.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/-+/g, '-');

/**
 * `base-suffix` cut to `max` characters, lowercase, starting with a letter. When `base-suffix` had to be
 * changed beyond lowercasing, a hash of the original `name` keeps it unique: `base-HASH-suffix`.
 */
function fit(name: string, suffix: string, max: number, valid: RegExp, legacy: (name: string) => string | undefined): string {
  const kept = legacy(name);
  if (kept !== undefined && valid.test(kept)) return kept;
  const tail = `${shortHash(name)}-${clean(suffix).replace(/^-+|-+$/g, '')}`.replace(/-+$/, '');
  let base = clean(name).replace(/^[^a-z]+/, '');
  base = base.slice(0, Math.max(0, max - tail.length - 1)).replace(/-+$/, '');
  const id = base ? `${base}-${tail}` : `x-${tail}`;
  return /^[a-z]/.test(id) ? id.slice(0, max) : `x${id}`.slice(0, max);
}

/**
 * A valid service account id (6-30 characters) for `name` + `suffix`: `NAME-SUFFIX` when that fits
 * (lowercased, other characters turned into hyphens, padded to 6), else `NAME-HASH-SUFFIX` shortened.
 */
export function deriveAccountId(name: string, suffix: string): string {
  return fit(name, suffix, 30, ACCOUNT_ID_PATTERN, (n) => {
    // Trailing hyphens of the name go (as they always did): "orders-" + "enq" is "orders-enq".
    const base = clean(n).replace(/^[^a-z]+/, '').replace(/-+$/, '');
    const tail = clean(suffix).replace(/^-+/, '');
    let id = base ? `${base}-${tail}` : tail;
    if (!/^[a-z]/.test(id)) id = `sa-${id}`;
    id = id.replace(/-+$/, '');
    while (id.length < 6) id += '-sa';
    // Only names that needed no shortening keep their plain form (those are what deployed stacks have).
    return id.length <= 30 ? id : undefined;
  });
}

/**
 * A valid Cloud Run service name (at most 49 characters) for the handler of queue `queueId`:
 * `QUEUEID-handler` lowercased when that is valid (today's name), else shortened with a hash.
 */
export function deriveServiceName(queueId: string, suffix = 'handler'): string {
  return fit(queueId, suffix, 49, SERVICE_NAME_PATTERN, (n) => (suffix ? `${n}-${suffix}` : n).toLowerCase());
}
