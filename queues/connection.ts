// Redis connections for queues and shared state. BullMQ workers need maxRetriesPerRequest: null
// so a blocked worker waits through a Redis restart instead of failing its jobs.
import { Redis, type RedisOptions } from 'ioredis';

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

/** A connection for Workers (blocking commands; never give up on a request). */
export function workerConnection(ctx: QueueContext): Redis {
  return new Redis(redisOptions(ctx.redisUrl, { maxRetriesPerRequest: null }));
}

/** A connection for producers and state: fail fast so a CLI can say Redis is down. */
export function clientConnection(ctx: QueueContext, extra: RedisOptions = {}): Redis {
  return new Redis(redisOptions(ctx.redisUrl, { maxRetriesPerRequest: 2, enableOfflineQueue: true, ...extra }));
}

/** Lock and stall settings every harvest worker uses: a dead worker's jobs come back within ~45 s. */
export const WORKER_LOCKS = { lockDuration: 30_000, stalledInterval: 15_000, maxStalledCount: 3 } as const;
