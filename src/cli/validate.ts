// `harvest validate DIR`: checks every record of every shard against the ShareGPT rules and prints
// dataset statistics. Exit 1 on any invalid sample.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readDataset } from '../sinks/shards/dataset-reader.ts';
import { sampleProblems } from '../model/sample-rules.ts';
import { DatasetStatsBuilder, type DatasetStats } from '../pipeline/dataset-stats.ts';
import type { Counts } from '../model/session.ts';

export interface ValidateResult {
  stats: DatasetStats;
  counts: Counts;
  problems: { shard: string; record: string; problems: string[] }[];
}

export async function validateDataset(dir: string, maxProblems = 20): Promise<ValidateResult> {
  const root = existsSync(join(dir, 'samples')) ? join(dir, 'samples') : dir;
  const stats = new DatasetStatsBuilder();
  const counts: Counts = {};
  const problems: ValidateResult['problems'] = [];
  for await (const r of readDataset(root, counts)) {
    const p = sampleProblems(r.value);
    if (p.length) {
      stats.addInvalid();
      if (problems.length < maxProblems) problems.push({ shard: r.shard, record: String(r.value?.metadata?.record_id ?? '?'), problems: p });
      continue;
    }
    stats.add(r.value as never);
  }
  return { stats: stats.build(), counts, problems };
}

export function formatValidation(v: ValidateResult): string {
  const s = v.stats;
  const roles = (o: Record<string, number>) => Object.entries(o).map(([k, n]) => `${k}=${n}`).join(' ') || '-';
  const sum = (x: DatasetStats['turnsPerSample']) => `mean ${x.mean}, median ${x.median}, p90 ${x.p90}, max ${x.max}`;
  const out = [
    `samples ${s.samples} (invalid ${s.invalid}, superseded ${v.counts.superseded ?? 0}, repeated ${v.counts.repeated ?? 0})`,
    `train: ${roles(s.bySplitRole.train ?? {})}`,
    `val:   ${roles(s.bySplitRole.val ?? {})}`,
    `by source: ${roles(s.bySource)}`,
    `turns per sample: ${sum(s.turnsPerSample)}`,
    `chars per sample: ${sum(s.charsPerSample)}`,
    `tool-call ratio (gpt messages with a tool call): ${s.toolCallRatio}`,
    `score histogram (0.0-1.0 by tenths): ${s.scoreHistogram.join(' ')}`,
    ...Object.entries(s.scoreByRole).map(([r, x]) => `score ${r}: ${sum(x)}`),
  ];
  for (const p of v.problems) out.push(`INVALID ${p.shard} ${p.record}: ${p.problems.join('; ')}`);
  return out.join('\n');
}
