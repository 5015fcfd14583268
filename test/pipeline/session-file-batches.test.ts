// A long session is claimed, written and committed in batches of encoded bytes: its lines are never
// all held at once, and a crash between batches loses nothing and repeats nothing on the retry.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { statSync } from 'node:fs';
import { generatePirCorpus } from '../../scripts/generate-pir-corpus.ts';
import { processSessionFile, type SessionFileOptions } from '../../src/pipeline/session-file.ts';
import { RecordLedger } from '../../src/state/record-ledger.ts';
import { ShardWriter, type ShardLine } from '../../src/sinks/shards/shard-writer.ts';
import { readDataset } from '../../src/sinks/shards/dataset-reader.ts';
import { encodeSample } from '../../src/sinks/shards/sample-line.ts';
import { sampleContentHash } from '../../src/transforms/dedupe.ts';
import type { Sample } from '../../src/model/sample.ts';
import { REDIS_URL, dropPrefix, uniquePrefix } from '../support/redis.ts';

const redis = new Redis(REDIS_URL);
const prefixes: string[] = [];
const dirs: string[] = [];
after(async () => {
  for (const p of prefixes) await dropPrefix(p);
  redis.disconnect();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const tmp = (name: string): string => {
  const d = mkdtempSync(join(tmpdir(), name));
  dirs.push(d);
  return d;
};

test('a sample line is JSON.stringify of the sample, and its hash is sampleContentHash', () => {
  const sample: Sample = {
    messages: [
      { role: 'system', content: 'You are a polecat.' },
      { role: 'user', content: 'Fix the "quoted" bug — café ☕\n\ttabs' },
      { role: 'assistant', content: '', tool_calls: [{ id: 'c1', type: 'function', function: { name: 'bash', arguments: '{"command":"ls"}' } }] },
    ],
    tools: [{ type: 'function', function: { name: 'bash', description: 'run', parameters: { type: 'object' } } }],
    metadata: { record_id: 'r1', version: 3, gpt_hash: 'g', extra: { nested: [1, null, 'x'] } } as unknown as Sample['metadata'],
  };
  const enc = encodeSample(sample);
  assert.equal(enc.bytes.toString('utf8'), JSON.stringify(sample));
  assert.equal(enc.sampleHash, sampleContentHash(sample));
  const other: Sample = { ...sample, messages: [...sample.messages.slice(0, 2), { role: 'assistant', content: 'else' }] };
  assert.notEqual(encodeSample({ ...sample, tools: [] }).sampleHash, enc.sampleHash, 'the tools are content too');
  assert.equal(encodeSample({ ...sample, tools: [] }).bytes.toString('utf8'), JSON.stringify({ ...sample, tools: [] }));
  assert.notEqual(encodeSample(other).sampleHash, enc.sampleHash);
});

test('a crash between batches: the retry writes only what was not committed, and every record lands once', async () => {
  const corpus = tmp('sf-batches-');
  const gen = await generatePirCorpus({ out: corpus, sessions: 12, seed: 7, small: true, index: false });
  const path = gen.sessions.map((s) => s.path).sort((a, b) => statSync(b).size - statSync(a).size)[0];
  const huge = { path };
  const prefix = uniquePrefix('sf-batches');
  prefixes.push(prefix);
  const out = tmp('sf-batches-out-');
  const opts: SessionFileOptions = {
    roots: [corpus], townRoot: '/home/ubuntu/gt', valPercent: 0, thinking: 'keep', minScore: 0,
    maxLineBytes: 1 << 24, writeBatchBytes: 1,
  };
  const ledger = new RecordLedger(redis, prefix);
  const writer = new ShardWriter({ root: out, workerId: 'w1', maxBytes: 1 << 30, ledger });

  // One sample per batch; the first worker dies on its third write: two batches are durable and committed.
  let appends = 0;
  const dying = {
    append(group: string, lines: ShardLine[]) {
      if (++appends === 3) return Promise.reject(new Error('killed'));
      return writer.append(group, lines);
    },
  } as unknown as ShardWriter;
  await assert.rejects(processSessionFile({ path: huge.path, root: corpus, runtime: 'pir' }, opts, { ledger, writer: dying }), /killed/);
  const committed = await ledger.size();
  assert.ok(committed > 0, 'the batches before the crash were committed');

  const retry = await processSessionFile({ path: huge.path, root: corpus, runtime: 'pir' }, opts, { ledger, writer });
  await writer.sealAll();
  const written = retry.counts.samples_written ?? 0;
  assert.equal(retry.counts.unchanged_skipped, committed, 'the committed batches are recognised, not rewritten');
  assert.ok(written > 0);
  const total = committed + written;
  assert.ok(total > 4, `a batch per sample, more batches than the crash let through (${total})`);

  const ids: string[] = [];
  for await (const r of readDataset(out)) ids.push(r.value.metadata!.record_id!);
  assert.equal(ids.length, total);
  assert.equal(new Set(ids).size, total, 'no record twice');
  assert.equal(await ledger.size(), total);
});
