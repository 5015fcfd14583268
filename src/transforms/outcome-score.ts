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
// A session's outcome is the confidence-weighted mean over its scored links. Then
//
//   combined = (0.3 * heuristic + 0.7 * c * outcome) / (0.3 + 0.7 * c)      c = link confidence
//
// so a sure link mostly replaces the text heuristic and a weak one only nudges it. Unlinked
// sessions, and beads still in progress, keep the heuristic score.
import type { BeadLifecycle, BeadLink } from '../model/bead.ts';
import type { Role } from '../model/sample.ts';

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
export const COMBINE_WEIGHTS = { heuristic: 0.3, outcome: 0.7 } as const;

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

/** Confidence-weighted mean of the scored links; null when none has an outcome yet. */
export function sessionOutcome(scored: { link: BeadLink; outcome: OutcomeScore | null }[]): SessionOutcome | null {
  let w = 0;
  let sum = 0;
  let conf = 0;
  const beads: string[] = [];
  for (const { link, outcome } of scored) {
    if (!outcome) continue;
    w += link.confidence;
    sum += link.confidence * outcome.score;
    conf = Math.max(conf, link.confidence);
    beads.push(link.bead_id);
  }
  if (w === 0) return null;
  return { score: round(sum / w), confidence: conf, beads };
}

export interface CombinedScore {
  score: number;
  components: { heuristic: number; outcome: number | null; outcome_weight: number };
}

/** The heuristic text score and the outcome score as one quality score (weights above). */
export function combineScores(heuristic: number, outcome?: { score: number; confidence: number } | null): CombinedScore {
  if (!outcome) return { score: heuristic, components: { heuristic, outcome: null, outcome_weight: 0 } };
  const c = Math.max(0, Math.min(1, outcome.confidence));
  const wo = COMBINE_WEIGHTS.outcome * c;
  const score = round((COMBINE_WEIGHTS.heuristic * heuristic + wo * outcome.score) / (COMBINE_WEIGHTS.heuristic + wo));
  return { score, components: { heuristic, outcome: outcome.score, outcome_weight: round(wo / (COMBINE_WEIGHTS.heuristic + wo)) } };
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
