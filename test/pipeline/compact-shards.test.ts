// Compaction of several hosts' dataset folders, on hand-written shards: latest versions win, a
// record written twice (a retry on another host) is kept once, duplicate content is kept once (the
// smallest record id), an open shard of a dead worker counts up to its last commit, and the result
// does not depend on the order of the inputs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ShardWriter } from '../../src/sinks/shards/shard-writer.ts';
import { readDataset } from '../../src/sinks/shards/dataset-reader.ts';
import { walkFiles } from '../../src/sinks/shards/shard-files.ts';
import { compactShards, CompactError, COMPACT_WRITER_ID } from '../../src/pipeline/compact-shards.ts';

function line(id: string, version: number, gpt: string) {
  const value = {
    conversations: [
      { from: 'system', value: 'You are the mayor.' },
      { from: 'human', value: `task ${id}` },
      { from: 'gpt', value: `answer ${gpt}` },
    ],
    metadata: { schema_version: 1, record_id: id, version, gpt_hash: gpt },
  };
  return { json: JSON.stringify(value), entry: { recordId: id, version, gptHash: gpt, sampleHash: `s-${id}-${version}-${gpt}` } };
}

async function host(workerId: string, groups: Record<string, [string, number, string][]>, seal = true): Promise<string> {
  const out = mkdtempSync(join(tmpdir(), `harvest-host-${workerId}-`));
  const w = new ShardWriter({ root: join(out, 'samples'), workerId, maxBytes: 1 << 20 });
  for (const [g, recs] of Object.entries(groups)) for (const r of recs) await w.append(g, [line(...r)]);
  if (seal) await w.sealAll();
  return out;
}

async function records(dir: string) {
  const out: string[] = [];
  for await (const r of readDataset(join(dir, 'samples'))) {
    const m = r.value.metadata as { record_id: string; version: number; gpt_hash: string };
    out.push(`${r.group} ${m.record_id}@${m.version} ${m.gpt_hash}`);
  }
  return out.sort();
}

test('compacts hosts into one dataset: latest versions, each record once, each content once', async () => {
  const a = await host('host-a', {
    'train/mayor': [['r1', 1, 'g1'], ['r2', 1, 'g2'], ['r3', 1, 'g3']],
    'val/crew': [['r6', 1, 'g6']],
  });
  const b = await host('host-b', { 'train/mayor': [['r1', 1, 'g1'], ['r2', 2, 'g2b'], ['r4', 1, 'g3']] });
  // A worker that died: its shard is open, committed up to r5, with a torn line after.
  const c = await host('host-c', { 'train/mayor': [['r5', 1, 'g5']] }, false);
  const open = [];
  for await (const p of walkFiles(join(c, 'samples'), (n) => n.endsWith('.jsonl.open'))) open.push(p);
  assert.equal(open.length, 1);
  appendFileSync(open[0], '{"conversations": [{"from": "hum');

  const out = join(mkdtempSync(join(tmpdir(), 'harvest-compact-')), 'merged');
  const res = await compactShards([a, b, c], out, { maxBytes: 1 << 20 });
  assert.equal(res.written, 5);
  assert.deepEqual(res.groups, { 'train/mayor': 4, 'val/crew': 1 });
  assert.deepEqual(res.dropped, { repeated: 1, superseded: 1, duplicate_content: 1 });
  assert.deepEqual(await records(out), [
    'train/mayor r1@1 g1', 'train/mayor r2@2 g2b', 'train/mayor r3@1 g3', 'train/mayor r5@1 g5', 'val/crew r6@1 g6',
  ]);

  // Fresh sealed shards with manifests, written by the compact writer id.
  const mayor = join(out, 'samples', 'train', 'mayor');
  const files = readdirSync(mayor).sort();
  assert.deepEqual(files, [`part-${COMPACT_WRITER_ID}-00000.jsonl`, `part-${COMPACT_WRITER_ID}-00000.manifest.json`]);
  const manifest = JSON.parse(readFileSync(join(mayor, files[1]), 'utf8'));
  assert.equal(manifest.worker_id, COMPACT_WRITER_ID);
  assert.equal(manifest.records, 4);
  assert.deepEqual(manifest.entries.map((e: unknown[]) => e[0]).sort(), ['r1', 'r2', 'r3', 'r5']);

  // The same inputs in another order give the same bytes.
  const out2 = join(mkdtempSync(join(tmpdir(), 'harvest-compact-')), 'merged');
  await compactShards([c, b, a], out2, { maxBytes: 1 << 20 });
  for (const g of ['train/mayor', 'val/crew']) {
    const f = `part-${COMPACT_WRITER_ID}-00000.jsonl`;
    assert.equal(readFileSync(join(out2, 'samples', g, f), 'utf8'), readFileSync(join(out, 'samples', g, f), 'utf8'), g);
  }
});

test('refuses an output that holds shards or overlaps an input', async () => {
  const a = await host('host-a', { 'train/mayor': [['r1', 1, 'g1']] });
  await assert.rejects(compactShards([a], a, { maxBytes: 1 << 20 }), CompactError);
  await assert.rejects(compactShards([a], join(a, 'samples', 'merged'), { maxBytes: 1 << 20 }), /overlaps/);
  const out = mkdtempSync(join(tmpdir(), 'harvest-compact-'));
  await compactShards([a], out, { maxBytes: 1 << 20 });
  await assert.rejects(compactShards([a], out, { maxBytes: 1 << 20 }), /already holds shards/);
  await assert.rejects(compactShards([join(a, 'nope')], join(out, 'x'), { maxBytes: 1 << 20 }), /does not exist/);
  assert.ok(existsSync(join(out, 'samples')));
});

test('rotates output shards at the size limit', async () => {
  const recs: [string, number, string][] = Array.from({ length: 30 }, (_, i) => [`r${String(i).padStart(2, '0')}`, 1, `g${i}`]);
  const a = await host('host-a', { 'train/mayor': recs });
  const out = mkdtempSync(join(tmpdir(), 'harvest-compact-'));
  const res = await compactShards([a], out, { maxBytes: 2048 });
  assert.equal(res.written, 30);
  assert.ok(res.shards > 1, `several shards (${res.shards})`);
  assert.equal((await records(out)).length, 30);
});
