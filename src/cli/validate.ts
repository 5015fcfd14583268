// `harvest validate DIR`: checks every record of every shard against the sample rules
// (src/model/sample-rules.ts), recounts each sample's tokens with the tokenizer it names against
// the budget it was built for, checks that no assistant message is the target of two samples, and
// prints coverage and dataset statistics. Exit 1 on any invalid sample.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readDataset } from '../sinks/shards/dataset-reader.ts';
import { sampleProblems, sampleSchema } from '../model/sample-rules.ts';
import { DatasetStatsBuilder, TOKEN_BUCKETS, type DatasetStats } from '../pipeline/dataset-stats.ts';
import type { Counts } from '../model/session.ts';
import type { SampleMessage } from '../model/sample.ts';
import type { ToolSpec } from '../model/tool-spec.ts';
import { SampleTokenCounter } from '../transforms/tokens/sample-tokens.ts';
import { getTokenizer, isTokenizerName } from '../transforms/tokens/tokenizer.ts';

export interface ValidateResult {
  stats: DatasetStats;
  counts: Counts;
  problems: { shard: string; record: string; problems: string[] }[];
}

export interface ValidateOptions {
  maxProblems?: number;
  /** Recount tokens with the real tokenizer (default true). */
  recount?: boolean;
}

export async function validateDataset(dir: string, opts: ValidateOptions = {}): Promise<ValidateResult> {
  const maxProblems = opts.maxProblems ?? 20;
  const root = existsSync(join(dir, 'samples')) ? join(dir, 'samples') : dir;
  const stats = new DatasetStatsBuilder();
  const counts: Counts = {};
  const problems: ValidateResult['problems'] = [];
  const counters = new Map<string, SampleTokenCounter>();
  for await (const r of readDataset(root, counts)) {
    const p = sampleProblems(r.value);
    let tokens: number | undefined;
    let budget: number | undefined;
    if (p.length === 0 && opts.recount !== false) {
      const v = sampleSchema.parse(r.value);
      const name = v.metadata.tokenizer;
      budget = typeof v.metadata.token_budget === 'number' ? v.metadata.token_budget : undefined;
      if (!isTokenizerName(name)) p.push(`tokens: unknown tokenizer ${name}`);
      else {
        let c = counters.get(name);
        if (!c) counters.set(name, (c = new SampleTokenCounter(getTokenizer(name))));
        tokens = c.whole(v.messages as SampleMessage[], v.tools as ToolSpec[]);
        if (budget !== undefined && tokens > budget) p.push(`budget: ${tokens} tokens with ${name}, over the budget of ${budget}`);
      }
    }
    if (p.length) {
      stats.addInvalid();
      if (problems.length < maxProblems) problems.push({ shard: r.shard, record: String(r.value?.metadata?.record_id ?? '?'), problems: p });
      continue;
    }
    stats.add(r.value as never, tokens, budget);
  }
  return { stats: stats.build(), counts, problems };
}

const pct = (x: number): string => `${Math.round(x * 1000) / 10}%`;

export function formatValidation(v: ValidateResult): string {
  const s = v.stats;
  const roles = (o: Record<string, number>) => Object.entries(o).map(([k, n]) => `${k}=${n}`).join(' ') || '-';
  const sum = (x: DatasetStats['tokensPerSample']) => `mean ${x.mean}, median ${x.median}, p90 ${x.p90}, max ${x.max}`;
  const c = s.coverage;
  const buckets = s.tokenHistogram.map((n, i) => `${i < TOKEN_BUCKETS.length ? `<=${TOKEN_BUCKETS[i]}` : `>${TOKEN_BUCKETS.at(-1)}`}:${n}`).join(' ');
  const out = [
    `samples ${s.samples} (invalid ${s.invalid}, superseded ${v.counts.superseded ?? 0}, repeated ${v.counts.repeated ?? 0})`,
    `train: ${roles(s.bySplitRole.train ?? {})}`,
    `val:   ${roles(s.bySplitRole.val ?? {})}`,
    `by source: ${roles(s.bySource)}`,
    c.assistantMessages
      ? `coverage: ${c.targets} of ${c.assistantMessages} assistant messages are targets (${pct(c.ratio)}); with counted exceptions ${pct(c.accounted)} (${roles(c.explained)})`
      : 'coverage: no session coverage recorded in these samples',
    `targets trained twice: ${s.overlappingTargets}`,
    `steps per sample: ${sum(s.stepsPerSample)}`,
    `tokens per sample: ${sum(s.tokensPerSample)}; over budget ${s.overBudget}`,
    `token histogram: ${buckets}`,
    `tool-call ratio (targets that call a tool): ${s.toolCallRatio}`,
    `score histogram (0.0-1.0 by tenths): ${s.scoreHistogram.join(' ')}`,
    ...Object.entries(s.scoreByRole).map(([r, x]) => `score ${r}: ${sum(x)}`),
  ];
  for (const p of v.problems) out.push(`INVALID ${p.shard} ${p.record}: ${p.problems.join('; ')}`);
  return out.join('\n');
}
