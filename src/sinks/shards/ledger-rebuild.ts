// The folder as the ledger's source of truth: when Redis lost the ledger, it is rebuilt from the
// shard manifests and the open shards' commit logs (sealed shards first: they keep what they hold).
import type { LedgerShard, LedgerSource } from '../../state/record-ledger.ts';
import { listShards } from './dataset-reader.ts';
import { fromManifestEntry, readCommits, shardKey, walkFiles } from './shard-files.ts';

/**
 * The ledger of dataset `datasetId` as its folder holds it. Shards written for another dataset (a
 * folder emptied and refilled while the old shards were still being deleted) do not count; shards
 * that name none (written before datasets had ids) do.
 */
export function folderLedgerSource(root: string, datasetId?: string): LedgerSource {
  return async () => {
    const shards = (await listShards(root)).filter((s) => !datasetId || !s.dataset || s.dataset === datasetId);
    const out: LedgerShard[] = shards.map((s) => ({
      shard: shardKey(root, s.path.replace(/\.open$/, '')),
      sealed: s.sealed,
      entries: s.entries.map(fromManifestEntry),
    }));
    return out.sort((a, b) => Number(b.sealed) - Number(a.sealed) || a.shard.localeCompare(b.shard));
  };
}

/** The highest ledger sequence the open shards' commit logs recorded (0 when none did). */
export async function seqInOpenShards(root: string): Promise<number> {
  let max = 0;
  for await (const p of walkFiles(root, (n) => n.endsWith('.jsonl.commits'))) {
    for (const c of await readCommits(p)) if ((c.seq ?? 0) > max) max = c.seq ?? 0;
  }
  return max;
}
