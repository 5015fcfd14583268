// The inputs `harvest compare` (and the report's comparison chart) need, streamed from a dataset
// folder and a recorded history: sessions from the samples, PR lifecycles rebuilt from the
// observations, actions and outcomes, bead lifecycles from the beads folder.
import { join } from 'node:path';
import type { HistoryFilter, HistorySource } from '../analysis/history.ts';
import { compareGroups, CompareSessions, type CompareDimension, type CompareReport } from '../analysis/compare.ts';
import type { Counts } from '../model/session.ts';
import { readDataset } from '../sinks/shards/dataset-reader.ts';
import { samplesRootOf } from '../sinks/shards/samples-root.ts';
import { buildPrLifecycles } from '../transforms/pr-lifecycle.ts';
import { loadBeadLifecycles } from './dpo-pairs.ts';

export async function gatherCompare(
  dataDir: string,
  history: HistorySource,
  by: CompareDimension,
  filter: HistoryFilter = {},
  counts: Counts = {},
): Promise<CompareReport> {
  const sessions = new CompareSessions();
  const root = samplesRootOf(dataDir);
  if (root) for await (const r of readDataset(root, counts)) if (r.value.metadata) sessions.add(r.value.metadata as Record<string, unknown>);
  const list = sessions.list();
  // PRs opened before the range still count for the sessions in it: the history is read whole.
  const prs = await buildPrLifecycles({ observations: history.observations({}, counts), actions: history.actions({}, counts), outcomes: history.outcomes({}, counts) });
  const beads = await loadBeadLifecycles(join(dataDir, 'beads'), new Set(list.flatMap((s) => s.beads.map((b) => b.bead_id))), counts);
  return compareGroups({ sessions: list, prs, beads }, by, { sinceMs: filter.sinceMs, repo: filter.repo });
}
