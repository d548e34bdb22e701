// The constructs' required peers: a missing one fails with the package and the install command (the packed
// tarball's behaviour without a peer is in consumer.test.ts).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkConstructPeers, CONSTRUCT_PEERS, MissingPeerDependencyError } from '../constructs/peers';

const pkg = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8'));

/** A resolver that finds everything except `absent` (failing the way Node does). */
const without =
  (...absent: string[]) =>
  (id: string): string => {
    if (absent.includes(id)) throw Object.assign(new Error(`Cannot find module '${id}'\nRequire stack:\n- x.js`), { code: 'MODULE_NOT_FOUND' });
    return `/node_modules/${id}/index.js`;
  };

test('the ranges are the required peers of package.json', () => {
  const required = Object.fromEntries(Object.entries(pkg.peerDependencies).filter(([name]) => !pkg.peerDependenciesMeta[name]?.optional));
  expect(CONSTRUCT_PEERS).toEqual(required);
});

test('GIVEN every peer WHEN checking THEN nothing is thrown', () => {
  expect(() => checkConstructPeers(without())).not.toThrow();
});

test('GIVEN the installed project WHEN checking with the default resolver THEN every peer is found', () => {
  expect(() => checkConstructPeers()).not.toThrow();
});

test('GIVEN no @cdktf/provider-time WHEN checking THEN the error names it and its install command', () => {
  expect(() => checkConstructPeers(without('@cdktf/provider-time'))).toThrow(
    new MissingPeerDependencyError(['@cdktf/provider-time']),
  );
  expect(new MissingPeerDependencyError(['@cdktf/provider-time']).message).toBe(
    "cloud-tasks-http-pipeline (the constructs) needs the peer dependency @cdktf/provider-time, which is not installed. Install it with: npm install '@cdktf/provider-time@^11.0.1'",
  );
});

test('GIVEN two peers missing WHEN checking THEN one error names both and installs both', () => {
  let caught: MissingPeerDependencyError | undefined;
  try {
    checkConstructPeers(without('cdktf', '@cdktf/provider-google'));
  } catch (e) {
    caught = e as MissingPeerDependencyError;
  }
  expect(caught?.name).toBe('MissingPeerDependencyError');
  expect(caught?.packageNames).toEqual(['cdktf', '@cdktf/provider-google']);
  expect(caught?.message).toBe(
    "cloud-tasks-http-pipeline (the constructs) needs the peer dependencies cdktf, @cdktf/provider-google, which are not installed. Install them with: npm install 'cdktf@^0.21.0 || ^0.24.0' '@cdktf/provider-google@^16.12.1'",
  );
});

test('GIVEN a peer whose own dependency is missing WHEN checking THEN that error is rethrown as it is', () => {
  const broken = Object.assign(new Error("Cannot find module 'archiver'"), { code: 'MODULE_NOT_FOUND' });
  expect(() =>
    checkConstructPeers((id) => {
      if (id === 'cdktf') throw broken;
      return id;
    }),
  ).toThrow(broken);
});

test('GIVEN a resolver failing for another reason WHEN checking THEN that error is rethrown as it is', () => {
  const denied = Object.assign(new Error("EACCES: permission denied, open 'cdktf'"), { code: 'EACCES' });
  expect(() =>
    checkConstructPeers((id) => {
      if (id === 'cdktf') throw denied;
      return id;
    }),
  ).toThrow(denied);
});
