// A pull request's lifecycle, folded one fact at a time: `pr_observation` points (the poller's view),
// and the orchestrator's recorded actions and outcomes. Pure; every fold is idempotent (an
// observation at or before the last one folded, or an event id already applied, changes nothing),
// so the workers can fold as facts arrive and a rebuild from history gives the same lifecycle.
//
//   opened / first reviewed / first approved    the PR's createdAt, the first review by someone
//                                               other than the author, the first approval
//   changes-requested rounds                    max(GitHub's changes-requested reviews,
//                                               the orchestrator's review-fix requests)
//   failing-check spells                        runs of observations with a failing check
//   merged or closed, by whom, time to merge    from the observations (the last look after a PR
//                                               leaves the open set carries them)
import { createHash } from 'node:crypto';
import { CONFLICT_FIX_ACTION, REVIEW_FIX_ACTION } from '../model/event.ts';
import type { FieldValue, PointRecord } from '../model/point.ts';
import { PR_LIFECYCLE_SCHEMA_VERSION, prKey, type PrLifecycle, type PrOutcome } from '../model/pr.ts';

const HOUR = 3_600_000;
const MAX_SHAS = 50;
/** Event ids kept for idempotency; a PR sees a few dozen actions at most. */
const MAX_APPLIED = 64;

export function emptyPrLifecycle(repo: string, number: number): PrLifecycle {
  return {
    schema_version: PR_LIFECYCLE_SCHEMA_VERSION,
    repo, number, title: null, author: null, base_ref: null, head_ref: null, head_shas: [], state: 'open',
    opened_at: null, first_reviewed_at: null, first_approved_at: null,
    changes_requested_reviews: 0, review_fix_actions: 0, conflict_fix_actions: 0, actions: {}, fix_requests: [],
    failing_check_spells: [], merged_at: null, closed_at: null, merged_by: null, closed_by: null, orchestrator_outcomes: [],
    commits: null, comments: null, review_comments: null, additions: null, deletions: null, changed_files: null, commits_behind: null,
    first_observed_at: null, last_observed_at: null, observations: 0, applied: [], version: 0,
  };
}

const plain = (v: FieldValue | undefined): number | boolean | string | undefined => (v !== null && typeof v === 'object' ? v.int : v);
const str = (v: FieldValue | undefined): string | null => {
  const x = plain(v);
  return typeof x === 'string' && x !== '' ? x : null;
};
const num = (v: FieldValue | undefined): number | null => {
  const x = plain(v);
  return typeof x === 'number' && Number.isFinite(x) ? x : null;
};
const iso = (ms: number): string => new Date(ms).toISOString();
const earliest = (a: string | null, b: string | null): string | null => (!a ? b : !b ? a : Date.parse(b) < Date.parse(a) ? b : a);

/** The PR a `pr_observation` point is about, or null when its tags do not say. */
export function observationKey(p: PointRecord): { repo: string; number: number } | null {
  const n = Number(p.tags.pr);
  if (!p.tags.repo || !Number.isSafeInteger(n) || n <= 0) return null;
  return { repo: p.tags.repo, number: n };
}

function endSpell(lc: PrLifecycle, at: string): void {
  const last = lc.failing_check_spells.at(-1);
  if (last && last.to === null) last.to = at;
}

