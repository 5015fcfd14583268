import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { readClaudeSession } from '../../../src/sources/claude/read.ts';
import type { ParentTaskIndex } from '../../../src/sources/claude/parent-tasks.ts';
import { Lines, jsonl, put, tempDir, text, toolUse } from './lines.ts';

const PARENT = '7a9b1c3d-5e4f-4a6b-8c9d-0e1f2a3b4c56';
const PROMPT = 'Find the line-protocol helpers and list them with their files. Do not edit anything.';

/** A parent session whose Task call spawned agent `agentId`; `how` says how its result names it. */
function parentLines(agentId: string, how: 'toolUseResult' | 'text' | 'none', tool = 'Task'): Buffer {
  const l = new Lines({ sessionId: PARENT });
  const result =
    how === 'toolUseResult'
      ? l.result('task-1', [text('Found toPoint in src/model/point.ts')], { toolUseResult: { status: 'completed', agentId, totalTokens: 10 } })
      : how === 'text'
        ? l.result('task-1', [text('Found toPoint.'), text(`agentId: ${agentId} (for resuming to continue this agent's work if needed)`)])
        : l.result('task-1', 'Found toPoint.', { toolUseResult: { totalTokens: 10 } });
  return jsonl([
    l.user('Implement the Influx sink for session points.'),
    l.assistant('m1', [toolUse('other', 'Bash', { command: 'ls' })]),
    l.result('other', 'src'),
    l.assistant('m2', [toolUse('task-0', tool, { description: 'Unrelated', subagent_type: 'Plan', prompt: 'Plan something else entirely.' })]),
    l.result('task-0', 'planned'),
    l.assistant('m3', [toolUse('task-1', tool, { description: 'Find line-protocol helpers', subagent_type: 'Explore', prompt: PROMPT })]),
    result,
    l.assistant('m4', [text('Using toPoint.')]),
  ]);
}

function agentLines(agentId: string | undefined, sessionId = PARENT): Buffer {
  const l = new Lines({ sessionId, isSidechain: true, ...(agentId ? { agentId } : {}) });
  return jsonl([
    l.user(PROMPT),
    l.assistant('a1', [toolUse('g1', 'Grep', { pattern: 'toPoint' })]),
    l.result('g1', 'src/model/point.ts'),
    l.assistant('a2', [text('Found toPoint in src/model/point.ts.')]),
  ]);
}

test('2.1.x layout: linked through toolUseResult.agentId; id, parent, agent id and type set', async () => {
  const root = tempDir();
  put(root, `proj/${PARENT}.jsonl`, parentLines('a3f9c21', 'toolUseResult'));
  const p = put(root, `proj/${PARENT}/subagents/agent-a3f9c21.jsonl`, agentLines('a3f9c21'));
  const { session, counts, warnings } = await readClaudeSession(p);
  assert.ok(session);
  assert.equal(session.id, `${PARENT}.agent-a3f9c21`);
  assert.equal(session.parentSessionId, PARENT);
  assert.equal(session.agentId, 'a3f9c21');
  assert.equal(session.subagentType, 'Explore');
  assert.equal(session.extra.parentToolUseId, 'task-1');
  assert.equal(session.extra.subagentDescription, 'Find line-protocol helpers');
  assert.equal(counts.subagent_linked_by_agent_id, 1);
  assert.deepEqual(warnings, []);
  // A subagent's own sidechain lines are its turns, not skipped.
  assert.equal(session.turns.length, 4);
  assert.equal(counts.skipped_sidechain, undefined);
});

test('linked when only the result text names the agent id (and under the newer Agent tool name)', async () => {
  const root = tempDir();
  put(root, `proj/${PARENT}.jsonl`, parentLines('b77e01', 'text', 'Agent'));
  const p = put(root, `proj/${PARENT}/subagents/agent-b77e01.jsonl`, agentLines('b77e01'));
  const { session, counts } = await readClaudeSession(p);
  assert.equal(session?.subagentType, 'Explore');
  assert.equal(counts.subagent_linked_by_agent_id, 1);
});

