// The Gemini CLI reader on hand-made recordings: the replacement rule (a later record with the
// same id replaces the earlier one, in place), $set metadata updates, the rewind rule ($rewindTo
// removes that message and all after it; what it removed is an abandoned branch), the older
// single-object .json, subagents and the project directory.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readGeminiSession } from '../../../src/sources/gemini/read.ts';
import { discoverGeminiSessions } from '../../../src/sources/gemini/discover.ts';
import { detectFormat } from '../../../src/sources/detect-format.ts';

const root = mkdtempSync(join(tmpdir(), 'harvest-gemini-'));
function put(rel: string, lines: unknown[] | string): string {
  const p = join(root, rel);
  mkdirSync(join(p, '..'), { recursive: true });
  writeFileSync(p, typeof lines === 'string' ? lines : lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
  return p;
}

const META = { sessionId: '0ab84937-9fe7-4284-986a-33c832af0b6a', projectHash: 'abc', startTime: '2026-04-23T12:52:52.759Z', lastUpdated: '2026-04-23T12:52:52.759Z', kind: 'main' };
const user = (id: string, text: string) => ({ id, timestamp: '2026-04-23T12:53:00.000Z', type: 'user', content: [{ text }] });
const gemini = (id: string, extra: Record<string, unknown> = {}) => ({ id, timestamp: '2026-04-23T12:53:05.000Z', type: 'gemini', content: '', thoughts: [], tokens: null, model: 'gemini-3-flash-preview', ...extra });
const readCall = (id: string, withResult: boolean) => ({
  id, name: 'read_file', args: { file_path: 'README.md' }, status: withResult ? 'success' : 'executing', timestamp: '2026-04-23T12:53:06.000Z',
  ...(withResult ? { result: [{ functionResponse: { id, name: 'read_file', response: { output: '# harvest' } } }] } : {}),
});

test('a later record with the same id replaces the earlier one in place; $set updates the metadata', async () => {
  const p = put('p1/chats/session-2026-04-23T12-52-0ab84937.jsonl', [
    META,
    { id: 'i1', timestamp: '2026-04-23T12:53:01.000Z', type: 'info', content: 'Empty GEMINI.md created.' },
    { $set: { lastUpdated: '2026-04-23T12:53:02.000Z' } },
    user('u1', 'Summarise the README.'),
    gemini('g1', { thoughts: [{ subject: 'Reading', description: 'I will read the README first.', timestamp: 'x' }] }),
    gemini('g1', { thoughts: [{ subject: 'Reading', description: 'I will read the README first.', timestamp: 'x' }], toolCalls: [readCall('r1', false)] }),
    gemini('g1', { thoughts: [{ subject: 'Reading', description: 'I will read the README first.', timestamp: 'x' }], toolCalls: [readCall('r1', true)], tokens: { input: 100, output: 10, cached: 40, thoughts: 5, tool: 0, total: 115 } }),
    gemini('g2', { content: 'It is a training-data pipeline.' }),
    user('u2', 'System: Please continue.'),
    gemini('g3', { content: 'Nothing more to add.' }),
    { $set: { summary: 'README summary', directories: ['/home/agent/gt/harvest/crew/max'] } },
  ]);
  assert.equal(await detectFormat(p), 'gemini');
  const { session, counts } = await readGeminiSession(p);
  assert.ok(session);
  assert.equal(session.id, META.sessionId);
  assert.equal(session.runtime, 'gemini');
  assert.deepEqual(session.turns.map((t) => [t.role, t.text, t.toolCalls.length, t.toolResults.length]), [
    ['user', 'Summarise the README.', 0, 0],
    ['assistant', '', 1, 0],
    ['user', '', 0, 1],
    ['assistant', 'It is a training-data pipeline.', 0, 0],
    ['assistant', 'Nothing more to add.', 0, 0],
  ]);
  assert.equal(session.turns[1].thinking, '**Reading**\nI will read the README first.');
  assert.deepEqual(session.turns[1].usage, { input: 60, output: 15, cacheRead: 40, cacheWrite: 0, totalTokens: 115 });
  assert.equal(session.turns[2].toolResults[0].content, '# harvest');
  assert.equal(counts.records, 6);
  assert.equal(counts.records_replaced, 2);
  assert.equal(counts.tool_calls, 1);
  assert.equal(counts.skipped_type_info, 1);
  assert.equal(counts.stripped_continue_nudge, 1);
  assert.equal(session.extra.summary, 'README summary');
  assert.equal(session.cwd, '/home/agent/gt/harvest/crew/max');
});

test('$rewindTo removes that message and everything after it; the removed run is an abandoned branch', async () => {
  const p = put('p2/chats/session-2026-04-24T10-00-1111aaaa.jsonl', [
    { ...META, sessionId: '1111aaaa-0000-4000-8000-000000000000' },
    user('u1', 'Write a haiku about shards.'),
    gemini('g1', { content: 'Shards fall into place.' }),
    user('u2', 'Make it sadder.'),
    gemini('g2', { content: 'Shards weep, sealed in rows.' }),
    { $rewindTo: 'u2' },
    user('u3', 'Make it funnier.'),
    gemini('g3', { content: 'Shards giggle, then seal.' }),
  ]);
  const { session, counts } = await readGeminiSession(p);
  assert.ok(session);
  assert.deepEqual(session.turns.map((t) => t.text), ['Write a haiku about shards.', 'Shards fall into place.', 'Make it funnier.', 'Shards giggle, then seal.']);
  assert.equal(session.abandoned.length, 1);
  assert.equal(session.abandoned[0].branchPointId, 'g1');
  assert.equal(session.abandoned[0].branchPointTurnIndex, 2);
  assert.deepEqual(session.abandoned[0].turns.map((t) => t.text), ['Make it sadder.', 'Shards weep, sealed in rows.']);
  assert.equal(counts.rewinds, 1);
  assert.equal(counts.rewound_messages, 2);

  // An unknown target clears every message, as Gemini's loader does.
  const q = put('p2/chats/session-2026-04-24T11-00-2222bbbb.jsonl', [META, user('u1', 'first'), gemini('g1', { content: 'reply' }), { $rewindTo: 'nope' }, user('u2', 'fresh start')]);
  const r = await readGeminiSession(q);
  assert.deepEqual(r.session?.turns.map((t) => t.text), ['fresh start']);
  assert.equal(r.counts.rewinds_to_unknown_id, 1);
});

test('the older single-object .json recording streams the same way', async () => {
  const p = put('p3/chats/session-2026-03-27T10-19-8a20078e.json', JSON.stringify({ ...META, messages: [user('u1', 'Update the README.'), gemini('g1', { toolCalls: [readCall('r1', true)] }), gemini('g2', { content: 'Done.' })] }, null, 2));
  assert.equal(await detectFormat(p), 'gemini-json');
  const { session } = await readGeminiSession(p);
  assert.ok(session);
  assert.deepEqual(session.turns.map((t) => t.role), ['user', 'assistant', 'user', 'assistant']);
});

test('a subagent under chats/<parent>/ links to its parent and takes its type from the parent\'s call', async () => {
  const parentId = '3333cccc-0000-4000-8000-000000000000';
  put(`p4/chats/session-2026-04-25T09-00-${parentId.slice(0, 8)}.jsonl`, [
    { ...META, sessionId: parentId },
    user('u1', 'Investigate the flake.'),
    gemini('g1', { toolCalls: [{ ...readCall('c1', true), name: 'codebase_investigator', agentId: 'sub-1' }] }),
  ]);
  const p = put(`p4/chats/${parentId}/sub-1.jsonl`, [{ ...META, sessionId: 'sub-1', kind: 'subagent', directories: ['/w'] }, user('u1', 'Find the flaky test.'), gemini('g1', { content: 'It is shard.test.ts.' })]);
  put('p4/.project_root', '/home/agent/gt/harvest/polecats/nux\n');
  const { session, counts } = await readGeminiSession(p);
  assert.ok(session);
  assert.equal(session.parentSessionId, parentId);
  assert.equal(session.subagentType, 'codebase_investigator');
  assert.equal(counts.subagent_linked, 1);
  const parent = await readGeminiSession(join(root, `p4/chats/session-2026-04-25T09-00-${parentId.slice(0, 8)}.jsonl`));
  assert.equal(parent.session?.cwd, '/home/agent/gt/harvest/polecats/nux');
});

test('discovery finds recordings and subagents; a .json migrated to .jsonl is skipped', async () => {
  put('p5/chats/session-2026-01-01T00-00-5555eeee.json', JSON.stringify({ ...META, messages: [] }));
  put('p5/chats/session-2026-01-01T00-00-5555eeee.jsonl', [META]);
  put('p5/logs.json', '[]');
  const counts = {};
  const found: string[] = [];
  for await (const f of discoverGeminiSessions(root, counts)) found.push(f.path.slice(root.length + 1));
  assert.ok(found.includes('p5/chats/session-2026-01-01T00-00-5555eeee.jsonl'));
  assert.ok(!found.includes('p5/chats/session-2026-01-01T00-00-5555eeee.json'));
  assert.ok(!found.includes('p5/logs.json'));
  assert.ok(found.some((f) => f.endsWith('/sub-1.jsonl')));
  assert.deepEqual(counts, { discover_superseded: 1 });
});