/** Folds one `pr_observation` point in. False when it is not newer than the last one folded. */
export function foldObservation(lc: PrLifecycle, p: PointRecord): boolean {
  const at = iso(p.timestamp);
  if (lc.last_observed_at && p.timestamp <= Date.parse(lc.last_observed_at)) return false;
  const f = p.fields;
  lc.repo = p.tags.repo ?? lc.repo;
  lc.observations++;
  lc.first_observed_at ??= at;
  lc.last_observed_at = at;
  lc.version = Math.max(lc.version, p.timestamp);
  lc.title = str(f.title) ?? lc.title;
  if (p.tags.author) lc.author = p.tags.author;
  lc.base_ref = str(f.base_ref) ?? lc.base_ref;
  lc.head_ref = str(f.head_ref) ?? lc.head_ref;
  const sha = str(f.head_sha);
  if (sha && lc.head_shas.at(-1) !== sha) {
    lc.head_shas = [...lc.head_shas.filter((s) => s !== sha), sha].slice(-MAX_SHAS);
  }
  const age = num(f.pr_age_hours);
  lc.opened_at ??= str(f.created_at) ?? (age !== null ? iso(Math.round(p.timestamp - age * HOUR)) : null);
  lc.first_reviewed_at = earliest(lc.first_reviewed_at, str(f.first_review_at));
  lc.first_approved_at = earliest(lc.first_approved_at, str(f.first_approval_at));
  lc.changes_requested_reviews = Math.max(lc.changes_requested_reviews, num(f.changes_requested_reviews) ?? 0);
  for (const [k, key] of [['commits', 'commits'], ['comments', 'comments'], ['review_comments', 'review_comments'], ['additions', 'additions'],
    ['deletions', 'deletions'], ['changed_files', 'changed_files'], ['commits_behind', 'commits_behind']] as const) {
    const v = num(f[key]);
    if (v !== null) lc[k] = v;
  }

  const state = str(f.state);
  const mergedAt = str(f.merged_at);
  const closedAt = str(f.closed_at);
  if (state === 'MERGED' || mergedAt) {
    lc.state = 'merged';
    lc.merged_at = mergedAt ?? closedAt ?? at;
    lc.closed_at = closedAt ?? lc.merged_at;
    lc.merged_by = str(f.merged_by) ?? lc.merged_by;
    lc.closed_by = str(f.closed_by) ?? lc.merged_by ?? lc.closed_by;
    endSpell(lc, lc.merged_at);
    return true;
  }
  if (state === 'CLOSED') {
    lc.state = 'closed';
    lc.closed_at = closedAt ?? at;
    lc.closed_by = str(f.closed_by) ?? lc.closed_by;
    endSpell(lc, lc.closed_at);
    return true;
  }
  // Open (again): a spell of failing checks starts or ends. With checks unread, nothing is known.
  lc.state = 'open';
  lc.merged_at = null;
  lc.closed_at = null;
  const failing = (num(f.checks_failing) ?? 0) > 0 || ['FAILURE', 'ERROR'].includes(str(f.checks_state) ?? '');
  const unread = (str(f.incomplete) ?? '').split(',').includes('checks');
  const last = lc.failing_check_spells.at(-1);
  if (failing && !(last && last.to === null)) lc.failing_check_spells.push({ from: at, to: null });
  else if (!failing && !unread) endSpell(lc, at);
  return true;
}

/**
 * True the first time an event id is folded into the lifecycle. Ids are kept as 12 hex digits of
 * their hash (48 bits: a repeat among the last MAX_APPLIED is what this guards, after a crash
 * between a fold and the event's commit), so the lifecycle stays small for the folds that
 * re-read and re-write it on every batch.
 */
function applyOnce(lc: PrLifecycle, id: string): boolean {
  const short = createHash('sha256').update(id).digest('hex').slice(0, 12);
  if (lc.applied.includes(short) || lc.applied.includes(id)) return false;
  lc.applied = [...lc.applied.slice(-(MAX_APPLIED - 1)), short];
  return true;
}

/** Folds one recorded orchestrator action in. False when it was already folded. */
export function foldAction(lc: PrLifecycle, a: { id: string; atMs: number; action: string; session?: string }): boolean {
  if (!applyOnce(lc, a.id)) return false;
  lc.version = Math.max(lc.version, a.atMs);
  lc.actions = { ...lc.actions, [a.action]: (lc.actions[a.action] ?? 0) + 1 };
  if (a.action === REVIEW_FIX_ACTION) lc.review_fix_actions++;
  if (a.action === CONFLICT_FIX_ACTION) lc.conflict_fix_actions++;
  if (a.action === REVIEW_FIX_ACTION || a.action === CONFLICT_FIX_ACTION) {
    lc.fix_requests = [...lc.fix_requests, { at: iso(a.atMs), action: a.action, ...(a.session ? { session: a.session } : {}) }]
      .sort((x, y) => Date.parse(x.at) - Date.parse(y.at));
  }
  return true;
}

/** Folds one recorded orchestrator outcome (success, escalated, failed) in. */
export function foldOutcome(lc: PrLifecycle, o: { id: string; atMs: number; result: string }): boolean {
  if (!applyOnce(lc, o.id)) return false;
  lc.version = Math.max(lc.version, o.atMs);
  lc.orchestrator_outcomes = [...lc.orchestrator_outcomes, { result: o.result, at: iso(o.atMs) }].sort((x, y) => Date.parse(x.at) - Date.parse(y.at));
  return true;
}

