// The operations commands as a user runs them, against the real Redis: status, jobs retry-failed /
// clean / pause / resume / drain, shards compact / recover, serve and run.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { REDIS_URL, uniquePrefix, dropPrefix } from '../support/redis.ts';
import { runCli, startCli, waitExit, lastJson, REPO } from '../support/harvest-cli.ts';
import { QUEUES } from '../../queues/index.ts';
import { SESSION_FILE_QUEUE } from '../../queues/session-file.ts';
import { ShardWriter } from '../../src/sinks/shards/shard-writer.ts';
import { WorkerRegistry } from '../../src/state/worker-registry.ts';
import type { HarvestSnapshot } from '../../src/ops/snapshot.ts';

const prefixes: string[] = [];
let conn: Redis;

before(() => {
  conn = new Redis(REDIS_URL);
});

after(async () => {
  conn.disconnect();
  for (const p of prefixes) await dropPrefix(p);
});

function fresh(name: string): { prefix: string; env: NodeJS.ProcessEnv; queue: Queue } {
  const prefix = uniquePrefix(name);
  prefixes.push(prefix);
  return { prefix, env: { REDIS_URL, HARVEST_PREFIX: prefix }, queue: new Queue(SESSION_FILE_QUEUE, { connection: conn, prefix }) };
}

const data = (i: number) => ({ path: `/s/${i}.jsonl`, root: '/s', runtime: 'claude-code', size: i, mtimeMs: i });

/** Runs jobs 0..n-1 through a worker: those with `fail` fail (one attempt), the others complete. */
async function runJobs(prefix: string, jobs: { fail: boolean }[]): Promise<void> {
  const q = new Queue(SESSION_FILE_QUEUE, { connection: conn, prefix });
  for (const [i, j] of jobs.entries()) await q.add(SESSION_FILE_QUEUE, { ...data(i), ...j }, { attempts: 1 });
  const wc = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const w = new Worker(SESSION_FILE_QUEUE, async (job) => {
    if (job.data.fail) throw new Error(`bad session ${job.data.path}`);
    return { ok: true };
  }, { connection: wc, prefix });
  const want = jobs.length;
  for (;;) {
    const c = await q.getJobCounts('completed', 'failed');
    if (c.completed + c.failed >= want) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  await w.close();
  wc.disconnect();
  await q.close();
}

test('status --json reports every queue, its counts and the live workers', async () => {
  const { prefix, env, queue } = fresh('status');
  await runJobs(prefix, [{ fail: false }, { fail: false }, { fail: true }]);
  await queue.add(SESSION_FILE_QUEUE, data(10));
  await new WorkerRegistry(conn, prefix).beat('status-test-w1', { host: hostname(), queues: [SESSION_FILE_QUEUE], pid: 1 });
  const r = await runCli(['status', '--json'], env);
  assert.equal(r.code, 0, r.stderr);
  const s = lastJson<HarvestSnapshot>(r.stdout);
  assert.equal(s.redis.ok, true);
  assert.deepEqual(s.queues.map((q) => q.name), QUEUES.map((q) => q.name));
  const sf = s.queues.find((q) => q.name === SESSION_FILE_QUEUE)!;
  assert.equal(sf.counts.completed, 2);
  assert.equal(sf.counts.failed, 1);
  assert.equal(sf.counts.waiting, 1);
  assert.equal(sf.workers, 1);
  assert.deepEqual(s.workers.map((w) => w.id), ['status-test-w1']);

  const text = await runCli(['status'], env);
  assert.equal(text.code, 0, text.stderr);
  for (const q of QUEUES) assert.match(text.stdout, new RegExp(`^${q.name}\\s`, 'm'));
  assert.match(text.stdout, /status-test-w1/);
  await queue.close();

  const down = await runCli(['status', '--json'], { ...env, REDIS_URL: 'redis://127.0.0.1:1' });
  assert.equal(down.code, 2);
  assert.match(down.stderr, /Redis is not reachable at redis:\/\/127\.0\.0\.1:1/);
});

test('failed jobs keep their error and attempts; jobs retry-failed moves them back to waiting', async () => {
  const { prefix, env, queue } = fresh('retry');
  await runJobs(prefix, [{ fail: true }, { fail: false }, { fail: true }]);
  const failed = await queue.getFailed();
  assert.equal(failed.length, 2);
  for (const j of failed) {
    assert.match(j.failedReason, /^bad session \/s\/\d\.jsonl$/);
    assert.equal(j.attemptsMade, 1);
  }
  const r = await runCli(['jobs', 'retry-failed', '--queue', SESSION_FILE_QUEUE, '--json'], env);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(lastJson(r.stdout), { queues: { [SESSION_FILE_QUEUE]: { retried: 2 } } });
  const c = await queue.getJobCounts('failed', 'waiting', 'completed');
  assert.deepEqual(c, { failed: 0, waiting: 2, completed: 1 });
  await queue.close();
});

test('jobs clean --older-than removes only finished jobs older than that', async () => {
  const { prefix, env, queue } = fresh('clean');
  await runJobs(prefix, [{ fail: false }, { fail: false }, { fail: true }]);
  await queue.add(SESSION_FILE_QUEUE, data(10));
  const week = await runCli(['jobs', 'clean', '--queue', SESSION_FILE_QUEUE, '--older-than', '7d', '--json'], env);
  assert.equal(week.code, 0, week.stderr);
  assert.deepEqual(lastJson(week.stdout), { queues: { [SESSION_FILE_QUEUE]: { removed: { completed: 0, failed: 0 } } } });
  await new Promise((r) => setTimeout(r, 1100));
  const sec = await runCli(['jobs', 'clean', '--queue', SESSION_FILE_QUEUE, '--older-than', '1s'], env);
  assert.equal(sec.code, 0, sec.stderr);
  assert.match(sec.stdout, /removed 2 completed, 1 failed/);
  assert.deepEqual(await queue.getJobCounts('completed', 'failed', 'waiting'), { completed: 0, failed: 0, waiting: 1 });
  const bad = await runCli(['jobs', 'clean', '--queue', SESSION_FILE_QUEUE, '--older-than', 'a week'], env);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /not a duration/);
  await queue.close();
});

