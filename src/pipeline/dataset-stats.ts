// Statistics of a dataset, accumulated one sample at a time (bounded memory but for the
// per-sample numbers kept for medians and the step ranges kept for the exactly-once check).
import { ROLES, type SampleMessage } from '../model/sample.ts';

interface Dist { n: number; sum: number; values: number[] }
const dist = (): Dist => ({ n: 0, sum: 0, values: [] });
const push = (d: Dist, v: number) => { d.n++; d.sum += v; d.values.push(v); };

/** Upper edges of the token histogram's buckets (the last bucket is everything above). */
export const TOKEN_BUCKETS = [512, 1024, 1536, 2048, 2560, 3072, 3584, 4096] as const;

export interface Coverage {
  /** Assistant messages of the sessions (their largest read), every branch. */
  assistantMessages: number;
  /** Trained assistant messages in the dataset. */
  targets: number;
  /** Not trained, for a counted reason (no_task, too_large, rejected_*). */
  explained: Record<string, number>;
  /** targets / assistantMessages, and (targets + explained) / assistantMessages. */
  ratio: number;
  accounted: number;
}

export interface DatasetStats {
  samples: number;
  invalid: number;
  bySplitRole: Record<string, Record<string, number>>;
  bySource: Record<string, number>;
  stepsPerSample: Summary;
  tokensPerSample: Summary;
  /** Samples per token bucket (TOKEN_BUCKETS, then above the last). */
  tokenHistogram: number[];
  /** Samples whose recounted tokens exceed the budget they were built for. */
  overBudget: number;
  /** Share of trained assistant messages that call a tool. */
  toolCallRatio: number;
  scoreHistogram: number[];
  scoreByRole: Record<string, Summary>;
  coverage: Coverage;
  /** Assistant messages trained by more than one sample (the same session, branch and episode). */
  overlappingTargets: number;
}

export interface Summary { mean: number; median: number; p90: number; min: number; max: number }

function summarize(d: Dist): Summary {
  if (d.n === 0) return { mean: 0, median: 0, p90: 0, min: 0, max: 0 };
  const v = [...d.values].sort((a, b) => a - b);
  const q = (p: number) => v[Math.min(v.length - 1, Math.floor(p * v.length))];
  return { mean: Math.round((d.sum / d.n) * 100) / 100, median: q(0.5), p90: q(0.9), min: v[0], max: v[v.length - 1] };
}

export interface StatsSample {
  messages: SampleMessage[];
  metadata: Record<string, unknown>;
}

interface SessionCoverage { assistant_messages?: number; [reason: string]: number | undefined }

export class DatasetStatsBuilder {
  private samples = 0;
  private invalid = 0;
  private overBudget = 0;
  private bySplitRole: Record<string, Record<string, number>> = { train: {}, val: {} };
  private bySource: Record<string, number> = {};
  private steps = dist();
  private tokens = dist();
  private tokenHist = new Array(TOKEN_BUCKETS.length + 1).fill(0);
  private targets = 0;
  private targetsWithTools = 0;
  private hist = new Array(10).fill(0);
  private scoreRole = new Map<string, Dist>();
  private sessions = new Map<string, SessionCoverage>();
  private ranges = new Map<string, [number, number][]>();

  addInvalid(): void {
    this.invalid++;
  }

  /** `tokens`: the sample's recounted tokens, `budget` what it was built for (over budget is counted). */
  add(s: StatsSample, tokens?: number, budget?: number): void {
    this.samples++;
    const m = s.metadata;
    const split = String(m.split);
    const role = String(m.role);
    (this.bySplitRole[split] ??= {})[role] = (this.bySplitRole[split][role] ?? 0) + 1;
    const src = String(m.source);
    this.bySource[src] = (this.bySource[src] ?? 0) + 1;
    const start = Number(m.step_start);
    const end = Number(m.step_end);
    push(this.steps, end - start);
    const n = tokens ?? Number(m.token_count);
    push(this.tokens, n);
    const bucket = TOKEN_BUCKETS.findIndex((edge) => n <= edge);
    this.tokenHist[bucket === -1 ? TOKEN_BUCKETS.length : bucket]++;
    if (budget !== undefined && n > budget) this.overBudget++;
    for (const msg of s.messages) {
      if (msg.role !== 'assistant' || msg.weight === 0) continue;
      this.targets++;
      if (msg.tool_calls?.length) this.targetsWithTools++;
    }
    const score = Number(m.quality_score);
    this.hist[Math.min(9, Math.max(0, Math.floor(score * 10)))]++;
    if (!this.scoreRole.has(role)) this.scoreRole.set(role, dist());
    push(this.scoreRole.get(role)!, score);

    const session = `${m.runtime ?? m.source}\u0000${m.session_id}`;
    const cov = m.session_coverage as SessionCoverage | undefined;
    if (cov && typeof cov.assistant_messages === 'number') {
      const prev = this.sessions.get(session);
      if (!prev || (prev.assistant_messages ?? 0) <= cov.assistant_messages) this.sessions.set(session, cov);
    }
    const episode = `${session}\u0000${m.branch}\u0000${m.branch_point ?? ''}\u0000${m.episode_index}`;
    const list = this.ranges.get(episode) ?? [];
    list.push([start, end]);
    this.ranges.set(episode, list);
  }

  build(): DatasetStats {
    const scoreByRole: Record<string, Summary> = {};
    for (const r of [...ROLES, ...this.scoreRole.keys()]) if (this.scoreRole.has(r)) scoreByRole[r] = summarize(this.scoreRole.get(r)!);
    let overlapping = 0;
    for (const list of this.ranges.values()) {
      list.sort((a, b) => a[0] - b[0]);
      for (let i = 1; i < list.length; i++) if (list[i][0] < list[i - 1][1]) overlapping += Math.min(list[i - 1][1], list[i][1]) - list[i][0];
    }
    let assistantMessages = 0;
    const explained: Record<string, number> = {};
    for (const cov of this.sessions.values()) {
      assistantMessages += cov.assistant_messages ?? 0;
      for (const [k, v] of Object.entries(cov)) if (k !== 'assistant_messages' && typeof v === 'number' && v > 0) explained[k] = (explained[k] ?? 0) + v;
    }
    const explainedTotal = Object.values(explained).reduce((a, b) => a + b, 0);
    const ratio = (x: number) => (assistantMessages ? Math.round((x / assistantMessages) * 10000) / 10000 : 0);
    return {
      samples: this.samples,
      invalid: this.invalid,
      bySplitRole: this.bySplitRole,
      bySource: this.bySource,
      stepsPerSample: summarize(this.steps),
      tokensPerSample: summarize(this.tokens),
      tokenHistogram: this.tokenHist,
      overBudget: this.overBudget,
      toolCallRatio: this.targets ? Math.round((this.targetsWithTools / this.targets) * 1000) / 1000 : 0,
      scoreHistogram: this.hist,
      scoreByRole,
      coverage: { assistantMessages, targets: this.targets, explained, ratio: ratio(this.targets), accounted: ratio(this.targets + explainedTotal) },
      overlappingTargets: overlapping,
    };
  }
}
