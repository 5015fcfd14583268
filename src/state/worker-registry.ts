// Which worker processes are alive, by heartbeat keys with a TTL: lets health checks count workers
// per queue, lets producers see which datasets are being written, and tells a process on another
// machine whether a shard lock's holder still lives. An index (sorted set by expiry) lists them
// without SCAN, which on Redis Cluster would see one node only.
import type { Redis } from 'ioredis';

export interface LiveWorker { id: string; host: string; queues: string[]; pid: number; at: number; dataset?: string }

export const HEARTBEAT_MS = 10_000;
const TTL_MS = 3 * HEARTBEAT_MS;

export class WorkerRegistry {
  constructor(private readonly redis: Redis, private readonly prefix: string) {}

  private key(id: string): string {
    return `${this.prefix}:worker:${id}`;
  }

  private get index(): string {
    return `${this.prefix}:workers`;
  }

  async beat(id: string, info: { host: string; queues: string[]; pid: number; dataset?: string }): Promise<void> {
    const now = Date.now();
    await this.redis.multi()
      .set(this.key(id), JSON.stringify({ ...info, at: now }), 'PX', TTL_MS)
      .zadd(this.index, now + TTL_MS, id)
      .exec();
  }

  async remove(id: string): Promise<void> {
    await this.redis.multi().del(this.key(id)).zrem(this.index, id).exec();
  }

  async isAlive(id: string): Promise<boolean> {
    return (await this.redis.exists(this.key(id))) === 1;
  }

  /** Live workers with what they serve. */
  async list(): Promise<LiveWorker[]> {
    const now = Date.now();
    await this.redis.zremrangebyscore(this.index, '-inf', now);
    const ids = await this.redis.zrangebyscore(this.index, now, '+inf');
    if (ids.length === 0) return [];
    const vals = await this.redis.mget(...ids.map((id) => this.key(id)));
    const out: LiveWorker[] = [];
    ids.forEach((id, i) => {
      if (vals[i]) out.push({ id, ...JSON.parse(vals[i] as string) });
    });
    return out;
  }
}
