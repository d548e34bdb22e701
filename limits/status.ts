/** HTTP statuses as Google's canonical codes: shared by the producers' errors and the local server's retry reasons. */
const CANONICAL: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  409: 'ALREADY_EXISTS',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  502: 'UNAVAILABLE',
  503: 'UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
};

/** Google's canonical code for an HTTP status, e.g. 404 → `NOT_FOUND`; other 5xx are `INTERNAL`. */
export function canonicalCodeOfHttp(status: number): string {
  return CANONICAL[status] ?? (status >= 500 ? 'INTERNAL' : 'UNKNOWN');
}