test('jobs pause, resume and drain; an unknown queue is named with the known ones', async () => {
  const { env, queue } = fresh('pause');
  for (let i = 0; i < 3; i++) await queue.add(SESSION_FILE_QUEUE, data(i));
  assert.equal((await runCli(['jobs', 'pause', '--queue', SESSION_FILE_QUEUE], env)).code, 0);
  assert.equal(await queue.isPaused(), true);
  assert.equal((await runCli(['jobs', 'resume', '--queue', 'all'], env)).code, 0);
  assert.equal(await queue.isPaused(), false);
  const d = await runCli(['jobs', 'drain', '--queue', SESSION_FILE_QUEUE], env);
  assert.equal(d.code, 0, d.stderr);
  assert.match(d.stdout, /removed 3 waiting/);
  assert.equal((await queue.getJobCounts('waiting')).waiting, 0);
  const u = await runCli(['jobs', 'pause', '--queue', 'nope'], env);
  assert.equal(u.code, 2);
  assert.match(u.stderr, new RegExp(`unknown queue "nope"; known: .*${SESSION_FILE_QUEUE}`));
  await queue.close();
});

test('shards compact merges folders; shards recover seals a dead worker\'s open shard', async () => {
  const { prefix, env } = fresh('shards');
  const line = (id: string, gpt: string) => ({
    json: JSON.stringify({ conversations: [{ from: 'human', value: id }, { from: 'gpt', value: gpt }], metadata: { record_id: id, version: 1, gpt_hash: gpt } }),
    entry: { recordId: id, version: 1, gptHash: gpt, sampleHash: `s-${id}` },
  });
  const a = mkdtempSync(join(tmpdir(), 'harvest-a-'));
  const b = mkdtempSync(join(tmpdir(), 'harvest-b-'));
  const wa = new ShardWriter({ root: join(a, 'samples'), workerId: 'host-a', maxBytes: 1 << 20 });
  await wa.append('train/mayor', [line('r1', 'g1'), line('r2', 'g2')]);
  await wa.sealAll();
  // host-b died with its shard open; its heartbeat is still fresh.
  const wb = new ShardWriter({ root: join(b, 'samples'), workerId: 'host-b', maxBytes: 1 << 20 });
  await wb.append('train/mayor', [line('r2', 'g2'), line('r3', 'g3')]);
  await wb.abandon();
  await new WorkerRegistry(conn, prefix).beat('host-b', { host: 'b', queues: [SESSION_FILE_QUEUE], pid: 1 });
  // Its shard's lock names a process on machine b: not one this machine can look into.
  const lock = join(b, 'samples', 'train', 'mayor', 'part-host-b-00000.jsonl.lock');
  writeFileSync(lock, JSON.stringify({ ...JSON.parse(readFileSync(lock, 'utf8')), host: 'b' }));

  const out = join(mkdtempSync(join(tmpdir(), 'harvest-merged-')), 'all');
  const c = await runCli(['shards', 'compact', '--in', a, b, '--out', out, '--json'], env);
  assert.equal(c.code, 0, c.stderr);
  const res = lastJson<{ written: number; dropped: Record<string, number> }>(c.stdout);
  assert.equal(res.written, 3);
  assert.deepEqual(res.dropped, { repeated: 1 });
  const again = await runCli(['shards', 'compact', '--in', a, '--out', out], env);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /already holds shards/);

  const open = join(b, 'samples', 'train', 'mayor', 'part-host-b-00000.jsonl.open');
  const alive = await runCli(['shards', 'recover', '--out', b, '--json'], env);
  assert.equal(alive.code, 0, alive.stderr);
  assert.deepEqual(lastJson(alive.stdout), { sealed: [], records: 0, repeats_removed: 0, live: 1 });
  assert.ok(existsSync(open), 'a live worker\'s shard is left alone');
  const dead = await runCli(['shards', 'recover', '--out', b, '--dead', 'host-b', '--json'], env);
  assert.equal(dead.code, 0, dead.stderr);
  assert.deepEqual(lastJson(dead.stdout), { sealed: [{ shard: 'part-host-b-00000.jsonl', worker: 'host-b', records: 2, dropped: 0 }], records: 2, repeats_removed: 0, live: 0 });
  assert.ok(!existsSync(open));
  assert.ok(existsSync(join(b, 'samples', 'train', 'mayor', 'part-host-b-00000.manifest.json')));
});

