// Redis connections for queues and shared state. BullMQ workers need maxRetriesPerRequest: null
// so a blocked worker waits through a Redis restart instead of failing its jobs.
import { Cluster, Redis, type RedisOptions } from 'ioredis';

export interface QueueContext {
  redisUrl: string;
  /** Key prefix of every harvest key; use a hash tag such as `{harvest}` on Redis Cluster. */
  prefix: string;
}

export function redisOptions(url: string, extra: RedisOptions = {}): RedisOptions {
  const u = new URL(url);
  const db = u.pathname && u.pathname.length > 1 ? Number(u.pathname.slice(1)) : 0;
  return {
    host: u.hostname || '127.0.0.1',
    port: Number(u.port || 6379),
    username: u.username ? decodeURIComponent(u.username) : undefined,
    password: u.password ? decodeURIComponent(u.password) : undefined,
    db: Number.isFinite(db) ? db : 0,
    tls: u.protocol === 'rediss:' ? {} : undefined,
    ...extra,
  };
}

/**
 * A Redis Cluster is named by any of its nodes with `?cluster` (`redis://10.0.0.5:7000/?cluster`):
 * the client discovers the others and follows the slots. Every harvest key must then share one
 * hash slot: a prefix with a hash tag (`HARVEST_PREFIX={harvest}`).
 */
export const isClusterUrl = (url: string): boolean => new URL(url).searchParams.has('cluster');

function connect(url: string, opts: RedisOptions): Redis {
  if (!isClusterUrl(url)) return new Redis(opts);
  const { host, port, db: _db, enableOfflineQueue, ...nodeOptions } = opts;
  // Cluster implements the commands harvest and BullMQ use; its type is apart from Redis's.
  return new Cluster([{ host: host ?? '127.0.0.1', port: port ?? 6379 }], {
    redisOptions: nodeOptions,
    enableOfflineQueue: enableOfflineQueue ?? true,
  }) as unknown as Redis;
}

/** A connection for Workers (blocking commands; never give up on a request). */
export function workerConnection(ctx: QueueContext): Redis {
  return connect(ctx.redisUrl, redisOptions(ctx.redisUrl, { maxRetriesPerRequest: null }));
}

/** A connection for producers and state: fail fast so a CLI can say Redis is down. */
export function clientConnection(ctx: QueueContext, extra: RedisOptions = {}): Redis {
  return connect(ctx.redisUrl, redisOptions(ctx.redisUrl, { maxRetriesPerRequest: 2, enableOfflineQueue: true, ...extra }));
}

/** Lock and stall settings every harvest worker uses: a dead worker's jobs come back within ~45 s. */
export const WORKER_LOCKS = { lockDuration: 30_000, stalledInterval: 15_000, maxStalledCount: 3 } as const;

/** The same with another job lock time (HARVEST_JOB_LOCK_MS): a dead worker's jobs come back within 1.5x it. */
export function workerLocks(lockMs: number = WORKER_LOCKS.lockDuration): { lockDuration: number; stalledInterval: number; maxStalledCount: number } {
  return { lockDuration: lockMs, stalledInterval: Math.max(250, Math.round(lockMs / 2)), maxStalledCount: WORKER_LOCKS.maxStalledCount };
}
