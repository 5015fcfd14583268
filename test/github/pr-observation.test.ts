import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { blankPrSnapshot, type PrSnapshot, type PrState } from '../../src/sources/github/snapshot.ts';
import {
  classifyCheck,
  countChecks,
  diffOpenSets,
  toObservedOutcome,
  toPrObservation,
} from '../../src/transforms/pr-observation.ts';
import { toLineProtocol } from '../../src/sinks/line-protocol/encode.ts';

const HOUR = 3_600_000;
const T0 = Date.parse('2025-01-10T00:00:00Z');

function snapshot(over: Partial<PrSnapshot> = {}): PrSnapshot {
  return {
    ...blankPrSnapshot('Acme/Widgets', 42),
    repo: 'Acme/Widgets',
    number: 42,
    title: 'Add the widget',
    author: 'mona',
    isDraft: false,
    mergeable: 'MERGEABLE',
    mergeStateStatus: 'CLEAN',
    reviewDecision: 'APPROVED',
    autoMerge: null,
    createdAt: new Date(T0 - 48 * HOUR).toISOString(),
    updatedAt: new Date(T0 - 2 * HOUR).toISOString(),
    baseRefName: 'main',
    headRefName: 'feat/widget',
    additions: 120,
    deletions: 7,
    changedFiles: 4,
    labels: ['feature', 'needs docs'],
    headCommit: { oid: 'abc', committedDate: new Date(T0 - 5 * HOUR).toISOString(), rollupState: 'FAILURE' },
    lastForcePushAt: null,
    checks: [
      { kind: 'check_run', name: 'build', status: 'COMPLETED', conclusion: 'SUCCESS' },
      { kind: 'check_run', name: 'lint', status: 'COMPLETED', conclusion: 'SKIPPED' },
      { kind: 'check_run', name: 'test', status: 'COMPLETED', conclusion: 'FAILURE' },
      { kind: 'check_run', name: 'e2e', status: 'IN_PROGRESS', conclusion: null },
      { kind: 'status', context: 'ci/legacy', state: 'ERROR' },
      { kind: 'status', context: 'deploy', state: 'PENDING' },
      { kind: 'status', context: 'cla', state: 'SUCCESS' },
    ],
    reviews: [
      { state: 'APPROVED', author: 'a' },
      { state: 'APPROVED', author: 'b' },
      { state: 'CHANGES_REQUESTED', author: 'c' },
      { state: 'COMMENTED', author: 'd' },
    ],
    reviewThreads: [{ isResolved: true }, { isResolved: false }, { isResolved: false }],
    ...over,
  };
}

