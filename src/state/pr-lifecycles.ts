// PR lifecycles in Redis, readable by every worker (as bead lifecycles are): one hash per PR
// (`<prefix>:pr:<repo>#<n>`: lifecycle JSON, version) and the indexes linking needs: PRs per head
// branch and per head commit (by its first 7 hex digits, as git prints them). The pr-poll worker
// folds in its observations, the events worker the recorded actions and outcomes. A batch of folds
// is one pipelined read and one pipelined compare-and-set (a script that writes only if the stored
// lifecycle is still the one read); the PRs another worker wrote meanwhile are read and folded
// again, so two workers folding into one PR at once both land.
import type { Redis } from 'ioredis';
import type { PointRecord } from '../model/point.ts';
import { prKey, type PrCandidates, type PrLifecycle, type PrLookup } from '../model/pr.ts';
import { emptyPrLifecycle, foldAction, foldObservation, foldOutcome, observationKey } from '../transforms/pr-lifecycle.ts';

/** Forgotten this long after the PR's last fact. */
const TTL_SECONDS = 180 * 24 * 3600;
const SHA_PREFIX = 7;
const MAX_TRIES = 20;

/** Writes the lifecycle only if its revision is still ARGV[1] ('' for none); indexes it. */
const CAS_SCRIPT = `
local cur = redis.call('HGET', KEYS[1], 'rev')
if (cur or '') ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'lifecycle', ARGV[2], 'version', ARGV[3], 'rev', tostring((tonumber(cur) or 0) + 1))
redis.call('EXPIRE', KEYS[1], ARGV[4])
redis.call('SADD', KEYS[2], ARGV[5])
for i = 3, #KEYS do
  redis.call('SADD', KEYS[i], ARGV[5])
  redis.call('EXPIRE', KEYS[i], ARGV[4])
end
return 1`;

type CasRedis = Redis & { prLifecycleCas(numKeys: number, ...args: (string | number)[]): Promise<number> };

/** One PR's folds in a batch: what to fold into its stored lifecycle (false: nothing changed). */
interface Fold {
  repo: string;
  number: number;
  fold: (lc: PrLifecycle) => boolean;
}

export class PrLifecycleStore {
  private readonly cas: CasRedis;
  /**
   * Group commit: the folds of a process's concurrent jobs wait for the round in flight, then go
   * as one round (one read and one compare-and-set per PR, however many jobs touched it). Racing
   * each other they would only lose compare-and-sets; other processes race it rarely.
   */
  private queued: { folds: readonly Fold[]; resolve: (lcs: PrLifecycle[]) => void; reject: (e: unknown) => void }[] = [];
  private running: Promise<void> | null = null;

  constructor(private readonly redis: Redis, private readonly prefix: string) {
    const r = redis as CasRedis;
    if (typeof r.prLifecycleCas !== 'function') r.defineCommand('prLifecycleCas', { lua: CAS_SCRIPT });
    this.cas = r;
  }

  async close(): Promise<void> {
    // It uses the caller's connection; only the rounds queued are waited for.
    while (this.running) await this.running;
  }

  key(repo: string, number: number): string {
    return `${this.prefix}:pr:${prKey(repo, number)}`;
  }
  branchKey(branch: string): string {
    return `${this.prefix}:prs:branch:${branch}`;
  }
  shaKey(sha: string): string {
    return `${this.prefix}:prs:sha:${sha.slice(0, SHA_PREFIX).toLowerCase()}`;
  }
  get idsKey(): string {
    return `${this.prefix}:prs:ids`;
  }

  /** Folds each PR's folds into its stored lifecycle; returns the lifecycles that changed. */
  private updateMany(folds: readonly Fold[]): Promise<PrLifecycle[]> {
    return new Promise((resolve, reject) => {
      this.queued.push({ folds, resolve, reject });
      this.running ??= this.drain();
    });
  }

