// PR lifecycles in Redis, readable by every worker (as bead lifecycles are): one hash per PR
// (`<prefix>:pr:<repo>#<n>`: lifecycle JSON, version) and the indexes linking needs: PRs per head
// branch and per head commit (by its first 7 hex digits, as git prints them). The pr-poll worker
// folds in its observations, the events worker the recorded actions and outcomes; each fold is a
// read-modify-write under WATCH, so two workers folding into one PR at once both land.
import type { Redis } from 'ioredis';
import type { PointRecord } from '../model/point.ts';
import { prKey, type PrCandidates, type PrLifecycle, type PrLookup } from '../model/pr.ts';
import { emptyPrLifecycle, foldAction, foldObservation, foldOutcome, observationKey } from '../transforms/pr-lifecycle.ts';

/** Forgotten this long after the PR's last fact. */
const TTL_SECONDS = 180 * 24 * 3600;
const SHA_PREFIX = 7;
const MAX_TRIES = 20;

export class PrLifecycleStore {
  /** WATCH belongs to a connection: folds run one at a time on a connection of their own. */
  private conn: Redis | null = null;
  private chain: Promise<unknown> = Promise.resolve();

  constructor(private readonly redis: Redis, private readonly prefix: string) {}

  async close(): Promise<void> {
    await this.chain.catch(() => undefined);
    this.conn?.disconnect();
    this.conn = null;
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

  /** Folds `fold` into the PR's stored lifecycle; a concurrent fold makes this one read again. */
  private update(repo: string, number: number, fold: (lc: PrLifecycle) => boolean): Promise<PrLifecycle | null> {
    const run = this.chain.catch(() => undefined).then(() => this.updateNow(repo, number, fold));
    this.chain = run;
    return run;
  }

  private async updateNow(repo: string, number: number, fold: (lc: PrLifecycle) => boolean): Promise<PrLifecycle | null> {
    const key = this.key(repo, number);
    this.conn ??= this.redis.duplicate();
    const conn = this.conn;
    for (let i = 0; i < MAX_TRIES; i++) {
      await conn.watch(key);
      const raw = await conn.hget(key, 'lifecycle');
      const lc = raw ? (JSON.parse(raw) as PrLifecycle) : emptyPrLifecycle(repo, number);
      if (!fold(lc)) {
        await conn.unwatch();
        return null;
      }
      const id = prKey(lc.repo, lc.number);
      const multi = conn.multi().hset(key, 'lifecycle', JSON.stringify(lc), 'version', String(lc.version)).expire(key, TTL_SECONDS).sadd(this.idsKey, id);
      if (lc.head_ref) multi.sadd(this.branchKey(lc.head_ref), id).expire(this.branchKey(lc.head_ref), TTL_SECONDS);
      for (const sha of lc.head_shas) multi.sadd(this.shaKey(sha), id).expire(this.shaKey(sha), TTL_SECONDS);
      // Null: another worker wrote the PR between the read and the write; read it again.
      if ((await multi.exec()) !== null) return lc;
    }
    throw new Error(`PR lifecycle ${repo}#${number}: gave up after ${MAX_TRIES} concurrent updates`);
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
    let changed = 0;
    for (const { repo, number, points: list } of byPr.values()) {
      list.sort((a, b) => a.timestamp - b.timestamp);
      const lc = await this.update(repo, number, (x) => list.map((p) => foldObservation(x, p)).some(Boolean));
      if (lc) changed++;
    }
    return changed;
  }

  async applyAction(a: { id: string; repo: string; pr: number; atMs: number; action: string; session?: string }): Promise<boolean> {
    return (await this.update(a.repo, a.pr, (lc) => foldAction(lc, a))) !== null;
  }

  async applyOutcome(o: { id: string; repo: string; pr: number; atMs: number; result: string }): Promise<boolean> {
    return (await this.update(o.repo, o.pr, (lc) => foldOutcome(lc, o))) !== null;
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
