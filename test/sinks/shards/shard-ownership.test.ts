// Shards owned by the operating system and each record once in the raw files: numbering continues
// after what is on disk (nothing is truncated), a lock per shard names its process, only a shard
// whose lock is free is sealed by another process, and lines another shard keeps (a retry after a
// crash) are left out when a shard is sealed. The raw files are read here with plain fs + JSON.parse.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { ShardWriter } from '../../../src/sinks/shards/shard-writer.ts';
import { lockPath, recoverOpenShards } from '../../../src/sinks/shards/shard-files.ts';
import { acquireLock, createLock, lockState, thisHolder, type LockHolder } from '../../../src/sinks/shards/owner-lock.ts';
import { removeRepeats } from '../../../src/pipeline/recover-shards.ts';
import { RecordLedger } from '../../../src/state/record-ledger.ts';
import { REDIS_URL, dropPrefix, uniquePrefix } from '../../support/redis.ts';

const redis = new Redis(REDIS_URL);
const prefix = uniquePrefix('ownership');
const dirs: string[] = [];
after(async () => {
  await dropPrefix(prefix);
  redis.disconnect();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'shard-own-'));
  dirs.push(d);
  return d;
};

const rec = (id: string, version = 1) => ({
  json: JSON.stringify({ messages: [], metadata: { record_id: id, version } }),
  entry: { recordId: id, version, gptHash: `g-${id}`, sampleHash: `s-${id}-${version}` },
});

/** Every line of every sealed `.jsonl` under root, as a trainer would read them. */
function rawLines(root: string): { file: string; id: string }[] {
  const out: { file: string; id: string }[] = [];
  const walk = (d: string) => {
    for (const n of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, n.name);
      if (n.isDirectory()) walk(p);
      else if (n.name.endsWith('.jsonl')) {
        for (const l of readFileSync(p, 'utf8').split('\n')) if (l) out.push({ file: n.name, id: JSON.parse(l).metadata.record_id });
      }
    }
  };
  walk(root);
  return out;
}

const deadPid = (): number => {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(r.stdout);
};

test('a restarted worker id continues after the highest shard on disk; no file is truncated', async () => {
  const root = tmp();
  const first = new ShardWriter({ root, workerId: 'w', maxBytes: 1 << 20 });
  await first.append('train/crew', [rec('a'), rec('b')]);
  await first.sealAll();
  // A crash left an open shard numbered 00004 (the lock of a dead process beside it).
  const dir = join(root, 'train/crew');
  writeFileSync(join(dir, 'part-w-00004.jsonl.open'), rec('c').json + '\n');
  writeFileSync(join(dir, 'part-w-00004.jsonl.commits'), JSON.stringify({ end: rec('c').json.length + 1, entries: [['c', 1, 'g-c', 's']] }) + '\n');
  const again = new ShardWriter({ root, workerId: 'w', maxBytes: 1 << 20 });
  await again.append('train/crew', [rec('d')]);
  await again.sealAll();
  assert.ok(existsSync(join(dir, 'part-w-00005.jsonl')), 'numbered after the highest on disk');
  assert.equal(readFileSync(join(dir, 'part-w-00000.jsonl'), 'utf8').split('\n').filter(Boolean).length, 2, 'the first shard is whole');
  assert.ok(existsSync(join(dir, 'part-w-00004.jsonl.open')), 'the crashed shard untouched');
});