  private async drain(): Promise<void> {
    try {
      while (this.queued.length > 0) {
        const round = this.queued;
        this.queued = [];
        try {
          const changed = await this.updateManyNow(round.flatMap((q) => q.folds));
          const byKey = new Map(changed.map((lc) => [this.key(lc.repo, lc.number), lc]));
          for (const q of round) {
            const mine = new Set(q.folds.map((f) => this.key(f.repo, f.number)));
            q.resolve([...mine].flatMap((k) => (byKey.has(k) ? [byKey.get(k)!] : [])));
          }
        } catch (e) {
          for (const q of round) q.reject(e);
        }
      }
    } finally {
      this.running = null;
    }
  }

  private async updateManyNow(folds: readonly Fold[]): Promise<PrLifecycle[]> {
    // One entry per PR: its folds applied in the order given.
    const byKey = new Map<string, Fold>();
    for (const f of folds) {
      const key = this.key(f.repo, f.number);
      const prev = byKey.get(key);
      byKey.set(key, prev ? { ...prev, fold: (lc) => [prev.fold(lc), f.fold(lc)].some(Boolean) } : f);
    }
    const changed: PrLifecycle[] = [];
    let pending = [...byKey];
    for (let round = 0; pending.length > 0; round++) {
      if (round === MAX_TRIES) throw new Error(`PR lifecycles ${pending.map(([k]) => k).join(', ')}: gave up after ${MAX_TRIES} concurrent updates`);
      const reads = this.redis.pipeline();
      for (const [key] of pending) reads.hmget(key, 'lifecycle', 'rev');
      const raws = (await reads.exec()) ?? [];
      const writes = this.redis.pipeline() as unknown as CasRedis & { exec(): Promise<[Error | null, unknown][] | null> };
      const tried: { entry: [string, Fold]; lc: PrLifecycle }[] = [];
      pending.forEach((entry, i) => {
        const [key, f] = entry;
        const [err, value] = raws[i] ?? [null, null];
        if (err) throw err;
        const [stored, rev] = (value as (string | null)[] | null) ?? [null, null];
        const raw = typeof stored === 'string' ? stored : null;
        const lc = raw ? (JSON.parse(raw) as PrLifecycle) : emptyPrLifecycle(f.repo, f.number);
        if (!f.fold(lc)) return;
        const id = prKey(lc.repo, lc.number);
        const indexKeys = [...(lc.head_ref ? [this.branchKey(lc.head_ref)] : []), ...lc.head_shas.map((sha) => this.shaKey(sha))];
        void writes.prLifecycleCas(2 + indexKeys.length, key, this.idsKey, ...indexKeys, rev ?? '', JSON.stringify(lc), String(lc.version), TTL_SECONDS, id);
        tried.push({ entry, lc });
      });
      if (tried.length === 0) break;
      const results = (await writes.exec()) ?? [];
      pending = [];
      tried.forEach(({ entry, lc }, j) => {
        const [err, ok] = results[j] ?? [null, 0];
        if (err) throw err;
        // 0: another worker wrote the PR between the read and the write; read it again.
        if (ok === 1) changed.push(lc);
        else pending.push(entry);
      });
    }
    return changed;
  }

  private async update(repo: string, number: number, fold: (lc: PrLifecycle) => boolean): Promise<PrLifecycle | null> {
    return (await this.updateMany([{ repo, number, fold }]))[0] ?? null;
  }

  /** Folds `pr_observation` points in (others are ignored), each PR's in time order. */
  async applyPoints(points: readonly PointRecord[]): Promise<number> {
    const byPr = new Map<string, { repo: string; number: number; points: PointRecord[] }>();
    for (const p of points) {
      if (p.measurement !== 'pr_observation') continue;
      const id = observationKey(p);
      if (!id) continue;
      const k = prKey(id.repo, id.number);
      const slot = byPr.get(k) ?? { ...id, points: [] };
      slot.points.push(p);
      byPr.set(k, slot);
    }
    const folds: Fold[] = [...byPr.values()].map(({ repo, number, points: list }) => {
      list.sort((a, b) => a.timestamp - b.timestamp);
      return { repo, number, fold: (x) => list.map((p) => foldObservation(x, p)).some(Boolean) };
    });
    return (await this.updateMany(folds)).length;
  }

