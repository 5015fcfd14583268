import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { RecordLedger, type LedgerShard } from '../../src/state/record-ledger.ts';
import { REDIS_URL, uniquePrefix, dropPrefix } from '../support/redis.ts';

const redis = new Redis(REDIS_URL);
const prefix = uniquePrefix('ledger');
after(async () => {
  await dropPrefix(prefix);
  redis.disconnect();
});

const e = (id: string, version: number, gpt: string, sample = `${gpt}-s`) => ({ recordId: id, version, gptHash: gpt, sampleHash: sample });

test('claim decides write / same / stale / duplicate; a record not yet kept anywhere is written again', async () => {
  const l = new RecordLedger(redis, `${prefix}:a`);
  assert.deepEqual(await l.claim([e('r1', 10, 'g1')]), ['write']);
  // Crash before the line was kept: the retry of the same record is not a duplicate of itself.
  assert.deepEqual(await l.claim([e('r1', 10, 'g1')]), ['write']);
  assert.deepEqual(await l.keep('train/x/part-w1-00000', [e('r1', 10, 'g1')]), [true]);
  assert.deepEqual(await l.claim([e('r1', 10, 'g1')]), ['same']);
  // The same version is the same record, whatever its content hash.
  assert.deepEqual(await l.claim([e('r1', 10, 'g1', 'other')]), ['same']);
  // Another record with the same gpt content is a duplicate.
  assert.deepEqual(await l.claim([e('r2', 10, 'g1')]), ['duplicate']);
  // The session grew: a new version of r1 is written; an older one is stale.
  assert.deepEqual(await l.claim([e('r1', 20, 'g1b')]), ['write']);
  assert.deepEqual(await l.keep('train/x/part-w1-00001', [e('r1', 20, 'g1b')]), [true]);
  assert.deepEqual(await l.claim([e('r1', 15, 'g1c')]), ['stale']);
  // A late keep of an older version never rolls the record back, and that line is not kept.
  assert.deepEqual(await l.keep('train/x/part-w2-00000', [e('r1', 15, 'g1c')]), [false]);
  assert.deepEqual(await l.claim([e('r1', 20, 'g1b')]), ['same']);
});

test('one keeper per record version: a second shard that wrote it (a retry elsewhere) is told no', async () => {
  const l = new RecordLedger(redis, `${prefix}:k`);
  assert.deepEqual(await l.keep('a', [e('x', 1, 'gx'), e('y', 1, 'gy')]), [true, true]);
  assert.deepEqual(await l.keep('b', [e('x', 1, 'gx'), e('z', 1, 'gz')]), [false, true]);
  // Asking again (a seal) gives the same answers: idempotent.
  assert.deepEqual(await l.keep('a', [e('x', 1, 'gx'), e('y', 1, 'gy')], true), [true, true]);
  assert.deepEqual(await l.keep('b', [e('x', 1, 'gx'), e('z', 1, 'gz')], true), [false, true]);
});

test('two workers racing on the same content: exactly one wins', async () => {
  const l1 = new RecordLedger(redis, `${prefix}:b`);
  const other = new Redis(REDIS_URL);
  const l2 = new RecordLedger(other, `${prefix}:b`);
  await l1.ready();
  const [a, b] = await Promise.all([l1.claim([e('x', 1, 'same')]), l2.claim([e('y', 1, 'same')])]);
  other.disconnect();
  assert.deepEqual([a[0], b[0]].sort(), ['duplicate', 'write']);
});

test('Redis lost the ledger: the next call rebuilds it from the folder before deciding, for every process', async () => {
  const folder: LedgerShard[] = [
    { shard: 's/part-a-00000', sealed: true, entries: [e('r1', 5, 'g1'), e('r2', 5, 'g2')] },
    { shard: 's/part-b-00000', sealed: false, entries: [e('r3', 5, 'g3')] },
  ];
  let reads = 0;
  const source = async () => {
    reads++;
    return folder;
  };
  const rebuilt: number[] = [];
  const ns = `${prefix}:c`;
  const l = new RecordLedger(redis, ns, { source, onRebuilt: (r) => rebuilt.push(r.records), pollMs: 20 });
  const other = new Redis(REDIS_URL);
  const l2 = new RecordLedger(other, ns, { source, onRebuilt: (r) => rebuilt.push(r.records), pollMs: 20 });
  await l.ready();
  assert.equal(reads, 1, 'a new ledger starts from what the folder holds');
  assert.deepEqual(await l.claim([e('r1', 5, 'g1'), e('r4', 5, 'g2'), e('r3', 5, 'g3')]), ['same', 'duplicate', 'same']);
  await l2.claim([]);
  assert.equal(reads, 1, 'the second process found it whole');

  // A flush (or a restart without persistence): everything gone, the sequence key too.
  await redis.del(l.recordsKey, l.contentKey, l.seqKey);
  const [d1, d2] = await Promise.all([l.claim([e('r2', 5, 'g2')]), l2.claim([e('r3', 5, 'g3')])]);
  assert.deepEqual([d1, d2], [['same'], ['same']]);
  assert.equal(reads, 2, 'one process rebuilt; the other waited for it');
  assert.deepEqual(rebuilt, [3, 3], 'each rebuild replayed the folder\'s three records, and was said');

  // A restart that lost the tail of its log: the sequence is behind what l has seen.
  await l.keep('s/part-a-00001', [e('r5', 5, 'g5')]);
  folder.push({ shard: 's/part-a-00001', sealed: false, entries: [e('r5', 5, 'g5')] });
  await redis.hdel(l.recordsKey, 'r5');
  await redis.set(l.seqKey, '1');
  assert.deepEqual(await l.claim([e('r5', 5, 'g5')]), ['same'], 'rebuilt before deciding');
  assert.equal(reads, 3);
  other.disconnect();
});

test('a rebuild lets a sealed shard keep what an open one also holds (the open copy can still go at its seal)', async () => {
  const ns = `${prefix}:r`;
  const l = new RecordLedger(redis, ns, {
    source: async () => [
      { shard: 'sealed', sealed: true, entries: [e('x', 1, 'gx')] },
      { shard: 'open', sealed: false, entries: [e('x', 1, 'gx')] },
    ],
  });
  await l.ready();
  assert.deepEqual(await l.keep('open', [e('x', 1, 'gx')], true), [false]);
  assert.deepEqual(await l.keep('sealed', [e('x', 1, 'gx')], true), [true]);
});

test('a batch is decided in order, across script calls: repeats inside it are duplicates, keeps land', async () => {
  const l = new RecordLedger(redis, `${prefix}:d`);
  // 1201 entries span three script calls; every third repeats the content of the entry before it.
  const batch = Array.from({ length: 1201 }, (_, i) => e(`r${i}`, 1, i % 3 === 2 ? `g${i - 1}` : `g${i}`));
  const decisions = await l.claim(batch);
  assert.equal(decisions.length, batch.length);
  decisions.forEach((d, i) => assert.equal(d, i % 3 === 2 ? 'duplicate' : 'write', `entry ${i}`));
  const written = batch.filter((_, i) => decisions[i] === 'write');
  assert.ok((await l.keep('s', written)).every(Boolean));
  assert.equal(await l.size(), written.length);
  assert.deepEqual(new Set(await l.claim(written)), new Set(['same']));
});
