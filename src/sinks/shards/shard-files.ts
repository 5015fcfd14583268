// Shard file layout: names, manifests, and sealing an open shard (also one left by a dead worker).
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, readFile, readdir, rename, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { LedgerEntry } from '../../state/record-ledger.ts';

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
  entries: ManifestEntry[];
}

/** One line of a `.commits` file: the shard is durable up to `end` bytes, with these records. */
export interface CommitRecord {
  end: number;
  entries: ManifestEntry[];
}

const OPEN_RE = /^part-(.+)-(\d{5})\.jsonl\.open$/;

export const shardName = (workerId: string, seq: number): string =>
  `part-${workerId}-${String(seq).padStart(5, '0')}.jsonl`;
export const openPath = (finalPath: string): string => `${finalPath}.open`;
export const commitsPath = (finalPath: string): string => `${finalPath}.commits`;
export const manifestPath = (finalPath: string): string => finalPath.replace(/\.jsonl$/, '.manifest.json');

export function parseOpenName(name: string): { workerId: string; seq: number } | null {
  const m = OPEN_RE.exec(name);
  return m ? { workerId: m[1], seq: Number(m[2]) } : null;
}

export const toManifestEntry = (e: LedgerEntry): ManifestEntry => [e.recordId, e.version, e.gptHash, e.sampleHash];
export const fromManifestEntry = (m: ManifestEntry): LedgerEntry => ({
  recordId: m[0], version: m[1], gptHash: m[2], sampleHash: m[3],
});

/** Writes a file atomically: tmp, fsync, rename, fsync of the folder. */
export async function writeFileAtomic(path: string, data: string | Buffer): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}`;
  const fh = await open(tmp, 'w');
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, path);
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

/** Reads the complete lines of a `.commits` file (a torn last line is ignored). */
export async function readCommits(path: string): Promise<CommitRecord[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return [];
  }
  const out: CommitRecord[] = [];
  for (const line of text.split('\n')) {
    if (!line) continue;
    try {
      out.push(JSON.parse(line) as CommitRecord);
    } catch {
      break;
    }
  }
  return out;
}

export async function sha256File(path: string, end?: number): Promise<string> {
  const h = createHash('sha256');
  if (end === 0) return h.digest('hex');
  for await (const chunk of createReadStream(path, end !== undefined ? { end: end - 1 } : {})) h.update(chunk as Buffer);
  return h.digest('hex');
}

/**
 * Seals the shard whose final path is `finalPath`: cuts the open file to its last commit, renames
 * it into place and writes its manifest. Safe to repeat, and safe after a crash at any step.
 * Returns null when there was nothing to seal.
 */
export async function sealShard(finalPath: string, workerId: string, known?: { sha256: string; entries: ManifestEntry[]; end: number }): Promise<ShardManifest | null> {
  const open_ = openPath(finalPath);
  const commits = commitsPath(finalPath);
  const hasOpen = await exists(open_);
  const hasFinal = await exists(finalPath);
  if (!hasOpen && !hasFinal) return null;
  if (hasFinal && !hasOpen && (await exists(manifestPath(finalPath)))) return null;

  let end: number;
  let entries: ManifestEntry[];
  if (known) {
    ({ end, entries } = known);
  } else {
    const log = await readCommits(commits);
    end = log.length ? log[log.length - 1].end : 0;
    entries = log.flatMap((c) => c.entries);
  }
  if (hasOpen) {
    if (end === 0) {
      await rm(open_, { force: true });
      await rm(commits, { force: true });
      return null;
    }
    if ((await stat(open_)).size !== end) await truncate(open_, end);
    const fh = await open(open_, 'r+');
    await fh.sync();
    await fh.close();
    await rename(open_, finalPath);
    await fsyncDir(dirname(finalPath));
  } else {
    end = (await stat(finalPath)).size;
  }
  const manifest: ShardManifest = {
    schema_version: MANIFEST_SCHEMA_VERSION,
    shard: basename(finalPath),
    worker_id: workerId,
    records: entries.length,
    bytes: end,
    sha256: known?.sha256 ?? (await sha256File(finalPath)),
    sealed_at: new Date().toISOString(),
    entries,
  };
  await writeFileAtomic(manifestPath(finalPath), JSON.stringify(manifest) + '\n');
  await rm(commits, { force: true });
  return manifest;
}

async function exists(p: string): Promise<boolean> {
  try {
    await stat(p);
    return true;
  } catch {
    return false;
  }
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

/** Seals open shards of workers that are no longer alive (a crash, a machine gone). */
export async function recoverOpenShards(root: string, isAlive: (workerId: string) => Promise<boolean>): Promise<ShardManifest[]> {
  const out: ShardManifest[] = [];
  for await (const p of walkFiles(root, (n) => n.endsWith('.jsonl.open'))) {
    const parsed = parseOpenName(basename(p));
    if (!parsed || (await isAlive(parsed.workerId))) continue;
    const m = await sealShard(p.slice(0, -'.open'.length), parsed.workerId);
    if (m) out.push(m);
  }
  return out;
}