test('serve refuses to listen beyond loopback without auth; with auth it serves until SIGTERM', async () => {
  const { env } = fresh('serve');
  const bare = { ...env, HARVEST_AUTH: '', HARVEST_VIEWER_AUTH: '', HARVEST_API_TOKEN: '' };
  const refused = await runCli(['serve', '--host', '0.0.0.0', '--port', '0'], bare);
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, /refusing to listen on 0\.0\.0\.0 without authentication: set HARVEST_AUTH=user:password/);

  const s = await startCli(['serve', '--host', '127.0.0.1', '--port', '0'], { ...bare, HARVEST_AUTH: 'ops:pw-ops' }, 'serving the board');
  try {
    const url = /"url":"(http:\/\/127\.0\.0\.1:\d+)\/board"/.exec(s.output())?.[1];
    assert.ok(url, s.output());
    assert.equal((await fetch(`${url}/healthz`)).status, 200);
    assert.equal((await fetch(`${url}/board/`)).status, 401);
    const ok = await fetch(`${url}/board/api/queues`, { headers: { authorization: `Basic ${Buffer.from('ops:pw-ops').toString('base64')}` } });
    assert.equal(ok.status, 200);
  } finally {
    s.child.kill('SIGTERM');
    assert.equal(await waitExit(s.child), 0);
  }
});

test('run starts workers for every queue and the board in one process, and stops cleanly', async () => {
  const { env } = fresh('run');
  const out = mkdtempSync(join(tmpdir(), 'harvest-run-'));
  const s = await startCli(['run', '--port', '0', '--out', out], { ...env, HARVEST_AUTH: '', HARVEST_VIEWER_AUTH: '', HARVEST_API_TOKEN: '', HARVEST_WORKER_ID: 'run-test' }, 'worker started');
  try {
    const url = /"url":"(http:\/\/127\.0\.0\.1:\d+)\/board"/.exec(s.output())?.[1];
    assert.ok(url, s.output());
    const h = (await (await fetch(`${url}/healthz`)).json()) as { status: string; queues: Record<string, { workers: number }> };
    assert.equal(h.status, 'ok');
    assert.ok(h.queues[SESSION_FILE_QUEUE].workers >= 1, JSON.stringify(h));
  } finally {
    s.child.kill('SIGTERM');
    assert.equal(await waitExit(s.child), 0, s.output());
  }
});

test('after a backfill, status shows the fleet counters the workers published (jobs, samples, bytes)', async () => {
  const { env, queue } = fresh('counters');
  const out = mkdtempSync(join(tmpdir(), 'harvest-counters-'));
  const fixtures = join(REPO, 'fixtures/claude/projects');
  const b = await runCli(['backfill', '--claude', fixtures, '--out', out, '--inline', '--json'], { ...env, HARVEST_OUT: out, HARVEST_ROOTS: fixtures });
  assert.equal(b.code, 0, b.stderr);
  const summary = lastJson<{ samples_written: number }>(b.stdout);
  const counts = await queue.getJobCounts('completed', 'failed');
  const r = await runCli(['status', '--json'], env);
  assert.equal(r.code, 0, r.stderr);
  const sf = lastJson<HarvestSnapshot>(r.stdout).queues.find((q) => q.name === SESSION_FILE_QUEUE)!;
  assert.equal(sf.metrics.completed, counts.completed, 'completed jobs counted (workers/session-file.ts calls observeJobMetrics)');
  assert.equal(sf.metrics.failed, counts.failed);
  assert.equal(sf.metrics.samplesWritten, summary.samples_written);
  assert.ok(sf.metrics.bytesWritten > 0);
  assert.equal(sf.metrics.durations.completed.count, counts.completed);
  await queue.close();
});
