// Counters of one run (a backfill or a watch session) summed across every worker in Redis, so a
// producer can print one summary however many processes did the work.
import type { Redis } from 'ioredis';
import type { Counts } from '../model/session.ts';
import type { RunWarning } from '../model/run-warning.ts';

const TTL_SECONDS = 7 * 24 * 3600;

/** Warnings listed per run at most; beyond, they are counted (`warnings_not_listed`), not kept. */
export const MAX_LISTED_WARNINGS = 50_000;

// KEYS: jobs set, counts hash, warnings list. ARGV: job key, ttl, list cap, number of field/value
// pairs, the pairs, then the warnings (JSON).
const ADD_ONCE = `
if redis.call('SADD', KEYS[1], ARGV[1]) == 0 then return 0 end
local n = tonumber(ARGV[4])
for i = 5, 4 + n * 2, 2 do redis.call('HINCRBYFLOAT', KEYS[2], ARGV[i], ARGV[i + 1]) end
local first = 5 + n * 2
if #ARGV >= first then
  redis.call('HINCRBY', KEYS[2], 'warnings', #ARGV - first + 1)
  for i = first, #ARGV do
    if redis.call('LLEN', KEYS[3]) < tonumber(ARGV[3]) then redis.call('RPUSH', KEYS[3], ARGV[i])
    else redis.call('HINCRBY', KEYS[2], 'warnings_not_listed', 1) end
  end
  redis.call('EXPIRE', KEYS[3], ARGV[2])
end
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
   * Adds a job's counts and warnings once: a job that runs twice (stall, retry after its counts
   * landed) does not count twice.
   */
  async addOnce(runId: string, jobKey: string, counts: Counts, warnings: readonly RunWarning[] = []): Promise<void> {
    const entries = Object.entries(counts).filter(([, v]) => v !== 0);
    const flat = entries.flatMap(([k, v]) => [k, String(v)]);
    await this.redis.eval(ADD_ONCE, 3, `${this.prefix}:run:${runId}:jobs`, this.key(runId), this.warningsKey(runId),
      jobKey, TTL_SECONDS, MAX_LISTED_WARNINGS, entries.length, ...flat, ...warnings.map((w) => JSON.stringify(w)));
  }

  private warningsKey(runId: string): string {
    return `${this.prefix}:run:${runId}:warnings`;
  }

  /** Every listed warning of the run, in the order they landed. */
  async warnings(runId: string): Promise<RunWarning[]> {
    const out: RunWarning[] = [];
    const key = this.warningsKey(runId);
    const len = await this.redis.llen(key);
    for (let i = 0; i < len; i += 1000) {
      for (const s of await this.redis.lrange(key, i, i + 999)) out.push(JSON.parse(s) as RunWarning);
    }
    return out;
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
