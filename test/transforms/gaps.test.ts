// Scenario kinds of tasks, and gaps against the default and a given target mix.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scenarioKind, taskOfUserMessage } from '../../src/transforms/scenario-kind.ts';
import { computeGaps, targetMixSchema, type DatasetMix } from '../../src/transforms/gaps.ts';
import { allocate, gapAllocation } from '../../src/pipeline/generate-plan.ts';

test('scenario kinds from the first human input', () => {
  assert.equal(scenarioKind('Run gt prime --hook and begin patrol'), 'patrol');
  assert.equal(scenarioKind('/patrol town'), 'patrol');
  assert.equal(scenarioKind('Daemon tick: is the deacon alive?'), 'patrol');
  assert.equal(scenarioKind('[GAS TOWN] polecat capable (rig: harvest) <- mayor • assigned:hv-i9\n\nCheck your hook and act on it: run `gt hook`, then `gt done`.'), 'bead');
  assert.equal(scenarioKind('gt sling hv-4kq harvest/polecats/nux'), 'bead');
  assert.equal(scenarioKind('Please review PR #42 before the refinery merges it'), 'review');
  assert.equal(scenarioKind('Process the merge queue'), 'review');
  assert.equal(scenarioKind('Check your mail and answer the mayor'), 'mail');
  assert.equal(scenarioKind('[GAS TOWN] witness (rig: harvest) <- deacon • 2026-03-05T10:00'), 'mail');
  assert.equal(scenarioKind('Add a --json flag to the stats command'), 'task');
  assert.equal(taskOfUserMessage('Fix the parser\n\n[Progress so far: 3 steps. Tools used: bash (3).]'), 'Fix the parser');
  assert.equal(scenarioKind(taskOfUserMessage('Fix the parser\n\n[Progress so far: 3 steps. Files changed: review.ts.]')), 'task', 'the progress note does not decide the kind');
});

const mix: DatasetMix = {
  roles: {
    polecat: { samples: 600, sessions: 100, synthetic: 0, kinds: { bead: 500, task: 100 } },
    witness: { samples: 40, sessions: 10, synthetic: 0, kinds: { patrol: 30, mail: 10 } },
    refinery: { samples: 160, sessions: 20, synthetic: 5, kinds: { review: 160 } },
    unknown: { samples: 1000, sessions: 300, synthetic: 0, kinds: { task: 1000 } },
  },
};

test('default target: an even split over the roles present, unknown aside, with a minimum per role', () => {
  const g = computeGaps(mix, {}, { minPerRole: 300 });
  assert.equal(g.total, 800);
  assert.deepEqual(g.roles.map((r) => r.role), ['witness', 'refinery', 'polecat'], 'largest gap first; unknown is no role of the town');
  const w = g.roles[0];
  assert.equal(w.target, 300, 'an even share (267) is below the minimum, so the minimum');
  assert.equal(w.missing, 260);
  assert.equal(w.samples_per_session, 4);
  assert.equal(w.sessions, 65);
  assert.deepEqual(w.kinds.map((k) => [k.kind, k.target, k.missing, k.sessions]), [['mail', 150, 140, 35], ['patrol', 150, 120, 30]]);
  const p = g.roles.find((r) => r.role === 'polecat')!;
  assert.equal(p.missing, 0, 'a role above its share lacks nothing');
  assert.equal(g.roles.find((r) => r.role === 'refinery')!.synthetic, 5);
  assert.equal(g.missing, 260 + 140);
  assert.equal(g.sessions, 65 + 18);
});

test('samples per session: measured on the role\'s generated sessions once there are some', () => {
  const g = computeGaps({ roles: { witness: { samples: 40, sessions: 10, synthetic: 6, syntheticSessions: 6, kinds: { patrol: 40 } } } }, { roles: { witness: { samples: 100 } } });
  assert.equal(g.roles[0].samples_per_session, 1, 'a generated session yields one sample here, not the four of the fleet\'s');
  assert.equal(g.roles[0].sessions, 60);
});

test('a target file: shares, absolute samples, kind shares, roles absent from the dataset', () => {
  const target = targetMixSchema.parse({
    total: 2000,
    min_per_role: 50,
    roles: { polecat: { share: 0.5 }, witness: { samples: 400, scenarios: { patrol: 3, mail: 1 } }, deacon: {} },
  });
  const g = computeGaps(mix, target);
  const byRole = Object.fromEntries(g.roles.map((r) => [r.role, r]));
  assert.equal(byRole.polecat.target, 1000);
  assert.equal(byRole.polecat.missing, 400);
  assert.equal(byRole.witness.target, 400);
  assert.deepEqual(byRole.witness.kinds.map((k) => [k.kind, k.target, k.missing]), [['patrol', 300, 270], ['mail', 100, 90]]);
  assert.equal(byRole.deacon.target, 600, 'a role with no share gets what the others leave (1 - 0.5 - 400/2000)');
  assert.equal(byRole.deacon.samples_per_session, 5.8, 'no sessions of its own: those of the target\'s roles (640 samples / 110 sessions)');
  assert.equal(byRole.refinery, undefined, 'roles the target does not name are not reported');
  assert.throws(() => targetMixSchema.parse({ roles: { wizard: {} } }));
  assert.throws(() => targetMixSchema.parse({ roles: { witness: { share: 2 } } }));
});

test('sessions split over the largest gaps by largest remainder', () => {
  assert.deepEqual([...allocate(10, [['a', 5], ['b', 3], ['c', 2]])], [['a', 5], ['b', 3], ['c', 2]]);
  assert.deepEqual([...allocate(3, [['a', 5], ['b', 3], ['c', 2]])], [['a', 1], ['b', 1], ['c', 1]]);
  assert.deepEqual([...allocate(2, [['a', 5], ['b', 3], ['c', 2]])], [['a', 1], ['b', 1]]);
  assert.equal([...allocate(7, [['a', 1], ['b', 1], ['c', 1]]).values()].reduce((s, n) => s + n, 0), 7);
  const g = computeGaps(mix, {}, { minPerRole: 300 });
  assert.deepEqual(gapAllocation(g, 10).map((a) => [a.role, a.count]), [['witness', 7], ['refinery', 3]], 'by samples missing: 260 and 140');
  assert.deepEqual(gapAllocation(g, 10)[0].kindNeeds, [['mail', 140], ['patrol', 120]]);
  assert.equal(gapAllocation(g).reduce((s, a) => s + a.count, 0), 83, 'without a count: what the gaps need');
  assert.equal(gapAllocation(g, 1000).reduce((s, a) => s + a.count, 0), 83, 'never more than the gaps need');
});
