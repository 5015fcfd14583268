// A pr-poll test bench: its own Redis prefix, InfluxDB database and output folder, workers started
// in this process against the GitHub stand-in, and waits on jobs. Each `close()` removes it all.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Job, JobsOptions, Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { loadConfig, type HarvestConfig } from '../../src/config.ts';
import { createLogger } from '../../src/log.ts';
import { prPollQueue, type PrPollJob } from '../../queues/pr-poll.ts';
import { startPrPollWorker, type PrPollWorkerOptions, type RunningPrPollWorker } from '../../workers/pr-poll.ts';
import type { InfluxdbHandle } from './influxdb.ts';
import { dropPrefix, REDIS_URL, uniquePrefix } from './redis.ts';

export const GITHUB_TOKEN = 'ghp_standinToken0123456789abcdefABCDEF';
export const log = createLogger(process.env.HARVEST_LOG_LEVEL ?? 'silent');
/** Retries that a test can wait out. */
export const FAST_JOBS: JobsOptions = { attempts: 30, backoff: { type: 'fixed', delay: 300 } };

export interface PrPollBench {
  prefix: string;
  database: string;
  env: NodeJS.ProcessEnv;
  cfg: HarvestConfig;
  out: string;
  redis: Redis;
  queue: Queue<PrPollJob>;
  start(id?: string, opts?: PrPollWorkerOptions): Promise<RunningPrPollWorker>;
  rows(q: string): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

export async function prPollBench(name: string, gh: { url: string }, influx: InfluxdbHandle | null, extraEnv: NodeJS.ProcessEnv = {}): Promise<PrPollBench> {
  const prefix = uniquePrefix(name);
  const database = `t_${name.replace(/\W/g, '_')}_${prefix.slice(-8)}`;
  if (influx) await influx.createDatabase(database);
  const out = await mkdtemp(join(tmpdir(), `harvest-${name}-`));
  const env: NodeJS.ProcessEnv = {
    GITHUB_TOKEN,
    GITHUB_API_URL: gh.url,
    ...(influx ? { INFLUX_URL: influx.url, INFLUX_DB: database } : {}),
    ...extraEnv,
  };
  const cfg = loadConfig({ REDIS_URL, HARVEST_PREFIX: prefix, HARVEST_OUT: out, HARVEST_WORKER_ID: `${name}-w` });
  const redis = new Redis(REDIS_URL);
  const queue = prPollQueue({ redisUrl: REDIS_URL, prefix }, redis);
  const workers: RunningPrPollWorker[] = [];
  return {
    prefix,
    database,
    env,
    cfg,
    out,
    redis,
    queue,
    async start(id = 'a', opts = {}) {
      const w = await startPrPollWorker({ ...cfg, workerId: `${name}-${id}` }, log, 2, {
        env,
        github: { minRequestIntervalMs: 0, maxInlineWaitMs: 0, retryBaseMs: 10 },
        settings: { unknownRecheckMs: 300 },
        followUpJobOptions: FAST_JOBS,
        ...opts,
      });
      workers.push(w);
      return w;
    },
    rows: (q) => {
      if (!influx) throw new Error('no InfluxDB in this bench');
      return influx.rows(q, database);
    },
    async close() {
      for (const w of workers) await w.close();
      await queue.close();
      redis.disconnect();
      await dropPrefix(prefix);
      // The GitHub limiter's keys (Bottleneck names them b_<id>; they would expire in 2 minutes).
      await dropPrefix(`b_${prefix}`);
      await rm(out, { recursive: true, force: true });
    },
  };
}

/** Waits until the job is completed (returns it) or failed (throws its reason, unless allowed). */
export async function waitJob(queue: Queue<PrPollJob>, id: string, opts: { timeoutMs?: number; allowFail?: boolean } = {}): Promise<Job<PrPollJob>> {
  const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
  for (;;) {
    const state = await queue.getJobState(id);
    if (state === 'completed' || state === 'failed') {
      // Read after the state settled, so the return value or failure reason is there.
      const job = (await queue.getJob(id))!;
      if (state === 'completed' || opts.allowFail) return job;
      throw new Error(`job ${id} failed: ${job.failedReason}`);
    }
    if (Date.now() > deadline) throw new Error(`job ${id} still ${state} after ${opts.timeoutMs ?? 30_000} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Waits until `check` holds, polling. */
export async function until(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
