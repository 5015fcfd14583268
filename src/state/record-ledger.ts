// The dataset's memory in Redis, a cache of what its folder holds: which records exist (id ->
// version, and the one shard that keeps that version) and which gpt contents are taken (hash ->
// record id). Shared by every worker writing the same dataset folder.
//
// Each record once in the raw files: a shard line counts only if the ledger names its shard as the
// record's keeper. A retry after a crash, or two workers that raced, may write a record twice; the
// second copy is told it is not the keeper and is removed when its shard is sealed.
//
// Redis losing state is noticed, not trusted: every script checks the ledger's sequence key. It is
// gone after a flush or a restart without persistence, and lower than a process has seen after a
// restart that lost the tail of its log. Then one process rebuilds the ledger from the folder (its
// manifests and open shards' commit logs) while the others wait, and everyone carries on.
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';

export type ClaimDecision = 'write' | 'same' | 'stale' | 'duplicate';

export interface LedgerEntry {
  recordId: string;
  version: number;
  gptHash: string;
  /** Hash of the whole line's conversation (kept in manifests; compaction breaks ties with it). */
  sampleHash: string;
}

/** One shard's records as the folder lists them, for a rebuild. */
export interface LedgerShard {
  /** The shard's key: its path under the dataset root without `.jsonl` (`train/crew/part-w1-00003`). */
  shard: string;
  sealed: boolean;
  entries: LedgerEntry[];
}

/** Where a rebuild reads the folder from (sealed shards first, then open ones). */
export type LedgerSource = () => Promise<LedgerShard[]>;

// Values of the records hash: `<version>|<sealed 0/1>|<keeper shard>|<sample hash>`.
const LOST = -1;
const REGRESSED = -2;

// KEYS: records, content, seq. ARGV[1]: the highest sequence this process has seen; then id,
// version, gptHash, sampleHash per entry. Returns {seq, decision...}, or {-1} / {-2, seq}.
// A record id at a version is one record: same version -> same; an older version -> stale. The gpt
// hash is reserved at claim time (two workers writing the same content: one gets duplicate).
const CLAIM = `
local seq = tonumber(redis.call('GET', KEYS[3]))
if not seq then return {${LOST}} end
if seq < tonumber(ARGV[1]) then return {${REGRESSED}, seq} end
local out = {seq}
for i = 2, #ARGV, 4 do
  local id, ver, gpt = ARGV[i], tonumber(ARGV[i + 1]), ARGV[i + 2]
  local decision = nil
  local cur = redis.call('HGET', KEYS[1], id)
  if cur then
    local v = tonumber(string.match(cur, '^(%d+)'))
    if v == ver then decision = 'same' elseif v > ver then decision = 'stale' end
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

// KEYS: records, content, seq. ARGV: minSeq, shard, sealed ('1'/'0'), mode ('keep'/'rebuild'), then
// the entries. Per entry 1 when `shard` keeps this version of the record (it had no keeper yet, an
// older one, or already this shard), else 0. A rebuild lets a sealed shard take over from an open
// keeper (the open copy can still be dropped at its seal; a sealed one cannot).
const KEEP = `
local rebuild = ARGV[4] == 'rebuild'
if not rebuild then
  local seq = tonumber(redis.call('GET', KEYS[3]))
  if not seq then return {${LOST}} end
  if seq < tonumber(ARGV[1]) then return {${REGRESSED}, seq} end
