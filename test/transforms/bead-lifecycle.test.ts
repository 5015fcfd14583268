import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { BeadEvent, BeadIssue } from '../../src/model/bead.ts';
import { buildLifecycle, typicalDurations } from '../../src/transforms/bead-lifecycle.ts';
import { estimateEventClockSkew } from '../../src/sources/beads/clock-skew.ts';

const T = (s: string) => Date.parse(`2026-03-04T${s}:00Z`);

function issue(over: Partial<BeadIssue> = {}): BeadIssue {
  return {
    id: 'x-1', title: 't', status: 'open', priority: 2, issueType: 'task', assignee: null, createdAt: '2026-03-04T08:00:00Z',
    createdBy: 'mayor', updatedAt: null, closedAt: null, closeReason: null, closedBySession: null, labels: [], dependencies: [],
    molecule: null, dispatchedBy: null, hookBead: null, notes: null, supersededBy: null, duplicateOf: null, line: 1, ...over,
  };
}
let line = 0;
const ev = (type: string, at: string, over: Partial<BeadEvent> = {}): BeadEvent => ({ id: ++line, issueId: 'x-1', type, actor: 'mayor', at: T(at), line, ...over });

test('first try: created, hooked by an agent, closed once', () => {
  const lc = buildLifecycle(issue({ status: 'closed', closedAt: '2026-03-04T09:00:00Z', assignee: 'rig/polecats/nux', closeReason: 'done' }), [
    ev('created', '08:00'),
    ev('status_changed', '08:10', { statusFrom: 'open', statusTo: 'hooked', assigneeTo: 'rig/polecats/nux' }),
    ev('status_changed', '08:12', { statusFrom: 'hooked', statusTo: 'in_progress', actor: 'rig/polecats/nux' }),
    ev('closed', '09:00', { statusTo: 'closed', actor: 'rig/polecats/nux', reason: 'done' }),
  ], { source: 's' });
  assert.equal(lc.outcome, 'first_try');
  assert.equal(lc.claimed_by, 'rig/polecats/nux');
  assert.equal(lc.claimed_at, '2026-03-04T08:10:00.000Z');
  assert.equal(lc.close_count, 1);
  assert.equal(lc.reopen_count, 0);
  assert.equal(lc.time_to_close_ms, 3600_000);
  assert.equal(lc.claim_to_close_ms, 50 * 60_000);
  assert.deepEqual(lc.attempts.map((a) => [a.claimedBy, a.end, a.closedBy]), [['rig/polecats/nux', 'closed', 'rig/polecats/nux']]);
  assert.deepEqual(lc.actors, ['mayor', 'rig/polecats/nux']);
});

test('reopened then redone: two attempts, the first ends reopened', () => {
  const lc = buildLifecycle(issue({ status: 'closed', closedAt: '2026-03-04T12:00:00Z' }), [
    ev('created', '08:00'),
    ev('status_changed', '08:10', { statusFrom: 'open', statusTo: 'hooked', assigneeTo: 'rig/polecats/a' }),
    ev('closed', '09:00', { actor: 'rig/polecats/a', statusTo: 'closed' }),
    ev('reopened', '10:00', { actor: 'rig/witness', statusFrom: 'closed', statusTo: 'open' }),
    ev('status_changed', '11:00', { statusFrom: 'open', statusTo: 'hooked', assigneeTo: 'rig/polecats/b' }),
    ev('closed', '12:00', { actor: 'rig/polecats/b', statusTo: 'closed' }),
  ], { source: 's' });
  assert.equal(lc.outcome, 'closed_after_reopen');
  assert.equal(lc.close_count, 2);
  assert.equal(lc.reopen_count, 1);
  assert.deepEqual(lc.attempts.map((a) => [a.claimedBy, a.end]), [['rig/polecats/a', 'reopened'], ['rig/polecats/b', 'closed']]);
  assert.deepEqual(lc.assignees, ['rig/polecats/a', 'rig/polecats/b']);
});

