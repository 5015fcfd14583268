// The dataset's memory, shared by every worker on every host through Redis: which records exist
// (id -> version and content hash) and which gpt contents are taken (hash -> record id).
// Losing it is recoverable: `rebuild` replays the shard manifests.
import type { Redis } from 'ioredis';

export type ClaimDecision = 'write' | 'same' | 'stale' | 'duplicate';

export interface LedgerEntry {
  recordId: string;
  version: number;
  gptHash: string;
  /** Hash of the whole conversation: an unchanged re-read is recognised and skipped. */
  sampleHash: string;
}

// KEYS[1] records hash, KEYS[2] content hash. ARGV: recordId, version, gptHash, sampleHash, then the
// same four for the next entry, and so on: one call per batch, entries decided in order (a second
// entry with the same gpt content in one batch is a duplicate, as if sent alone after the first).
// Reserving the gpt hash at claim time closes the race of two workers writing the same content;
// the reservation is for this record id, so a retry of the same record still proceeds.
const CLAIM = `
local out = {}
for i = 1, #ARGV, 4 do
  local id, ver, gpt, hash = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3]
  local decision = nil
  local cur = redis.call('HGET', KEYS[1], id)
  if cur then
    local sep = string.find(cur, '|', 1, true)
    local v = tonumber(string.sub(cur, 1, sep - 1))
    local h = string.sub(cur, sep + 1)
    if h == hash then decision = 'same'
    elseif v > tonumber(ver) then decision = 'stale' end
  end
  if not decision then
    local owner = redis.call('HGET', KEYS[2], gpt)
    if owner and owner ~= id then decision = 'duplicate'
    else
      if not owner then redis.call('HSET', KEYS[2], gpt, id) end
      decision = 'write'
    end
  end
  out[#out + 1] = decision
end
return out
`;

// Records each version only if it is not older than what is there (a late retry never rolls back).
const COMMIT = `
for i = 1, #ARGV, 4 do
  local id, ver, gpt, hash = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3]
  local cur = redis.call('HGET', KEYS[1], id)
  local older = false
  if cur then
    local sep = string.find(cur, '|', 1, true)
    older = tonumber(string.sub(cur, 1, sep - 1)) > tonumber(ver)
  end
  if not older then
    redis.call('HSET', KEYS[1], id, ver .. '|' .. hash)
    redis.call('HSETNX', KEYS[2], gpt, id)
  end
end
return 1
`;

/** Entries per script call: bounds how long one call holds Redis (about a millisecond). */
const ENTRIES_PER_CALL = 500;

/** The scripts as connection commands: sent by digest (EVALSHA), not as text on every call. */
interface LedgerScripts {
  harvestLedgerClaim(...args: (string | number)[]): Promise<unknown>;
  harvestLedgerCommit(...args: (string | number)[]): Promise<unknown>;
}

function withScripts(redis: Redis): Redis & LedgerScripts {
  const r = redis as Redis & Partial<LedgerScripts>;
  if (!r.harvestLedgerClaim) redis.defineCommand('harvestLedgerClaim', { numberOfKeys: 2, lua: CLAIM });
  if (!r.harvestLedgerCommit) redis.defineCommand('harvestLedgerCommit', { numberOfKeys: 2, lua: COMMIT });
  return redis as Redis & LedgerScripts;
}

function flat(entries: LedgerEntry[]): (string | number)[] {
  const args: (string | number)[] = [];
  for (const e of entries) args.push(e.recordId, e.version, e.gptHash, e.sampleHash);
  return args;
}

export class RecordLedger {
  readonly recordsKey: string;
  readonly contentKey: string;
  private readonly redis: Redis & LedgerScripts;

  constructor(redis: Redis, prefix: string) {
    this.redis = withScripts(redis);
    this.recordsKey = `${prefix}:ledger:records`;
    this.contentKey = `${prefix}:ledger:content`;
  }

  async claim(entries: LedgerEntry[]): Promise<ClaimDecision[]> {
    const out: ClaimDecision[] = [];
    for (let i = 0; i < entries.length; i += ENTRIES_PER_CALL) {
      const part = entries.slice(i, i + ENTRIES_PER_CALL);
      out.push(...((await this.redis.harvestLedgerClaim(this.recordsKey, this.contentKey, ...flat(part))) as ClaimDecision[]));
    }
    return out;
  }

  async commit(entries: LedgerEntry[]): Promise<void> {
    for (let i = 0; i < entries.length; i += ENTRIES_PER_CALL) {
      await this.redis.harvestLedgerCommit(this.recordsKey, this.contentKey, ...flat(entries.slice(i, i + ENTRIES_PER_CALL)));
    }
  }

  async size(): Promise<number> {
    return this.redis.hlen(this.recordsKey);
  }

  /** Replays manifest entries (from any number of shards) into Redis; idempotent. */
  async rebuild(entries: Iterable<LedgerEntry>): Promise<number> {
    let n = 0;
    let part: LedgerEntry[] = [];
    for (const e of entries) {
      part.push(e);
      n++;
      if (part.length === ENTRIES_PER_CALL) {
        await this.commit(part);
        part = [];
      }
    }
    await this.commit(part);
    return n;
  }
}