  async applyAction(a: { id: string; repo: string; pr: number; atMs: number; action: string; session?: string }): Promise<boolean> {
    return (await this.update(a.repo, a.pr, (lc) => foldAction(lc, a))) !== null;
  }

  async applyOutcome(o: { id: string; repo: string; pr: number; atMs: number; result: string }): Promise<boolean> {
    return (await this.update(o.repo, o.pr, (lc) => foldOutcome(lc, o))) !== null;
  }

  /** A batch of recorded actions and outcomes, in order, in two round trips; returns the PRs changed. */
  async applyEvents(events: readonly (
    | { kind: 'action'; id: string; repo: string; pr: number; atMs: number; action: string; session?: string }
    | { kind: 'outcome'; id: string; repo: string; pr: number; atMs: number; result: string }
  )[]): Promise<number> {
    const folds: Fold[] = events.map((e) => ({
      repo: e.repo,
      number: e.pr,
      fold: e.kind === 'action' ? (lc: PrLifecycle) => foldAction(lc, e) : (lc: PrLifecycle) => foldOutcome(lc, e),
    }));
    return (await this.updateMany(folds)).length;
  }

  /** Lifecycles by `prKey`. */
  async get(keys: readonly string[]): Promise<Map<string, PrLifecycle>> {
    const out = new Map<string, PrLifecycle>();
    if (keys.length === 0) return out;
    const pipe = this.redis.pipeline();
    for (const k of keys) pipe.hget(`${this.prefix}:pr:${k}`, 'lifecycle');
    const res = (await pipe.exec()) ?? [];
    keys.forEach((k, i) => {
      const v = res[i]?.[1];
      if (typeof v !== 'string') return;
      try {
        out.set(k, JSON.parse(v) as PrLifecycle);
      } catch {
        // A damaged entry is skipped; the next fold rewrites it.
      }
    });
    return out;
  }

  async count(): Promise<number> {
    return this.redis.scard(this.idsKey);
  }
}

/** A lookup over lifecycles in memory (a rebuild from history, tests). */
export function memoryPrLookup(lifecycles: Iterable<PrLifecycle>): PrLookup {
  const byKey = new Map<string, PrLifecycle>();
  const branches = new Map<string, string[]>();
  const shas = new Map<string, string[]>();
  for (const lc of lifecycles) {
    const k = prKey(lc.repo, lc.number);
    byKey.set(k, lc);
    if (lc.head_ref) branches.set(lc.head_ref, [...(branches.get(lc.head_ref) ?? []), k]);
    for (const sha of lc.head_shas) {
      const p = sha.slice(0, SHA_PREFIX).toLowerCase();
      shas.set(p, [...new Set([...(shas.get(p) ?? []), k])]);
    }
  }
  return {
    get: (repo, n) => byKey.get(prKey(repo, n)),
    byBranch: (b) => branches.get(b) ?? [],
    bySha: (sha) => (shas.get(sha.slice(0, SHA_PREFIX).toLowerCase()) ?? []).filter((k) => byKey.get(k)!.head_shas.some((h) => h.toLowerCase().startsWith(sha.toLowerCase()))),
  };
}

/** The async half of linking: fetches what one session's candidates need and returns a snapshot. */
export class RedisPrLookup {
  private readonly store: PrLifecycleStore;
  constructor(private readonly redis: Redis, prefix: string) {
    this.store = new PrLifecycleStore(redis, prefix);
  }

  async snapshot(c: PrCandidates): Promise<PrLookup> {
    const pipe = this.redis.pipeline();
    for (const b of c.branches) pipe.smembers(this.store.branchKey(b));
    for (const s of c.shas) pipe.smembers(this.store.shaKey(s));
    const res = (await pipe.exec()) ?? [];
    for (const [err] of res) if (err) throw err;
    const keys = new Set(c.prs.map((p) => prKey(p.repo, p.number)));
    for (const [, v] of res) for (const k of v as string[]) keys.add(k);
    return memoryPrLookup((await this.store.get([...keys])).values());
  }
}
