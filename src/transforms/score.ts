// Quality of a sample as emitted: its task and the steps it trains on. Pure.
import type { QualityScore, Role } from '../model/sample.ts';
import type { Counts } from '../model/session.ts';
import type { Step } from './episodes.ts';
import { isBoilerplate } from './substantive.ts';

/**
 * Weights of the quality score (they sum to 1; every component is in [0, 1]):
 * - tool_success 0.25: share of the trained steps' tool results that are not errors (0.5 when none).
 * - recovery     0.15: per errored result, 1 if the same tool later succeeds in the sample, 0.5 if
 *                      any tool does, 0 if nothing does; averaged (1 when there is no error).
 * - completion   0.25: the sample's last step succeeded: a final answer (text, no calls) that
 *                      stopped normally = 1 (cut off by length 0.25, an error or abort 0); tool
 *                      calls whose results are all in and none an error = 1, some errors 0.5,
 *                      results missing (interrupted) 0.
 * - length       0.15: min(r, 1/r) for r = sample tokens / TYPICAL_SAMPLE_TOKENS[role].
 * - thinking     0.10: 1 when a trained step has reasoning: the documented boost.
 * - substance    0.10: share of trained steps that do work (call tools or say more than boilerplate).
 */
export const QUALITY_WEIGHTS = {
  tool_success: 0.25,
  recovery: 0.15,
  completion: 0.25,
  length: 0.15,
  thinking: 0.1,
  substance: 0.1,
} as const;

/**
 * Typical tokens of a good sample per role: patrol roles (boot, deacon, witness) do short checks,
 * workers (polecat, crew) long edits. A starting guess from Gas Town usage, to tune on data.
 */
export const TYPICAL_SAMPLE_TOKENS: Readonly<Record<Role, number>> = {
  mayor: 2000,
  deacon: 1400,
  boot: 800,
  dog: 1400,
  witness: 1400,
  refinery: 1800,
  polecat: 2800,
  crew: 2800,
  unknown: 2000,
};

export type RejectReason = 'boilerplate' | 'below_min_score';

export interface SampleView {
  task: string;
  /** The trained steps, in order (their results as the session has them, the last one's too). */
  steps: readonly Step[];
  tokenCount: number;
}

export interface QualityVerdict {
  keep: boolean;
  reason: RejectReason | null;
  quality: QualityScore;
  /** `rejected_<reason>: 1` when rejected. */
  counts: Counts;
}

const round3 = (x: number): number => Math.round(x * 1000) / 1000;

function toolSuccess(steps: readonly Step[]): number {
  let ok = 0;
  let total = 0;
  for (const s of steps) for (const r of s.results) if (r) {
    total++;
    if (!r.isError) ok++;
  }
  return total === 0 ? 0.5 : ok / total;
}

function recovery(steps: readonly Step[]): number {
  const results = steps.flatMap((s, i) => s.results.flatMap((r, pos) => (r ? [{ i, isError: r.isError, name: s.calls[pos].name }] : [])));
  const errors = results.filter((r) => r.isError);
  if (errors.length === 0) return 1;
  let credit = 0;
  for (const e of errors) {
    const later = results.filter((r) => r.i > e.i && !r.isError);
    if (later.some((r) => r.name === e.name)) credit += 1;
    else if (later.length > 0) credit += 0.5;
  }
  return credit / errors.length;
}

const FINISHED = new Set(['end_turn', 'endturn', 'stop', 'stop_sequence']);
const CUT_OFF = new Set(['length', 'max_tokens']);

function completion(steps: readonly Step[]): number {
  const last = steps.at(-1);
  if (!last) return 0;
  if (last.calls.length > 0) {
    if (last.results.some((r) => r === undefined)) return 0;
    return last.results.some((r) => r!.isError) ? 0.5 : 1;
  }
  if (last.turn.text.trim() === '') return 0;
  const reason = last.turn.stopReason?.toLowerCase();
  if (reason === undefined || FINISHED.has(reason)) return 1;
  return CUT_OFF.has(reason) ? 0.25 : 0;
}

const doesWork = (s: Step): boolean => s.calls.length > 0 || (s.turn.text.trim() !== '' && !isBoilerplate(s.turn.text));

/** The weighted score of a sample and every component it is made of. */
export function scoreSample(view: SampleView, role: Role): QualityScore {
  const r = view.tokenCount / TYPICAL_SAMPLE_TOKENS[role];
  const components: Record<string, number> = {
    tool_success: toolSuccess(view.steps),
    recovery: recovery(view.steps),
    completion: completion(view.steps),
    length: r <= 0 ? 0 : Math.min(r, 1 / r),
    thinking: view.steps.some((s) => (s.turn.thinking ?? '').trim() !== '') ? 1 : 0,
    substance: view.steps.length === 0 ? 0 : view.steps.filter(doesWork).length / view.steps.length,
  };
  let score = 0;
  for (const [name, weight] of Object.entries(QUALITY_WEIGHTS)) score += weight * components[name];
  for (const name of Object.keys(components)) components[name] = round3(components[name]);
  return { score: round3(Math.min(1, Math.max(0, score))), components };
}

/**
 * Filters and scores one sample. Rejected only for real reasons: a check-in whose task and every
 * step are boilerplate, or a score below the configured minimum.
 */
export function assessSample(view: SampleView, opts: { role: Role; minScore?: number }): QualityVerdict {
  const quality = scoreSample(view, opts.role);
  let reason: RejectReason | null = null;
  if (isBoilerplate(view.task) && !view.steps.some(doesWork)) reason = 'boilerplate';
  else if (opts.minScore !== undefined && quality.score < opts.minScore) reason = 'below_min_score';
  return { keep: reason === null, reason, quality, counts: reason ? { [`rejected_${reason}`]: 1 } : {} };
}
