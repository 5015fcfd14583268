// The whole path against the real Redis: producer CLI -> queue -> worker in its own process ->
// shards; a re-run that adds nothing; a worker killed mid-run whose jobs another finishes.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { REDIS_URL, uniquePrefix, dropPrefix } from '../support/redis.ts';
import { runCli, startCli, waitExit, lastJson, REPO } from '../support/harvest-cli.ts';
import { writeClaudeCorpus } from '../support/claude-corpus.ts';
import { readDataset } from '../../src/sinks/shards/dataset-reader.ts';
import { sampleProblems } from '../../src/model/sample-rules.ts';
import { SESSION_FILE_QUEUE } from '../../queues/session-file.ts';

const prefixes: string[] = [];
after(async () => {
  for (const p of prefixes) await dropPrefix(p);
});

function env(prefix: string, out: string, roots: string[]): NodeJS.ProcessEnv {
  return { REDIS_URL, HARVEST_PREFIX: prefix, HARVEST_OUT: out, HARVEST_ROOTS: roots.join(':'), HARVEST_SEAL_IDLE_MS: '500' };
}

async function records(out: string) {
  const recs: { id: string; version: number; gpt: string }[] = [];
  for await (const r of readDataset(join(out, 'samples'))) {
    assert.deepEqual(sampleProblems(r.value), [], `valid sample in ${r.shard}`);
    const m = r.value.metadata as { record_id: string; version: number; gpt_hash: string };
    recs.push({ id: m.record_id, version: m.version, gpt: m.gpt_hash });
  }
  return recs.sort((a, b) => a.id.localeCompare(b.id));
}

async function waitForQueueDone(prefix: string, expected: number, timeoutMs = 90_000): Promise<void> {
  const conn = new Redis(REDIS_URL);
  const q = new Queue(SESSION_FILE_QUEUE, { connection: conn, prefix });
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      const c = await q.getJobCounts('completed', 'failed');
      if ((c.completed ?? 0) + (c.failed ?? 0) >= expected) return;
      if (Date.now() > deadline) throw new Error(`queue not drained: ${JSON.stringify(c)} of ${expected}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  } finally {
    await q.close();
    conn.disconnect();
  }
}

const fixtureRoots = [join(REPO, 'fixtures/claude/projects'), join(REPO, 'fixtures/pi/sessions')];

test('fixtures backfill through the queue with a worker in its own process; a re-run adds nothing', async () => {
  const prefix = uniquePrefix('backfill');
  prefixes.push(prefix);
  const out = mkdtempSync(join(tmpdir(), 'harvest-out-'));
  const e = env(prefix, out, fixtureRoots);
  const worker = await startCli(['worker', '--out', out], e);
  try {
    const first = await runCli(['backfill', '--claude', fixtureRoots[0], '--pir', fixtureRoots[1], '--json'], e);
    assert.equal(first.code, 0, first.stderr);
    const enqueued = Number(/enqueued":(\d+)|"enqueued":(\d+)/.exec(first.stderr)?.[1] ?? NaN);
    const conn = new Redis(REDIS_URL);
    const q = new Queue(SESSION_FILE_QUEUE, { connection: conn, prefix });
    const counts = await q.getJobCounts('waiting', 'active', 'completed', 'failed', 'delayed');
    const total = Object.values(counts).reduce((a, b) => a + b, 0);
    await q.close();
    conn.disconnect();
    assert.ok(total >= 8, `jobs were enqueued (${total}, log says ${enqueued})`);
    await waitForQueueDone(prefix, total);
  } finally {
    worker.child.kill('SIGTERM');
    assert.equal(await waitExit(worker.child), 0, 'worker exits cleanly on SIGTERM');
  }
  const recs = await records(out);
  assert.ok(recs.length >= 6, `samples written (${recs.length})`);
  assert.equal(new Set(recs.map((r) => r.id)).size, recs.length, 'no record twice');

  // Second run over the unchanged tree: nothing enqueued, nothing written.
  const again = await runCli(['backfill', '--claude', fixtureRoots[0], '--pir', fixtureRoots[1], '--out', out, '--inline', '--json'], e);
  assert.equal(again.code, 0, again.stderr);
  const s = lastJson<{ files: { enqueued: number; found: number }; samples_written: number }>(again.stdout);
  assert.equal(s.files.enqueued, 0);
  assert.ok(s.files.found >= 8);
  assert.equal(s.samples_written, 0);
  assert.deepEqual(await records(out), recs);
});

test('a worker killed mid-run loses nothing: another finishes, the dataset equals an undisturbed run', async () => {
  const corpus = mkdtempSync(join(tmpdir(), 'harvest-corpus-'));
  writeClaudeCorpus(corpus, 40, 30);

  // Reference: one undisturbed inline run.
  const refPrefix = uniquePrefix('ref');
  prefixes.push(refPrefix);
  const refOut = mkdtempSync(join(tmpdir(), 'harvest-ref-'));
  const ref = await runCli(['backfill', '--claude', corpus, '--out', refOut, '--inline', '--json'], env(refPrefix, refOut, [corpus]));
  assert.equal(ref.code, 0, ref.stderr);
  const expected = await records(refOut);
  assert.ok(expected.length >= 40);

  const prefix = uniquePrefix('kill');
  prefixes.push(prefix);
  const out = mkdtempSync(join(tmpdir(), 'harvest-kill-'));
  const e = { ...env(prefix, out, [corpus]), HARVEST_CONCURRENCY: '1' };
  const enq = await runCli(['backfill', '--claude', corpus], e);
  assert.equal(enq.code, 0, enq.stderr);
  const a = await startCli(['worker', '--out', out], { ...e, HARVEST_WORKER_ID: 'host-a' });
  // Let it do some of the work, then kill it without a chance to clean up.
  const conn = new Redis(REDIS_URL);
  const q = new Queue(SESSION_FILE_QUEUE, { connection: conn, prefix });
  for (let i = 0; i < 300; i++) {
    if (((await q.getJobCounts('completed')).completed ?? 0) >= 5) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  // Paused first, so that however slow this test is to look, the worker cannot finish the queue
  // before it dies (the job it holds runs on, and may be cut by the kill).
  await q.pause();
  a.child.kill('SIGKILL');
  await waitExit(a.child);
  const doneBefore = (await q.getJobCounts('completed')).completed ?? 0;
  assert.ok(doneBefore < 40, `killed mid-run (${doneBefore} of 40 done)`);
  await q.resume();

  const b = await startCli(['worker', '--out', out], { ...e, HARVEST_WORKER_ID: 'host-b' });
  try {
    await waitForQueueDone(prefix, 40, 120_000);
  } finally {
    b.child.kill('SIGTERM');
    await waitExit(b.child);
    await q.close();
    conn.disconnect();
  }
  const got = await records(out);
  assert.deepEqual(got, expected);
});
