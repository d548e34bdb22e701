/**
 * The construct library's peer dependencies. The library's entry point checks them before it loads anything, so a
 * project that lacks one fails with the package to install and the command, not a raw `Cannot find module` and a
 * require stack (the way `cloud-tasks-http-pipeline/client` reports its optional peers).
 */

/** Required peers of the constructs and the ranges this library supports (kept equal to package.json by a test). */
export const CONSTRUCT_PEERS = {
  /** CDK for Terraform 0.21, or CDK Terrain 0.24 installed under the name `cdktf` (docs/cdk-terrain.md). */
  cdktf: '^0.21.0 || ^0.24.0',
  constructs: '^10.4.2',
  '@cdktf/provider-google': '^16.12.1',
  /** The foundation's wait after enabling APIs (`time_sleep`). */
  '@cdktf/provider-time': '^11.0.1',
} as const;

/** The name of a required peer of the constructs. */
export type ConstructPeer = keyof typeof CONSTRUCT_PEERS;

/** Required peer dependencies of the constructs are not installed; the message says how to install them. */
export class MissingPeerDependencyError extends Error {
  constructor(
    /** The packages to install, e.g. `['@cdktf/provider-time']`. */
    readonly packageNames: readonly ConstructPeer[],
  ) {
    const them = packageNames.length === 1 ? 'it' : 'them';
    const specs = packageNames.map((name) => `'${name}@${CONSTRUCT_PEERS[name]}'`);
    super(
      `cloud-tasks-http-pipeline (the constructs) needs the peer ${packageNames.length === 1 ? 'dependency' : 'dependencies'} ` +
        `${packageNames.join(', ')}, which ${packageNames.length === 1 ? 'is' : 'are'} not installed. ` +
        `Install ${them} with: npm install ${specs.join(' ')}`,
    );
    this.name = 'MissingPeerDependencyError';
  }
}

/**
 * Throws {@link MissingPeerDependencyError} naming every required peer that `resolve` cannot find. An error other
 * than the peer itself being absent (a broken install of one of its own dependencies, say) is rethrown as it is.
 */
export function checkConstructPeers(resolve: (id: string) => string = require.resolve): void {
  const missing = (Object.keys(CONSTRUCT_PEERS) as ConstructPeer[]).filter((name) => {
    try {
      resolve(name);
      return false;
    } catch (e) {
      const err = e as { code?: string; message?: string };
      if (err.code === 'MODULE_NOT_FOUND' && (err.message ?? '').includes(`'${name}'`)) return true;
      throw e;
    }
  });
  if (missing.length > 0) throw new MissingPeerDependencyError(missing);
}

checkConstructPeers();
