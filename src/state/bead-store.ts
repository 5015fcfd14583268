// Bead lifecycles in Redis, readable by any worker: one hash per bead (`<prefix>:bead:<id>`:
// lifecycle JSON, version, content hash, source) and the indexes linking needs: beads per closing
// session, per agent (a sorted set by claim time, so a session fetches only beads near its span),
// per molecule, and the typical durations per role.
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { BeadLifecycle } from '../model/bead.ts';
import { agentKey, type BeadCandidates, type BeadLookup } from '../model/bead.ts';

export type BeadPutDecision = 'new' | 'changed' | 'same' | 'stale';

// KEYS[1] bead hash. ARGV: version, hash, lifecycle json, source. An older read never replaces a newer.
const PUT = `
local v = redis.call('HGET', KEYS[1], 'version')
if v and tonumber(v) > tonumber(ARGV[1]) then return 'stale' end
local h = redis.call('HGET', KEYS[1], 'hash')
if h == ARGV[2] then return 'same' end
redis.call('HSET', KEYS[1], 'version', ARGV[1], 'hash', ARGV[2], 'lifecycle', ARGV[3], 'source', ARGV[4])
if h then return 'changed' end
return 'new'
`;

export function lifecycleHash(lc: BeadLifecycle): string {
  return createHash('sha256').update(JSON.stringify(lc)).digest('hex').slice(0, 32);
}

const BATCH = 500;
/** How far before a session's start an agent's bead may have been claimed and still be running. */
const AGENT_LOOKBACK_MS = 14 * 24 * 3600 * 1000;

export class BeadStore {
  constructor(private readonly redis: Redis, private readonly prefix: string) {}

  beadKey(id: string): string {
    return `${this.prefix}:bead:${id}`;
  }
  get idsKey(): string {
    return `${this.prefix}:beads:ids`;
  }
  sessionKey(sessionId: string): string {
    return `${this.prefix}:beads:session:${sessionId}`;
  }
  agentKey(identity: string): string {
    return `${this.prefix}:beads:agent:${agentKey(identity)}`;
  }
  get moleculeKey(): string {
    return `${this.prefix}:beads:molecules`;
  }
  get durationsKey(): string {
    return `${this.prefix}:beads:role-durations`;
  }

  /** What `put` would decide, without writing (so shards can be written first). */
  async diff(lcs: BeadLifecycle[]): Promise<BeadPutDecision[]> {
    const out: BeadPutDecision[] = [];
    for (let i = 0; i < lcs.length; i += BATCH) {
      const batch = lcs.slice(i, i + BATCH);
      const pipe = this.redis.pipeline();
      for (const lc of batch) pipe.hmget(this.beadKey(lc.id), 'version', 'hash');
      const res = (await pipe.exec()) ?? [];
      batch.forEach((lc, j) => {
        const [err, v] = res[j] ?? [];
        if (err) throw err;
        const [version, hash] = (v as (string | null)[]) ?? [null, null];
        if (version === null) out.push('new');
        else if (Number(version) > lc.version) out.push('stale');
        else if (hash === lifecycleHash(lc)) out.push('same');
        else out.push('changed');
      });
    }
    return out;
  }

  /** Stores lifecycles and their indexes; returns the decision per lifecycle. Idempotent. */
  async put(lcs: BeadLifecycle[]): Promise<BeadPutDecision[]> {
    const out: BeadPutDecision[] = [];
    for (let i = 0; i < lcs.length; i += BATCH) {
      const batch = lcs.slice(i, i + BATCH);
      const pipe = this.redis.pipeline();
      for (const lc of batch) {
        pipe.eval(PUT, 1, this.beadKey(lc.id), lc.version, lifecycleHash(lc), JSON.stringify(lc), lc.source);
        pipe.sadd(this.idsKey, lc.id);
        if (lc.closed_by_session) pipe.sadd(this.sessionKey(lc.closed_by_session), lc.id);
        const score = Date.parse(lc.claimed_at ?? lc.created_at ?? '') || 0;
        for (const a of new Set([...lc.assignees, ...(lc.claimed_by ? [lc.claimed_by] : [])])) {
          pipe.zadd(this.agentKey(a), score, lc.id);
        }
        if (lc.molecule) pipe.hset(this.moleculeKey, lc.molecule, lc.id);
      }
      const res = (await pipe.exec()) ?? [];
      let at = 0;
      for (const lc of batch) {
        const [err, v] = res[at] ?? [];
        if (err) throw err;
        out.push(v as BeadPutDecision);
        at += 2 + (lc.closed_by_session ? 1 : 0) + new Set([...lc.assignees, ...(lc.claimed_by ? [lc.claimed_by] : [])]).size + (lc.molecule ? 1 : 0);
      }
      for (const [err] of res) if (err) throw err;
    }
    return out;
  }

