// Outcome scores: what became of the work a session did on a bead, from the bead's lifecycle.
//
//   outcome = (0.5 * attempt_closed + 0.3 * first_try + 0.2 * duration)
//             * superseded (0.3 or 1) * escalated (0.5 or 1) * abandoned (0.2 or 1)
//
//   attempt_closed  1 when the session's attempt ended in a close that stuck, 0 when it was
//                   reopened or given back (released); a bead-level guess when it cannot be placed
//   first_try       1 when the bead closed once with no reopen or release, 0.5 when this attempt
//                   is the redo that finally closed it, 0 otherwise
//   duration        1 within the role's typical claimed-to-closed time, falling to 0 at 8x
//                   (log-scaled); 0.5 when unknown
//   multipliers     superseded/duplicate, escalated and abandoned work is low whatever else held
//
// A session's outcome is the confidence-weighted mean over its scored links.
//
// PR outcomes: what became of the PR a session wrote (links with relation `author`):
//
//   pr_outcome = merged ? max(0.2, 1 - 0.2 * fix_rounds - 0.05 * min(failing_check_spells, 4))
//                       : 0.1 (closed without merging, or recorded as failed)
//                * sent_back (0.5 when a review fix was asked for after this session's work, else 1)
//                * escalated (0.5 when the orchestrator escalated it, else 1)
//
//   fix_rounds      review-fix rounds (GitHub's changes-requested reviews, or the orchestrator's
//                   requests if more) plus conflict-fix requests: merged first try scores 1
//   sent_back       the session's own work went back for fixes; another session's finished it
//   open PRs have no outcome yet
//
// Then, with c the link confidence of each:
//
//   combined = (0.3 * heuristic + 0.7 * c_bead * bead + 0.7 * c_pr * pr) / (0.3 + 0.7 * c_bead + 0.7 * c_pr)
//
// so a sure link mostly replaces the text heuristic and a weak one only nudges it; a missing
// outcome drops its terms. Unlinked sessions, beads still in progress and open PRs keep the
// heuristic score.
import type { BeadLifecycle, BeadLink } from '../model/bead.ts';
import { REVIEW_FIX_ACTION } from '../model/event.ts';
import type { PrLifecycle, PrLink } from '../model/pr.ts';
import type { Role } from '../model/sample.ts';
import { fixRounds, reviewFixRounds, timeToMergeHours } from './pr-lifecycle.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;

/** Typical claimed-to-closed time per role, used when the beads data has no median of its own. */
export const ROLE_TYPICAL_DURATION_MS: Readonly<Record<Role, number>> = {
  polecat: 2 * HOUR,
  crew: 4 * HOUR,
  witness: 30 * MIN,
  refinery: 30 * MIN,
  deacon: 30 * MIN,
  dog: 30 * MIN,
  boot: 10 * MIN,
  mayor: 2 * HOUR,
  unknown: 2 * HOUR,
};

export const OUTCOME_WEIGHTS = { attempt_closed: 0.5, first_try: 0.3, duration: 0.2 } as const;
export const OUTCOME_MULTIPLIERS = { superseded: 0.3, escalated: 0.5, abandoned: 0.2 } as const;
export const COMBINE_WEIGHTS = { heuristic: 0.3, outcome: 0.7, pr: 0.7 } as const;
export const PR_OUTCOME_WEIGHTS = {
  per_fix_round: 0.2,
  per_failing_spell: 0.05,
  max_failing_spells: 4,
  merged_floor: 0.2,
  closed: 0.1,
  sent_back: 0.5,
  escalated: 0.5,
} as const;

export interface OutcomeScore {
  score: number;
  components: Record<string, number>;
  /** How the session's attempt ended: closed, reopened, released, open, or bead-level. */
  attempt_end: string;
  /** Short reason, e.g. `closed first try`, `reopened after this attempt`. */
  reason: string;
}

export interface OutcomeOptions {
  /** Typical claimed-to-closed time for the role (else the table above). */
  typicalMs?: number;
}

const round = (x: number) => Math.round(x * 1000) / 1000;
const time = (s: string | null): number | null => {
  if (!s) return null;
  const v = Date.parse(s);
  return Number.isFinite(v) ? v : null;
};

/** Duration component: 1 up to the typical time, then down on a log scale to 0 at 8x. */
export function durationComponent(durationMs: number | null, typicalMs: number): number {
  if (durationMs === null || !(typicalMs > 0)) return 0.5;
  if (durationMs <= typicalMs) return 1;
  return Math.max(0, 1 - Math.log2(durationMs / typicalMs) / 3);
}

/**
 * The outcome of one session's work on one bead (`attempt`: the lifecycle attempt it belongs to,
 * or null when it could not be placed). Null while the outcome is not known yet.
 */
