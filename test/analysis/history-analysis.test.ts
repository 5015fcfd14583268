// The analysis over a hand-made history, without any store: stats and decision examples match the
// figures computed by hand.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computeActionStats } from '../../src/analysis/action-stats.ts';
import { decisionExamples } from '../../src/analysis/decisions.ts';
import type { ActionRow, HistorySource, OutcomeRow } from '../../src/analysis/history.ts';
import { eventInputSchema, toEventRecord } from '../../src/model/event.ts';
import { ACTIONS, OUTCOMES, OBSERVATIONS, EXPECTED_STATS, EXPECTED_DECISIONS, decisionShape, statsShape } from '../support/event-history.ts';

function rows() {
  const actions: ActionRow[] = [];
  const outcomes: OutcomeRow[] = [];
  for (const e of [...ACTIONS, ...OUTCOMES]) {
    const r = toEventRecord(eventInputSchema.parse(e), 'cli');
    if (r.type === 'action_taken') actions.push({ id: r.id, repo: r.repo, pr: r.pr, atMs: Date.parse(r.at), action: r.action, reason: r.reason, session: r.session, bead: r.bead });
    if (r.type === 'outcome') outcomes.push({ id: r.id, repo: r.repo, pr: r.pr, atMs: Date.parse(r.at), result: r.result, detail: r.detail, resolutionHours: r.resolution_hours });
  }
  return { actions, outcomes };
}

async function* iter<T>(xs: T[]): AsyncGenerator<T> {
  yield* xs;
}

const memory = (): HistorySource => {
  const { actions, outcomes } = rows();
  return {
    description: 'memory',
    actions: (f) => iter(actions.filter((a) => (f.sinceMs === undefined || a.atMs >= f.sinceMs) && (!f.repo || a.repo === f.repo))),
    outcomes: (f) => iter(outcomes.filter((a) => (f.sinceMs === undefined || a.atMs >= f.sinceMs) && (!f.repo || a.repo === f.repo))),
    observations: (f) => iter(OBSERVATIONS.filter((p) => !f.repo || p.tags.repo === f.repo)),
  };
};

test('stats of the hand-made history match the hand-computed figures', async () => {
  const h = memory();
  const report = await computeActionStats(h.actions({}, {}), h.outcomes({}, {}));
  assert.deepEqual(report.actions.map(statsShape), EXPECTED_STATS);
  assert.equal(report.prs_with_actions, 4);
  assert.deepEqual(report.outcomes, { success: 1, escalated: 1, failed: 1 });
});

test('decision examples of the hand-made history match the expected rows', async () => {
  const counts: Record<string, number> = {};
  const got = [];
  for await (const d of decisionExamples(memory(), {}, counts)) got.push(d);
  assert.deepEqual(got.map(decisionShape), EXPECTED_DECISIONS.map((r) => [...r]));
  assert.equal(counts.actions_without_outcome, 1);
  assert.equal(counts.prs_without_outcome, 1);
  assert.equal(counts.examples, 7);
  assert.equal(got[0].reason, 'checks running');
  assert.equal(got[1].session, 's-1');
  assert.equal(got[0].outcome.resolution_hours, 30);
});