test('released (unhooked) then closed by another; still open after a release is abandoned', () => {
  const events = [
    ev('status_changed', '08:10', { statusFrom: 'open', statusTo: 'hooked', assigneeTo: 'rig/polecats/a' }),
    ev('status_changed', '08:40', { statusFrom: 'hooked', statusTo: 'open', assigneeTo: '' }),
  ];
  const open = buildLifecycle(issue(), events, { source: 's' });
  assert.equal(open.release_count, 1);
  assert.equal(open.outcome, 'abandoned');
  const done = buildLifecycle(issue({ status: 'closed', closedAt: '2026-03-04T10:00:00Z' }), [
    ...events,
    ev('status_changed', '09:00', { statusFrom: 'open', statusTo: 'hooked', assigneeTo: 'rig/polecats/b' }),
    ev('closed', '10:00', { statusTo: 'closed' }),
  ], { source: 's' });
  assert.equal(done.outcome, 'closed_after_release');
  assert.deepEqual(done.attempts.map((a) => a.end), ['released', 'closed']);
});

test('superseded, duplicate, escalated and abandoned close reasons', () => {
  const sup = buildLifecycle(issue({ status: 'closed', closedAt: '2026-03-04T09:00:00Z', dependencies: [{ from: 'x-1', to: 'x-2', type: 'supersedes' }] }), [], { source: 's' });
  assert.equal(sup.superseded_by, 'x-2');
  assert.equal(sup.outcome, 'superseded');
  const dup = buildLifecycle(issue({ status: 'closed', closeReason: 'duplicate of x-9', closedAt: '2026-03-04T09:00:00Z' }), [], { source: 's' });
  assert.equal(dup.duplicate_of, 'x-9');
  const esc = buildLifecycle(issue({ labels: ['escalated'] }), [], { source: 's' });
  assert.equal(esc.outcome, 'escalated');
  const burned = buildLifecycle(issue({ status: 'closed', closeReason: 'burned: polecat nuked', closedAt: '2026-03-04T09:00:00Z' }), [], { source: 's' });
  assert.equal(burned.outcome, 'abandoned');
  assert.equal(burned.attempts[0].end, 'released');
});

test('no events: the issue line alone gives the end state; completed without closed_at dates from updated_at', () => {
  const lc = buildLifecycle(issue({ status: 'completed', updatedAt: '2026-03-04T09:30:00Z', assignee: 'mayor' }), [], { source: 's' });
  assert.equal(lc.close_count, 1);
  assert.equal(lc.closed_at, '2026-03-04T09:30:00.000Z');
  assert.equal(lc.claimed_by, 'mayor');
  assert.equal(lc.outcome, 'first_try');
  const odd = buildLifecycle(issue({ status: 'triaged' }), [], { source: 's' });
  assert.equal(odd.status_known, false);
  assert.equal(odd.outcome, 'open');
});

test('event clock skew: detected when creations agree on a whole offset, else zero', () => {
  const issues = new Map<string, BeadIssue>();
  const events = new Map<string, BeadEvent[]>();
  for (let i = 0; i < 10; i++) {
    const id = `x-${i}`;
    issues.set(id, issue({ id, createdAt: new Date(T('08:00') + i * 60_000).toISOString() }));
    events.set(id, [{ id: i, issueId: id, type: 'created', actor: 'm', at: T('08:00') + i * 60_000 + 11 * 3600_000 + 2000, line: i }]);
  }
  assert.equal(estimateEventClockSkew(issues, events).skewMs, 11 * 3600_000);
  for (const [id, l] of events) l[0].at = Date.parse(issues.get(id)!.createdAt!) + 3000;
  assert.equal(estimateEventClockSkew(issues, events).skewMs, 0);
});

test('typical durations: median claimed-to-closed per role of first-try closes', () => {
  const mk = (mins: number, who: string) => buildLifecycle(issue({ status: 'closed', closedAt: new Date(T('08:00') + mins * 60_000).toISOString(), assignee: who }), [
    ev('status_changed', '08:00', { statusFrom: 'open', statusTo: 'hooked', assigneeTo: who }),
  ], { source: 's' });
  const d = typicalDurations([mk(10, 'r/polecats/a'), mk(30, 'r/polecats/b'), mk(50, 'r/polecats/c'), mk(5, 'r/witness')]);
  assert.deepEqual(d, { polecat: 30 * 60_000 });
});
