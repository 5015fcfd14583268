// Counters of one run (a backfill or a watch session) summed across every worker in Redis, so a
// producer can print one summary however many processes did the work.
import type { Redis } from 'ioredis';
import type { Counts } from '../model/session.ts';

const TTL_SECONDS = 7 * 24 * 3600;

// KEYS: jobs set, counts hash. ARGV: job key, ttl, then field/value pairs.
const ADD_ONCE = `
if redis.call('SADD', KEYS[1], ARGV[1]) == 0 then return 0 end
for i = 3, #ARGV, 2 do redis.call('HINCRBYFLOAT', KEYS[2], ARGV[i], ARGV[i + 1]) end
redis.call('EXPIRE', KEYS[1], ARGV[2])
redis.call('EXPIRE', KEYS[2], ARGV[2])
return 1
`;

export class RunStats {
  constructor(private readonly redis: Redis, private readonly prefix: string) {}

  private key(runId: string): string {
    return `${this.prefix}:run:${runId}:counts`;
  }

  /**
   * Adds a job's counts once: a job that runs twice (stall, retry after its counts landed) does not
   * count twice.
   */
  async addOnce(runId: string, jobKey: string, counts: Counts): Promise<void> {
    const entries = Object.entries(counts).filter(([, v]) => v !== 0);
    const flat = entries.flatMap(([k, v]) => [k, String(v)]);
    await this.redis.eval(ADD_ONCE, 2, `${this.prefix}:run:${runId}:jobs`, this.key(runId), jobKey, TTL_SECONDS, ...flat);
  }

  async add(runId: string, counts: Counts): Promise<void> {
    const entries = Object.entries(counts).filter(([, v]) => v !== 0);
    if (entries.length === 0) return;
    const pipe = this.redis.pipeline();
    for (const [k, v] of entries) pipe.hincrbyfloat(this.key(runId), k, v);
    pipe.expire(this.key(runId), TTL_SECONDS);
    await pipe.exec();
  }

  async get(runId: string): Promise<Counts> {
    const raw = await this.redis.hgetall(this.key(runId));
    const out: Counts = {};
    for (const [k, v] of Object.entries(raw)) out[k] = Number(v);
    return out;
  }
}
