// Reads a dataset folder as one logical set of records: sealed shards plus the committed prefix of
// open ones, with every record id collapsed to its highest version (a growing session supersedes
// its older reads) and exact repeats (a retry after a crash) read once.
import { open, readFile, type FileHandle } from 'node:fs/promises';
import { basename, relative } from 'node:path';
import { jsonLineBatches } from '../../sources/jsonl-lines.ts';
import type { Counts } from '../../model/session.ts';
import { readCommits, walkFiles, type ManifestEntry, type ShardManifest } from './shard-files.ts';

export interface ShardRef {
  /** Path of the data file (`.jsonl`, or `.jsonl.open` for an unsealed shard). */
  path: string;
  /** Readable bytes: the whole file when sealed, the last commit when open. */
  end: number;
  entries: ManifestEntry[];
  sealed: boolean;
  manifest?: ShardManifest;
  /** The dataset it was written for, when it says. */
  dataset?: string;
}

/**
 * The shards under `root`, safe to call while workers write and seal them. Sealing renames
 * `x.jsonl.open` to `x.jsonl`, then writes `x.manifest.json`, then removes `x.jsonl.commits`: a
 * listing taken between those steps finds the commit log beside either data file, so a shard is
 * never missed, and `openShardData` follows a rename that happens after the listing.
 */
export async function listShards(root: string): Promise<ShardRef[]> {
  const found = new Map<string, { manifest?: string; open?: string; commits?: string }>();
  const pick = (n: string) => n.endsWith('.manifest.json') || n.endsWith('.jsonl.open') || n.endsWith('.jsonl.commits');
  for await (const p of walkFiles(root, pick)) {
    const final = p.endsWith('.manifest.json') ? p.replace(/\.manifest\.json$/, '.jsonl') : p.replace(/\.(open|commits)$/, '');
    const f = found.get(final) ?? {};
    if (p.endsWith('.manifest.json')) f.manifest = p;
    else if (p.endsWith('.open')) f.open = p;
    else f.commits = p;
    found.set(final, f);
  }
  const out: ShardRef[] = [];
  for (const [final, f] of found) {
    if (!f.manifest && !f.commits) continue;
    const log = f.manifest ? [] : await readCommits(f.commits!);
    if (log.length > 0) {
      out.push({ path: f.open ?? final, end: log[log.length - 1].end, entries: log.flatMap((c) => c.entries), sealed: false, dataset: log.find((c) => c.dataset)?.dataset });
      continue;
    }
    // Sealed; or its commit log is gone, sealed since the walk, and its manifest is there now.
    const manifest = await readManifest(f.manifest ?? final.replace(/\.jsonl$/, '.manifest.json'));
    if (manifest) out.push({ path: final, end: manifest.bytes, entries: manifest.entries, sealed: true, manifest, dataset: manifest.dataset });
  }
  return out;
}

async function readManifest(path: string): Promise<ShardManifest | null> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as ShardManifest;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}

/** Opens a shard's bytes where they are now: an unsealed shard sealed since the listing sits under the final name. */
export async function openShardData(ref: ShardRef): Promise<FileHandle> {
  try {
    return await open(ref.path, 'r');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT' || !ref.path.endsWith('.open')) throw e;
    return open(ref.path.replace(/\.open$/, ''), 'r');
  }
}

export interface DatasetRecord {
  shard: string;
  /** Shard folder relative to the dataset root, e.g. `train/polecat`. */
  group: string;
  value: { metadata?: { record_id?: string; version?: number; [k: string]: unknown }; [k: string]: unknown };
}

/** Streams the current records of the dataset under `root`; counts superseded and repeated lines. */
export async function* readDataset(root: string, counts: Counts = {}): AsyncGenerator<DatasetRecord> {
  const shards = await listShards(root);
  const latest = new Map<string, number>();
  for (const s of shards) for (const [id, v] of s.entries) if ((latest.get(id) ?? -1) < v) latest.set(id, v);
  const emitted = new Set<string>();
  for (const s of shards) {
    const group = relative(root, s.path).split('/').slice(0, -1).join('/');
    for await (const lines of jsonLineBatches(await openShardData(s), counts, { endByte: s.end })) {
      for (const { value } of lines) {
        const v = value as DatasetRecord['value'];
        const id = v?.metadata?.record_id;
        const ver = v?.metadata?.version;
        if (typeof id !== 'string' || typeof ver !== 'number') {
          counts.records_without_id = (counts.records_without_id ?? 0) + 1;
          yield { shard: basename(s.path), group, value: v };
          continue;
        }
        if (ver < (latest.get(id) ?? ver)) {
          counts.superseded = (counts.superseded ?? 0) + 1;
          continue;
        }
        const key = `${id}@${ver}`;
        if (emitted.has(key)) {
          counts.repeated = (counts.repeated ?? 0) + 1;
          continue;
        }
        emitted.add(key);
        yield { shard: basename(s.path), group, value: v };
      }
    }
  }
}