describe('toPrObservation', () => {
  test('tags, counts, states and ages', () => {
    const p = toPrObservation(snapshot(), T0, { conflict: 2, reviewFix: 1 });
    assert.equal(p.measurement, 'pr_observation');
    assert.deepEqual(p.tags, { repo: 'Acme/Widgets', pr: '42', author: 'mona' });
    assert.equal(p.timestamp, T0);
    const f = p.fields;
    assert.equal(f.merge_state, 'CLEAN');
    assert.equal(f.mergeable, true);
    assert.equal(f.mergeable_state, 'MERGEABLE');
    assert.equal(f.is_draft, false);
    assert.equal(f.review_decision, 'APPROVED');
    assert.equal(f.checks_state, 'FAILURE');
    assert.deepEqual(f.checks_total, { int: 7 });
    assert.deepEqual(f.checks_passing, { int: 3 });
    assert.deepEqual(f.checks_failing, { int: 2 });
    assert.deepEqual(f.checks_pending, { int: 2 });
    assert.deepEqual(f.reviews_approved, { int: 2 });
    assert.deepEqual(f.reviews_changes_requested, { int: 1 });
    assert.deepEqual(f.threads_total, { int: 3 });
    assert.deepEqual(f.threads_unresolved, { int: 2 });
    assert.equal(f.pr_age_hours, 48);
    assert.equal(f.last_push_hours, 5);
    assert.equal(f.last_activity_hours, 2);
    assert.equal(f.auto_merge_enabled, false);
    assert.deepEqual(f.conflict_attempts, { int: 2 });
    assert.deepEqual(f.review_fix_attempts, { int: 1 });
    assert.deepEqual(f.additions, { int: 120 });
    assert.equal(f.labels, 'feature,needs docs');
    assert.equal(f.title, 'Add the widget');
  });

  test('the anchors\' fields: merge and close, counts, head, ahead/behind, first review and approval; each left out while unknown', () => {
    const f = toPrObservation(snapshot({
      state: 'MERGED',
      mergedAt: new Date(T0 - HOUR).toISOString(),
      closedAt: new Date(T0 - HOUR).toISOString(),
      mergedBy: 'merger',
      closedBy: 'merger',
      commitCount: 3,
      comments: 4,
      reviewThreads: [{ isResolved: true, comments: 2 }, { isResolved: false, comments: 3 }],
      headCommit: { oid: 'f'.repeat(40), committedDate: new Date(T0 - 5 * HOUR).toISOString(), rollupState: 'SUCCESS' },
      compare: { aheadBy: 3, behindBy: 9 },
      firstReview: { at: new Date(T0 - 47 * HOUR).toISOString(), state: 'COMMENTED', author: 'r' },
      firstApproval: { at: new Date(T0 - 36 * HOUR).toISOString(), author: 'r' },
      approvals: 1,
      changesRequestedReviews: 2,
    }), T0).fields;
    assert.equal(f.state, 'MERGED');
    assert.deepEqual([f.merged_at, f.closed_at, f.merged_by, f.closed_by], [new Date(T0 - HOUR).toISOString(), new Date(T0 - HOUR).toISOString(), 'merger', 'merger']);
    assert.deepEqual([f.commits, f.comments, f.review_comments], [{ int: 3 }, { int: 4 }, { int: 5 }]);
    assert.equal(f.head_sha, 'f'.repeat(40));
    assert.deepEqual([f.commits_ahead, f.commits_behind], [{ int: 3 }, { int: 9 }]);
    assert.deepEqual([f.first_review_hours, f.first_approval_hours], [1, 12]);
    assert.deepEqual([f.approvals, f.changes_requested_reviews], [{ int: 1 }, { int: 2 }]);
    assert.equal(f.complete, true);
    assert.equal('incomplete' in f, false);
    const open = toPrObservation(snapshot(), T0).fields;
    for (const k of ['merged_at', 'closed_at', 'merged_by', 'commits_ahead', 'first_review_hours', 'first_approval_at']) assert.equal(k in open, false, k);
  });

  test('an incomplete snapshot is flagged: GitHub\'s total, what was read, what is missing', () => {
    const checks = Array.from({ length: 100 }, (_, i) => ({ kind: 'check_run' as const, name: `c${i}`, status: 'COMPLETED', conclusion: 'SUCCESS' }));
    const f = toPrObservation(snapshot({ checks, checksTotal: 120, incomplete: ['checks'] }), T0).fields;
    assert.deepEqual([f.complete, f.incomplete, f.checks_total, f.checks_passing, f.checks_unseen], [false, 'checks', { int: 120 }, { int: 100 }, { int: 20 }]);
  });

  test('attempts default to zero', () => {
    const f = toPrObservation(snapshot(), T0).fields;
    assert.deepEqual(f.conflict_attempts, { int: 0 });
    assert.deepEqual(f.review_fix_attempts, { int: 0 });
  });

  test('UNKNOWN mergeability: mergeable false, mergeable_state says UNKNOWN (not a conflict)', () => {
    const unknown = toPrObservation(snapshot({ mergeable: 'UNKNOWN', mergeStateStatus: 'UNKNOWN' }), T0).fields;
    assert.equal(unknown.mergeable, false);
    assert.equal(unknown.mergeable_state, 'UNKNOWN');
    const conflicting = toPrObservation(snapshot({ mergeable: 'CONFLICTING', mergeStateStatus: 'DIRTY' }), T0).fields;
    assert.equal(conflicting.mergeable, false);
    assert.equal(conflicting.mergeable_state, 'CONFLICTING');
  });

  test('draft, auto-merge, no review decision, deleted author, no checks', () => {
    const p = toPrObservation(
      snapshot({ isDraft: true, autoMerge: { enabledAt: null }, reviewDecision: null, author: null, checks: [], headCommit: null }),
      T0,
    );
    assert.equal(p.fields.is_draft, true);
    assert.equal(p.fields.auto_merge_enabled, true);
    assert.equal(p.fields.review_decision, 'NONE');
    assert.equal(p.fields.checks_state, 'NONE');
    assert.deepEqual(p.fields.checks_total, { int: 0 });
    assert.equal(p.tags.author, 'ghost');
    assert.equal('last_push_hours' in p.fields, false, 'unknown push time is left out, not zero');
  });

  test('a force push later than the head commit counts as the last push', () => {
    const f = toPrObservation(snapshot({ lastForcePushAt: new Date(T0 - HOUR / 2).toISOString() }), T0).fields;
    assert.equal(f.last_push_hours, 0.5);
  });

  test('the point encodes to line protocol', () => {
    const line = toLineProtocol(toPrObservation(snapshot(), T0));
    assert.match(line, /^pr_observation,author=mona,pr=42,repo=Acme\/Widgets /);
    assert.match(line, /checks_total=7i/);
    assert.match(line, /mergeable=T/);
    assert.match(line, new RegExp(` ${T0}$`));
  });
});

