// The Redis an operations command (status, jobs, shards recover) talks to: the configured one, never
// a private server, and a clear error at once when it does not answer.
import { InvalidArgumentError } from 'commander';
import type { Redis } from 'ioredis';
import type { HarvestConfig } from '../config.ts';
import { clientConnection } from '../../queues/connection.ts';
import { QUEUES, queueInfo, UnknownQueueError, type QueueInfo } from '../../queues/index.ts';
import { redisAnswers, safeUrl, RedisUnavailableError } from './ensure-redis.ts';

export async function opsRedis(cfg: HarvestConfig): Promise<Redis> {
  if (!(await redisAnswers(cfg.redisUrl))) {
    throw new RedisUnavailableError(`Redis is not reachable at ${safeUrl(cfg.redisUrl)}`, 'start it, or set REDIS_URL to the one the workers use; `harvest doctor` checks it');
  }
  const r = clientConnection({ redisUrl: cfg.redisUrl, prefix: cfg.prefix });
  r.on('error', () => undefined);
  return r;
}

/** `--queue NAME` (repeatable or comma-separated), or `all`. */
export function chooseQueues(names: string[]): QueueInfo[] {
  const flat = names.flatMap((n) => n.split(',')).map((n) => n.trim()).filter(Boolean);
  if (flat.includes('all')) return QUEUES;
  if (flat.length === 0) throw new InvalidArgumentError('--queue needs a queue name (or all)');
  try {
    return [...new Set(flat)].map(queueInfo);
  } catch (e) {
    if (e instanceof UnknownQueueError) throw new InvalidArgumentError(e.message);
    throw e;
  }
}
