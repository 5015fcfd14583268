// omp as it writes today (the title slot, session_init with the system prompt and the tools, its
// extra entry types, credential pins never emitted) and pi files of version 4.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readPiSession } from '../../../src/sources/pi/read.ts';
import { detectFormat } from '../../../src/sources/detect-format.ts';
import { assistant, entry, header, tempRoot, toolResult, user, writeLines } from './session-files.ts';

const root = tempRoot('harvest-omp-');
const READ_SCHEMA = { type: 'object', properties: { path: { type: 'string' } }, required: ['path'] };

test('an omp subagent file: title slot, session_init tools and prompt, its entry types recorded or counted', async () => {
  const path = writeLines(root, '--home-ubuntu-gt-harvest-polecats-nux--/2026-05-01T10-00-00-000Z_omp-1.jsonl', [
    { type: 'title', v: 1, title: 'Scout the shard writer', source: 'auto', updatedAt: '2026-05-01T10:00:05.000Z', pad: ' '.repeat(40) },
    header({ id: 'omp-1' }),
    entry('i1', null, {
      type: 'session_init',
      systemPrompt: ['You are scout.', 'Report what you find.'],
      task: 'Find where shards are sealed.',
      tools: [{ name: 'read', description: 'Read a file', parameters: READ_SCHEMA }, 'bash'],
      agent: 'scout',
    }),
    entry('c1', 'i1', { type: 'credential_pin', provider: 'anthropic', hash: 'pin-hash-must-not-leak-0123456789' }),
    user('u1', 'c1', 'Find where shards are sealed.'),
    entry('t1', 'u1', { type: 'ttsr_injection', injectedRules: ['no-force-push', 'tests-first'] }),
    entry('m1', 't1', { type: 'mode_change', mode: 'plan' }),
    entry('s1', 'm1', { type: 'service_tier_change', serviceTier: { anthropic: 'priority' } }),
    assistant('a1', 's1', 'Reading the writer.', [{ id: 'call1', name: 'read', arguments: { path: 'src/sinks/shards/shard-writer.ts' } }]),
    toolResult('r1', 'a1', 'call1', 'export class ShardWriter { seal() {} }'),
    entry('u2', 'r1', { type: 'model_usage', purpose: 'title', api: 'anthropic-messages', provider: 'anthropic', model: 'claude-haiku-4-5', usage: { input: 40, output: 8, cacheRead: 0, cacheWrite: 0, cost: { total: 0.001 } }, stopReason: 'stop' }),
    entry('tc', 'u2', { type: 'title_change', title: 'Shard sealing', source: 'user' }),
    entry('ar', 'tc', { type: 'archive', targetId: 'x9', archived: true }),
    entry('rb', 'ar', { type: 'reset_boundary' }),
    assistant('a2', 'rb', 'ShardWriter.seal renames the open shard into place.'),
  ]);
  assert.equal(await detectFormat(path), 'pi');
  const { session, counts, warnings } = await readPiSession(path, { runtime: 'omp' });
  assert.ok(session);
  assert.equal(session.runtime, 'omp');
  assert.deepEqual(session.tools, [{ type: 'function', function: { name: 'read', description: 'Read a file', parameters: READ_SCHEMA } }]);
  assert.deepEqual(session.extra.toolNames, ['read', 'bash']);
  assert.equal(session.extra.systemPrompt, 'You are scout.\n\nReport what you find.');
  assert.equal(session.subagentType, 'scout');
  assert.equal(session.extra.title, 'Scout the shard writer');
  assert.deepEqual(session.extra.ttsrRules, ['no-force-push', 'tests-first']);
  assert.deepEqual(session.extra.modes, ['plan']);
  assert.deepEqual(session.extra.serviceTiers, [{ anthropic: 'priority' }]);
  assert.deepEqual(session.extra.archivedEntries, ['x9']);
  assert.equal(session.extra.resetBoundaries, 1);
  assert.deepEqual(session.extra.modelUsage, { calls: 1, input: 40, output: 8, cacheRead: 0, cacheWrite: 0, cost: 0.001 });
  assert.deepEqual(session.turns.map((t) => t.role), ['user', 'assistant', 'user', 'assistant']);
  assert.equal(counts.title_slots, 1);
  assert.equal(counts.credential_pins, 1);
  assert.equal(counts.header_not_first, undefined);
  assert.deepEqual(warnings, []);
  assert.doesNotMatch(JSON.stringify(session), /pin-hash-must-not-leak/);
});

test('pi version 4 files are read as the current layout, their unknown entry types counted', async () => {
  const path = writeLines(root, '--home-ubuntu-gt-mayor--/2026-06-01T10-00-00-000Z_v4.jsonl', [
    header({ id: 'v4', version: 4, cwd: '/home/ubuntu/gt/mayor' }),
    user('u1', null, 'Dispatch hv-9 to a polecat.'),
    entry('x1', 'u1', { type: 'workspace_snapshot', files: 3 }),
    assistant('a1', 'x1', 'Dispatched hv-9 to nux.'),
  ]);
  const { session, counts } = await readPiSession(path, { runtime: 'pi' });
  assert.ok(session);
  assert.equal(counts.version_4, 1);
  assert.equal(counts.version_unknown, undefined);
  assert.equal(counts.skipped_type_workspace_snapshot, 1);
  assert.equal(session.extra.version, 4);
  assert.deepEqual(session.turns.map((t) => t.text), ['Dispatch hv-9 to a polecat.', 'Dispatched hv-9 to nux.']);
});
