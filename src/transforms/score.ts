import type { QualityScore, Role } from '../model/sample.ts';
import type { Counts, Turn } from '../model/session.ts';
import { isSubstantiveTurn } from './substantive.ts';
import { turnChars } from './turn-size.ts';

export const MIN_TURNS = 2;
export const MIN_SUBSTANTIVE_TURNS = 2;
export const MIN_CONTENT_CHARS = 200;

/**
 * Weights of the quality score (they sum to 1; every component is in [0, 1]):
 * - tool_success 0.25: share of tool results that are not errors (0.5 when the chunk has none).
 * - recovery     0.15: per errored result, 1 if the same tool later succeeds, 0.5 if any tool later
 *                      succeeds, 0 if nothing does; averaged (1 when there is no error).
 * - completion   0.25: the last assistant turn ends the work: text without tool calls and a stop
 *                      reason of end_turn/stop (or none) = 1; cut off by length = 0.25; dangling tool
 *                      calls, an error or an abort = 0.
 * - length       0.15: min(r, 1/r) for r = chunk chars / TYPICAL_CHUNK_CHARS[role].
 * - thinking     0.10: 1 when an assistant turn has thinking: the documented boost, so a chunk with
 *                      thinking scores 0.10 above the same chunk without it.
 * - substance    0.10: share of turns that are substantive (not check-ins, pings, bare tool results).
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
 * Typical rendered chars of a good chunk per role: patrol roles (boot, deacon, witness) do short
 * checks, workers (polecat, crew) long edits. A starting guess from Gas Town usage, to tune on data.
 */
export const TYPICAL_CHUNK_CHARS: Readonly<Record<Role, number>> = {
  mayor: 6000,
  deacon: 4000,
  boot: 2000,
  dog: 4000,
  witness: 4000,
  refinery: 5000,
  polecat: 8000,
  crew: 8000,
  unknown: 6000,
};

export type RejectReason = 'too_few_turns' | 'too_few_substantive_turns' | 'too_little_content' | 'below_min_score';

export interface QualityOptions {
  role: Role;
  /** Chunks scoring below this are rejected (`below_min_score`). */
  minScore?: number;
}

export interface QualityVerdict {
  keep: boolean;
  reason: RejectReason | null;
  quality: QualityScore;
  /** `rejected_<reason>: 1` when rejected. */
  counts: Counts;
}

const round3 = (x: number): number => Math.round(x * 1000) / 1000;

function toolSuccess(turns: Turn[]): number {
  let ok = 0;
  let total = 0;
  for (const turn of turns) {
    for (const result of turn.toolResults) {
      total++;
      if (!result.isError) ok++;
    }
  }
  return total === 0 ? 0.5 : ok / total;
}

function recovery(turns: Turn[]): number {
  const toolName = new Map<string, string>();
  for (const turn of turns) for (const call of turn.toolCalls) toolName.set(call.id, call.name);
  const results = turns.flatMap((turn, turnIndex) =>
    turn.toolResults.map((r) => ({ turnIndex, isError: r.isError, name: toolName.get(r.id) })),
  );
  const errors = results.filter((r) => r.isError);
  if (errors.length === 0) return 1;
  let credit = 0;
  for (const error of errors) {
    const later = results.filter((r) => r.turnIndex > error.turnIndex && !r.isError);
    if (error.name !== undefined && later.some((r) => r.name === error.name)) credit += 1;
    else if (later.length > 0) credit += 0.5;
  }
  return credit / errors.length;
}

const FINISHED = new Set(['end_turn', 'endturn', 'stop', 'stop_sequence']);
const CUT_OFF = new Set(['length', 'max_tokens']);

function completion(turns: Turn[]): number {
  const last = turns.findLast((t) => t.role === 'assistant');
  if (!last || last.toolCalls.length > 0 || last.text.trim() === '') return 0;
  const reason = last.stopReason?.toLowerCase();
  if (reason === undefined || FINISHED.has(reason)) return 1;
  return CUT_OFF.has(reason) ? 0.25 : 0;
}

function lengthFit(chars: number, role: Role): number {
  const r = chars / TYPICAL_CHUNK_CHARS[role];
  return r <= 0 ? 0 : Math.min(r, 1 / r);
}

/** The weighted score of a chunk and every component it is made of. */
export function scoreTurns(turns: Turn[], role: Role): QualityScore {
  const chars = turns.reduce((n, t) => n + turnChars(t), 0);
  const components: Record<string, number> = {
    tool_success: toolSuccess(turns),
    recovery: recovery(turns),
    completion: completion(turns),
    length: lengthFit(chars, role),
    thinking: turns.some((t) => t.role === 'assistant' && (t.thinking ?? '').trim() !== '') ? 1 : 0,
    substance: turns.length === 0 ? 0 : turns.filter(isSubstantiveTurn).length / turns.length,
  };
  let score = 0;
  for (const [name, weight] of Object.entries(QUALITY_WEIGHTS)) score += weight * components[name];
  for (const name of Object.keys(components)) components[name] = round3(components[name]);
  return { score: round3(Math.min(1, Math.max(0, score))), components };
}

function rejectReason(turns: Turn[]): RejectReason | null {
  if (turns.length < MIN_TURNS) return 'too_few_turns';
  if (turns.filter(isSubstantiveTurn).length < MIN_SUBSTANTIVE_TURNS) return 'too_few_substantive_turns';
  if (turns.reduce((n, t) => n + turnChars(t), 0) < MIN_CONTENT_CHARS) return 'too_little_content';
  return null;
}

/** Filters and scores one chunk: rejected ones carry their reason, kept ones their score. */
export function assessChunk(turns: Turn[], opts: QualityOptions): QualityVerdict {
  const quality = scoreTurns(turns, opts.role);
  let reason = rejectReason(turns);
  if (reason === null && opts.minScore !== undefined && quality.score < opts.minScore) reason = 'below_min_score';
  return { keep: reason === null, reason, quality, counts: reason ? { [`rejected_${reason}`]: 1 } : {} };
}
