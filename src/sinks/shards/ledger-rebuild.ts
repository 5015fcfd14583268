// Rebuilds the Redis dedupe ledger from shard manifests (and open shards' commit logs) after Redis
// lost it: a restart without persistence, a flush, a new Redis.
import type { RecordLedger } from '../../state/record-ledger.ts';
import { listShards } from './dataset-reader.ts';
import { fromManifestEntry } from './shard-files.ts';

export async function rebuildLedger(ledger: RecordLedger, samplesRoot: string): Promise<number> {
  const shards = await listShards(samplesRoot);
  return ledger.rebuild(shards.flatMap((s) => s.entries.map(fromManifestEntry)));
}

/** Rebuilds only when Redis holds no records but the folder does. */
export async function rebuildLedgerIfLost(ledger: RecordLedger, samplesRoot: string): Promise<number> {
  if ((await ledger.size()) > 0) return 0;
  return rebuildLedger(ledger, samplesRoot);
}
