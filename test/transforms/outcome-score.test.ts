import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { BeadLifecycle } from '../../src/model/bead.ts';
import { linkSessionToBeads, memoryBeadLookup } from '../../src/transforms/bead-links.ts';
import {
  applyOutcomeThreshold, combineScores, durationComponent, outcomeScore, sessionOutcome, COMBINE_WEIGHTS,
} from '../../src/transforms/outcome-score.ts';
import { fixtureLifecycles, fixtureSessions, SESSION_IDS, TOWN_ROOT } from '../support/beads-fixtures.ts';

test('duration: full marks within the typical time, down to 0 at 8x, neutral when unknown', () => {
  assert.equal(durationComponent(30, 60), 1);
  assert.equal(durationComponent(120, 60), 1 - 1 / 3);
  assert.equal(durationComponent(480, 60), 0);
  assert.equal(durationComponent(null, 60), 0.5);
});

test('outcome components per attempt: first try high; reopened, released, superseded low; pending null', async () => {
  const { lifecycles } = await fixtureLifecycles();
  const lc = (id: string) => lifecycles.find((l) => l.id === id)!;
  const a1 = outcomeScore(lc('hv-a1'), 0, 'polecat')!;
  assert.deepEqual(a1.components, { attempt_closed: 1, first_try: 1, duration: 1, superseded: 1, escalated: 1, abandoned: 1 });
  assert.equal(a1.score, 1);
  assert.equal(a1.reason, 'closed first try');
  const reopened = outcomeScore(lc('hv-b2'), 0, 'polecat')!;
  assert.equal(reopened.attempt_end, 'reopened');
  assert.equal(reopened.components.attempt_closed, 0);
  assert.ok(reopened.score <= 0.2);
  const redo = outcomeScore(lc('hv-b2'), 1, 'polecat')!;
  assert.equal(redo.components.first_try, 0.5);
  assert.equal(redo.reason, 'closed on a redo');
  assert.ok(redo.score > 0.7);
  const released = outcomeScore(lc('hv-c3'), 0, 'polecat')!;
  assert.equal(released.components.abandoned, 0.2);
  assert.ok(released.score < 0.1);
  const sup = outcomeScore(lc('hv-e5'), 0, 'crew')!;
  assert.equal(sup.components.superseded, 0.3);
  assert.equal(sup.reason, 'superseded by hv-a1');
  assert.equal(outcomeScore(lc('hv-h8'), 0, 'polecat'), null, 'still hooked: no outcome yet');
  assert.equal(outcomeScore(lc('hv-g7'), null, 'polecat'), null);
  assert.ok(outcomeScore(lc('hv-f6'), null, 'polecat')!.score < 0.1, 'escalated');
});

test('on the fixture, sessions on reopened beads score lower on average than first-try closes', async () => {
  const { lifecycles, durations } = await fixtureLifecycles();
  const lookup = memoryBeadLookup(lifecycles, durations);
  const sessions = await fixtureSessions();
  const byOutcome = new Map<string, number[]>();
  for (const s of sessions.values()) {
    const links = linkSessionToBeads(s, lookup, { townRoot: TOWN_ROOT });
    for (const l of links) {
      const lc = lookup.get(l.bead_id) as BeadLifecycle;
      const o = lc ? outcomeScore(lc, l.attempt, 'polecat', { typicalMs: durations.polecat }) : null;
      if (!o || l.confidence < 0.5) continue;
      const key = lc.reopen_count > 0 ? 'reopened' : lc.outcome;
      byOutcome.set(key, [...(byOutcome.get(key) ?? []), o.score]);
    }
  }
  const mean = (k: string) => {
    const xs = byOutcome.get(k) ?? [];
    assert.ok(xs.length > 0, `sessions on ${k} beads`);
    return xs.reduce((a, b) => a + b, 0) / xs.length;
  };
  assert.ok(mean('reopened') < mean('first_try'), `reopened ${mean('reopened')} < first try ${mean('first_try')}`);
  assert.ok(byOutcome.get('reopened')!.length >= 3, 'hv-b2 twice and hv-7kq');
  // Per session, by their combined scores too (same heuristic for both, to isolate the outcome).
  const s2 = linkSessionToBeads(sessions.get(SESSION_IDS.s2FuriosaB2)!, lookup, { townRoot: TOWN_ROOT });
  const s1 = linkSessionToBeads(sessions.get(SESSION_IDS.s1NuxA1)!, lookup, { townRoot: TOWN_ROOT });
  const combined = (links: typeof s1) => combineScores(0.5, sessionOutcome(links.map((link) => ({ link, outcome: outcomeScore(lookup.get(link.bead_id)!, link.attempt, 'polecat') })))).score;
  assert.ok(combined(s2) < combined(s1));
});

test('combineScores: documented weights, scaled by link confidence; no outcome keeps the heuristic', () => {
  assert.deepEqual(combineScores(0.6, null), { score: 0.6, components: { heuristic: 0.6, outcome: null, outcome_weight: 0, pr_outcome: null, pr_weight: 0 } });
  const sure = combineScores(0.5, { score: 1, confidence: 1 });
  assert.equal(sure.score, Math.round(((COMBINE_WEIGHTS.heuristic * 0.5 + COMBINE_WEIGHTS.outcome) / (COMBINE_WEIGHTS.heuristic + COMBINE_WEIGHTS.outcome)) * 1000) / 1000);
  assert.equal(sure.components.outcome_weight, 0.7);
  const weak = combineScores(0.5, { score: 1, confidence: 0.3 });
  assert.ok(weak.score > 0.5 && weak.score < sure.score);
});

test('sessionOutcome: confidence-weighted mean of scored links', () => {
  const link = (id: string, confidence: number) => ({ bead_id: id, method: 'tool_call' as const, methods: [], confidence, evidence: [], actions: [], known: true, attempt: 0 });
  const o = sessionOutcome([
    { link: link('a', 1), outcome: { score: 1, components: {}, attempt_end: 'closed', reason: '' } },
    { link: link('b', 0.5), outcome: { score: 0.4, components: {}, attempt_end: 'reopened', reason: '' } },
    { link: link('c', 0.9), outcome: null },
  ])!;
  assert.equal(o.score, 0.8);
  assert.equal(o.confidence, 1);
  assert.deepEqual(o.beads, ['a', 'b']);
  assert.equal(sessionOutcome([]), null);
});

test('threshold: drop, or downweight to score/threshold', () => {
  assert.deepEqual(applyOutcomeThreshold(0.2, undefined), { keep: true, weight: 1 });
  assert.deepEqual(applyOutcomeThreshold(0.2, { threshold: 0.5, mode: 'drop' }), { keep: false, weight: 0 });
  assert.deepEqual(applyOutcomeThreshold(0.2, { threshold: 0.5, mode: 'downweight' }), { keep: true, weight: 0.4 });
  assert.deepEqual(applyOutcomeThreshold(0.7, { threshold: 0.5, mode: 'drop' }), { keep: true, weight: 1 });
});
