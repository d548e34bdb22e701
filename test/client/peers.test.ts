// Optional peers: the install hint quotes the ranges package.json declares.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MissingPeerDependencyError, OPTIONAL_PEERS } from '../../client';

const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8'));

describe('optional peer dependencies', () => {
  test('the table matches package.json: same packages, same ranges, all marked optional', () => {
    const optional = Object.keys(pkg.peerDependenciesMeta).filter((p) => pkg.peerDependenciesMeta[p].optional);
    expect(Object.keys(OPTIONAL_PEERS).sort()).toEqual(optional.sort());
    for (const [name, range] of Object.entries(OPTIONAL_PEERS)) expect(pkg.peerDependencies[name]).toBe(range);
  });

  test('the error names the feature, the package and the install command', () => {
    const e = new MissingPeerDependencyError('@google-cloud/tasks', 'createTask');
    expect(e.message).toBe(`createTask needs the optional peer dependency @google-cloud/tasks, which is not installed. Install it with: npm install @google-cloud/tasks@${pkg.peerDependencies['@google-cloud/tasks']}`);
    expect(e.packageName).toBe('@google-cloud/tasks');
  });
});