export function outcomeScore(lc: BeadLifecycle, attempt: number | null, role: Role, opts: OutcomeOptions = {}): OutcomeScore | null {
  const a = attempt !== null ? lc.attempts.find((x) => x.index === attempt) ?? null : null;
  const done = lc.closed_at !== null || lc.outcome === 'first_try' || lc.outcome === 'closed_after_reopen' || lc.outcome === 'closed_after_release';
  const superseded = lc.superseded_by !== null || lc.duplicate_of !== null;
  let attemptClosed: number;
  let end: string;
  if (a) {
    end = a.end;
    if (a.end === 'closed') attemptClosed = 1;
    else if (a.end === 'reopened' || a.end === 'released') attemptClosed = 0;
    else if (done) attemptClosed = 1;
    else if (superseded || lc.abandoned || lc.escalated) attemptClosed = 0;
    else return null;
  } else {
    end = 'bead';
    if (lc.outcome === 'first_try') attemptClosed = 1;
    else if (lc.outcome === 'closed_after_reopen' || lc.outcome === 'closed_after_release') attemptClosed = 0.5;
    else if (lc.outcome === 'open' || lc.outcome === 'in_progress') return null;
    else attemptClosed = 0;
  }
  const clean = lc.close_count <= 1 && lc.reopen_count === 0 && lc.release_count === 0;
  const lastClosed = a !== null && a.end === 'closed' && lc.attempts.filter((x) => x.index > a.index && x.end === 'closed').length === 0;
  const firstTry = clean && attemptClosed === 1 ? 1 : lastClosed ? 0.5 : a === null && (lc.outcome === 'closed_after_reopen' || lc.outcome === 'closed_after_release') ? 0.25 : 0;
  const typical = opts.typicalMs ?? ROLE_TYPICAL_DURATION_MS[role];
  let duration: number | null = null;
  if (a && a.startedAt && a.endedAt) duration = (time(a.endedAt) as number) - (time(a.startedAt) as number);
  else duration = lc.claim_to_close_ms ?? lc.time_to_close_ms;
  if (duration !== null && duration < 0) duration = null;
  const dur = durationComponent(duration, typical);
  const mSup = superseded ? OUTCOME_MULTIPLIERS.superseded : 1;
  const mEsc = lc.escalated ? OUTCOME_MULTIPLIERS.escalated : 1;
  const mAba = lc.abandoned || (a !== null && a.end === 'released') ? OUTCOME_MULTIPLIERS.abandoned : 1;
  const base = OUTCOME_WEIGHTS.attempt_closed * attemptClosed + OUTCOME_WEIGHTS.first_try * firstTry + OUTCOME_WEIGHTS.duration * dur;
  const score = round(base * mSup * mEsc * mAba);
  const reason = superseded ? (lc.duplicate_of ? `duplicate of ${lc.duplicate_of}` : `superseded by ${lc.superseded_by}`)
    : mAba < 1 ? 'abandoned'
    : lc.escalated ? 'escalated'
    : end === 'reopened' ? 'reopened after this attempt'
    : firstTry === 1 ? 'closed first try'
    : firstTry === 0.5 ? 'closed on a redo'
    : attemptClosed === 1 ? 'closed' : `bead ${lc.outcome}`;
  return {
    score,
    components: {
      attempt_closed: round(attemptClosed),
      first_try: round(firstTry),
      duration: round(dur),
      superseded: mSup,
      escalated: mEsc,
      abandoned: mAba,
    },
    attempt_end: end,
    reason,
  };
}

export interface SessionOutcome {
  score: number;
  /** The strongest confidence among the scored links. */
  confidence: number;
  /** Bead ids that contributed. */
  beads: string[];
}

/** The confidence-weighted mean of scores, the strongest confidence, and the ids that counted. */
function confidenceMean(items: { id: string; confidence: number; score: number }[]): { score: number; confidence: number; ids: string[] } | null {
  const w = items.reduce((n, x) => n + x.confidence, 0);
  if (w === 0) return null;
  const sum = items.reduce((n, x) => n + x.confidence * x.score, 0);
  return { score: round(sum / w), confidence: Math.max(...items.map((x) => x.confidence)), ids: items.map((x) => x.id) };
}

/** Confidence-weighted mean of the scored links; null when none has an outcome yet. */
export function sessionOutcome(scored: { link: BeadLink; outcome: OutcomeScore | null }[]): SessionOutcome | null {
  const m = confidenceMean(scored.flatMap(({ link, outcome }) => (outcome ? [{ id: link.bead_id, confidence: link.confidence, score: outcome.score }] : [])));
  return m && { score: m.score, confidence: m.confidence, beads: m.ids };
}

/** What the session's own work came to on the PR. */
export type PrWorkEnd = 'merged' | 'sent_back' | 'closed' | 'open';

export interface PrOutcomeScore {
  score: number;
  components: Record<string, number>;
  work_end: PrWorkEnd;
  reason: string;
}

/**
 * The outcome of one session's work on one PR (formula above); `sessionEndMs`, when known, places
 * the session's work before or after the fix requests. Null while the PR is open.
 */
