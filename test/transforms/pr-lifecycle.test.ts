import { test } from 'node:test';
import assert from 'node:assert/strict';
import { int, type PointRecord } from '../../src/model/point.ts';
import { emptyPrLifecycle, foldAction, foldObservation, prOutcome } from '../../src/transforms/pr-lifecycle.ts';

const T0 = Date.parse('2026-05-01T00:00:00Z');
const H = 3_600_000;
const obs = (h: number, fields: PointRecord['fields']): PointRecord => ({
  measurement: 'pr_observation', tags: { repo: 'acme/w', pr: '1', author: 'a' }, timestamp: T0 + h * H,
  fields: { state: 'OPEN', created_at: new Date(T0).toISOString(), checks_failing: int(0), checks_state: 'SUCCESS', ...fields },
});

test('an observation folds once; an older one changes nothing', () => {
  const lc = emptyPrLifecycle('acme/w', 1);
  assert.equal(foldObservation(lc, obs(2, {})), true);
  assert.equal(foldObservation(lc, obs(2, {})), false, 'the same poll again (a retried job)');
  assert.equal(foldObservation(lc, obs(1, { checks_failing: int(3) })), false, 'a slower, older poll');
  assert.deepEqual([lc.observations, lc.failing_check_spells], [1, []]);
});

test('failing spells: unread checks keep a spell open; a reopened PR that merges ends as merged', () => {
  const lc = emptyPrLifecycle('acme/w', 1);
  foldObservation(lc, obs(1, { checks_failing: int(1), checks_state: 'FAILURE' }));
  foldObservation(lc, obs(2, { checks_failing: int(0), checks_state: 'PENDING', incomplete: 'checks' }));
  assert.deepEqual(lc.failing_check_spells, [{ from: new Date(T0 + H).toISOString(), to: null }], 'not known to pass');
  foldObservation(lc, obs(3, {}));
  foldObservation(lc, obs(4, { state: 'CLOSED', closed_at: new Date(T0 + 4 * H).toISOString() }));
  assert.equal(prOutcome(lc), 'closed');
  foldObservation(lc, obs(5, { checks_failing: int(2) }));
  foldObservation(lc, obs(6, { state: 'MERGED', merged_at: new Date(T0 + 6 * H).toISOString(), merged_by: 'mona' }));
  assert.deepEqual([lc.state, lc.merged_by, lc.failing_check_spells.length, lc.failing_check_spells[1].to], ['merged', 'mona', 2, new Date(T0 + 6 * H).toISOString()]);
});

test('an action folds once by its event id; a fix request counts a round', () => {
  const lc = emptyPrLifecycle('acme/w', 1);
  assert.equal(foldAction(lc, { id: 'ev-1', atMs: T0, action: 'request_review_fix' }), true);
  assert.equal(foldAction(lc, { id: 'ev-1', atMs: T0, action: 'request_review_fix' }), false);
  foldObservation(lc, obs(1, { state: 'MERGED', merged_at: new Date(T0 + H).toISOString() }));
  assert.deepEqual([lc.review_fix_actions, prOutcome(lc)], [1, 'merged_after_fixes']);
});
