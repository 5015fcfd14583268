// A polled pull request -> a `pr_observation` point; a PR that left the open set -> an `outcome`
// point. Pure: no I/O, the observation time comes in.
import { int, type FieldValue, type PointRecord } from '../model/point.ts';
import type { CheckContext, PrSnapshot, PrState } from '../sources/github/snapshot.ts';

export const PR_OBSERVATION = 'pr_observation';
export const OUTCOME = 'outcome';

export interface RepairAttempts {
  conflict: number;
  reviewFix: number;
}

export type CheckBucket = 'passing' | 'failing' | 'pending';

// SKIPPED and NEUTRAL do not block a merge. STALE (GitHub gave up waiting on a suite) and a
// completed run without a conclusion have no result yet.
const PASSING_CONCLUSIONS = new Set(['SUCCESS', 'NEUTRAL', 'SKIPPED']);
const FAILING_CONCLUSIONS = new Set(['FAILURE', 'TIMED_OUT', 'CANCELLED', 'ACTION_REQUIRED', 'STARTUP_FAILURE']);

export function classifyCheck(c: CheckContext): CheckBucket {
  if (c.kind === 'check_run') {
    if (c.status !== 'COMPLETED' || !c.conclusion) return 'pending';
    if (PASSING_CONCLUSIONS.has(c.conclusion)) return 'passing';
    if (FAILING_CONCLUSIONS.has(c.conclusion)) return 'failing';
    return 'pending';
  }
  if (c.state === 'SUCCESS') return 'passing';
  if (c.state === 'FAILURE' || c.state === 'ERROR') return 'failing';
  return 'pending'; // PENDING, EXPECTED
}

export function countChecks(checks: readonly CheckContext[]): Record<CheckBucket, number> & { total: number } {
  const out = { total: checks.length, passing: 0, failing: 0, pending: 0 };
  for (const c of checks) out[classifyCheck(c)]++;
  return out;
}

const HOUR_MS = 3_600_000;

/** Hours from an ISO time to `at`, to the millisecond; undefined when the time is missing or bad. */
function hoursSince(iso: string | null | undefined, at: number): number | undefined {
  if (!iso) return undefined;
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return undefined;
  return Math.round(((at - t) / HOUR_MS) * 1000) / 1000;
}

function latest(...isos: (string | null | undefined)[]): string | null {
  let best: string | null = null;
  for (const s of isos) if (s && !Number.isNaN(Date.parse(s)) && (!best || Date.parse(s) > Date.parse(best))) best = s;
  return best;
}

/**
 * Fields, and why they look as they do:
 * - `mergeable` is true only for MERGEABLE. GitHub answers UNKNOWN while it computes
 *   mergeability; that is not a conflict, so `mergeable_state` always carries GitHub's own value
 *   (MERGEABLE, CONFLICTING or UNKNOWN) and a query tells "conflicting" from "not known yet" by it.
 * - counts are integers, hours are floats (3 decimals), states are strings, as InfluxDB needs a
 *   field to keep one type.
 * - `last_push_hours` is from the later of the head commit's committer date and the last force
 *   push; GitHub no longer reports push times (Commit.pushedDate). Left out when unknown.
 * - `checks_total` and `threads_total` are GitHub's own totals; the buckets count what was read.
 *   When a follow-up page failed or came back short, `complete` is false, `incomplete` names the
 *   parts (`checks`, `review_threads`) and `checks_unseen` / `threads_unseen` say how many are
 *   missing: a truncated count is never written as if it were whole.
 * - merge and close facts (`merged_at`, `closed_at`, `merged_by`, `closed_by`), commit, comment
 *   and review-comment counts, `head_sha`, `commits_ahead` / `commits_behind` of the base, and
 *   the first review and approval (`first_review_at`, `first_review_hours` from creation, ...)
 *   are the fields the OpenTelemetry Collector's GitHub receiver and Apache DevLake collect; each
 *   is left out while unknown.
 */
