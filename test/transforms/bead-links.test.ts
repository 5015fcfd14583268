import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Session } from '../../src/model/session.ts';
import { beadCommands, beadCandidates, headerMentions, linkSessionToBeads, memoryBeadLookup } from '../../src/transforms/bead-links.ts';
import { agentFromCwd, assigneeMatch, roleOfAgent } from '../../src/transforms/gastown-agent.ts';
import { fixtureLifecycles, fixtureSessions, SESSION_IDS, TOWN_ROOT } from '../support/beads-fixtures.ts';
import { assistant, call, result, user } from './build-turns.ts';

test('bd and gt commands in a shell line: tool, subcommand, ids, flags', () => {
  const cmds = beadCommands('cd /x && bd update lf-2bap.1.2 --claim; bd close lf-0b0 lf-1 --reason "done, really" | tee log\n~/bin/gt sling hq-79ptcl lora_forge');
  assert.deepEqual(cmds.map((c) => [c.tool, c.sub, c.args]), [
    ['bd', 'update', ['lf-2bap.1.2']],
    ['bd', 'close', ['lf-0b0', 'lf-1']],
    ['gt', 'sling', ['hq-79ptcl', 'lora_forge']],
  ]);
  assert.equal(cmds[0].flags['--claim'], true);
  assert.equal(cmds[1].flags['--reason'], 'done, really');
  assert.deepEqual(beadCommands('bd update x-1 --status=in_progress')[0].flags, { '--status': 'in_progress' });
  assert.deepEqual(beadCommands('echo bd is great'), []);
});

test('dispatch headers: hook_bead, Hooked:, the beacon\'s assigned:, attached_molecule, "Work on ID:"', () => {
  const m = headerMentions('[GAS TOWN] polecat nux (rig: harvest) <- mayor • 2026-03-04T08:00 • assigned:hv-a1\nhook_bead: hv-b2\n🪝 Hooked: hv-c3: title\nattached_molecule: hv-wisp-m1\nWork on hv-4kq: the sink', 0.85);
  assert.deepEqual(m.map((x) => [x.id, x.action, x.molecule ?? false]), [
    ['hv-b2', 'hooked', false], ['hv-c3', 'hooked', false], ['hv-a1', 'assigned', false], ['hv-wisp-m1', 'molecule', true], ['hv-4kq', 'assigned', false],
  ]);
});

test('agent identity from a cwd, and assignee matching', () => {
  assert.deepEqual(agentFromCwd('/home/agent/gt/harvest/polecats/nux/src', TOWN_ROOT), { identity: 'harvest/polecats/nux', role: 'polecat', rig: 'harvest', name: 'nux' });
  assert.equal(agentFromCwd('/home/other/gt/lora_forge/witness', TOWN_ROOT)?.identity, 'lora_forge/witness', 'another machine: found below a folder named like the town root');
  assert.equal(agentFromCwd('/home/agent/gt/mayor', TOWN_ROOT)?.identity, 'mayor');
  assert.equal(agentFromCwd('/tmp/x', TOWN_ROOT), null);
  const nux = agentFromCwd('/home/agent/gt/harvest/polecats/nux', TOWN_ROOT)!;
  assert.equal(assigneeMatch('harvest/polecats/nux', nux), 1);
  assert.equal(assigneeMatch('nux', nux), 0.7);
  assert.equal(assigneeMatch('harvest/polecats/slit', nux), 0);
  assert.equal(roleOfAgent('lora_forge/crew/forge'), 'crew');
  assert.equal(roleOfAgent('refinery'), 'refinery');
  assert.equal(roleOfAgent('forge'), null);
});