export function prOutcomeScore(lc: PrLifecycle, sessionEndMs: number | null = null): PrOutcomeScore | null {
  const failed = lc.orchestrator_outcomes.some((o) => o.result === 'failed');
  if (lc.state === 'open' && !failed) return null;
  const merged = lc.state === 'merged';
  const rounds = fixRounds(lc);
  const spells = Math.min(lc.failing_check_spells.length, PR_OUTCOME_WEIGHTS.max_failing_spells);
  const mergedAt = lc.merged_at ? Date.parse(lc.merged_at) : Number.POSITIVE_INFINITY;
  // A review fix asked for after the session's work: that work went back. A conflict is the base moving.
  const sentBack = merged && sessionEndMs !== null && lc.fix_requests.some((f) =>
    f.action === REVIEW_FIX_ACTION && Date.parse(f.at) > sessionEndMs && Date.parse(f.at) < mergedAt);
  const escalated = lc.orchestrator_outcomes.some((o) => o.result === 'escalated');
  const base = merged
    ? Math.max(PR_OUTCOME_WEIGHTS.merged_floor, 1 - PR_OUTCOME_WEIGHTS.per_fix_round * rounds - PR_OUTCOME_WEIGHTS.per_failing_spell * spells)
    : PR_OUTCOME_WEIGHTS.closed;
  const mSent = sentBack ? PR_OUTCOME_WEIGHTS.sent_back : 1;
  const mEsc = escalated ? PR_OUTCOME_WEIGHTS.escalated : 1;
  const ttm = timeToMergeHours(lc);
  const work_end: PrWorkEnd = !merged ? 'closed' : sentBack ? 'sent_back' : 'merged';
  const reason = !merged
    ? failed && lc.state === 'open' ? 'recorded as failed' : 'closed without merging'
    : sentBack ? `sent back for fixes after this session (merged after ${rounds} fix round${rounds === 1 ? '' : 's'})`
    : rounds === 0 ? 'merged first try'
    : `merged after ${rounds} fix round${rounds === 1 ? '' : 's'}`;
  return {
    score: round(base * mSent * mEsc),
    components: {
      merged: merged ? 1 : 0,
      first_try: merged && rounds === 0 ? 1 : 0,
      fix_rounds: rounds,
      review_fix_rounds: reviewFixRounds(lc),
      conflict_fix_actions: lc.conflict_fix_actions,
      failing_check_spells: lc.failing_check_spells.length,
      sent_back: mSent,
      escalated: mEsc,
      ...(ttm !== null ? { time_to_merge_hours: ttm } : {}),
    },
    work_end,
    reason,
  };
}

export interface SessionPrOutcome {
  score: number;
  confidence: number;
  /** `repo#number` of the PRs that contributed. */
  prs: string[];
}

/** Confidence-weighted mean over the PRs the session wrote (relation author) that have ended. */
export function sessionPrOutcome(scored: { link: PrLink; outcome: PrOutcomeScore | null }[]): SessionPrOutcome | null {
  const m = confidenceMean(scored.flatMap(({ link, outcome }) =>
    (outcome && link.relation === 'author' ? [{ id: `${link.repo}#${link.number}`, confidence: link.confidence, score: outcome.score }] : [])));
  return m && { score: m.score, confidence: m.confidence, prs: m.ids };
}

export interface CombinedScore {
  score: number;
  components: {
    heuristic: number;
    /** The bead outcome and its share of the combined score. */
    outcome: number | null;
    outcome_weight: number;
    /** The PR outcome and its share. */
    pr_outcome: number | null;
    pr_weight: number;
  };
}

/** The heuristic text score, the bead outcome and the PR outcome as one quality score (weights above). */
export function combineScores(
  heuristic: number,
  outcome?: { score: number; confidence: number } | null,
  pr?: { score: number; confidence: number } | null,
): CombinedScore {
  const clamp = (c: number) => Math.max(0, Math.min(1, c));
  const wb = outcome ? COMBINE_WEIGHTS.outcome * clamp(outcome.confidence) : 0;
  const wp = pr ? COMBINE_WEIGHTS.pr * clamp(pr.confidence) : 0;
  const total = COMBINE_WEIGHTS.heuristic + wb + wp;
  const score = outcome || pr ? round((COMBINE_WEIGHTS.heuristic * heuristic + wb * (outcome?.score ?? 0) + wp * (pr?.score ?? 0)) / total) : heuristic;
  return {
    score,
    components: {
      heuristic,
      outcome: outcome?.score ?? null,
      outcome_weight: round(wb / total),
      pr_outcome: pr?.score ?? null,
      pr_weight: round(wp / total),
    },
  };
}

export interface OutcomeThreshold {
  /** Scores below this are dropped or downweighted (0: off). */
  threshold: number;
  mode: 'drop' | 'downweight';
}

/** Whether a sample stays, and its training weight (1, or score/threshold when downweighted). */
export function applyOutcomeThreshold(score: number, t: OutcomeThreshold | undefined): { keep: boolean; weight: number } {
  if (!t || !(t.threshold > 0) || score >= t.threshold) return { keep: true, weight: 1 };
  if (t.mode === 'drop') return { keep: false, weight: 0 };
  return { keep: true, weight: round(Math.max(0.05, score / t.threshold)) };
}
