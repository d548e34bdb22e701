/**
 * The optional peer dependencies, loaded on first use. Absent, they fail with the package to install and
 * the command, not a raw `Cannot find module` and a require stack.
 */

/** Optional peers and the ranges this library supports (kept equal to package.json by a test). */
export const OPTIONAL_PEERS = {
  /** Application Default Credentials, and the auth client the official client takes. */
  'google-auth-library': '^10.5.0',
  /** The official client, for {@link createTask}. */
  '@google-cloud/tasks': '^6.3.0',
} as const;

/** The name of an optional peer dependency. */
export type OptionalPeer = keyof typeof OPTIONAL_PEERS;

/** An optional peer dependency that a feature needs is not installed; the message says how to install it. */
export class MissingPeerDependencyError extends Error {
  constructor(
    /** The package to install, e.g. `google-auth-library`. */
    readonly packageName: OptionalPeer,
    /** The feature that needs it. */
    readonly feature: string,
  ) {
    super(
      `${feature} needs the optional peer dependency ${packageName}, which is not installed. ` +
        `Install it with: npm install ${packageName}@${OPTIONAL_PEERS[packageName]}`,
    );
    this.name = 'MissingPeerDependencyError';
  }
}

/** Loads `name`; when the package itself (not one of its own dependencies) is missing, says what to install. */
export async function loadPeer<T>(name: OptionalPeer, feature: string): Promise<T> {
  try {
    return (await import(name)) as T;
  } catch (e) {
    const err = e as { code?: string; message?: string };
    const missing = (err.code === 'MODULE_NOT_FOUND' || err.code === 'ERR_MODULE_NOT_FOUND') && (err.message ?? '').includes(`'${name}'`);
    if (missing) throw new MissingPeerDependencyError(name, feature);
    throw e;
  }
}
