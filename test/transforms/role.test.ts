import assert from 'node:assert/strict';
import { test } from 'node:test';
import { detectRole, roleFromBanner, roleFromEncodedFolder, roleFromTownPath } from '../../src/transforms/role.ts';

const opts = { townRoot: '~/gt', homeDir: '/home/alice' };

test('cwd under the town root decides every role of the layout', () => {
  const cases: [string, string][] = [
    ['/home/alice/gt/mayor', 'mayor'],
    ['/home/alice/gt/mayor/notes', 'mayor'],
    ['/home/alice/gt/deacon', 'deacon'],
    ['/home/alice/gt/deacon/dogs/boot', 'boot'],
    ['/home/alice/gt/deacon/dogs/rex', 'dog'],
    ['/home/alice/gt/rig1/mayor', 'mayor'],
    ['/home/alice/gt/rig1/witness', 'witness'],
    ['/home/alice/gt/rig1/refinery/rig', 'refinery'],
    ['/home/alice/gt/rig1/polecats/nux', 'polecat'],
    ['/home/alice/gt/rig1/polecats/nux/src/deep', 'polecat'],
    ['/home/alice/gt/rig1/crew/max', 'crew'],
  ];
  for (const [cwd, role] of cases) assert.deepEqual(detectRole({ cwd }, opts), { role, signal: 'cwd' }, cwd);
});

test('cwd of another fleet machine is read after a segment named like the root', () => {
  assert.deepEqual(detectRole({ cwd: '/home/ubuntu/gt/rig1/polecats/nux' }, opts), { role: 'polecat', signal: 'cwd' });
  assert.deepEqual(detectRole({ cwd: '/Users/bob/gt/deacon/dogs/boot' }, opts), { role: 'boot', signal: 'cwd' });
  // A rig called like the root: the first reading that fits wins.
  assert.equal(detectRole({ cwd: '/srv/gt/gt/witness' }, opts).role, 'witness');
});

test('a town root given as an absolute path works too', () => {
  const r = detectRole({ cwd: '/opt/town/rigA/crew/joe' }, { townRoot: '/opt/town' });
  assert.deepEqual(r, { role: 'crew', signal: 'cwd' });
});

test('a cwd outside any town falls through to the banner', () => {
  const r = detectRole({ cwd: '/home/alice/src/app', firstUserText: '[GAS TOWN] witness (rig: x) <- deacon • now' }, opts);
  assert.deepEqual(r, { role: 'witness', signal: 'banner' });
});

test('the town root itself and a bare rig are not roles', () => {
  assert.equal(detectRole({ cwd: '/home/alice/gt' }, opts).role, 'unknown');
  assert.equal(detectRole({ cwd: '/home/alice/gt/rig1' }, opts).role, 'unknown');
  assert.equal(detectRole({ cwd: '/home/alice/gt/rig1/polecats' }, opts).role, 'unknown');
});

test('banner: the role word right after [GAS TOWN], in its known shapes', () => {
  assert.equal(roleFromBanner('[GAS TOWN] mayor <- human • 2026-02-17T20:45 • cold-start\n\nCheck your hook'), 'mayor');
  assert.equal(roleFromBanner('[GAS TOWN] polecat rust (rig: gastown) <- mayor • t • assigned:gt-abc12'), 'polecat');
  assert.equal(roleFromBanner('[GAS TOWN] role:refinery pid:123 session:abc'), 'refinery');
  assert.equal(roleFromBanner('[GAS TOWN] gastown/polecats/rust <- witness'), 'polecat');
  assert.equal(roleFromBanner('[GAS TOWN] Deacon <- daemon'), 'deacon');
  assert.equal(roleFromBanner('[GAS TOWN] wizard <- mayor'), null);
  assert.equal(roleFromBanner('no banner here: witness <- deacon'), null);
});

test('encoded folder names of pi and Claude', () => {
  assert.deepEqual(detectRole({ encodedFolder: '--home-ubuntu-gt-deacon--' }, opts), { role: 'deacon', signal: 'folder' });
  assert.equal(roleFromEncodedFolder('--home-u-gt-rig-polecats-nux--', 'gt'), 'polecat');
  assert.equal(roleFromEncodedFolder('-home-ubuntu-gt-deacon-dogs-boot', 'gt'), 'boot');
  assert.equal(roleFromEncodedFolder('-home-ubuntu-gt-deacon-dogs-alpha', 'gt'), 'dog');
  assert.equal(roleFromEncodedFolder('-home-ubuntu-gt-mayor', 'gt'), 'mayor');
  // A rig name with a dash spans segments once encoded.
  assert.equal(roleFromEncodedFolder('-home-ubuntu-gt-lora-forge-crew-forge', 'gt'), 'crew');
  assert.equal(roleFromEncodedFolder('-home-ubuntu-gt-lora-forge-refinery-rig', 'gt'), 'refinery');
  assert.equal(roleFromEncodedFolder('-home-ubuntu-projects-app', 'gt'), null);
});

test('cwd beats banner beats folder; nothing gives unknown/none', () => {
  const all = { cwd: '/home/alice/gt/rig1/witness', firstUserText: '[GAS TOWN] mayor <- human', encodedFolder: '--home-alice-gt-deacon--' };
  assert.deepEqual(detectRole(all, opts), { role: 'witness', signal: 'cwd' });
  assert.deepEqual(detectRole({ ...all, cwd: undefined }, opts), { role: 'mayor', signal: 'banner' });
  assert.deepEqual(detectRole({ encodedFolder: all.encodedFolder, firstUserText: 'hello' }, opts), { role: 'deacon', signal: 'folder' });
  assert.deepEqual(detectRole({}, opts), { role: 'unknown', signal: 'none' });
});

test('roleFromTownPath keeps deacon for the kennel itself', () => {
  assert.equal(roleFromTownPath(['deacon', 'dogs']), 'deacon');
  assert.equal(roleFromTownPath([]), null);
});