test('older sibling agent-*.jsonl without agentId: agent id from the file name, linked by prompt', async () => {
  const root = tempDir();
  put(root, `proj/${PARENT}.jsonl`, parentLines('unused', 'none'));
  const p = put(root, 'proj/agent-5e1d7a90.jsonl', agentLines(undefined));
  const { session, counts } = await readClaudeSession(p);
  assert.ok(session);
  assert.equal(session.agentId, '5e1d7a90');
  assert.equal(session.parentSessionId, PARENT);
  assert.equal(session.id, `${PARENT}.agent-5e1d7a90`);
  assert.equal(session.subagentType, 'Explore');
  assert.equal(counts.subagent_linked_by_prompt, 1);
});

test('parent folder name gives the parent id when the lines carry none', async () => {
  const root = tempDir();
  const l = new Lines({ sessionId: undefined, agentId: 'c1' });
  const p = put(root, `proj/${PARENT}/subagents/agent-c1.jsonl`, jsonl([l.user('hello there'), l.assistant('a', [text('hi')])]));
  const { session, counts, warnings } = await readClaudeSession(p);
  assert.ok(session);
  assert.equal(session.parentSessionId, PARENT);
  assert.equal(session.id, `${PARENT}.agent-c1`);
  assert.equal(counts.parent_unreadable, 1); // no parent file in this tree
  assert.match(warnings[0], /not readable/);
});

test('agent-acompact-* is a compaction run, marked, with no parent scan', async () => {
  const root = tempDir();
  const l = new Lines({ sessionId: PARENT, isSidechain: true, agentId: 'acompact-7e21b0' });
  const p = put(
    root,
    `proj/${PARENT}/subagents/agent-acompact-7e21b0.jsonl`,
    jsonl([l.user('Your task is to create a detailed summary of the conversation so far.'), l.assistant('a', [text('<analysis>...</analysis> Summary: ...')])]),
  );
  const { session, counts, warnings } = await readClaudeSession(p);
  assert.ok(session);
  assert.equal(session.extra.compaction, true);
  assert.equal(session.agentId, 'acompact-7e21b0');
  assert.equal(session.subagentType, undefined);
  assert.equal(counts.parent_unreadable, undefined);
  assert.deepEqual(warnings, []);
});

test('no matching Task call: the session is kept, unlinked, with a warning', async () => {
  const root = tempDir();
  put(root, `proj/${PARENT}.jsonl`, parentLines('someone-else', 'toolUseResult'));
  const l = new Lines({ sessionId: PARENT, isSidechain: true, agentId: 'zz9' });
  const p = put(root, `proj/${PARENT}/subagents/agent-zz9.jsonl`, jsonl([l.user('A prompt no Task call sent.'), l.assistant('a', [text('ok')])]));
  const { session, counts, warnings } = await readClaudeSession(p);
  assert.ok(session);
  assert.equal(session.subagentType, undefined);
  assert.equal(counts.subagent_unlinked, 1);
  assert.match(warnings[0], /names agent zz9/);
});

test('a parentIndexCache streams the parent once for all its subagents', async () => {
  const root = tempDir();
  const parentPath = put(root, `proj/${PARENT}.jsonl`, parentLines('a3f9c21', 'toolUseResult'));
  const p = put(root, `proj/${PARENT}/subagents/agent-a3f9c21.jsonl`, agentLines('a3f9c21'));
  const cache = new Map<string, ParentTaskIndex>();
  assert.equal((await readClaudeSession(p, { parentIndexCache: cache })).session?.subagentType, 'Explore');
  assert.ok(cache.has(join(root, `proj/${PARENT}.jsonl`)));
  rmSync(parentPath);
  assert.equal((await readClaudeSession(p, { parentIndexCache: cache })).session?.subagentType, 'Explore');
});
