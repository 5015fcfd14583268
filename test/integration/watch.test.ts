// `harvest watch` keeps up with a live session: appended lines are captured once the file is
// quiet, the newer version supersedes the older (same record ids, higher version, no duplicate),
// and a restarted watch re-enqueues nothing already processed.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { REDIS_URL, uniquePrefix, dropPrefix } from '../support/redis.ts';
import { startCli, waitExit } from '../support/harvest-cli.ts';
import { writeClaudeCorpus } from '../support/claude-corpus.ts';
import { readDataset, listShards } from '../../src/sinks/shards/dataset-reader.ts';
import { SESSION_FILE_QUEUE } from '../../queues/session-file.ts';

const prefix = uniquePrefix('watch');
after(() => dropPrefix(prefix));

async function dataset(out: string) {
  const recs: { id: string; version: number; session: string }[] = [];
  for await (const r of readDataset(join(out, 'samples'))) {
    const m = r.value.metadata as { record_id: string; version: number; session_id: string };
    recs.push({ id: m.record_id, version: m.version, session: m.session_id });
  }
  return recs;
}

async function until<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

test('watch captures a growing session; the newer version supersedes the older; a restart adds nothing', async () => {
  const corpus = mkdtempSync(join(tmpdir(), 'harvest-watch-'));
  const out = mkdtempSync(join(tmpdir(), 'harvest-watch-out-'));
  const [live, ...others] = writeClaudeCorpus(corpus, 3, 12, 11);
  const env = { REDIS_URL, HARVEST_PREFIX: prefix, HARVEST_OUT: out, HARVEST_ROOTS: corpus, HARVEST_SEAL_IDLE_MS: '500' };
  const worker = await startCli(['worker', '--queues', 'session-file', '--out', out], env);
  let watch = await startCli(['watch', '--claude', corpus, '--settle', '1s', '--rescan', '2s'], env, 'watching session folders');
  const conn = new Redis(REDIS_URL);
  const queue = new Queue(SESSION_FILE_QUEUE, { connection: conn, prefix });
  try {
    const first = await until('the first capture', async () => {
      const d = await dataset(out);
      return new Set(d.map((r) => r.session)).size === 3 && d;
    });
    const liveSession = JSON.parse(readFileSync(live, 'utf8').split('\n')[0]).sessionId as string;
    const before = first.filter((r) => r.session === liveSession);
    assert.ok(before.length > 0);
    const oldVersion = statSync(live).size;
    assert.ok(before.every((r) => r.version === oldVersion));

    // The agent goes on: more turns land in the live file, then it pauses.
    const lines = readFileSync(live, 'utf8').trim().split('\n');
    const more = lines.slice(1, 1 + 3 * 8).map((l, i) => {
      const o = JSON.parse(l);
      o.uuid = `${o.uuid}-more-${i}`;
      if (o.message?.id) o.message.id = `${o.message.id}-more`;
      const c = o.message?.content;
      if (Array.isArray(c)) for (const b of c) {
        if (b.type === 'text') b.text = `${b.text} (continued, more work on step ${i})`;
        if (b.id) b.id = `${b.id}-more`;
        if (b.tool_use_id) b.tool_use_id = `${b.tool_use_id}-more`;
      }
      return JSON.stringify(o);
    });
    appendFileSync(live, more.join('\n') + '\n');
    const newVersion = statSync(live).size;

    const after_ = await until('the newer version', async () => {
      const d = await dataset(out);
      return d.some((r) => r.session === liveSession && r.version === newVersion) && d;
    });
    const liveNow = after_.filter((r) => r.session === liveSession);
    // Same record ids carry on; the session grew, so it has at least as many records.
    for (const r of before) assert.ok(liveNow.some((n) => n.id === r.id), `record ${r.id} still there`);
    assert.ok(liveNow.length >= before.length);
    assert.equal(new Set(after_.map((r) => r.id)).size, after_.length, 'no record twice in the dataset');
    // The other sessions were not touched.
    for (const p of others) assert.ok(statSync(p).size > 0);
    assert.deepEqual(
      after_.filter((r) => r.session !== liveSession).sort((a, b) => a.id.localeCompare(b.id)),
      first.filter((r) => r.session !== liveSession).sort((a, b) => a.id.localeCompare(b.id)),
    );

    // A restarted watch finds everything processed: no new job.
    watch.child.kill('SIGTERM');
    assert.equal(await waitExit(watch.child), 0, 'watch stops cleanly on SIGTERM');
    const jobsBefore = await queue.getJobCountByTypes('completed', 'failed', 'waiting', 'active', 'delayed');
    watch = await startCli(['watch', '--claude', corpus, '--settle', '1s', '--rescan', '1s'], env, 'watching session folders');
    await new Promise((r) => setTimeout(r, 3000));
    assert.equal(await queue.getJobCountByTypes('completed', 'failed', 'waiting', 'active', 'delayed'), jobsBefore);
    assert.ok((await listShards(join(out, 'samples'))).length > 0);
  } finally {
    watch.child.kill('SIGTERM');
    worker.child.kill('SIGTERM');
    await Promise.all([waitExit(watch.child), waitExit(worker.child)]);
    await queue.close();
    conn.disconnect();
  }
});
