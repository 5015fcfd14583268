// Redis as harvest needs it: reachable, a version BullMQ runs on, `maxmemory-policy noeviction`
// (an evicting Redis drops queue keys and ledger entries under memory pressure), and AOF (without
// it a restart loses waiting jobs and schedules).
import { spawnSync } from 'node:child_process';
import { Redis } from 'ioredis';
import { redisOptions } from '../../../queues/connection.ts';
import { safeUrl } from '../ensure-redis.ts';
import { check, type CheckResult } from './check.ts';

/** `INFO` as field -> value. */
export function parseInfo(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i > 0 && !line.startsWith('#')) out[line.slice(0, i)] = line.slice(i + 1).trim();
  }
  return out;
}

const versionAtLeast = (v: string, major: number, minor: number): boolean => {
  const [a, b] = v.split('.').map(Number);
  return a > major || (a === major && b >= minor);
};

export async function checkRedis(url: string, explicit: boolean): Promise<CheckResult[]> {
  const where = safeUrl(url);
  const r = new Redis(redisOptions(url, { lazyConnect: true, connectTimeout: 2000, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false }));
  r.on('error', () => undefined);
  let info: Record<string, string>;
  try {
    await r.connect();
    info = parseInfo(await r.info());
  } catch (e) {
    const hasServer = spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
    if (!explicit && hasServer) {
      return [check('redis', 'warn', `nothing answers at ${where}; backfill and \`npm start\` start a private redis-server for their run`,
        'for workers that share queues (harvest worker, serve, other hosts) run one: `redis-server --appendonly yes --maxmemory-policy noeviction`, or set REDIS_URL')];
    }
    return [check('redis', 'fail', `Redis is not reachable at ${where} (${(e as Error).message})`,
      explicit ? 'start it, or fix REDIS_URL' : 'start one (`apt-get install redis-server`), or set REDIS_URL to one that runs')];
  } finally {
    r.disconnect();
  }
  const version = info.redis_version ?? '?';
  const out: CheckResult[] = [];
  if (!versionAtLeast(version, 5, 0)) out.push(check('redis', 'fail', `${where} answers, version ${version}: BullMQ needs Redis 5 or newer`, 'upgrade Redis (6.2 or newer)', { version }));
  else if (!versionAtLeast(version, 6, 2)) out.push(check('redis', 'warn', `${where} answers, version ${version}: BullMQ recommends 6.2 or newer`, 'upgrade Redis', { version }));
  else out.push(check('redis', 'ok', `${where} answers, version ${version}`, undefined, { version }));

  const policy = info.maxmemory_policy ?? '?';
  if (policy === 'noeviction') out.push(check('redis policy', 'ok', 'maxmemory-policy noeviction', undefined, { policy }));
  else {
    out.push(check('redis policy', 'fail', `maxmemory-policy is ${policy}: under memory pressure Redis may evict queued jobs and dedupe-ledger keys (lost jobs, duplicate samples)`,
      `\`redis-cli -u ${where} CONFIG SET maxmemory-policy noeviction\`, and \`maxmemory-policy noeviction\` in redis.conf`, { policy }));
  }
  if (info.aof_enabled === '1') out.push(check('redis aof', 'ok', 'append-only file on', undefined, { aof: true }));
  else {
    out.push(check('redis aof', 'warn', 'AOF is off: a Redis restart loses waiting jobs, schedules and run counters (the dedupe ledger is rebuilt from the manifests)',
      `\`redis-cli -u ${where} CONFIG SET appendonly yes\`, and \`appendonly yes\` in redis.conf`, { aof: false }));
  }
  return out;
}
