// JSONL shards owned by one worker process (its id in every file name, so workers on many hosts
// never share a file). Each open shard has a lock file naming this process (owner-lock.ts): no
// other process seals it while this one lives. Files are created with O_EXCL under sequence numbers
// after the highest on disk: no existing file is ever truncated or overwritten.
// A job's lines are durable (data fsync, then a commit line fsync) before `append` resolves; then
// the ledger says, per line, whether this shard keeps the record (a retry after a crash, or a race
// with another worker, may have written it elsewhere first). A shard is sealed (the lines it keeps,
// renamed into place, manifest written) when it reaches its size limit, falls idle, or the worker
// stops; a seal that fails (a full disk, Redis away) is tried again later.
import { createHash, type Hash } from 'node:crypto';
import { mkdir, open, rm, stat, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { LedgerEntry } from '../../state/record-ledger.ts';
import { createLock, refreshLock, thisHolder, type LockHolder } from './owner-lock.ts';
import {
  commitsPath, lockPath, nextShardSeq, openPath, sealShard, shardKey, shardName, toManifestEntry,
  type CommitRecord, type ManifestEntry, type SealResult, type ShardKeeper,
} from './shard-files.ts';
import { DiskFullError, isDiskFull } from './disk-full.ts';
import { failpoint } from './failpoint.ts';

export interface ShardLine {
  /** The record's JSON, as text or already UTF-8 encoded (no newline). */
  json: string | Buffer;
  entry: LedgerEntry;
}

const NEWLINE = Buffer.from('\n');

/** The ledger as the writer uses it: keepers, and the sequence it has seen (written into commit lines). */
export interface WriterLedger extends ShardKeeper {
  readonly lastSeen: number;
}

export interface ShardWriterOptions {
  /** Folder the groups live under, e.g. `<out>/samples`. */
  root: string;
  workerId: string;
  maxBytes: number;
  /** Decides which shard keeps each record; without one every line is kept (compaction, beads). */
  ledger?: WriterLedger;
  /** The dataset id written into commit logs and manifests (a rebuild counts only its own shards). */
  dataset?: string;
}

class OpenShard {
  bytes = 0;
  commitBytes = 0;
  entries: ManifestEntry[] = [];
  /** `id\0version` of every line: a second line of a record in the same shard is not kept. */
  held = new Set<string>();
  hash: Hash = createHash('sha256');
  lastWrite = Date.now();
  constructor(
    readonly finalPath: string,
    readonly data: FileHandle,
    readonly commits: FileHandle,
    readonly ino: number,
  ) {}
}

/** The writer's shards were taken from it (its dataset folder emptied or replaced). */
export class ShardWriterClosedError extends Error {
  override name = 'ShardWriterClosedError';
}

export class ShardWriter {
  private readonly open = new Map<string, OpenShard>();
  private readonly seq = new Map<string, number>();
  /** Shards whose seal failed (a full disk, Redis away): sealed again on the next tick. */
  private readonly unsealed = new Map<string, { finalPath: string; known: { end: number; entries: ManifestEntry[]; sha256: string } }>();
  /** One chain per group: appends to a shard never interleave. */
  private readonly chains = new Map<string, Promise<unknown>>();
  readonly holder: LockHolder;
  private closed = false;
  bytesWritten = 0;
  recordsWritten = 0;

  constructor(private readonly opts: ShardWriterOptions) {
    this.holder = thisHolder(opts.workerId);
  }

  /** Appends waiting for the group's next write: concurrent jobs share one write and one fsync. */
  private readonly waiting = new Map<string, { lines: ShardLine[]; done: (kept: boolean[]) => void; fail: (e: unknown) => void }[]>();

  /**
   * Appends the lines to the group's shard (`train/polecat`); resolves once they are durable, with
   * whether this shard keeps each (false: the record is already kept by another shard).
   */
  append(group: string, lines: ShardLine[]): Promise<boolean[]> {
    if (this.closed) return Promise.reject(new ShardWriterClosedError(`the shards of ${this.opts.root} were taken from this writer`));
    if (lines.length === 0) return Promise.resolve([]);
    return new Promise<boolean[]>((done, fail) => {
      const queue = this.waiting.get(group);
      if (queue) {
        queue.push({ lines, done, fail });
        return;
      }
      this.waiting.set(group, [{ lines, done, fail }]);
      void this.serial(group, () => this.commitWaiting(group));
    });
  }

  /** Group commit: everything that queued up while the previous write ran goes out together. */
  private async commitWaiting(group: string): Promise<void> {
    const batch = this.waiting.get(group) ?? [];
    this.waiting.delete(group);
    try {
      const kept = await this.appendNow(group, batch.flatMap((b) => b.lines));
      let at = 0;
      for (const b of batch) {
        b.done(kept.slice(at, at + b.lines.length));
        at += b.lines.length;
      }
    } catch (e) {
      for (const b of batch) b.fail(e);
    }
  }

  private serial<T>(group: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.chains.get(group) ?? Promise.resolve();
    const next = prev.then(fn, fn);
    this.chains.set(group, next.catch(() => undefined));
    return next;
  }

  private async appendNow(group: string, lines: ShardLine[]): Promise<boolean[]> {
    if (this.closed) throw new ShardWriterClosedError(`the shards of ${this.opts.root} were taken from this writer`);
    let shard = this.open.get(group);
    // Still ours and still there: a shard sealed under this writer (its lock judged free by mistake,
    // the folder emptied) is never written into again.
    if (shard && !(await this.stillThere(shard))) {
      this.open.delete(group);
      await closeQuietly(shard);
      shard = undefined;
    }
    shard ??= await this.openShard(group);
    const parts: Buffer[] = [];
    for (const l of lines) parts.push(typeof l.json === 'string' ? Buffer.from(l.json, 'utf8') : l.json, NEWLINE);
    const buf = Buffer.concat(parts);
    if (shard.bytes > 0 && shard.bytes + buf.length > this.opts.maxBytes) {
      await this.sealGroup(group);
      shard = await this.openShard(group);
    }
    const entries = lines.map((l) => toManifestEntry(l.entry));
    const commit: CommitRecord = { end: shard.bytes + buf.length, entries, seq: this.opts.ledger?.lastSeen, dataset: this.opts.dataset };
    const commitLine = Buffer.from(JSON.stringify(commit) + '\n', 'utf8');
    try {
      // At known offsets: a write cut short by a full disk is overwritten by the next, never left
      // in the middle of the file.
      await writeAll(shard.data, buf, shard.bytes);
      await shard.data.datasync();
      failpoint('after-data');
      await writeAll(shard.commits, commitLine, shard.commitBytes);
      await shard.commits.datasync();
      failpoint('after-commit');
    } catch (e) {
      if (isDiskFull(e)) throw new DiskFullError(this.opts.root, shard.finalPath, e);
      throw e;
    }
    shard.bytes += buf.length;
    shard.commitBytes += commitLine.length;
    shard.hash.update(buf);
    shard.entries.push(...entries);
    shard.lastWrite = Date.now();
    this.bytesWritten += buf.length;
    this.recordsWritten += lines.length;
    const verdicts = this.opts.ledger
      ? await this.opts.ledger.keep(shardKey(this.opts.root, shard.finalPath), lines.map((l) => l.entry), false)
      : lines.map(() => true);
    // The seal keeps the first line of a record in a shard (linesToKeep): say so now.
    const kept = lines.map((l, i) => {
      const k = `${l.entry.recordId}\u0000${l.entry.version}`;
      if (!verdicts[i] || shard.held.has(k)) return false;
      shard.held.add(k);
      return true;
    });
    failpoint('after-keep');
    if (shard.bytes >= this.opts.maxBytes) await this.sealGroup(group);
    return kept;
  }

  private async stillThere(shard: OpenShard): Promise<boolean> {
    const st = await stat(openPath(shard.finalPath)).catch(() => null);
    return st !== null && st.ino === shard.ino;
  }

  private async openShard(group: string): Promise<OpenShard> {
    const dir = join(this.opts.root, group);
    await mkdir(dir, { recursive: true });
    let seq = this.seq.get(group) ?? (await nextShardSeq(dir, this.opts.workerId));
    for (;; seq++) {
      const finalPath = join(dir, shardName(this.opts.workerId, seq));
      let made: FileHandle[] = [];
      try {
        // The lock first: a shard is never visible without the lock that says whose it is.
        if (!(await createLock(lockPath(finalPath), this.holder))) continue;
        const data = await openNew(openPath(finalPath));
        if (!data) {
          await rm(lockPath(finalPath), { force: true });
          continue;
        }
        made.push(data);
        const commits = await openNew(commitsPath(finalPath));
        if (!commits) {
          await data.close();
          await rm(lockPath(finalPath), { force: true });
          continue;
        }
        made.push(commits);
        made = [];
        this.seq.set(group, seq + 1);
        const shard = new OpenShard(finalPath, data, commits, (await data.stat()).ino);
        this.open.set(group, shard);
        return shard;
      } catch (e) {
        for (const fh of made) await fh.close().catch(() => undefined);
        if (isDiskFull(e)) throw new DiskFullError(this.opts.root, finalPath, e);
        throw e;
      }
    }
  }

  private async sealGroup(group: string): Promise<SealResult | null> {
    const shard = this.open.get(group);
    if (!shard) return null;
    this.open.delete(group);
    await closeQuietly(shard);
    const known = { sha256: shard.hash.digest('hex'), entries: shard.entries, end: shard.bytes };
    return this.sealNow(shard.finalPath, known);
  }

  private async sealNow(finalPath: string, known: { end: number; entries: ManifestEntry[]; sha256: string }): Promise<SealResult | null> {
    try {
      const m = await sealShard(finalPath, { workerId: this.opts.workerId, root: this.opts.root, keeper: this.opts.ledger, known, dataset: this.opts.dataset });
      this.unsealed.delete(finalPath);
      return m;
    } catch (e) {
      // Kept (with its lock) to be sealed again: a full disk or an unreachable Redis passes.
      this.unsealed.set(finalPath, { finalPath, known });
      throw isDiskFull(e) ? new DiskFullError(this.opts.root, finalPath, e) : e;
    }
  }

  /** Seals shards with no write for `idleMs` (so a long-running worker's output becomes visible),
   *  and the shards whose seal failed before. */
  async sealIdle(idleMs: number): Promise<SealResult[]> {
    const now = Date.now();
    const groups = [...this.open.entries()].filter(([, s]) => now - s.lastWrite >= idleMs).map(([g]) => g);
    const out = await Promise.all(groups.map((g) => this.serial(g, () => this.sealGroup(g))));
    for (const u of [...this.unsealed.values()]) out.push(await this.sealNow(u.finalPath, u.known));
    return out.filter((m): m is SealResult => m !== null);
  }

  /** Seals every shard, after the seals already under way (a tick's) have finished. */
  async sealAll(): Promise<SealResult[]> {
    const groups = new Set([...this.open.keys(), ...this.chains.keys()]);
    const out = await Promise.all([...groups].map((g) => this.serial(g, () => this.sealGroup(g))));
    for (const u of [...this.unsealed.values()]) out.push(await this.sealNow(u.finalPath, u.known));
    return out.filter((m): m is SealResult => m !== null);
  }

  /** Touches the locks of this writer's shards (holders on other machines are judged by their age). */
  async refreshLocks(): Promise<void> {
    const paths = [...[...this.open.values()].map((s) => s.finalPath), ...this.unsealed.keys()];
    for (const p of paths) await refreshLock(lockPath(p), this.holder).catch(() => false);
  }

  /**
   * Lets go of every shard without sealing it (the folder was emptied or replaced, or the process
   * stops and could not seal): its files and locks stay for another process to seal, and further
   * appends are refused.
   */
  async abandon(): Promise<void> {
    this.closed = true;
    for (const s of this.open.values()) await closeQuietly(s);
    this.open.clear();
    this.unsealed.clear();
  }

  /** Releases the locks of shards left unsealed, so others may seal them (at exit). */
  async releaseUnsealed(): Promise<number> {
    const left = [...[...this.open.values()].map((s) => s.finalPath), ...this.unsealed.keys()];
    await this.abandon();
    for (const p of left) await rm(lockPath(p), { force: true });
    return left.length;
  }

  openGroups(): number {
    return this.open.size;
  }
}

async function openNew(path: string): Promise<FileHandle | null> {
  try {
    return await open(path, 'wx');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return null;
    throw e;
  }
}

async function writeAll(fh: FileHandle, buf: Buffer, position: number): Promise<void> {
  let off = 0;
  while (off < buf.length) {
    const { bytesWritten } = await fh.write(buf, off, buf.length - off, position + off);
    off += bytesWritten;
  }
}

async function closeQuietly(s: OpenShard): Promise<void> {
  await s.data.close().catch(() => undefined);
  await s.commits.close().catch(() => undefined);
}