/** Rounds of changes requested: GitHub's count, or the orchestrator's requests if it asked more often. */
export function reviewFixRounds(lc: PrLifecycle): number {
  return Math.max(lc.changes_requested_reviews, lc.review_fix_actions);
}

/** Every round the PR went back for: review fixes and conflict fixes. */
export function fixRounds(lc: PrLifecycle): number {
  return reviewFixRounds(lc) + lc.conflict_fix_actions;
}

export function prOutcome(lc: PrLifecycle): PrOutcome {
  if (lc.state === 'merged') return fixRounds(lc) === 0 ? 'merged_first_try' : 'merged_after_fixes';
  return lc.state === 'closed' ? 'closed' : 'open';
}

const hoursBetween = (from: string | null, to: string | null): number | null => {
  if (!from || !to) return null;
  const h = (Date.parse(to) - Date.parse(from)) / HOUR;
  return Number.isFinite(h) && h >= 0 ? Math.round(h * 1000) / 1000 : null;
};

export const timeToMergeHours = (lc: PrLifecycle): number | null => (lc.state === 'merged' ? hoursBetween(lc.opened_at, lc.merged_at) : null);
export const timeToFirstReviewHours = (lc: PrLifecycle): number | null => hoursBetween(lc.opened_at, lc.first_reviewed_at);
export const timeToFirstApprovalHours = (lc: PrLifecycle): number | null => hoursBetween(lc.opened_at, lc.first_approved_at);

/** The derived figures a report or a sample shows beside the lifecycle. */
export function lifecycleSummary(lc: PrLifecycle): {
  outcome: PrOutcome;
  review_fix_rounds: number;
  fix_rounds: number;
  failing_check_spells: number;
  time_to_merge_hours: number | null;
  time_to_first_review_hours: number | null;
  time_to_first_approval_hours: number | null;
} {
  return {
    outcome: prOutcome(lc),
    review_fix_rounds: reviewFixRounds(lc),
    fix_rounds: fixRounds(lc),
    failing_check_spells: lc.failing_check_spells.length,
    time_to_merge_hours: timeToMergeHours(lc),
    time_to_first_review_hours: timeToFirstReviewHours(lc),
    time_to_first_approval_hours: timeToFirstApprovalHours(lc),
  };
}

export interface PrHistory {
  observations: AsyncIterable<PointRecord> | Iterable<PointRecord>;
  actions: AsyncIterable<{ id: string; repo: string; pr: number; atMs: number; action: string; session?: string }>
    | Iterable<{ id: string; repo: string; pr: number; atMs: number; action: string; session?: string }>;
  outcomes: AsyncIterable<{ id: string; repo: string; pr: number; atMs: number; result: string }>
    | Iterable<{ id: string; repo: string; pr: number; atMs: number; result: string }>;
}

/** Every PR's lifecycle from a recorded history (observations in time order per PR), by `prKey`. */
export async function buildPrLifecycles(h: PrHistory): Promise<Map<string, PrLifecycle>> {
  const out = new Map<string, PrLifecycle>();
  const slot = (repo: string, n: number): PrLifecycle => {
    const k = prKey(repo, n);
    let lc = out.get(k);
    if (!lc) out.set(k, (lc = emptyPrLifecycle(repo, n)));
    return lc;
  };
  const byPr = new Map<string, PointRecord[]>();
  for await (const p of h.observations) {
    const id = observationKey(p);
    if (!id) continue;
    const k = prKey(id.repo, id.number);
    const list = byPr.get(k) ?? [];
    list.push(p);
    byPr.set(k, list);
  }
  for (const list of byPr.values()) {
    list.sort((a, b) => a.timestamp - b.timestamp);
    const id = observationKey(list[0])!;
    const lc = slot(id.repo, id.number);
    for (const p of list) foldObservation(lc, p);
  }
  for await (const a of h.actions) foldAction(slot(a.repo, a.pr), a);
  for await (const o of h.outcomes) foldOutcome(slot(o.repo, o.pr), o);
  return out;
}