describe('classifyCheck', () => {
  test('check run conclusions and status states', () => {
    const run = (status: string, conclusion: string | null) => classifyCheck({ kind: 'check_run', name: 'x', status, conclusion });
    assert.equal(run('COMPLETED', 'SUCCESS'), 'passing');
    assert.equal(run('COMPLETED', 'NEUTRAL'), 'passing');
    assert.equal(run('COMPLETED', 'SKIPPED'), 'passing');
    for (const c of ['FAILURE', 'TIMED_OUT', 'CANCELLED', 'ACTION_REQUIRED', 'STARTUP_FAILURE']) assert.equal(run('COMPLETED', c), 'failing', c);
    assert.equal(run('COMPLETED', 'STALE'), 'pending');
    for (const s of ['QUEUED', 'IN_PROGRESS', 'WAITING', 'PENDING', 'REQUESTED']) assert.equal(run(s, null), 'pending', s);
    const status = (state: string) => classifyCheck({ kind: 'status', context: 'x', state });
    assert.equal(status('SUCCESS'), 'passing');
    assert.equal(status('FAILURE'), 'failing');
    assert.equal(status('ERROR'), 'failing');
    assert.equal(status('PENDING'), 'pending');
    assert.equal(status('EXPECTED'), 'pending');
    assert.deepEqual(countChecks([]), { total: 0, passing: 0, failing: 0, pending: 0 });
  });
});

describe('toObservedOutcome', () => {
  const state = (over: Partial<PrState>): PrState => ({
    repo: 'Acme/Widgets',
    number: 42,
    state: 'MERGED',
    createdAt: '2025-01-01T00:00:00Z',
    closedAt: '2025-01-02T12:00:00Z',
    mergedAt: '2025-01-02T12:00:00Z',
    ...over,
  });

  test('merged: resolution hours from creation to merge, stamped at the merge', () => {
    const p = toObservedOutcome(state({}), T0)!;
    assert.equal(p.measurement, 'outcome');
    assert.deepEqual(p.tags, { repo: 'Acme/Widgets', pr: '42' });
    assert.deepEqual(p.fields, { result: 'merged', detail: 'observed', resolution_hours: 36 });
    assert.equal(p.timestamp, Date.parse('2025-01-02T12:00:00Z'));
    assert.deepEqual(toObservedOutcome(state({}), T0 + 99 * HOUR), p, 'the same point whenever it is observed');
  });

  test('closed without merge', () => {
    const p = toObservedOutcome(state({ state: 'CLOSED', mergedAt: null, closedAt: '2025-01-01T06:00:00Z' }), T0)!;
    assert.deepEqual(p.fields, { result: 'closed', detail: 'observed', resolution_hours: 6 });
  });

  test('open again (reopened): no outcome', () => {
    assert.equal(toObservedOutcome(state({ state: 'OPEN', mergedAt: null, closedAt: null }), T0), null);
  });
});

describe('diffOpenSets', () => {
  test('numbers that left the open set, ascending, once', () => {
    assert.deepEqual(diffOpenSets([5, 1, 3, 3, 9], [3, 4, 9]), [1, 5]);
    assert.deepEqual(diffOpenSets([], [1]), []);
    assert.deepEqual(diffOpenSets(new Set([2]), new Set<number>()), [2]);
  });
});
