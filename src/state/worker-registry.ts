// Which worker processes are alive, by heartbeat keys with a TTL: lets any worker seal the open
// shards of one that died, and lets health checks count workers per queue.
import type { Redis } from 'ioredis';

export interface LiveWorker { id: string; host: string; queues: string[]; pid: number; at: number }

export const HEARTBEAT_MS = 10_000;
const TTL_MS = 3 * HEARTBEAT_MS;

export class WorkerRegistry {
  constructor(private readonly redis: Redis, private readonly prefix: string) {}

  private key(id: string): string {
    return `${this.prefix}:worker:${id}`;
  }

  async beat(id: string, info: { host: string; queues: string[]; pid: number }): Promise<void> {
    await this.redis.set(this.key(id), JSON.stringify({ ...info, at: Date.now() }), 'PX', TTL_MS);
  }

  async remove(id: string): Promise<void> {
    await this.redis.del(this.key(id));
  }

  async isAlive(id: string): Promise<boolean> {
    return (await this.redis.exists(this.key(id))) === 1;
  }

  /** Live workers with what they serve. */
  async list(): Promise<LiveWorker[]> {
    const out: LiveWorker[] = [];
    let cursor = '0';
    do {
      const [next, keys] = await this.redis.scan(cursor, 'MATCH', `${this.prefix}:worker:*`, 'COUNT', 200);
      cursor = next;
      if (keys.length) {
        const vals = await this.redis.mget(...keys);
        keys.forEach((k, i) => {
          if (vals[i]) out.push({ id: k.slice(this.prefix.length + 8), ...JSON.parse(vals[i] as string) });
        });
      }
    } while (cursor !== '0');
    return out;
  }
}
