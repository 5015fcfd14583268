// Redis losing state while two workers write one folder: killed and restarted from its AOF;
// restarted from an AOF that lost its tail (the ledger is behind what the workers saw); wiped
// (FLUSHALL) mid-run. Running workers notice and rebuild the ledger from the folder before they
// write again; after each fault every raw line equals the undisturbed run's, each record once.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { REDIS_URL, dropPrefix } from '../support/redis.ts';
import { writeClaudeCorpus } from '../support/claude-corpus.ts';
import { FaultBench, completed, hasRedisServer, mustRun, startRedisServer, until } from './support.ts';

const bench = new FaultBench(40, dropPrefix, REDIS_URL);
const skip = hasRedisServer() ? false : 'no redis-server on this machine';
before(() => bench.setup((dir, n) => void writeClaudeCorpus(dir, n, 10)));
after(() => bench.teardown());

const REBUILT = /Redis had lost the dedupe ledger; rebuilt it/;

test('Redis killed and restarted from its AOF mid-run', { skip }, async () => {
  const t0 = Date.now();
  const redis = await startRedisServer({ aof: true, dirs: bench.dirs });
  bench.onCleanup(() => redis.stop());
  const { env } = bench.fresh('aof', redis.url);
  const { out, workers } = await bench.twoWorkers('aof', env, redis.url, async (f) => {
    await until('a third of the work done', async () => (await completed(f)).completed >= bench.sessions / 3, 120_000, 5);
    await redis.kill();
    await redis.start();
    await bench.drained(f);
  });
  await bench.finish(out, env, workers);
  bench.verify('Redis kill -9, restart with AOF', out, t0);
});

test('Redis restarted from an AOF that lost its tail: the ledger is behind what the workers saw', { skip }, async () => {
  const t0 = Date.now();
  const redis = await startRedisServer({ aof: true, dirs: bench.dirs });
  bench.onCleanup(() => redis.stop());
  const { env } = bench.fresh('aof-tail', redis.url);
  const snapshot = bench.tmp('aof-snapshot');
  const { out, workers } = await bench.twoWorkers('aof-tail', env, redis.url, async (f) => {
    await until('a quarter of the work done', async () => (await completed(f)).completed >= bench.sessions / 4, 120_000, 5);
    cpSync(join(redis.dir, 'appendonlydir'), join(snapshot, 'appendonlydir'), { recursive: true });
    await until('two thirds of the work done', async () => (await completed(f)).completed >= (2 * bench.sessions) / 3, 120_000, 5);
    await redis.kill();
    rmSync(join(redis.dir, 'appendonlydir'), { recursive: true, force: true });
    renameSync(join(snapshot, 'appendonlydir'), join(redis.dir, 'appendonlydir'));
    await redis.start();
    await bench.drained(f);
  });
  const logs = workers.map((w) => w.output()).join('\n');
  await bench.finish(out, env, workers);
  assert.match(logs, REBUILT, 'a worker noticed and rebuilt');
  bench.verify('Redis restart, AOF tail lost', out, t0);
});

test('Redis wiped mid-run: running workers rebuild the ledger before they write again', { skip }, async () => {
  const t0 = Date.now();
  const redis = await startRedisServer({ aof: false, dirs: bench.dirs });
  bench.onCleanup(() => redis.stop());
  const { env } = bench.fresh('wipe', redis.url);
  const { out, workers } = await bench.twoWorkers('wipe', env, redis.url, async (f) => {
    await until('a third of the work done', async () => (await completed(f)).completed >= bench.sessions / 3, 120_000, 5);
    const admin = new Redis(redis.url);
    await admin.flushall();
    admin.disconnect();
    // Every job and ledger is gone: enqueue the files again, as an operator would. (Jobs that were
    // running finish their files but not their jobs: those files are not enqueued again.)
    const again = JSON.parse((await mustRun(['backfill', '--claude', bench.corpus, '--json'], env)).stdout.trim().split('\n').pop()!);
    await bench.drained(f, again.files.enqueued);
    await until('the queue empty', async () => {
      const c = await f.queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
      return Object.values(c).every((n) => n === 0);
    });
  });
  const logs = workers.map((w) => w.output()).join('\n');
  await bench.finish(out, env, workers);
  assert.match(logs, REBUILT, 'a running worker noticed and rebuilt');
  bench.verify('Redis wiped mid-run', out, t0);
});
