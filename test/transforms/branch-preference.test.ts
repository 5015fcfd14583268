import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Session } from '../../src/model/session.ts';
import { branchPreferences } from '../../src/transforms/branch-preference.ts';
import { fixtureSessions, SESSION_IDS } from '../support/beads-fixtures.ts';
import { assistant, call, result, user } from './build-turns.ts';

const base = (turns: Session['turns'], abandoned: Session['abandoned']): Session => ({
  id: 's', format: 'pi', runtime: 'pi', path: '/x', models: [], turns, abandoned, extra: {},
});

test('the fixture pi session: prompt up to the branch point, the kept reply against the abandoned one', async () => {
  const s = (await fixtureSessions()).get(SESSION_IDS.s8CapableI9)!;
  assert.equal(s.abandoned.length, 1);
  const { preferences, counts } = branchPreferences(s, { systemPrompt: 'SYS' });
  assert.equal(counts.branch_pairs_prepared, 1);
  const p = preferences[0];
  assert.equal(p.branch_point, 'e6');
  assert.equal(p.divergence, 'assistant');
  assert.deepEqual(p.prompt[0], { role: 'system', content: 'SYS' });
  assert.equal(p.prompt.at(-1)!.role, 'user');
  assert.match(p.prompt.at(-1)!.content, /drop the overlap/);
  assert.deepEqual(p.chosen.map((m) => m.role), ['assistant']);
  assert.match(p.chosen[0].content, /^No: the overlap/);
  assert.match(p.rejected[0].content, /^Yes\. Set the stride/);
  const traj = branchPreferences(s, { systemPrompt: 'SYS', continuation: 'trajectory' }).preferences[0];
  assert.deepEqual(traj.chosen.map((m) => m.role), ['assistant', 'tool', 'assistant'], 'the kept path up to the next human words, ending on the assistant');
});

test('a resubmitted identical user message folds into the prompt; a different one is skipped', () => {
  const c = call('bash', { command: 'ls' }, 'c1');
  const active = [user('go'), assistant('', { toolCalls: [c] }), user('', { toolResults: [result('c1', 'a b')] }), user('now fix it'), assistant('fixed properly')];
  const same = base(active, [{ branchPointId: 'p', branchPointTurnIndex: 3, turns: [user('now fix it'), assistant('fixed badly')], leafId: 'l' }]);
  const r = branchPreferences(same, { systemPrompt: 'S' });
  assert.equal(r.preferences[0].divergence, 'resubmitted');
  assert.equal(r.preferences[0].chosen[0].content, 'fixed properly');
  assert.equal(r.preferences[0].rejected[0].content, 'fixed badly');
  const other = base(active, [{ branchPointId: 'p', branchPointTurnIndex: 3, turns: [user('do something else'), assistant('ok')], leafId: 'l' }]);
  assert.equal(branchPreferences(other, { systemPrompt: 'S' }).counts.branch_pairs_skipped_user_divergence, 1);
  const empty = base(active, [{ branchPointId: 'p', branchPointTurnIndex: 5, turns: [assistant('x')], leafId: 'l' }]);
  assert.equal(branchPreferences(empty, { systemPrompt: 'S' }).counts.branch_pairs_skipped_no_continuation, 1);
});

test('secrets in branch material are scrubbed', () => {
  const key = 'sk-ant-api03-' + 'FAKEfixtureKEY-harvest_' + 'x9'.repeat(35) + 'AA';
  const s = base([user(`use ${key}`), assistant('kept')], [{ branchPointId: 'p', branchPointTurnIndex: 1, turns: [assistant(`left ${key}`)], leafId: 'l' }]);
  const p = branchPreferences(s, { systemPrompt: 'S' }).preferences[0];
  assert.ok(!JSON.stringify(p).includes(key));
  assert.match(p.rejected[0].content, /REDACTED/);
});
