// Statistics of a dataset, accumulated one sample at a time (bounded memory but for the
// per-sample numbers kept for medians).
import { ROLES } from '../model/sample.ts';

interface Dist { n: number; sum: number; values: number[] }
const dist = (): Dist => ({ n: 0, sum: 0, values: [] });
const push = (d: Dist, v: number) => { d.n++; d.sum += v; d.values.push(v); };

export interface DatasetStats {
  samples: number;
  invalid: number;
  bySplitRole: Record<string, Record<string, number>>;
  bySource: Record<string, number>;
  turnsPerSample: Summary;
  charsPerSample: Summary;
  /** Share of gpt messages that carry at least one tool call. */
  toolCallRatio: number;
  scoreHistogram: number[];
  scoreByRole: Record<string, Summary>;
}

export interface Summary { mean: number; median: number; p90: number; min: number; max: number }

function summarize(d: Dist): Summary {
  if (d.n === 0) return { mean: 0, median: 0, p90: 0, min: 0, max: 0 };
  const v = [...d.values].sort((a, b) => a - b);
  const q = (p: number) => v[Math.min(v.length - 1, Math.floor(p * v.length))];
  return { mean: Math.round((d.sum / d.n) * 100) / 100, median: q(0.5), p90: q(0.9), min: v[0], max: v[v.length - 1] };
}

export class DatasetStatsBuilder {
  private samples = 0;
  private invalid = 0;
  private bySplitRole: Record<string, Record<string, number>> = { train: {}, val: {} };
  private bySource: Record<string, number> = {};
  private turns = dist();
  private chars = dist();
  private gptMessages = 0;
  private gptWithTools = 0;
  private hist = new Array(10).fill(0);
  private scoreRole = new Map<string, Dist>();

  addInvalid(): void {
    this.invalid++;
  }

  add(s: { conversations: { from: string; value: string }[]; metadata: Record<string, unknown> }): void {
    this.samples++;
    const m = s.metadata;
    const split = String(m.split);
    const role = String(m.role);
    (this.bySplitRole[split] ??= {})[role] = (this.bySplitRole[split][role] ?? 0) + 1;
    const src = String(m.source);
    this.bySource[src] = (this.bySource[src] ?? 0) + 1;
    push(this.turns, s.conversations.length - 1);
    push(this.chars, s.conversations.reduce((a, c) => a + c.value.length, 0));
    for (const c of s.conversations) {
      if (c.from !== 'gpt') continue;
      this.gptMessages++;
      if (c.value.includes('<tool_call ')) this.gptWithTools++;
    }
    const score = Number(m.quality_score);
    this.hist[Math.min(9, Math.max(0, Math.floor(score * 10)))]++;
    if (!this.scoreRole.has(role)) this.scoreRole.set(role, dist());
    push(this.scoreRole.get(role)!, score);
  }

  build(): DatasetStats {
    const scoreByRole: Record<string, Summary> = {};
    for (const r of [...ROLES, ...this.scoreRole.keys()]) if (this.scoreRole.has(r)) scoreByRole[r] = summarize(this.scoreRole.get(r)!);
    return {
      samples: this.samples,
      invalid: this.invalid,
      bySplitRole: this.bySplitRole,
      bySource: this.bySource,
      turnsPerSample: summarize(this.turns),
      charsPerSample: summarize(this.chars),
      toolCallRatio: this.gptMessages ? Math.round((this.gptWithTools / this.gptMessages) * 1000) / 1000 : 0,
      scoreHistogram: this.hist,
      scoreByRole,
    };
  }
}