end
local shard, sealed = ARGV[2], ARGV[3]
local out = {0}
for i = 5, #ARGV, 4 do
  local id, ver, gpt, hash = ARGV[i], tonumber(ARGV[i + 1]), ARGV[i + 2], ARGV[i + 3]
  local cur = redis.call('HGET', KEYS[1], id)
  local take = false
  local keep = 0
  if not cur then take = true
  else
    local v, s, sh = string.match(cur, '^(%d+)|(%d)|([^|]*)|')
    v = tonumber(v)
    if v < ver then take = true
    elseif v == ver then
      if sh == shard then
        keep = 1
        if sealed == '1' and s == '0' then take = true end
      elseif rebuild and sealed == '1' and s == '0' then take = true end
    end
  end
  if take then
    redis.call('HSET', KEYS[1], id, ARGV[i + 1] .. '|' .. sealed .. '|' .. shard .. '|' .. hash)
    redis.call('HSETNX', KEYS[2], gpt, id)
    keep = 1
  end
  out[#out + 1] = keep
end
if not rebuild then out[1] = redis.call('INCR', KEYS[3]) end
return out
`;

// Marks the ledger lost for every process (they wait for the rebuild) if it is still behind.
const MARK_LOST = `
local seq = tonumber(redis.call('GET', KEYS[1]))
if seq and seq < tonumber(ARGV[1]) then redis.call('DEL', KEYS[1]) end
return 1
`;

/** Entries per script call: bounds how long one call holds Redis (about a millisecond). */
const ENTRIES_PER_CALL = 500;
/** After a rebuild the sequence jumps past anything any process saw before the loss. */
const REBUILD_JUMP = 1_000_000_000;
const REBUILD_LOCK_MS = 30_000;
const MAX_REBUILD_ROUNDS = 10;

interface LedgerScripts {
  harvestLedgerClaim(...args: (string | number)[]): Promise<unknown[]>;
  harvestLedgerKeep(...args: (string | number)[]): Promise<unknown[]>;
  harvestLedgerMarkLost(...args: (string | number)[]): Promise<unknown>;
}

function withScripts(redis: Redis): Redis & LedgerScripts {
  const r = redis as Redis & Partial<LedgerScripts>;
  if (!r.harvestLedgerClaim) redis.defineCommand('harvestLedgerClaim', { numberOfKeys: 3, lua: CLAIM });
  if (!r.harvestLedgerKeep) redis.defineCommand('harvestLedgerKeep', { numberOfKeys: 3, lua: KEEP });
  if (!r.harvestLedgerMarkLost) redis.defineCommand('harvestLedgerMarkLost', { numberOfKeys: 1, lua: MARK_LOST });
  return redis as Redis & LedgerScripts;
}

function flat(entries: LedgerEntry[]): (string | number)[] {
  const args: (string | number)[] = [];
  for (const e of entries) args.push(e.recordId, e.version, e.gptHash, e.sampleHash);
  return args;
}

export interface LedgerRebuild {
  records: number;
  shards: number;
  reason: 'missing' | 'behind';
}

export interface RecordLedgerOptions {
  /** The folder this ledger caches: read when Redis lost the ledger. Without it, a lost ledger starts empty. */
  source?: LedgerSource;
  onRebuilt?: (r: LedgerRebuild) => void;
  /** How often a process waiting for another's rebuild looks again. */
  pollMs?: number;
}

export class RecordLedger {
  readonly recordsKey: string;
  readonly contentKey: string;
  readonly seqKey: string;
  readonly rebuildKey: string;
  private readonly redis: Redis & LedgerScripts;
  /** The highest sequence this process has seen: a Redis that answers with less lost something. */
  private seen = 0;

  /** `ns`: the dataset's key namespace (`<prefix>:ds:<dataset id>`, see dataset-namespace.ts). */
  constructor(redis: Redis, ns: string, private readonly opts: RecordLedgerOptions = {}) {
    this.redis = withScripts(redis);
    this.recordsKey = `${ns}:ledger:records`;
    this.contentKey = `${ns}:ledger:content`;
    this.seqKey = `${ns}:ledger:seq`;
    this.rebuildKey = `${ns}:ledger:rebuilding`;
  }

  /** A sequence the folder recorded (in commit logs): Redis must not be behind it. */
  noteSeen(seq: number): void {
    if (seq > this.seen) this.seen = seq;
  }

  get lastSeen(): number {
    return this.seen;
  }

  async claim(entries: LedgerEntry[]): Promise<ClaimDecision[]> {
    const out: ClaimDecision[] = [];
    for (let i = 0; i < entries.length; i += ENTRIES_PER_CALL) {
      const part = flat(entries.slice(i, i + ENTRIES_PER_CALL));
      out.push(...((await this.guarded(() => this.redis.harvestLedgerClaim(this.recordsKey, this.contentKey, this.seqKey, this.seen, ...part))) as ClaimDecision[]));
    }
    return out;
  }

  /**
   * Records that `shard` holds these entries (their lines are durable there); per entry whether
   * this shard is the record's keeper. `sealed` when the shard is being sealed.
   */
  async keep(shard: string, entries: LedgerEntry[], sealed = false): Promise<boolean[]> {
    const out: boolean[] = [];
    for (let i = 0; i < entries.length; i += ENTRIES_PER_CALL) {
      const part = flat(entries.slice(i, i + ENTRIES_PER_CALL));
      const res = await this.guarded(() => this.redis.harvestLedgerKeep(this.recordsKey, this.contentKey, this.seqKey, this.seen, shard, sealed ? '1' : '0', 'keep', ...part));
      for (const k of res) out.push(Number(k) === 1);
    }
    return out;
  }

  /** Resolves once the ledger is whole (rebuilding it first when Redis lost it). */
  async ready(): Promise<void> {
    await this.guarded(() => this.redis.harvestLedgerClaim(this.recordsKey, this.contentKey, this.seqKey, this.seen));
  }

  async size(): Promise<number> {
    return this.redis.hlen(this.recordsKey);
  }

  /** Runs a script call; on a lost or behind ledger, waits for (or does) the rebuild and runs it again. */
  private async guarded(call: () => Promise<unknown[]>): Promise<unknown[]> {
    for (let round = 0; ; round++) {
      // A ledger lost again and again while it is rebuilt: something keeps flushing this Redis.
      if (round === MAX_REBUILD_ROUNDS) throw new Error(`the ledger ${this.seqKey} was lost ${round} times in a row: is something flushing Redis?`);
      const res = await call();
      const head = Number(res[0]);
      if (head === LOST) {
        await this.recover('missing');
        continue;
      }
      if (head === REGRESSED) {
        await this.redis.harvestLedgerMarkLost(this.seqKey, this.seen);
        await this.recover('behind');
        continue;
      }
      this.noteSeen(head);
      return res.slice(1);
    }
  }

  /** One process rebuilds from the folder; the others wait until the sequence key is back. */
  private async recover(reason: LedgerRebuild['reason']): Promise<void> {
    const token = randomBytes(8).toString('hex');
    for (;;) {
      const seq = await this.redis.get(this.seqKey);
      if (seq !== null && Number(seq) >= this.seen) return;
      if (seq !== null) {
        // Rebuilt by another process that had seen less than this one: this one's view still counts.
        await this.redis.harvestLedgerMarkLost(this.seqKey, this.seen);
      }
      if ((await this.redis.set(this.rebuildKey, token, 'PX', REBUILD_LOCK_MS, 'NX')) === 'OK') break;
      await new Promise((r) => setTimeout(r, this.opts.pollMs ?? 200));
    }
    const refresh = setInterval(() => void this.redis.pexpire(this.rebuildKey, REBUILD_LOCK_MS).catch(() => undefined), REBUILD_LOCK_MS / 4);
    try {
      const shards = this.opts.source ? await this.opts.source() : [];
      let records = 0;
      for (const s of shards) {
        for (let i = 0; i < s.entries.length; i += ENTRIES_PER_CALL) {
          const part = flat(s.entries.slice(i, i + ENTRIES_PER_CALL));
          await this.redis.harvestLedgerKeep(this.recordsKey, this.contentKey, this.seqKey, 0, s.shard, s.sealed ? '1' : '0', 'rebuild', ...part);
        }
        records += s.entries.length;
      }
      const next = this.seen + REBUILD_JUMP;
      await this.redis.set(this.seqKey, String(next));
      this.noteSeen(next);
      if (records > 0 || reason === 'behind') this.opts.onRebuilt?.({ records, shards: shards.length, reason });
    } finally {
      clearInterval(refresh);
      if ((await this.redis.get(this.rebuildKey)) === token) await this.redis.del(this.rebuildKey);
    }
  }
}