  async setRoleDurations(d: Record<string, number>): Promise<void> {
    const entries = Object.entries(d);
    if (entries.length) await this.redis.hset(this.durationsKey, Object.fromEntries(entries.map(([k, v]) => [k, String(v)])));
  }

  async roleDurations(): Promise<Record<string, number>> {
    const raw = await this.redis.hgetall(this.durationsKey);
    return Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, Number(v)]));
  }

  async get(ids: string[]): Promise<Map<string, BeadLifecycle>> {
    const out = new Map<string, BeadLifecycle>();
    for (let i = 0; i < ids.length; i += BATCH) {
      const batch = ids.slice(i, i + BATCH);
      const pipe = this.redis.pipeline();
      for (const id of batch) pipe.hget(this.beadKey(id), 'lifecycle');
      const res = (await pipe.exec()) ?? [];
      batch.forEach((id, j) => {
        const v = res[j]?.[1];
        if (typeof v !== 'string') return;
        try {
          out.set(id, JSON.parse(v) as BeadLifecycle);
        } catch {
          // A damaged entry is skipped; the next ingest rewrites it.
        }
      });
    }
    return out;
  }

  async count(): Promise<number> {
    return this.redis.scard(this.idsKey);
  }
}

/**
 * The async half of linking: fetches what one session's candidates need from Redis and returns a
 * synchronous snapshot for `linkSessionToBeads`.
 */
export class RedisBeadLookup {
  private readonly store: BeadStore;
  private durations: { at: number; value: Record<string, number> } | null = null;

  constructor(private readonly redis: Redis, prefix: string) {
    this.store = new BeadStore(redis, prefix);
  }

  async snapshot(c: BeadCandidates): Promise<BeadLookup> {
    const r = this.redis;
    const pipe = r.pipeline();
    for (const sid of c.sessionIds) pipe.smembers(this.store.sessionKey(sid));
    if (c.molecules.length) pipe.hmget(this.store.moleculeKey, ...c.molecules);
    const agentKeys: string[] = [];
    if (c.agent) {
      agentKeys.push(c.agent.identity);
      if (c.agent.name) agentKeys.push(c.agent.name);
      else agentKeys.push(c.agent.role);
      const min = c.start !== null ? c.start - AGENT_LOOKBACK_MS : '-inf';
      const max = c.end !== null ? c.end + 3600_000 : '+inf';
      for (const k of agentKeys) pipe.zrangebyscore(this.store.agentKey(k), min, max, 'LIMIT', 0, 200);
    }
    const res = (await pipe.exec()) ?? [];
    for (const [err] of res) if (err) throw err;
    let at = 0;
    const bySession = new Map<string, string[]>();
    for (const sid of c.sessionIds) bySession.set(sid, res[at++][1] as string[]);
    const byMolecule = new Map<string, string>();
    if (c.molecules.length) {
      const vals = res[at++][1] as (string | null)[];
      c.molecules.forEach((m, i) => {
        if (vals[i]) byMolecule.set(m, vals[i] as string);
      });
    }
    const agentIds: string[] = [];
    for (let i = 0; i < agentKeys.length; i++) agentIds.push(...(res[at++][1] as string[]));
    const ids = new Set<string>([...c.ids, ...byMolecule.values(), ...agentIds]);
    for (const l of bySession.values()) for (const id of l) ids.add(id);
    const lifecycles = await this.store.get([...ids]);
    if (!this.durations || Date.now() - this.durations.at > 60_000) {
      this.durations = { at: Date.now(), value: await this.store.roleDurations() };
    }
    const durations = this.durations.value;
    const agentSet = [...new Set(agentIds)];
    return {
      get: (id) => lifecycles.get(id),
      closedBySession: (sid) => bySession.get(sid) ?? [],
      byAgent: () => agentSet,
      byMolecule: (m) => byMolecule.get(m),
      typicalDurationMs: (role) => durations[role],
    };
  }
}
