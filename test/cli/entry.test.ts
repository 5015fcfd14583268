// The command's entry: the bundle stands in for the sources only while it is fresh, and the command
// line loaded for one command still lists every command in its help.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// @ts-expect-error plain JS module without types
import { freshBundle } from '../../bin/fresh-bundle.js';
import { buildProgram } from '../../src/cli/main.ts';

test('the bundle is used only while newer than every source and the lockfile', () => {
  const root = mkdtempSync(join(tmpdir(), 'harvest-entry-'));
  for (const d of ['src/cli', 'queues', 'workers', 'dist']) mkdirSync(join(root, d), { recursive: true });
  const at = (p: string, secs: number) => {
    writeFileSync(join(root, p), '');
    utimesSync(join(root, p), secs, secs);
  };
  at('src/cli/main.ts', 1000);
  at('queues/a.ts', 1000);
  at('workers/b.ts', 1000);
  at('package-lock.json', 1000);
  assert.equal(freshBundle(root, {}), null, 'no build yet');
  at('dist/BUILT', 2000);
  assert.equal(freshBundle(root, {}), join(root, 'dist', 'harvest.mjs'));
  assert.equal(freshBundle(root, { HARVEST_TSX: '1' }), null, 'HARVEST_TSX=1 takes the sources');
  at('src/cli/main.ts', 3000);
  assert.equal(freshBundle(root, {}), null, 'a source edited after the build');
  at('dist/BUILT', 4000);
  at('package-lock.json', 5000);
  assert.equal(freshBundle(root, {}), null, 'packages changed after the build');
});

test('every command is listed whichever one the command line was loaded for', async () => {
  const names = async (argv: string[]) => (await buildProgram(argv)).commands.map((c) => c.name()).sort();
  const all = await names(['node', 'harvest']);
  for (const n of ['backfill', 'worker', 'watch', 'validate', 'serve', 'poll', 'record-action', 'export', 'shards']) assert.ok(all.includes(n), n);
  // A core command loads only the core; anything else, or an option first, loads everything.
  assert.deepEqual(await names(['node', 'harvest', 'backfill']), ['backfill', 'validate', 'watch', 'worker']);
  assert.deepEqual(await names(['node', 'harvest', 'serve']), all);
  assert.deepEqual(await names(['node', 'harvest', '--help']), all);
});