export function toPrObservation(
  pr: PrSnapshot,
  observedAt: number,
  attempts: RepairAttempts = { conflict: 0, reviewFix: 0 },
): PointRecord {
  const checks = countChecks(pr.checks);
  const reviewsApproved = pr.reviews.filter((r) => r.state === 'APPROVED').length;
  const reviewsChanges = pr.reviews.filter((r) => r.state === 'CHANGES_REQUESTED').length;
  const unresolved = pr.reviewThreads.filter((t) => !t.isResolved).length;
  const checksTotal = Math.max(pr.checksTotal, checks.total);
  const threadsTotal = Math.max(pr.threadsTotal, pr.reviewThreads.length);
  const fields: Record<string, FieldValue> = {
    title: pr.title,
    state: pr.state,
    merge_state: pr.mergeStateStatus,
    mergeable: pr.mergeable === 'MERGEABLE',
    mergeable_state: pr.mergeable,
    is_draft: pr.isDraft,
    review_decision: pr.reviewDecision ?? 'NONE',
    checks_state: pr.headCommit?.rollupState ?? 'NONE',
    checks_total: int(checksTotal),
    checks_passing: int(checks.passing),
    checks_failing: int(checks.failing),
    checks_pending: int(checks.pending),
    reviews_approved: int(reviewsApproved),
    reviews_changes_requested: int(reviewsChanges),
    approvals: int(pr.approvals),
    changes_requested_reviews: int(pr.changesRequestedReviews),
    threads_total: int(threadsTotal),
    threads_unresolved: int(unresolved),
    auto_merge_enabled: pr.autoMerge !== null,
    conflict_attempts: int(attempts.conflict),
    review_fix_attempts: int(attempts.reviewFix),
    additions: int(pr.additions),
    deletions: int(pr.deletions),
    changed_files: int(pr.changedFiles),
    commits: int(pr.commitCount),
    comments: int(pr.comments),
    review_comments: int(pr.reviewThreads.reduce((n, t) => n + (t.comments ?? 0), 0)),
    base_ref: pr.baseRefName,
    head_ref: pr.headRefName,
    labels: pr.labels.join(','),
    complete: pr.incomplete.length === 0,
  };
  if (pr.incomplete.length) {
    fields.incomplete = pr.incomplete.join(',');
    fields.checks_unseen = int(checksTotal - checks.total);
    fields.threads_unseen = int(threadsTotal - pr.reviewThreads.length);
  }
  if (pr.createdAt) fields.created_at = pr.createdAt;
  if (pr.headCommit?.oid) fields.head_sha = pr.headCommit.oid;
  if (pr.compare) {
    fields.commits_ahead = int(pr.compare.aheadBy);
    fields.commits_behind = int(pr.compare.behindBy);
  }
  if (pr.mergedAt) fields.merged_at = pr.mergedAt;
  if (pr.closedAt) fields.closed_at = pr.closedAt;
  if (pr.mergedBy) fields.merged_by = pr.mergedBy;
  if (pr.closedBy) fields.closed_by = pr.closedBy;
  const created = Date.parse(pr.createdAt);
  const since = (iso: string): number | undefined => {
    const t = Date.parse(iso);
    return Number.isNaN(t) || Number.isNaN(created) ? undefined : Math.round(((t - created) / HOUR_MS) * 1000) / 1000;
  };
  if (pr.firstReview) {
    fields.first_review_at = pr.firstReview.at;
    const h = since(pr.firstReview.at);
    if (h !== undefined) fields.first_review_hours = h;
  }
  if (pr.firstApproval) {
    fields.first_approval_at = pr.firstApproval.at;
    const h = since(pr.firstApproval.at);
    if (h !== undefined) fields.first_approval_hours = h;
  }
  const age = hoursSince(pr.createdAt, observedAt);
  if (age !== undefined) fields.pr_age_hours = age;
  const push = hoursSince(latest(pr.headCommit?.committedDate, pr.lastForcePushAt), observedAt);
  if (push !== undefined) fields.last_push_hours = push;
  const activity = hoursSince(pr.updatedAt, observedAt);
  if (activity !== undefined) fields.last_activity_hours = activity;
  return {
    measurement: PR_OBSERVATION,
    tags: { repo: pr.repo, pr: String(pr.number), author: pr.author ?? 'ghost' },
    fields,
    timestamp: Math.trunc(observedAt),
  };
}

/**
 * An `outcome` point for a PR that left the open set: result merged|closed, detail 'observed'
 * (seen by polling, not told by an orchestrator), resolution_hours from creation to merge/close.
 * Stamped at the merge/close time, so observing the same PR twice writes the same point (InfluxDB
 * keeps one). Null for a PR that is open again.
 */
export function toObservedOutcome(pr: PrState, observedAt: number): PointRecord | null {
  const merged = pr.state === 'MERGED' || pr.mergedAt !== null;
  if (!merged && pr.state !== 'CLOSED') return null;
  const endedIso = merged ? (pr.mergedAt ?? pr.closedAt) : pr.closedAt;
  const ended = endedIso ? Date.parse(endedIso) : Number.NaN;
  const at = Number.isNaN(ended) ? Math.trunc(observedAt) : ended;
  const fields: Record<string, FieldValue> = { result: merged ? 'merged' : 'closed', detail: 'observed' };
  if (merged && pr.mergedBy) fields.merged_by = pr.mergedBy;
  const created = Date.parse(pr.createdAt);
  if (!Number.isNaN(created)) fields.resolution_hours = Math.round(((at - created) / HOUR_MS) * 1000) / 1000;
  return { measurement: OUTCOME, tags: { repo: pr.repo, pr: String(pr.number) }, fields, timestamp: at };
}

/** PR numbers open at the previous poll and not at this one, ascending. */
export function diffOpenSets(previous: Iterable<number>, current: Iterable<number>): number[] {
  const now = new Set(current);
  return [...new Set(previous)].filter((n) => !now.has(n)).sort((a, b) => a - b);
}