test('each open shard has a lock naming this process; another process seals it only once the lock is free', async () => {
  const root = tmp();
  const w = new ShardWriter({ root, workerId: 'live', maxBytes: 1 << 20 });
  await w.append('train/mayor', [rec('a')]);
  const final = join(root, 'train/mayor/part-live-00000.jsonl');
  const lock = JSON.parse(readFileSync(lockPath(final), 'utf8')) as LockHolder;
  assert.equal(lock.pid, process.pid);
  assert.equal((await lockState(lockPath(final))).free, false);
  const byLock = { ownerGone: async (f: string) => (await lockState(lockPath(f))).free };
  assert.equal((await recoverOpenShards(root, byLock)).length, 0, 'a live owner keeps its shard');
  // The owner died (a pid that no longer runs); and a reused pid is another process.
  writeFileSync(lockPath(final), JSON.stringify({ ...lock, pid: deadPid() }));
  assert.equal((await lockState(lockPath(final))).free, true);
  writeFileSync(lockPath(final), JSON.stringify({ ...lock, start: 'not-this-process' }));
  assert.equal((await lockState(lockPath(final))).free, true);
  const sealed = await recoverOpenShards(root, byLock);
  assert.equal(sealed.length, 1);
  assert.ok(!existsSync(lockPath(final)), 'the lock goes with the seal');
  await w.abandon();
});

test('a lock of another machine is free only when old and without a heartbeat', async () => {
  const root = tmp();
  const p = join(root, 'x.lock');
  const other: LockHolder = { ...thisHolder('far'), host: 'elsewhere' };
  await createLock(p, other);
  assert.equal((await lockState(p, { heartbeatAlive: async () => false })).free, false, 'recently touched');
  const later = Date.now() + 10 * 60_000;
  assert.equal((await lockState(p, { now: later, heartbeatAlive: async () => true })).free, false, 'heartbeat alive');
  assert.equal((await lockState(p, { now: later, heartbeatAlive: async () => false })).free, true);
});

test('a worker lock: refused while held, taken over from a dead holder by exactly one of two racers', async () => {
  const root = tmp();
  const p = join(root, 'w.lock');
  assert.deepEqual(await acquireLock(p, thisHolder('w')), { ok: true });
  const refused = await acquireLock(p, thisHolder('w'));
  assert.equal(refused.ok, false);
  rmSync(p);
  await createLock(p, { ...thisHolder('w'), pid: deadPid() });
  const results = await Promise.all([acquireLock(p, thisHolder('w')), acquireLock(p, thisHolder('w')), acquireLock(p, thisHolder('w'))]);
  assert.equal(results.filter((r) => r.ok).length, 1, JSON.stringify(results));
});

test('a retry after a crash wrote a record again elsewhere: the dead shard drops its copy at recovery', async () => {
  const root = tmp();
  const ledger = new RecordLedger(redis, `${prefix}:retry`);
  await ledger.ready();
  // The dying worker: lines durable and in its commit log, killed before the ledger heard of them.
  const dying = new ShardWriter({ root, workerId: 'dying', maxBytes: 1 << 20 });
  await dying.append('train/crew', [rec('a'), rec('b')]);
  await dying.abandon();
  // The retry on another worker writes both again, and the ledger gives them to its shard.
  const retry = new ShardWriter({ root, workerId: 'retry', maxBytes: 1 << 20, ledger });
  assert.deepEqual(await retry.append('train/crew', [rec('a'), rec('b'), rec('c')]), [true, true, true]);
  await retry.sealAll();
  const sealed = await recoverOpenShards(root, { ownerGone: async (_f, id) => id === 'dying', keeper: ledger });
  assert.equal(sealed[0].dropped, 2);
  assert.equal(sealed.length, 1);
  const ids = rawLines(root).map((l) => l.id).sort();
  assert.deepEqual(ids, ['a', 'b', 'c'], 'each record once in the raw files');
});

test('a recovery before the retry keeps the dead shard\'s lines, and the retry\'s copy goes at its seal', async () => {
  const root = tmp();
  const ledger = new RecordLedger(redis, `${prefix}:early`);
  await ledger.ready();
  const dying = new ShardWriter({ root, workerId: 'dying', maxBytes: 1 << 20 });
  await dying.append('train/crew', [rec('a')]);
  await dying.abandon();
  // The retry claimed before the recovery ran, and writes after it.
  assert.deepEqual(await ledger.claim([rec('a').entry]), ['write']);
  await recoverOpenShards(root, { ownerGone: async (_f, id) => id === 'dying', keeper: ledger });
  const retry = new ShardWriter({ root, workerId: 'retry', maxBytes: 1 << 20, ledger });
  assert.deepEqual(await retry.append('train/crew', [rec('a'), rec('z')]), [false, true]);
  const [m] = await retry.sealAll();
  assert.equal(m.dropped, 1);
  assert.deepEqual(rawLines(root).map((l) => l.id).sort(), ['a', 'z']);
});

