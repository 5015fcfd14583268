// The state of a harvest deployment at a glance, read from Redis: queue counts, live workers,
// fleet-wide job counters, the GitHub rate limit. Shared by `/healthz`, `/metrics` and `harvest status`.
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { QueueInfo } from '../../queues/index.ts';
import { WorkerRegistry } from '../state/worker-registry.ts';
import { WorkerMetrics, type QueueJobMetrics } from '../state/worker-metrics.ts';

export const JOB_STATES = ['waiting', 'active', 'delayed', 'prioritized', 'waiting-children', 'failed', 'completed'] as const;
export type JobState = (typeof JOB_STATES)[number];

export interface QueueSnapshot {
  name: string;
  description: string;
  paused: boolean;
  counts: Record<JobState, number>;
  /** Live workers (by heartbeat) that serve this queue. */
  workers: number;
  metrics: QueueJobMetrics;
}

export interface WorkerSnapshot {
  id: string;
  host: string;
  queues: string[];
  pid: number;
  /** Age of its last heartbeat, ms. */
  lastBeatMs: number;
}

export interface GithubRateLimit {
  remaining: number;
  resetAt: string | null;
}

export interface HarvestSnapshot {
  at: string;
  prefix: string;
  redis: { ok: boolean; latencyMs?: number; error?: string };
  /** Empty when Redis did not answer. */
  queues: QueueSnapshot[];
  workers: WorkerSnapshot[];
  github: GithubRateLimit | null;
}

/** The Queue objects of every harvest queue on one connection; close them when done. */
export class QueueSet {
  readonly queues: { info: QueueInfo; queue: Queue }[];

  constructor(connection: Redis, prefix: string, infos: QueueInfo[]) {
    this.queues = infos.map((info) => ({
      info,
      queue: new Queue(info.name, { connection, prefix, defaultJobOptions: info.jobOptions }),
    }));
  }

  get(name: string): Queue | undefined {
    return this.queues.find((q) => q.info.name === name)?.queue;
  }

  async close(): Promise<void> {
    await Promise.all(this.queues.map((q) => q.queue.close()));
  }
}

export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let t: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<never>((_, reject) => {
      t = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(t));
}

export async function pingRedis(redis: Redis, timeoutMs = 2000): Promise<HarvestSnapshot['redis']> {
  const t0 = performance.now();
  try {
    await withTimeout(redis.ping(), timeoutMs, 'Redis PING');
    return { ok: true, latencyMs: Math.round((performance.now() - t0) * 10) / 10 };
  } catch (e) {
    return { ok: false, error: (e as Error).message };
  }
}

export function githubRateLimitKey(prefix: string): string {
  return `${prefix}:github:ratelimit`;
}

/** Parses the PR-poll worker's `{remaining, resetAt}` (resetAt as ISO text or epoch s/ms). */
export function parseRateLimit(raw: string | null): GithubRateLimit | null {
  if (!raw) return null;
  try {
    const v = JSON.parse(raw) as { remaining?: unknown; resetAt?: unknown };
    const remaining = Number(v.remaining);
    if (!Number.isFinite(remaining)) return null;
    let resetAt: string | null = null;
    if (typeof v.resetAt === 'number' && Number.isFinite(v.resetAt)) {
      resetAt = new Date(v.resetAt < 1e12 ? v.resetAt * 1000 : v.resetAt).toISOString();
    } else if (typeof v.resetAt === 'string' && !Number.isNaN(Date.parse(v.resetAt))) {
      resetAt = new Date(v.resetAt).toISOString();
    }
    return { remaining, resetAt };
  } catch {
    return null;
  }
}

export async function takeSnapshot(redis: Redis, prefix: string, set: QueueSet, timeoutMs = 5000): Promise<HarvestSnapshot> {
  const at = new Date().toISOString();
  const ping = await pingRedis(redis, Math.min(timeoutMs, 2000));
  if (!ping.ok) return { at, prefix, redis: ping, queues: [], workers: [], github: null };
  const names = set.queues.map((q) => q.info.name);
  const [perQueue, live, metrics, rl] = await withTimeout(Promise.all([
    Promise.all(set.queues.map(async ({ queue }) => {
      const [counts, paused] = await Promise.all([queue.getJobCounts(...JOB_STATES), queue.isPaused()]);
      return { counts, paused };
    })),
    new WorkerRegistry(redis, prefix).list(),
    new WorkerMetrics(redis, prefix).read(names),
    redis.get(githubRateLimitKey(prefix)),
  ]), timeoutMs, 'reading queue state from Redis');
  const now = Date.now();
  const workers: WorkerSnapshot[] = live
    .map((w) => ({ id: w.id, host: w.host, queues: w.queues ?? [], pid: w.pid, lastBeatMs: Math.max(0, now - w.at) }))
    .sort((a, b) => a.id.localeCompare(b.id));
  const queues = set.queues.map(({ info }, i) => {
    const c = perQueue[i].counts;
    const counts = Object.fromEntries(JOB_STATES.map((s) => [s, c[s] ?? 0])) as Record<JobState, number>;
    return {
      name: info.name,
      description: info.description,
      paused: perQueue[i].paused,
      counts,
      workers: workers.filter((w) => w.queues.includes(info.name)).length,
      metrics: metrics[info.name],
    };
  });
  return { at, prefix, redis: ping, queues, workers, github: parseRateLimit(rl) };
}
