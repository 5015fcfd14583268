import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { RecordLedger } from '../../src/state/record-ledger.ts';
import { REDIS_URL, uniquePrefix, dropPrefix } from '../support/redis.ts';

const redis = new Redis(REDIS_URL);
const prefix = uniquePrefix('ledger');
after(async () => {
  await dropPrefix(prefix);
  redis.disconnect();
});

const e = (id: string, version: number, gpt: string, sample = `${gpt}-s`) => ({ recordId: id, version, gptHash: gpt, sampleHash: sample });

test('claim decides write / same / stale / duplicate, and a retry of the same record still writes', async () => {
  const l = new RecordLedger(redis, `${prefix}:a`);
  assert.deepEqual(await l.claim([e('r1', 10, 'g1')]), ['write']);
  // Crash before commit: the retry of the same record is not a duplicate of itself.
  assert.deepEqual(await l.claim([e('r1', 10, 'g1')]), ['write']);
  await l.commit([e('r1', 10, 'g1')]);
  assert.deepEqual(await l.claim([e('r1', 10, 'g1')]), ['same']);
  // Another record with the same gpt content is a duplicate.
  assert.deepEqual(await l.claim([e('r2', 10, 'g1')]), ['duplicate']);
  // The session grew: a new version of r1 with new content is written; an older one is stale.
  assert.deepEqual(await l.claim([e('r1', 20, 'g1b')]), ['write']);
  await l.commit([e('r1', 20, 'g1b')]);
  assert.deepEqual(await l.claim([e('r1', 15, 'g1c')]), ['stale']);
  // A late commit of an older version never rolls the record back.
  await l.commit([e('r1', 15, 'g1c')]);
  assert.deepEqual(await l.claim([e('r1', 20, 'g1b')]), ['same']);
});

test('two workers racing on the same content: exactly one wins', async () => {
  const l1 = new RecordLedger(redis, `${prefix}:b`);
  const other = new Redis(REDIS_URL);
  const l2 = new RecordLedger(other, `${prefix}:b`);
  const [a, b] = await Promise.all([l1.claim([e('x', 1, 'same')]), l2.claim([e('y', 1, 'same')])]);
  other.disconnect();
  assert.deepEqual([a[0], b[0]].sort(), ['duplicate', 'write']);
});

test('rebuild restores decisions after Redis lost the ledger', async () => {
  const l = new RecordLedger(redis, `${prefix}:c`);
  assert.equal(await l.size(), 0);
  await l.rebuild([e('r1', 5, 'g1'), e('r2', 5, 'g2')]);
  assert.equal(await l.size(), 2);
  assert.deepEqual(await l.claim([e('r1', 5, 'g1'), e('r3', 5, 'g2')]), ['same', 'duplicate']);
});

test('a batch is decided in order, across script calls: repeats inside it are duplicates, commits land', async () => {
  const l = new RecordLedger(redis, `${prefix}:d`);
  // 1201 entries span three script calls; every third repeats the content of the entry before it.
  const batch = Array.from({ length: 1201 }, (_, i) => e(`r${i}`, 1, i % 3 === 2 ? `g${i - 1}` : `g${i}`));
  const decisions = await l.claim(batch);
  assert.equal(decisions.length, batch.length);
  decisions.forEach((d, i) => assert.equal(d, i % 3 === 2 ? 'duplicate' : 'write', `entry ${i}`));
  const written = batch.filter((_, i) => decisions[i] === 'write');
  await l.commit(written);
  assert.equal(await l.size(), written.length);
  assert.deepEqual(new Set(await l.claim(written)), new Set(['same']));
});
