import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pairSideOf, selectPrPairs } from '../../src/transforms/pr-pairs.ts';

const meta = (session: string, prs: unknown[], extra: Record<string, unknown> = {}) => ({
  record_id: `${session}-0`, session_id: session, role: 'polecat', runtime: 'pi', model: 'm', quality_score: 0.5, ended_at: '2026-05-01T01:00:00Z', prs, ...extra,
});
const link = (n: number, outcome_score: number | null, work_end: string | null, relation = 'author', confidence = 0.9) =>
  ({ repo: 'acme/w', number: n, confidence, relation, outcome_score, work_end, outcome_reason: work_end });

test('from sample metadata alone: merged against sent back on one PR; reviewers, weak links and small margins make no pair', () => {
  const sides = [
    meta('a', [link(1, 0.8, 'merged')]),
    meta('b', [link(1, 0.4, 'sent_back')]),
    meta('c', [link(1, 0.1, 'closed', 'reviewer')]),
    meta('d', [link(1, 0.1, 'closed', 'author', 0.4)]),
    meta('e', [link(2, 0.7, 'merged')]),
    meta('f', [link(2, 0.55, 'sent_back')]),
    meta('g', [link(3, null, 'open')]),
  ].map((m) => pairSideOf(m)!);
  const pairs = selectPrPairs(sides);
  assert.deepEqual(pairs.map((p) => [p.source, p.group, p.chosen.sessionId, p.rejected.sessionId]), [['pr', 'acme/w#1', 'a', 'b']]);
  assert.match(pairs[0].why, /^same PR acme\/w#1, same role polecat: chosen merged \(0.8\), rejected sent_back \(0.4\)$/);
});

test('through a bead: two PRs, one merged and one closed; not when both sides share the PR', () => {
  const bead = (id: string) => ({ beads: [{ bead_id: id, confidence: 0.95, actions: ['close'] }] });
  const sides = [
    meta('a', [link(1, 0.9, 'merged')], bead('hv-1')),
    meta('b', [link(2, 0.1, 'closed')], bead('hv-1')),
    meta('c', [link(3, 0.9, 'merged')], { beads: [{ bead_id: 'hv-2', confidence: 0.95, actions: ['show'] }] }),
    meta('d', [link(4, 0.1, 'closed')], { beads: [{ bead_id: 'hv-2', confidence: 0.95, actions: ['show'] }] }),
  ].map((m) => pairSideOf(m)!);
  assert.deepEqual(selectPrPairs(sides).map((p) => [p.source, p.group, p.chosen.sessionId, p.rejected.sessionId]), [['pr_bead', 'hv-1', 'a', 'b']],
    'looking at a bead (`bd show`) is not working on it');
});
