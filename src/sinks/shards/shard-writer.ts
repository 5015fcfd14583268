// JSONL shards owned by one worker process (its id in every file name, so workers on many hosts
// never share a file). A job's lines are durable (data fsync, then a commit line fsync) before
// `append` resolves; a shard is sealed (renamed into place, manifest written) when it reaches its
// size limit, falls idle, or the worker stops.
import { createHash, type Hash } from 'node:crypto';
import { mkdir, open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { LedgerEntry } from '../../state/record-ledger.ts';
import {
  commitsPath, openPath, sealShard, shardName, toManifestEntry,
  type CommitRecord, type ManifestEntry, type ShardManifest,
} from './shard-files.ts';

export interface ShardLine {
  /** The record's JSON, as text or already UTF-8 encoded (no newline). */
  json: string | Buffer;
  entry: LedgerEntry;
}

const NEWLINE = Buffer.from('\n');

export interface ShardWriterOptions {
  /** Folder the groups live under, e.g. `<out>/samples`. */
  root: string;
  workerId: string;
  maxBytes: number;
}

class OpenShard {
  bytes = 0;
  entries: ManifestEntry[] = [];
  hash: Hash = createHash('sha256');
  lastWrite = Date.now();
  constructor(readonly finalPath: string, readonly data: FileHandle, readonly commits: FileHandle) {}
}

export class ShardWriter {
  private readonly open = new Map<string, OpenShard>();
  private readonly seq = new Map<string, number>();
  /** One chain per group: appends to a shard never interleave. */
  private readonly chains = new Map<string, Promise<unknown>>();
  bytesWritten = 0;
  recordsWritten = 0;

  constructor(private readonly opts: ShardWriterOptions) {}

  /** Appends waiting for the group's next write: concurrent jobs share one write and one fsync. */
  private readonly waiting = new Map<string, { lines: ShardLine[]; done: () => void; fail: (e: unknown) => void }[]>();

  /** Appends the lines to the group's shard (`train/polecat`); resolves once they are durable. */
  append(group: string, lines: ShardLine[]): Promise<void> {
    if (lines.length === 0) return Promise.resolve();
    return new Promise<void>((done, fail) => {
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
      await this.appendNow(group, batch.flatMap((b) => b.lines));
      for (const b of batch) b.done();
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

  private async appendNow(group: string, lines: ShardLine[]): Promise<void> {
    let shard = this.open.get(group) ?? (await this.openShard(group));
    const parts: Buffer[] = [];
    for (const l of lines) parts.push(typeof l.json === 'string' ? Buffer.from(l.json, 'utf8') : l.json, NEWLINE);
    const buf = Buffer.concat(parts);
    if (shard.bytes > 0 && shard.bytes + buf.length > this.opts.maxBytes) {
      await this.sealGroup(group);
      shard = await this.openShard(group);
    }
    await shard.data.write(buf, 0, buf.length, shard.bytes);
    await shard.data.datasync();
    const entries = lines.map((l) => toManifestEntry(l.entry));
    const commit: CommitRecord = { end: shard.bytes + buf.length, entries };
    await shard.commits.appendFile(JSON.stringify(commit) + '\n');
    await shard.commits.datasync();
    shard.bytes += buf.length;
    shard.hash.update(buf);
    shard.entries.push(...entries);
    shard.lastWrite = Date.now();
    this.bytesWritten += buf.length;
    this.recordsWritten += lines.length;
    if (shard.bytes >= this.opts.maxBytes) await this.sealGroup(group);
  }

  private async openShard(group: string): Promise<OpenShard> {
    const dir = join(this.opts.root, group);
    await mkdir(dir, { recursive: true });
    const seq = this.seq.get(group) ?? 0;
    this.seq.set(group, seq + 1);
    const finalPath = join(dir, shardName(this.opts.workerId, seq));
    const data = await open(openPath(finalPath), 'w');
    const commits = await open(commitsPath(finalPath), 'a');
    const shard = new OpenShard(finalPath, data, commits);
    this.open.set(group, shard);
    return shard;
  }

  private async sealGroup(group: string): Promise<ShardManifest | null> {
    const shard = this.open.get(group);
    if (!shard) return null;
    this.open.delete(group);
    await shard.data.close();
    await shard.commits.close();
    return sealShard(shard.finalPath, this.opts.workerId, {
      sha256: shard.hash.digest('hex'), entries: shard.entries, end: shard.bytes,
    });
  }

  /** Seals shards with no write for `idleMs` (so a long-running worker's output becomes visible). */
  async sealIdle(idleMs: number): Promise<ShardManifest[]> {
    const now = Date.now();
    const groups = [...this.open.entries()].filter(([, s]) => now - s.lastWrite >= idleMs).map(([g]) => g);
    const out = await Promise.all(groups.map((g) => this.serial(g, () => this.sealGroup(g))));
    return out.filter((m): m is ShardManifest => m !== null);
  }

  async sealAll(): Promise<ShardManifest[]> {
    return this.sealIdle(-1);
  }

  openGroups(): number {
    return this.open.size;
  }
}
