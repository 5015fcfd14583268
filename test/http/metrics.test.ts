// /metrics against the real Redis: parses as Prometheus text, queue gauges equal the queues' own
// counts, and the fleet counters are those a worker in "another process" published to Redis.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { hostname } from 'node:os';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { REDIS_URL, uniquePrefix, dropPrefix } from '../support/redis.ts';
import { parsePrometheusText, sampleValue, type PromSample } from '../support/prometheus.ts';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/log.ts';
import { createServer, type HarvestServer } from '../../src/http/server.ts';
import { QUEUES } from '../../queues/index.ts';
import { SESSION_FILE_QUEUE } from '../../queues/session-file.ts';
import { JOB_STATES } from '../../src/ops/snapshot.ts';
import { WorkerMetrics, JOB_DURATION_BUCKETS } from '../../src/state/worker-metrics.ts';
import { WorkerRegistry } from '../../src/state/worker-registry.ts';
import { observeJobMetrics } from '../../workers/job-metrics.ts';

const prefix = uniquePrefix('metrics');
const log = createLogger('silent');
const TOKEN = 'test-token-0123456789abcdef';
let server: HarvestServer;
let url: string;
let conn: Redis;

async function waitFor(cond: () => Promise<boolean>, what: string, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

before(async () => {
  conn = new Redis(REDIS_URL);
  const q = new Queue(SESSION_FILE_QUEUE, { connection: conn, prefix });
  const job = (i: number) => ({ path: `/s/${i}.jsonl`, root: '/s', runtime: 'claude-code', size: i, mtimeMs: i });
  for (let i = 0; i < 5; i++) await q.add(SESSION_FILE_QUEUE, { ...job(i), fail: i >= 3 }, { attempts: 1 });
  // A worker as it runs in a worker process: its outcomes and output go to Redis.
  const output = { bytesWritten: 0, recordsWritten: 0 };
  const workerConn = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const w = new Worker(SESSION_FILE_QUEUE, async (j) => {
    if (j.data.fail) throw new Error('cannot parse line 3');
    output.bytesWritten += 1000;
    output.recordsWritten += 2;
    return { samples: 2 };
  }, { connection: workerConn, prefix });
  observeJobMetrics(w, new WorkerMetrics(conn, prefix), output);
  await waitFor(async () => {
    const c = await q.getJobCounts('completed', 'failed');
    return c.completed === 3 && c.failed === 2;
  }, 'the jobs to finish');
  await w.close();
  workerConn.disconnect();
  // Metrics are written by event listeners after the job finished: let them land.
  await waitFor(async () => Number(await conn.hget(new WorkerMetrics(conn, prefix).key(SESSION_FILE_QUEUE), 'samples_written')) === 6, 'metrics');
  for (let i = 10; i < 14; i++) await q.add(SESSION_FILE_QUEUE, job(i));
  await q.add(SESSION_FILE_QUEUE, job(20), { delay: 3_600_000 });
  await q.close();
  const other = new Queue(QUEUES[QUEUES.length - 1].name, { connection: conn, prefix });
  await other.pause();
  await other.close();
  await new WorkerRegistry(conn, prefix).beat('metrics-test-worker', { host: hostname(), queues: [SESSION_FILE_QUEUE], pid: process.pid });
  await conn.set(`${prefix}:github:ratelimit`, JSON.stringify({ remaining: 4321, resetAt: '2026-01-01T00:00:00Z' }));

  const cfg = loadConfig({ REDIS_URL, HARVEST_PREFIX: prefix });
  server = await createServer({ cfg, log, auth: { users: [{ user: 'admin', password: 'pw-admin', access: 'full' }], token: TOKEN, readOnly: false } });
  url = (await server.listen('127.0.0.1', 0)).url;
});

after(async () => {
  await server?.close();
  conn?.disconnect();
  await dropPrefix(prefix);
});

test('/metrics needs credentials', async () => {
  assert.equal((await fetch(`${url}/metrics`)).status, 401);
  assert.equal((await fetch(`${url}/metrics`, { headers: { authorization: 'Bearer wrong-token-0123456789' } })).status, 401);
});

test('/metrics parses as Prometheus text and its counts match the queues', async () => {
  const res = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  const m = parsePrometheusText(await res.text());

  assert.equal(m.get('harvest_up')?.type, 'gauge');
  assert.equal(sampleValue(m, 'harvest_up'), 1);
  const conn2 = new Redis(REDIS_URL);
  try {
    for (const info of QUEUES) {
      const q = new Queue(info.name, { connection: conn2, prefix });
      const counts = await q.getJobCounts(...JOB_STATES);
      for (const s of JOB_STATES) assert.equal(sampleValue(m, 'harvest_queue_jobs', { queue: info.name, state: s }), counts[s], `${info.name} ${s}`);
      assert.equal(sampleValue(m, 'harvest_queue_paused', { queue: info.name }), (await q.isPaused()) ? 1 : 0);
      await q.close();
    }
  } finally {
    conn2.disconnect();
  }
  const sf = { queue: SESSION_FILE_QUEUE };
  assert.equal(sampleValue(m, 'harvest_queue_jobs', { ...sf, state: 'completed' }), 3);
  assert.equal(sampleValue(m, 'harvest_queue_jobs', { ...sf, state: 'failed' }), 2);
  assert.equal(sampleValue(m, 'harvest_queue_jobs', { ...sf, state: 'waiting' }), 4);
  assert.equal(sampleValue(m, 'harvest_queue_jobs', { ...sf, state: 'delayed' }), 1);
  assert.equal(sampleValue(m, 'harvest_queue_paused', { queue: QUEUES[QUEUES.length - 1].name }), 1);
  assert.equal(sampleValue(m, 'harvest_queue_workers', sf), 1);

  assert.equal(m.get('harvest_jobs_completed_total')?.type, 'counter');
  assert.equal(sampleValue(m, 'harvest_jobs_completed_total', sf), 3);
  assert.equal(sampleValue(m, 'harvest_jobs_failed_total', sf), 2);
  assert.equal(sampleValue(m, 'harvest_job_attempts_failed_total', sf), 2);
  assert.equal(sampleValue(m, 'harvest_written_bytes_total', sf), 3000);
  assert.equal(sampleValue(m, 'harvest_written_samples_total', sf), 6);
  assert.equal(sampleValue(m, 'harvest_github_ratelimit_remaining'), 4321);
  assert.equal(sampleValue(m, 'harvest_github_ratelimit_reset_timestamp_seconds'), Date.parse('2026-01-01T00:00:00Z') / 1000);

  const h = m.get('harvest_job_duration_seconds');
  assert.equal(h?.type, 'histogram');
  for (const [outcome, n] of [['completed', 3], ['failed', 2]] as const) {
    const labels = { ...sf, outcome };
    assert.equal(sampleValue(m, 'harvest_job_duration_seconds', labels, 'harvest_job_duration_seconds_count'), n);
    const buckets: PromSample[] = h!.samples.filter((s) => s.name === 'harvest_job_duration_seconds_bucket' && s.labels.outcome === outcome && s.labels.queue === SESSION_FILE_QUEUE);
    assert.equal(buckets.length, JOB_DURATION_BUCKETS.length + 1);
    for (let i = 1; i < buckets.length; i++) assert.ok(buckets[i].value >= buckets[i - 1].value, 'cumulative buckets');
    assert.equal(buckets.at(-1)!.labels.le, '+Inf');
    assert.equal(buckets.at(-1)!.value, n);
  }
});

test('/healthz: 200 with workers per queue while Redis answers, 503 when it does not', async () => {
  const res = await fetch(`${url}/healthz`);
  assert.equal(res.status, 200);
  const body = (await res.json()) as { status: string; queues: Record<string, { workers: number }> };
  assert.equal(body.status, 'ok');
  assert.equal(body.queues[SESSION_FILE_QUEUE].workers, 1);
  for (const q of QUEUES) assert.ok(body.queues[q.name], `health lists ${q.name}`);

  // A server whose Redis is gone still answers, with 503 and harvest_up 0.
  const cfg = loadConfig({ REDIS_URL: 'redis://127.0.0.1:1', HARVEST_PREFIX: prefix });
  const down = await createServer({ cfg, log, auth: { users: [], token: TOKEN, readOnly: false } });
  const { url: downUrl } = await down.listen('127.0.0.1', 0);
  try {
    const r = await fetch(`${downUrl}/healthz`);
    assert.equal(r.status, 503);
    assert.equal(((await r.json()) as { status: string }).status, 'unavailable');
    const mr = await fetch(`${downUrl}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
    assert.equal(mr.status, 200);
    assert.equal(sampleValue(parsePrometheusText(await mr.text()), 'harvest_up'), 0);
  } finally {
    await down.close();
  }
});
