/**
 * Joins message parts as sentences: one ". " between them whatever the first part ends with (a detail
 * from the API or an auth library often ends in its own period; "x.. Run" reads badly).
 */
export function sentences(...parts: string[]): string {
  return parts
    .map((p) => p.trim())
    .filter((p) => p !== '')
    .map((p, i, all) => (i < all.length - 1 ? p.replace(/\.+$/, '') + (/[!?]$/.test(p) ? ' ' : '. ') : p))
    .join('');
}
