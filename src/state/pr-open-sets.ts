// The open PRs of each repository as its last full poll saw them, in Redis, so the next poll can
// tell which PRs left the open set (merged or closed) in between. Only a newer poll replaces it:
// a slow poll that finishes after a later one does not roll the set back.
import type { Redis } from 'ioredis';

/** Forgotten this long after the repository's last poll (a schedule that was removed). */
const TTL_SECONDS = 30 * 24 * 3600;

export function openSetKey(prefix: string, repo: string): string {
  return `${prefix}:pr-poll:open:${repo.toLowerCase()}`;
}

export interface OpenSet {
  /** When the poll that saw it observed (epoch ms). */
  at: number;
  numbers: number[];
}

// KEYS[1] the set; ARGV: at, numbers (JSON), ttl. 1 when stored, 0 when a newer one is there.
const COMMIT_SCRIPT = `
local at = tonumber(redis.call('HGET', KEYS[1], 'at') or '-1')
if at >= tonumber(ARGV[1]) then return 0 end
redis.call('HSET', KEYS[1], 'at', ARGV[1], 'numbers', ARGV[2])
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[3]))
return 1
`;

export class OpenSets {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  async previous(repo: string): Promise<OpenSet | null> {
    const [at, numbers] = await this.redis.hmget(openSetKey(this.prefix, repo), 'at', 'numbers');
    if (at === null || numbers === null) return null;
    try {
      const list = JSON.parse(numbers) as unknown;
      if (!Array.isArray(list)) return null;
      return { at: Number(at), numbers: list.filter((n): n is number => Number.isSafeInteger(n)) };
    } catch {
      return null;
    }
  }

  /** Stores the set unless a poll observed later already did; true when stored. */
  async commit(repo: string, numbers: readonly number[], at: number): Promise<boolean> {
    const sorted = [...new Set(numbers)].sort((a, b) => a - b);
    const r = await this.redis.eval(COMMIT_SCRIPT, 1, openSetKey(this.prefix, repo), String(Math.trunc(at)), JSON.stringify(sorted), String(TTL_SECONDS));
    return r === 1;
  }
}
