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

// KEYS[1] records hash, KEYS[2] content hash. ARGV: recordId, version, gptHash, sampleHash.
// Reserving the gpt hash at claim time closes the race of two workers writing the same content;
// the reservation is for this record id, so a retry of the same record still proceeds.
const CLAIM = `
local cur = redis.call('HGET', KEYS[1], ARGV[1])
if cur then
  local sep = string.find(cur, '|', 1, true)
  local v = tonumber(string.sub(cur, 1, sep - 1))
  local h = string.sub(cur, sep + 1)
  if h == ARGV[4] then return 'same' end
  if v > tonumber(ARGV[2]) then return 'stale' end
end
local owner = redis.call('HGET', KEYS[2], ARGV[3])
if owner and owner ~= ARGV[1] then return 'duplicate' end
if not owner then redis.call('HSET', KEYS[2], ARGV[3], ARGV[1]) end
return 'write'
`;

// Records the version only if it is not older than what is there (a late retry never rolls back).
const COMMIT = `
local cur = redis.call('HGET', KEYS[1], ARGV[1])
if cur then
  local sep = string.find(cur, '|', 1, true)
  if tonumber(string.sub(cur, 1, sep - 1)) > tonumber(ARGV[2]) then return 0 end
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2] .. '|' .. ARGV[4])
redis.call('HSETNX', KEYS[2], ARGV[3], ARGV[1])
return 1
`;

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

type ScriptPipeline = ReturnType<Redis['pipeline']> & LedgerScripts;

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
    if (entries.length === 0) return [];
    const pipe = this.redis.pipeline() as ScriptPipeline;
    for (const e of entries) pipe.harvestLedgerClaim(this.recordsKey, this.contentKey, e.recordId, e.version, e.gptHash, e.sampleHash);
    const res = (await pipe.exec()) ?? [];
    return res.map(([err, v]) => {
      if (err) throw err;
      return v as ClaimDecision;
    });
  }

  async commit(entries: LedgerEntry[]): Promise<void> {
    if (entries.length === 0) return;
    const pipe = this.redis.pipeline() as ScriptPipeline;
    for (const e of entries) pipe.harvestLedgerCommit(this.recordsKey, this.contentKey, e.recordId, e.version, e.gptHash, e.sampleHash);
    for (const [err] of (await pipe.exec()) ?? []) if (err) throw err;
  }

  async size(): Promise<number> {
    return this.redis.hlen(this.recordsKey);
  }

  /** Replays manifest entries (from any number of shards) into Redis; idempotent. */
  async rebuild(entries: Iterable<LedgerEntry>): Promise<number> {
    let n = 0;
    let pipe = this.redis.pipeline() as ScriptPipeline;
    for (const e of entries) {
      pipe.harvestLedgerCommit(this.recordsKey, this.contentKey, e.recordId, e.version, e.gptHash, e.sampleHash);
      if (++n % 1000 === 0) {
        await pipe.exec();
        pipe = this.redis.pipeline() as ScriptPipeline;
      }
    }
    await pipe.exec();
    return n;
  }
}