test('a record written twice into one shard (a retry on the same worker) is sealed once', async () => {
  const root = tmp();
  const ledger = new RecordLedger(redis, `${prefix}:same`);
  await ledger.ready();
  const w = new ShardWriter({ root, workerId: 'w', maxBytes: 1 << 20, ledger });
  assert.deepEqual(await w.append('val/dog', [rec('a'), rec('b')]), [true, true]);
  assert.deepEqual(await w.append('val/dog', [rec('b'), rec('c')]), [false, true], 'the repeat is not counted as written');
  const [m] = await w.sealAll();
  assert.equal(m.records, 3);
  assert.deepEqual(rawLines(root).map((l) => l.id), ['a', 'b', 'c']);
  assert.equal(m.entries.length, 3);
});

test('recover mends a torn commit log and writes the manifest a full disk left missing', async () => {
  const root = tmp();
  const w = new ShardWriter({ root, workerId: 'full', maxBytes: 1 << 20 });
  await w.append('train/crew', [rec('a')]);
  await w.append('train/crew', [rec('b')]);
  await w.abandon();
  const final = join(root, 'train/crew/part-full-00000.jsonl');
  // The disk filled: the data renamed into place, the manifest never written, half a commit line.
  const { renameSync } = await import('node:fs');
  renameSync(`${final}.open`, final);
  appendFileSync(`${final}.commits`, '{"end":99999,"entries":[["c",1,');
  appendFileSync(final, rec('c').json.slice(0, 20));
  const sealed = await recoverOpenShards(root, { ownerGone: async () => true });
  assert.equal(sealed.length, 1);
  assert.equal(sealed[0].records, 2);
  assert.ok(existsSync(final.replace(/\.jsonl$/, '.manifest.json')));
  assert.ok(!existsSync(`${final}.commits`));
  assert.deepEqual(rawLines(root).map((l) => l.id), ['a', 'b']);
});

test('records repeated across sealed shards (an older harvest, a lost Redis) are removed by recover', async () => {
  const root = tmp();
  for (const id of ['x', 'y']) {
    const w = new ShardWriter({ root, workerId: id, maxBytes: 1 << 20 });
    await w.append('train/crew', [rec('shared'), rec(`own-${id}`)]);
    await w.sealAll();
  }
  assert.equal(rawLines(root).length, 4);
  assert.equal(await removeRepeats(root), 1);
  assert.deepEqual(rawLines(root).map((l) => l.id).sort(), ['own-x', 'own-y', 'shared']);
  assert.equal(await removeRepeats(root), 0, 'nothing left to remove');
});

test('what a seal cut off by kill -9 leaves (its lock, temporary files) is swept once the owner is gone', async () => {
  const root = tmp();
  const w = new ShardWriter({ root, workerId: 'cut', maxBytes: 1 << 20 });
  await w.append('train/crew', [rec('a')]);
  await w.sealAll();
  const final = join(root, 'train/crew/part-cut-00000.jsonl');
  // Killed after the manifest, before its lock went; another seal was writing its manifest.
  writeFileSync(lockPath(final), JSON.stringify({ ...thisHolder('cut'), pid: deadPid() }));
  writeFileSync(`${final.replace(/\.jsonl$/, '.manifest.json')}.tmp-4242`, '{"half":');
  writeFileSync(`${final}.tmp-4242-abc`, 'half a copy');
  const byLock = { ownerGone: async (f: string) => (await lockState(lockPath(f))).free };
  assert.equal((await recoverOpenShards(root, byLock)).length, 0, 'nothing to seal');
  assert.deepEqual(readdirSync(join(root, 'train/crew')).sort(), ['part-cut-00000.jsonl', 'part-cut-00000.manifest.json']);
  assert.deepEqual(rawLines(root).map((l) => l.id), ['a']);
});
