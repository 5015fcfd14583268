// Shard file layout: names, manifests, commit logs, and sealing an open shard (also one left by a
// dead worker). A sealed shard holds each record once: lines the ledger gave to another shard, and
// repeats inside the shard (a retry after a crash), are left out when it is sealed.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, readFile, readdir, rename, rm, stat, truncate } from 'node:fs/promises';
import { basename, dirname, join, relative } from 'node:path';
import type { LedgerEntry } from '../../state/record-ledger.ts';
import { failpoint } from './failpoint.ts';

export const MANIFEST_SCHEMA_VERSION = 1;

/** `[recordId, version, gptHash, sampleHash]`, compact because a manifest lists every record. */
export type ManifestEntry = [string, number, string, string];

export interface ShardManifest {
  schema_version: number;
  shard: string;
  worker_id: string;
  records: number;
  bytes: number;
  sha256: string;
  sealed_at: string;
  /** The dataset (dataset.json id) the shard was written for: a rebuild counts only its own. */
  dataset?: string;
  entries: ManifestEntry[];
}

/** One line of a `.commits` file: the shard is durable up to `end` bytes, with these records. */
export interface CommitRecord {
  end: number;
  entries: ManifestEntry[];
  /** The ledger sequence the writer had seen: a Redis behind it lost state. */
  seq?: number;
  /** The dataset the writer wrote for. */
  dataset?: string;
}

/** What sealing needs from the ledger: which of a shard's entries it keeps. */
export interface ShardKeeper {
  keep(shard: string, entries: LedgerEntry[], sealed: boolean): Promise<boolean[]>;
}

const SHARD_RE = /^part-(.+)-(\d{5,})\.(jsonl|jsonl\.open|jsonl\.commits|jsonl\.lock|manifest\.json)$/;

export const shardName = (workerId: string, seq: number): string =>
  `part-${workerId}-${String(seq).padStart(5, '0')}.jsonl`;
export const openPath = (finalPath: string): string => `${finalPath}.open`;
export const commitsPath = (finalPath: string): string => `${finalPath}.commits`;
export const lockPath = (finalPath: string): string => `${finalPath}.lock`;
export const manifestPath = (finalPath: string): string => finalPath.replace(/\.jsonl$/, '.manifest.json');
/** A shard's name in the ledger: its path under the dataset root, without `.jsonl`. */
export const shardKey = (root: string, finalPath: string): string => relative(root, finalPath).replace(/\.jsonl$/, '');

export function parseShardName(name: string): { workerId: string; seq: number } | null {
  const m = SHARD_RE.exec(name);
  return m ? { workerId: m[1], seq: Number(m[2]) } : null;
}

export function parseOpenName(name: string): { workerId: string; seq: number } | null {
  return name.endsWith('.jsonl.open') ? parseShardName(name) : null;
}

export const toManifestEntry = (e: LedgerEntry): ManifestEntry => [e.recordId, e.version, e.gptHash, e.sampleHash];
export const fromManifestEntry = (m: ManifestEntry): LedgerEntry => ({
  recordId: m[0], version: m[1], gptHash: m[2], sampleHash: m[3],
});

/** Writes a file atomically: tmp, fsync, rename, fsync of the folder. Leaves no tmp behind on failure. */
export async function writeFileAtomic(path: string, data: string | Buffer): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    const fh = await open(tmp, 'w');
    try {
      await fh.writeFile(data);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, path);
  } catch (e) {
    // The first error is the one to tell (removing the leftover may fail the same way).
    await rm(tmp, { force: true }).catch(() => undefined);
    throw e;
  }
  await fsyncDir(dirname(path));
}

export async function fsyncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** The complete lines of a `.commits` file (a torn last line is ignored), and how many bytes they span. */
export async function readCommitLog(path: string): Promise<{ commits: CommitRecord[]; goodBytes: number; bytes: number }> {
  let buf: Buffer;
  try {
    buf = await readFile(path);
  } catch {
    return { commits: [], goodBytes: 0, bytes: 0 };
  }
  const out: CommitRecord[] = [];
  let pos = 0;
  while (pos < buf.length) {
    const nl = buf.indexOf(0x0a, pos);
    if (nl === -1) break;
    try {
      out.push(JSON.parse(buf.subarray(pos, nl).toString('utf8')) as CommitRecord);
    } catch {
      break;
    }
    pos = nl + 1;
  }
  return { commits: out, goodBytes: pos, bytes: buf.length };
}

