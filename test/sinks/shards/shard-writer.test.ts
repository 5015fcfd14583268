import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, appendFileSync, existsSync, renameSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ShardWriter } from '../../../src/sinks/shards/shard-writer.ts';
import { recoverOpenShards, type ShardManifest } from '../../../src/sinks/shards/shard-files.ts';
import { listShards, openShardData, readDataset } from '../../../src/sinks/shards/dataset-reader.ts';

const rec = (id: string, version = 1, extra = '') => ({
  json: JSON.stringify({ conversations: [], metadata: { record_id: id, version, extra } }),
  entry: { recordId: id, version, gptHash: `g-${id}`, sampleHash: `s-${id}-${version}` },
});

async function all(root: string) {
  const counts: Record<string, number> = {};
  const out = [];
  for await (const r of readDataset(root, counts)) out.push(r.value.metadata);
  return { out, counts };
}

test('appends are durable and sealing writes the shard and a manifest with its sha256', async () => {
  const root = mkdtempSync(join(tmpdir(), 'shards-'));
  const w = new ShardWriter({ root, workerId: 'w1', maxBytes: 1 << 20 });
  await w.append('train/polecat', [rec('a'), rec('b')]);
  await w.append('train/polecat', [rec('c')]);
  await w.append('val/mayor', [rec('d')]);
  // Before sealing, the committed records are already readable.
  assert.equal((await all(root)).out.length, 4);
  const manifests = await w.sealAll();
  assert.equal(manifests.length, 2);
  const dir = join(root, 'train/polecat');
  const names = readdirSync(dir).sort();
  assert.deepEqual(names, ['part-w1-00000.jsonl', 'part-w1-00000.manifest.json']);
  const data = readFileSync(join(dir, names[0]));
  const m = JSON.parse(readFileSync(join(dir, names[1]), 'utf8')) as ShardManifest;
  assert.equal(m.records, 3);
  assert.equal(m.bytes, data.length);
  assert.equal(m.sha256, createHash('sha256').update(data).digest('hex'));
  assert.deepEqual(m.entries.map((e) => e[0]), ['a', 'b', 'c']);
});

test('shards rotate by size, each sealed with its own manifest', async () => {
  const root = mkdtempSync(join(tmpdir(), 'shards-'));
  const w = new ShardWriter({ root, workerId: 'w2', maxBytes: 300 });
  for (let i = 0; i < 10; i++) await w.append('train/crew', [rec(`r${i}`, 1, 'x'.repeat(60))]);
  await w.sealAll();
  const files = readdirSync(join(root, 'train/crew')).filter((n) => n.endsWith('.jsonl'));
  assert.ok(files.length >= 3, `rotated into ${files.length} shards`);
  for (const f of files) assert.ok(readFileSync(join(root, 'train/crew', f)).length <= 300 + 150);
  assert.equal((await all(root)).out.length, 10);
});

test('an open shard left by a dead worker is cut to its last commit and sealed by recovery', async () => {
  const root = mkdtempSync(join(tmpdir(), 'shards-'));
  const w = new ShardWriter({ root, workerId: 'dead-host-1', maxBytes: 1 << 20 });
  await w.append('train/witness', [rec('a'), rec('b')]);
  // The crash: half a line written after the last commit, never acknowledged.
  const open = join(root, 'train/witness/part-dead-host-1-00000.jsonl.open');
  appendFileSync(open, '{"conversations":[],"metadata":{"record_id":"torn"');
  const sealed = await recoverOpenShards(root, { ownerGone: async (_f, id) => id === 'dead-host-1' });
  assert.equal(sealed.length, 1);
  assert.equal(sealed[0].records, 2);
  assert.ok(!existsSync(open));
  const text = readFileSync(join(root, 'train/witness/part-dead-host-1-00000.jsonl'), 'utf8');
  assert.equal(text.trim().split('\n').length, 2);
  assert.ok(!text.includes('torn'));
  // Running recovery again changes nothing.
  assert.equal((await recoverOpenShards(root, { ownerGone: async () => true })).length, 0);
});

test('recovery leaves the open shards of live workers alone', async () => {
  const root = mkdtempSync(join(tmpdir(), 'shards-'));
  const w = new ShardWriter({ root, workerId: 'alive', maxBytes: 1 << 20 });
  await w.append('train/mayor', [rec('a')]);
  assert.equal((await recoverOpenShards(root, { ownerGone: async () => false })).length, 0);
  assert.ok(existsSync(join(root, 'train/mayor/part-alive-00000.jsonl.open')));
});

test('the dataset reader keeps the highest version of a record and reads a repeated line once', async () => {
  const root = mkdtempSync(join(tmpdir(), 'shards-'));
  const a = new ShardWriter({ root, workerId: 'a', maxBytes: 1 << 20 });
  const b = new ShardWriter({ root, workerId: 'b', maxBytes: 1 << 20 });
  await a.append('train/crew', [rec('x', 100), rec('y', 100)]);
  await b.append('train/crew', [rec('x', 250)]); // the session grew
  await b.append('train/crew', [rec('y', 100)]); // a retry after a crash wrote y again
  await a.sealAll();
  await b.sealAll();
  const { out, counts } = await all(root);
  const byId = Object.fromEntries(out.map((m) => [m!.record_id, m!.version]));
  assert.deepEqual(byId, { x: 250, y: 100 });
  assert.equal(out.length, 2);
  assert.equal(counts.superseded, 1);
  assert.equal(counts.repeated, 1);
});

test('concurrent appends to one group never interleave lines', async () => {
  const root = mkdtempSync(join(tmpdir(), 'shards-'));
  const w = new ShardWriter({ root, workerId: 'c', maxBytes: 1 << 20 });
  await Promise.all(Array.from({ length: 50 }, (_, i) => w.append('train/dog', [rec(`p${i}`, 1, 'y'.repeat(i * 10)), rec(`q${i}`)])));
  await w.sealAll();
  const text = readFileSync(join(root, 'train/dog/part-c-00000.jsonl'), 'utf8');
  const lines = text.trim().split('\n');
  assert.equal(lines.length, 100);
  for (const l of lines) JSON.parse(l);
});

test('a dataset read while a worker seals its shards misses nothing, at every step of the seal', async () => {
  const root = mkdtempSync(join(tmpdir(), 'shards-'));
  const w = new ShardWriter({ root, workerId: 'live', maxBytes: 1 << 20 });
  await w.append('train/crew', [rec('p'), rec('q')]);
  const dir = join(root, 'train', 'crew');
  const open = readdirSync(dir).find((n) => n.endsWith('.jsonl.open'))!;
  const final = join(dir, open.replace(/\.open$/, ''));
  const ids = async () => (await all(root)).out.map((m) => m!.record_id).sort();

  // Listed while open, sealed before its bytes are read: the reader follows the rename.
  const listed = await listShards(root);
  assert.equal(listed[0].sealed, false);
  renameSync(join(dir, open), final);
  const fh = await openShardData(listed[0]);
  assert.equal((await fh.readFile('utf8')).split('\n').length, 3);
  await fh.close();
  // Between the rename and the manifest: only the commit log says what the renamed file holds.
  assert.deepEqual(await ids(), ['p', 'q']);
  renameSync(final, join(dir, open));
  await w.sealAll();
  assert.ok(!existsSync(join(dir, open)) && existsSync(final));
  assert.deepEqual(await ids(), ['p', 'q']);
});