test('fixture sessions link to the beads they worked on, by each method', async () => {
  const { lifecycles, durations } = await fixtureLifecycles();
  const lookup = memoryBeadLookup(lifecycles, durations);
  const sessions = await fixtureSessions();
  const links = (id: string) => linkSessionToBeads(sessions.get(id)!, lookup, { townRoot: TOWN_ROOT });

  const s1 = links(SESSION_IDS.s1NuxA1);
  assert.deepEqual(s1.map((l) => l.bead_id), ['hv-a1']);
  assert.equal(s1[0].method, 'tool_call');
  assert.ok(s1[0].methods.includes('dispatch_header') && s1[0].methods.includes('assignee_overlap'));
  assert.ok(s1[0].actions.includes('close') && s1[0].actions.includes('claim') && s1[0].actions.includes('done'));
  assert.ok(s1[0].confidence > 0.99);
  assert.equal(s1[0].attempt, 0);

  const s2 = links(SESSION_IDS.s2FuriosaB2);
  assert.equal(s2[0].bead_id, 'hv-b2');
  assert.equal(s2[0].attempt, 0, 'furiosa closed the first attempt');
  assert.ok(s2[0].evidence.some((e) => e.startsWith('Hooked: hv-b2')), 'hook output of `gt hook`');
  const s3 = links(SESSION_IDS.s3SlitB2);
  assert.equal(s3[0].attempt, 1, 'slit closed the redo');

  const s4 = links(SESSION_IDS.s4RictusC3);
  assert.deepEqual(s4.map((l) => [l.bead_id, l.method, l.attempt]), [['hv-c3', 'assignee_overlap', 0]], 'no mention at all: the assignee and the time span');
  const s5 = links(SESSION_IDS.s5NuxC3);
  assert.equal(s5[0].bead_id, 'hv-c3');
  assert.equal(s5[0].method, 'closed_by_session');
  assert.equal(s5[0].attempt, 1);

  const s6 = links(SESSION_IDS.s6RefineryD4);
  assert.equal(s6[0].bead_id, 'hv-d4');
  assert.ok(s6[0].evidence.includes('hook_bead: hv-d4'));
  const s8 = links(SESSION_IDS.s8CapableI9);
  assert.equal(s8[0].bead_id, 'hv-i9');

  // The sibling fixtures: Claude polecat nux works on hv-4kq, pi polecat furiosa on hv-7kq.
  const nux = links('7a9b1c3d-5e4f-4a6b-8c9d-0e1f2a3b4c56');
  assert.equal(nux[0].bead_id, 'hv-4kq');
  const furiosa = [...sessions.values()].find((s) => s.cwd?.endsWith('polecats/furiosa') && s.runtime === 'pi')!;
  assert.equal(linkSessionToBeads(furiosa, lookup, { townRoot: TOWN_ROOT })[0].bead_id, 'hv-7kq');
});

test('links need evidence: unknown beads only looked at are dropped; beads created after the session are not linked', () => {
  const lookup = memoryBeadLookup([]);
  const s: Session = {
    id: 's', format: 'claude', runtime: 'claude-code', path: '/x', models: [], abandoned: [], extra: {},
    startedAt: '2026-01-01T00:00:00Z', endedAt: '2026-01-01T01:00:00Z',
    turns: [user('look'), assistant('', { toolCalls: [call('Bash', { command: 'bd show zz-1 && bd close zz-2' }, 'c1')] }), user('', { toolResults: [result('c1', 'ok')] })],
  };
  const l = linkSessionToBeads(s, lookup);
  assert.deepEqual(l.map((x) => [x.bead_id, x.known]), [['zz-2', false]]);
  assert.ok(Math.abs(l[0].confidence - 0.76) < 1e-9, 'an unknown bead is less sure');
  const later = memoryBeadLookup([{ id: 'zz-2', created_at: '2026-02-01T00:00:00Z', attempts: [], assignees: [], closed_by_session: null, molecule: null } as never]);
  assert.deepEqual(linkSessionToBeads(s, later), []);
  assert.deepEqual(beadCandidates(s).ids.sort(), ['zz-1', 'zz-2']);
});