export async function readCommits(path: string): Promise<CommitRecord[]> {
  return (await readCommitLog(path)).commits;
}

/** Cuts a torn last line (a crash or a full disk in the middle of a commit) off a commit log. */
export async function mendCommits(path: string): Promise<boolean> {
  const log = await readCommitLog(path);
  if (log.goodBytes === log.bytes) return false;
  await truncate(path, log.goodBytes);
  return true;
}

export async function sha256File(path: string, end?: number): Promise<string> {
  const h = createHash('sha256');
  if (end === 0) return h.digest('hex');
  for await (const chunk of createReadStream(path, end !== undefined ? { end: end - 1 } : {})) h.update(chunk as Buffer);
  return h.digest('hex');
}

/** The next sequence number of `workerId`'s shards in `dir`: after the highest of any file on disk. */
export async function nextShardSeq(dir: string, workerId: string): Promise<number> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return 0;
  }
  let next = 0;
  for (const n of names) {
    const p = parseShardName(n);
    if (p && p.workerId === workerId && p.seq >= next) next = p.seq + 1;
  }
  return next;
}

/** Which lines stay: the ledger's verdicts, then the first line of each record id and version. */
export function linesToKeep(entries: ManifestEntry[], verdicts?: boolean[]): boolean[] {
  const seen = new Set<string>();
  return entries.map((e, i) => {
    if (verdicts && !verdicts[i]) return false;
    const k = `${e[0]}\u0000${e[1]}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** Streams the first `end` bytes of `src` line by line into `dest`, keeping the lines `keep` marks. */
async function copyKeptLines(src: string, dest: string, end: number, keep: boolean[]): Promise<{ bytes: number; sha256: string }> {
  const h = createHash('sha256');
  const out = await open(dest, 'wx');
  let bytes = 0;
  let line = 0;
  let pending: Buffer[] = [];
  const parts: Buffer[] = [];
  let partBytes = 0;
  const flush = async () => {
    if (partBytes === 0) return;
    const b = Buffer.concat(parts, partBytes);
    parts.length = 0;
    partBytes = 0;
    await out.write(b);
    h.update(b);
    bytes += b.length;
  };
  try {
    if (end > 0) {
      for await (const chunk of createReadStream(src, { end: end - 1, highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
        let start = 0;
        for (;;) {
          const nl = chunk.indexOf(0x0a, start);
          if (nl === -1) {
            if (start < chunk.length) pending.push(chunk.subarray(start));
            break;
          }
          pending.push(chunk.subarray(start, nl + 1));
          if (keep[line]) for (const p of pending) {
            parts.push(p);
            partBytes += p.length;
          }
          pending = [];
          line++;
          start = nl + 1;
        }
        if (partBytes >= 1 << 20) await flush();
      }
    }
    if (pending.length > 0 || line !== keep.length) {
      throw new Error(`${src}: ${line} lines up to byte ${end}, but its commit log lists ${keep.length} records`);
    }
    await flush();
    await out.sync();
  } catch (e) {
    await out.close().catch(() => undefined);
    await rm(dest, { force: true }).catch(() => undefined);
    throw e;
  }
  await out.close();
  return { bytes, sha256: h.digest('hex') };
}

export interface SealOptions {
  /** Writer id for the manifest (the shard's own worker, also when another process seals it). */
  workerId: string;
  /** Dataset root the shard's ledger key is relative to. */
  root: string;
  /** The ledger to ask which lines this shard keeps; without one only repeats inside it are left out. */
  keeper?: ShardKeeper;
  /** What the owning writer knows (saves reading the commit log and hashing the file). */
  known?: { end: number; entries: ManifestEntry[]; sha256: string };
  /** A `.jsonl` with neither manifest nor commit log: list its records from its lines (`shards recover`). */
  scanLines?: boolean;
  /** The dataset the shard was written for (else what its commit log says). */
  dataset?: string;
}

export interface SealResult extends ShardManifest {
  /** Lines left out: records another shard keeps, repeats. */
  dropped: number;
}

async function exists(p: string): Promise<boolean> {
  try {
    await stat(p);
    return true;
  } catch {
    return false;
  }
}

/** Records of a shard file from its own lines (each line's metadata), for a shard with no records listed. */
async function entriesFromLines(path: string): Promise<{ entries: ManifestEntry[]; end: number }> {
  const entries: ManifestEntry[] = [];
  const text = await readFile(path);
  let pos = 0;
  let end = 0;
  while (pos < text.length) {
    const nl = text.indexOf(0x0a, pos);
    if (nl === -1) break;
    const line = text.subarray(pos, nl);
    let m: { record_id?: unknown; version?: unknown; gpt_hash?: unknown } | undefined;
    try {
      m = (JSON.parse(line.toString('utf8')) as { metadata?: typeof m }).metadata;
    } catch {
      break; // a torn line: the shard ends before it
    }
    const id = typeof m?.record_id === 'string' ? m.record_id : `line-${entries.length}`;
    const version = typeof m?.version === 'number' ? m.version : 0;
    const gpt = typeof m?.gpt_hash === 'string' ? m.gpt_hash : '';
    entries.push([id, version, gpt, createHash('sha256').update(line).digest('hex')]);
    pos = nl + 1;
    end = pos;
  }
  return { entries, end };
}

/**
 * Seals the shard whose final path is `finalPath`: its records up to the last commit, without the
 * lines it does not keep, under the final name, then its manifest. Safe to repeat, safe after a
 * crash at any step (the `.open` file, or the final file and the commit log, stay until the
 * manifest is written), and two processes sealing the same dead shard write the same result.
 * Returns null when there was nothing to seal.
 */
export async function sealShard(finalPath: string, o: SealOptions): Promise<SealResult | null> {
  const open_ = openPath(finalPath);
  const commits = commitsPath(finalPath);
  const cleanup = async () => {
    await rm(commits, { force: true });
    await rm(lockPath(finalPath), { force: true });
  };
  const hasOpen = await exists(open_);
  if (await exists(manifestPath(finalPath))) {
    // Sealed already (maybe a crash after the manifest): what is left over goes.
    if (hasOpen) await rm(open_, { force: true });
    await cleanup();
    return null;
  }
  const source = hasOpen ? open_ : (await exists(finalPath)) ? finalPath : null;
  if (!source) {
    await cleanup();
    return null;
  }

  let end: number;
  let entries: ManifestEntry[];
  let dataset = o.dataset;
  if (o.known) {
    ({ end, entries } = o.known);
  } else {
    const log = await readCommits(commits);
    dataset ??= log.find((c) => c.dataset)?.dataset;
    if (log.length === 0 && !hasOpen && o.scanLines) {
      ({ entries, end } = await entriesFromLines(source));
    } else {
      const size = (await stat(source)).size;
      // Only commits whose bytes are really there (a file cut short by hand keeps what it holds).
      const whole = log.filter((c) => c.end <= size);
      end = whole.length ? whole[whole.length - 1].end : 0;
      entries = whole.flatMap((c) => c.entries);
    }
  }
  if (end === 0) {
    if (hasOpen) await rm(open_, { force: true });
    await cleanup();
    return null;
  }

  const verdicts = o.keeper ? await o.keeper.keep(shardKey(o.root, finalPath), entries.map(fromManifestEntry), true) : undefined;
  const keep = linesToKeep(entries, verdicts);
  const kept = entries.filter((_, i) => keep[i]);
  let bytes: number;
  let sha256: string;
  if (kept.length === entries.length) {
    if ((await stat(source)).size !== end) await truncate(source, end);
    const fh = await open(source, 'r+');
    await fh.sync();
    await fh.close();
    if (source !== finalPath) await rename(source, finalPath);
    bytes = end;
    sha256 = o.known?.sha256 ?? (await sha256File(finalPath, end));
  } else {
    const tmp = `${finalPath}.tmp-${process.pid}-${Date.now().toString(36)}`;
    ({ bytes, sha256 } = await copyKeptLines(source, tmp, end, keep));
    await rename(tmp, finalPath);
  }
  await fsyncDir(dirname(finalPath));
  failpoint('mid-seal');
  const manifest: SealResult = {
    schema_version: MANIFEST_SCHEMA_VERSION,
    shard: basename(finalPath),
    worker_id: o.workerId,
    records: kept.length,
    bytes,
    sha256,
    sealed_at: new Date().toISOString(),
    ...(dataset ? { dataset } : {}),
    entries: kept,
    dropped: entries.length - kept.length,
  };
  const { dropped: _dropped, ...onDisk } = manifest;
  await writeFileAtomic(manifestPath(finalPath), JSON.stringify(onDisk) + '\n');
  if (hasOpen && source === open_) await rm(open_, { force: true });
  await cleanup();
  return manifest;
}

/**
 * Writes a sealed shard again without the lines `keep` leaves out (repeats found across shards by
 * `shards recover`): the new file, then its manifest. Returns the lines removed.
 */
export async function rewriteSealedShard(finalPath: string, manifest: ShardManifest, keep: boolean[]): Promise<number> {
  const dropped = keep.filter((k) => !k).length;
  if (dropped === 0) return 0;
  const tmp = `${finalPath}.tmp-${process.pid}-${Date.now().toString(36)}`;
  const { bytes, sha256 } = await copyKeptLines(finalPath, tmp, manifest.bytes, keep);
  await rename(tmp, finalPath);
  await fsyncDir(dirname(finalPath));
  const entries = manifest.entries.filter((_, i) => keep[i]);
  await writeFileAtomic(manifestPath(finalPath), JSON.stringify({ ...manifest, records: entries.length, bytes, sha256, entries }) + '\n');
  return dropped;
}

/** Every shard folder under `root` (recursively), as absolute paths of files matching `pred`. */
export async function* walkFiles(root: string, pred: (name: string) => boolean): AsyncGenerator<string> {
  let ents;
  try {
    ents = await readdir(root, { withFileTypes: true });
  } catch {
    return;
  }
  ents.sort((a, b) => a.name.localeCompare(b.name));
  for (const e of ents) {
    const p = join(root, e.name);
    if (e.isDirectory()) yield* walkFiles(p, pred);
    else if (e.isFile() && pred(e.name)) yield p;
  }
}

export interface RecoverOptions {
  /** Whether the shard's owner is gone: its lock is free (owner-lock.ts). */
  ownerGone: (finalPath: string, workerId: string) => Promise<boolean>;
  keeper?: ShardKeeper;
  /** Also seal `.jsonl` files that have no manifest and no commit log, listing them from their lines. */
  scanLines?: boolean;
}

/**
 * Seals the shards whose owners are gone: open ones (`.jsonl.open`), and ones a crash or a full
 * disk left between rename and manifest (a `.jsonl` with a commit log and no manifest). A torn last
 * commit line is cut first.
 */
export async function recoverOpenShards(root: string, o: RecoverOptions): Promise<SealResult[]> {
  // Everything a shard may leave: its open file, commit log, lock, and the temporary files of a seal
  // that was cut off (`x.jsonl.tmp-<pid>-...`, `x.manifest.json.tmp-<pid>`).
  const TMP = /\.tmp-\d+(-[a-z0-9]+)?$/;
  const pick = (n: string) => n.endsWith('.jsonl.open') || n.endsWith('.jsonl.commits') || n.endsWith('.jsonl.lock') || n.endsWith('.jsonl') || TMP.test(n);
  const candidates = new Map<string, string>();
  const leftovers = new Map<string, string[]>();
  for await (const p of walkFiles(root, pick)) {
    if (TMP.test(p)) {
      const base = p.replace(TMP, '');
      const final = base.endsWith('.manifest.json') ? base.replace(/\.manifest\.json$/, '.jsonl') : base;
      leftovers.set(final, [...(leftovers.get(final) ?? []), p]);
      continue;
    }
    const final = p.replace(/\.(open|commits|lock)$/, '');
    const parsed = parseShardName(basename(final));
    if (!parsed || candidates.has(final)) continue;
    // A plain `.jsonl` needs work only when something else of it is there (listed by that file),
    // or, for `shards recover`, when it has no manifest.
    if (p === final && !o.scanLines) continue;
    candidates.set(final, parsed.workerId);
  }
  for (const final of leftovers.keys()) {
    const parsed = parseShardName(basename(final));
    if (parsed && !candidates.has(final)) candidates.set(final, parsed.workerId);
  }
  const out: SealResult[] = [];
  for (const [final, workerId] of candidates) {
    const sealed = await exists(manifestPath(final));
    const rest = [openPath(final), commitsPath(final), lockPath(final), ...(leftovers.get(final) ?? [])];
    if (sealed && !(await anyExists(rest))) continue;
    if (!(await o.ownerGone(final, workerId))) continue;
    if (!sealed) await mendCommits(commitsPath(final)).catch(() => false);
    const m = await sealShard(final, { workerId, root, keeper: sealed ? undefined : o.keeper, scanLines: o.scanLines });
    for (const t of leftovers.get(final) ?? []) await rm(t, { force: true });
    if (m) out.push(m);
  }
  return out;
}

async function anyExists(paths: string[]): Promise<boolean> {
  for (const p of paths) if (await exists(p)) return true;
  return false;
}
