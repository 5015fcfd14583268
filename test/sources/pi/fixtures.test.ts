// The bundled sample tree (fixtures/pi/sessions): what it shows of each pi shape stays true.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { discoverPiSessions, type PiDiscovered } from '../../../src/sources/pi/discover.ts';
import { readPiSession } from '../../../src/sources/pi/read.ts';

const root = fileURLToPath(new URL('../../../fixtures/pi/sessions', import.meta.url));

async function read(name: string) {
  const found: PiDiscovered[] = [];
  for await (const f of discoverPiSessions(root).files) found.push(f);
  const f = found.find((x) => x.path.includes(name));
  assert.ok(f && !('missing' in f), name);
  const r = await readPiSession(f.path, { runtime: 'pir' });
  assert.ok(r.session);
  return { ...r, session: r.session, file: f };
}

test('the sample index lists two files, leaves one to the walk and has a row for a gone file', async () => {
  const d = discoverPiSessions(root);
  const found: PiDiscovered[] = [];
  for await (const f of d.files) found.push(f);
  assert.equal(d.mode, 'index');
  assert.deepEqual(d.counts, { index_rows: 3, index_files: 2, walk_files: 1, index_missing_files: 1 });
  assert.equal(found.length, 4);
});

test('v1 mayor session: linear, a human bash command, a compaction', async () => {
  const { session: s, counts } = await read('_7f3c2a10-');
  assert.equal(counts.version_1, 1);
  assert.equal(s.turns.length, 9);
  assert.equal(s.turns.filter((t) => t.humanCommand).length, 1);
  assert.deepEqual(s.extra.compactions, { count: 1, tokensBefore: [48210] });
  assert.equal(s.cwd, '/home/ubuntu/gt/mayor');
});

test('pir polecat session: an abandoned branch, empty tool ids, a parentless model change', async () => {
  const { session: s, counts } = await read('_4e1d9b27.jsonl');
  assert.equal(s.turns.length, 7);
  assert.equal(s.abandoned.length, 1);
  assert.equal(s.abandoned[0].branchPointId, 'a4b5c6d7');
  assert.equal(s.abandoned[0].branchPointTurnIndex, 4);
  assert.equal(s.abandoned[0].turns.length, 5);
  assert.equal(counts.tool_call_ids_empty, 4);
  assert.equal(counts.parent_id_missing, 1);
  assert.deepEqual(s.models, ['claude-opus-4-5', 'claude-sonnet-4-5']);
  assert.equal(s.extra.name, 'hv-7kq shard writer retries');
  for (const t of s.turns) for (const r of t.toolResults) assert.ok(r.id !== '');
});

test('pir deacon session: no cwd (the folder decides), forked, one blob present and one missing', async () => {
  const { session: s, counts } = await read('_9a0b1c2d.jsonl');
  assert.equal(s.cwd, undefined);
  assert.equal(s.extra.encodedFolder, '--home-ubuntu-gt-deacon--');
  assert.equal(s.parentSessionId, '4e1d9b27');
  assert.equal(counts.blob_refs, 2);
  assert.equal(counts.blobs_missing, 1);
});
