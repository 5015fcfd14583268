// Merges the dataset folders of several hosts into one: the highest version of every record, one
// record per gpt content (the smallest record id keeps it), each record once, written as fresh
// sealed shards with manifests by one writer id.
import { existsSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import type { Counts } from '../model/session.ts';
import { listShards, readDataset } from '../sinks/shards/dataset-reader.ts';
import { ShardWriter, type ShardLine } from '../sinks/shards/shard-writer.ts';
import { walkFiles, type ManifestEntry } from '../sinks/shards/shard-files.ts';
import type { LedgerEntry } from '../state/record-ledger.ts';

export const COMPACT_WRITER_ID = 'compact';

export interface CompactOptions {
  maxBytes: number;
  writerId?: string;
}

export interface CompactResult {
  inputs: string[];
  out: string;
  /** Records written, per shard group (`train/polecat`). */
  groups: Record<string, number>;
  written: number;
  shards: number;
  /** Lines not written, by reason: superseded, repeated, duplicate_content, records_without_id... */
  dropped: Counts;
}

/** A dataset folder is the `--out` of a worker (holding `samples/`) or that `samples/` folder. */
export function samplesRoot(dir: string): string {
  const d = resolve(dir);
  return existsSync(join(d, 'samples')) ? join(d, 'samples') : d;
}

const inside = (child: string, parent: string) => child === parent || child.startsWith(parent + sep);

export class CompactError extends Error {
  override name = 'CompactError';
}

/** Same version of the same record in two places: the smaller sample hash wins, so any order agrees. */
function better(a: ManifestEntry, b: ManifestEntry): boolean {
  return a[1] !== b[1] ? a[1] > b[1] : a[3] < b[3];
}

export async function compactShards(inputs: string[], out: string, opts: CompactOptions): Promise<CompactResult> {
  const roots = [...new Set(inputs.map(samplesRoot))].sort();
  const outRoot = join(resolve(out), 'samples');
  for (const r of roots) {
    if (!existsSync(r)) throw new CompactError(`input ${r} does not exist`);
    if (inside(outRoot, r) || inside(r, resolve(out))) throw new CompactError(`--out ${out} overlaps input ${r}: write to a new folder`);
  }
  for await (const p of walkFiles(outRoot, (n) => n.endsWith('.jsonl') || n.endsWith('.jsonl.open'))) {
    throw new CompactError(`--out ${out} already holds shards (${relative(resolve(out), p)}): write to an empty folder`);
  }

  // Pass 1, manifests only: which version of which record survives.
  const best = new Map<string, ManifestEntry>();
  for (const r of roots) {
    for (const s of await listShards(r)) {
      for (const e of s.entries) {
        const cur = best.get(e[0]);
        if (!cur || better(e, cur)) best.set(e[0], e);
      }
    }
  }
  const owner = new Map<string, string>();
  for (const [id, e] of best) {
    const o = owner.get(e[2]);
    if (o === undefined || id < o) owner.set(e[2], id);
  }

  // Pass 2: stream the records, keep the winners once each.
  const dropped: Counts = {};
  const drop = (k: string) => (dropped[k] = (dropped[k] ?? 0) + 1);
  const writer = new ShardWriter({ root: outRoot, workerId: opts.writerId ?? COMPACT_WRITER_ID, maxBytes: opts.maxBytes });
  const emitted = new Set<string>();
  const batchBytes = Math.max(1, Math.min(8 * 1024 * 1024, Math.floor(opts.maxBytes / 8)));
  const groups: Record<string, number> = {};
  const pending = new Map<string, { lines: ShardLine[]; bytes: number }>();
  const flush = async (group: string) => {
    const p = pending.get(group);
    if (!p || p.lines.length === 0) return;
    pending.delete(group);
    await writer.append(group, p.lines);
  };
  for (const r of roots) {
    const counts: Counts = {};
    for await (const rec of readDataset(r, counts)) {
      const m = rec.value.metadata;
      const id = m?.record_id;
      const version = m?.version;
      if (typeof id !== 'string' || typeof version !== 'number') {
        drop('records_without_id');
        continue;
      }
      const win = best.get(id);
      if (!win || win[1] !== version) {
        drop('superseded');
        continue;
      }
      if (owner.get(win[2]) !== id) {
        drop('duplicate_content');
        continue;
      }
      if (emitted.has(id)) {
        drop('repeated');
        continue;
      }
      emitted.add(id);
      const entry: LedgerEntry = { recordId: id, version, gptHash: win[2], sampleHash: win[3] };
      const json = JSON.stringify(rec.value);
      const p = pending.get(rec.group) ?? { lines: [], bytes: 0 };
      p.lines.push({ json, entry });
      p.bytes += json.length;
      pending.set(rec.group, p);
      groups[rec.group] = (groups[rec.group] ?? 0) + 1;
      // One fsync per batch, not per record; batches small enough that shards rotate near their limit.
      if (p.lines.length >= 1000 || p.bytes >= batchBytes) await flush(rec.group);
    }
    for (const [k, v] of Object.entries(counts)) if (k === 'superseded' || k === 'repeated') dropped[k] = (dropped[k] ?? 0) + v;
  }
  for (const g of [...pending.keys()]) await flush(g);
  await writer.sealAll();
  const shards = (await listShards(outRoot)).length;
  return { inputs: roots, out: resolve(out), groups, written: emitted.size, shards, dropped };
}
