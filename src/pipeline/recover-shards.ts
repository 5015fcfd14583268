// `harvest shards recover`: puts a dataset folder back in order after crashes, a full disk or a
// lost Redis. Seals the shards whose owners are gone (mending torn commit logs, writing missing
// manifests, listing a shard from its own lines when nothing else lists it), then removes lines
// repeated across sealed shards, so that every record is in the raw files once.
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { listShards } from '../sinks/shards/dataset-reader.ts';
import { readDatasetIdentity } from '../sinks/shards/dataset-identity.ts';
import { folderLedgerSource, seqInOpenShards } from '../sinks/shards/ledger-rebuild.ts';
import { isLocal, lockState } from '../sinks/shards/owner-lock.ts';
import {
  fromManifestEntry, linesToKeep, lockPath, recoverOpenShards, rewriteSealedShard, shardKey,
  type ShardKeeper, type SealResult,
} from '../sinks/shards/shard-files.ts';
import { datasetNamespace } from '../state/dataset-namespace.ts';
import { RecordLedger } from '../state/record-ledger.ts';
import { WorkerRegistry } from '../state/worker-registry.ts';

export interface RecoverResult {
  sealed: { shard: string; worker: string; records: number; dropped: number }[];
  records: number;
  /** Lines removed from sealed shards because another sealed shard (or the same one) holds the record. */
  repeats_removed: number;
  /** Shards left alone because their owner is alive. */
  live: number;
}

/** The roots of a dataset folder that hold shards, with the ledger namespace suffix of each. */
const ROOTS: { dir: string; ns: string | null }[] = [
  { dir: 'samples', ns: '' },
  { dir: 'events', ns: ':events' },
  { dir: 'beads', ns: null },
];

export async function recoverDataset(out: string, redis: Redis, prefix: string, dead: Set<string> = new Set()): Promise<RecoverResult> {
  const identity = await readDatasetIdentity(out);
  const registry = new WorkerRegistry(redis, prefix);
  const res: RecoverResult = { sealed: [], records: 0, repeats_removed: 0, live: 0 };
  for (const { dir, ns } of ROOTS) {
    const root = join(out, dir);
    let ledger: RecordLedger | undefined;
    if (identity && ns !== null) {
      ledger = new RecordLedger(redis, `${datasetNamespace(prefix, identity.id)}${ns}`, { source: folderLedgerSource(root, identity.id) });
      ledger.noteSeen(await seqInOpenShards(root));
      await ledger.ready();
    }
    const sealed = await recoverOpenShards(root, {
      keeper: ledger,
      scanLines: true,
      ownerGone: async (final, workerId) => {
        const st = await lockState(lockPath(final), { heartbeatAlive: (w) => registry.isAlive(w) });
        // --dead speaks for machines this one cannot look into; a live local process it cannot overrule.
        const gone = st.free || (dead.has(workerId) && !isLocal(st.holder));
        if (!gone) res.live++;
        return gone;
      },
    });
    for (const m of sealed) res.sealed.push(describe(m));
    res.records += sealed.reduce((a, m) => a + m.records, 0);
    res.repeats_removed += await removeRepeats(root, ledger);
  }
  return res;
}

const describe = (m: SealResult) => ({ shard: m.shard, worker: m.worker_id, records: m.records, dropped: m.dropped });

/**
 * Removes records that more than one sealed shard holds (or one holds twice): the copy the ledger
 * names as keeper stays (the first in path order when the ledger names none of them), the others
 * are cut out of their shards.
 */
export async function removeRepeats(root: string, keeper?: ShardKeeper): Promise<number> {
  const sealed = (await listShards(root)).filter((s) => s.sealed && s.manifest).sort((a, b) => a.path.localeCompare(b.path));
  const holders = new Map<string, number>();
  for (const s of sealed) for (const e of s.entries) {
    const k = `${e[0]}\u0000${e[1]}`;
    holders.set(k, (holders.get(k) ?? 0) + 1);
  }
  const repeated = new Set([...holders].filter(([, n]) => n > 1).map(([k]) => k));
  if (repeated.size === 0) return 0;
  const keptBy = new Map<string, string>();
  // First pass: the ledger's keeper among the sealed copies.
  if (keeper) {
    for (const s of sealed) {
      const idx = s.entries.map((e, i) => (repeated.has(`${e[0]}\u0000${e[1]}`) ? i : -1)).filter((i) => i >= 0);
      if (idx.length === 0) continue;
      const verdicts = await keeper.keep(shardKey(root, s.path), idx.map((i) => fromManifestEntry(s.entries[i])), true);
      idx.forEach((i, j) => {
        const k = `${s.entries[i][0]}\u0000${s.entries[i][1]}`;
        if (verdicts[j] && !keptBy.has(k)) keptBy.set(k, s.path);
      });
    }
  }
  let removed = 0;
  for (const s of sealed) {
    const local = linesToKeep(s.entries);
    const keep = s.entries.map((e, i) => {
      const k = `${e[0]}\u0000${e[1]}`;
      if (!repeated.has(k)) return local[i];
      const owner = keptBy.get(k);
      if (owner === undefined) {
        keptBy.set(k, s.path); // nobody named: the first copy in path order stays
        return local[i];
      }
      return owner === s.path && local[i];
    });
    removed += await rewriteSealedShard(s.path, s.manifest!, keep);
  }
  return removed;
}
