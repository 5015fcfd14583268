import { test } from 'node:test';
import assert from 'node:assert/strict';
import { memoryBeadLookup } from '../../src/transforms/bead-links.ts';
import { sessionToSamples } from '../../src/pipeline/session-samples.ts';
import { attachSessionOutcomes, type BeadLookupSource } from '../../src/pipeline/session-outcomes.ts';
import { fixtureLifecycles, fixtureSessions, SESSION_IDS, TOWN_ROOT } from '../support/beads-fixtures.ts';

async function setup() {
  const { lifecycles, durations } = await fixtureLifecycles();
  const lookup = memoryBeadLookup(lifecycles, durations);
  const source: BeadLookupSource = { snapshot: async () => lookup };
  return { source, sessions: await fixtureSessions() };
}

test('linked samples carry metadata.beads, the heuristic and outcome scores, and the combined score', async () => {
  const { source, sessions } = await setup();
  const s = sessions.get(SESSION_IDS.s2FuriosaB2)!;
  const out = sessionToSamples(s, { townRoot: TOWN_ROOT, version: 1 });
  const before = out.samples[0].metadata.quality_score;
  const r = await attachSessionOutcomes(s, out.samples, source, { townRoot: TOWN_ROOT });
  const m = r.samples[0].metadata;
  assert.equal(m.heuristic_score, before);
  assert.ok(typeof m.outcome_score === 'number' && m.outcome_score <= 0.2);
  assert.ok(m.quality_score < before, 'reopened work pulls the score down');
  assert.equal(m.quality_components.outcome, m.outcome_score);
  const beads = m.beads as { bead_id: string; attempt_end: string; outcome_reason: string; bead_outcome: string }[];
  assert.deepEqual(beads.map((b) => [b.bead_id, b.attempt_end, b.bead_outcome]), [['hv-b2', 'reopened', 'closed_after_reopen']]);
  assert.equal(r.counts.sessions_linked, 1);
  assert.equal(r.counts['bead_links.tool_call'], 1);
});

test('unlinked sessions keep the heuristic score; no lookup source leaves beads alone', async () => {
  const { source, sessions } = await setup();
  const witness = [...sessions.values()].find((s) => s.cwd?.endsWith('harvest/witness'))!;
  const out = sessionToSamples(witness, { townRoot: TOWN_ROOT, version: 1 });
  const q = out.samples.map((x) => x.metadata.quality_score);
  const r = await attachSessionOutcomes(witness, out.samples, source, { townRoot: TOWN_ROOT });
  assert.deepEqual(r.samples.map((x) => x.metadata.quality_score), q);
  assert.equal(r.samples[0].metadata.outcome_score, null);
  const none = await attachSessionOutcomes(witness, out.samples, null);
  assert.equal(none.links.length, 0);
});

test('outcome threshold drops or downweights low scorers', async () => {
  const { source, sessions } = await setup();
  const s = sessions.get(SESSION_IDS.s4RictusC3)!;
  const n = sessionToSamples(s, { townRoot: TOWN_ROOT, version: 1 }).samples.length;
  assert.ok(n >= 1);
  const drop = await attachSessionOutcomes(s, sessionToSamples(s, { townRoot: TOWN_ROOT, version: 1 }).samples, source, { townRoot: TOWN_ROOT, outcomeThreshold: { threshold: 0.5, mode: 'drop' } });
  assert.equal(drop.samples.length, 0);
  assert.equal(drop.counts.rejected_low_outcome, n);
  const down = await attachSessionOutcomes(s, sessionToSamples(s, { townRoot: TOWN_ROOT, version: 1 }).samples, source, { townRoot: TOWN_ROOT, outcomeThreshold: { threshold: 0.5, mode: 'downweight' } });
  assert.equal(down.samples.length, n);
  assert.ok(down.samples.every((x) => (x.metadata.weight as number) < 1));
  assert.equal(down.counts.samples_downweighted, n);
});

test('a pi session with an abandoned branch carries its preference on the active sample at the branch point', async () => {
  const { source, sessions } = await setup();
  const s = sessions.get(SESSION_IDS.s8CapableI9)!;
  const out = sessionToSamples(s, { townRoot: TOWN_ROOT, version: 1 });
  const r = await attachSessionOutcomes(s, out.samples, source, { townRoot: TOWN_ROOT });
  const hosts = r.samples.filter((x) => Array.isArray(x.metadata.preferences));
  assert.equal(hosts.length, 1);
  assert.equal(hosts[0].metadata.branch, 'active');
  assert.equal(r.counts.branch_pairs_prepared, 1);
});
