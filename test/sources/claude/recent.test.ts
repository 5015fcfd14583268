// Claude Code as 2.1.200 and later writes it: rewound branches, replayed lines of forked and
// resumed sessions, queued prompts, metadata lines, signature-only thinking, placeholders,
// persisted outputs, subagent meta files, and the harness text stripped from human turns.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readClaudeSession } from '../../../src/sources/claude/read.ts';
import { Lines, jsonl, put, tempDir, text, toolUse } from './lines.ts';

type Obj = Record<string, unknown>;

/** Links each line to the one before it, as Claude Code does (a line may name another parent). */
function chain(lines: Obj[]): Obj[] {
  let prev: unknown = null;
  return lines.map((l): Obj => {
    const out: Obj = 'parentUuid' in l && l.parentUuid !== null ? l : { ...l, parentUuid: prev };
    if (typeof out.uuid === 'string') prev = out.uuid;
    return out;
  });
}

const dir = tempDir('harvest-claude-recent-');
let n = 0;
function file(lines: Obj[], name = `s${n++}.jsonl`, sub = ''): string {
  return put(dir, join(sub, name), jsonl(lines));
}

test('a rewound conversation: the active path runs from the last leaf; the old branch is kept as abandoned', async () => {
  const l = new Lines();
  const u1 = l.user('Add a retry to the shard writer.');
  const a1 = l.assistant('m1', [text('I will add the retry in shard-writer.ts.')]);
  const u2 = l.user('Use exponential backoff.');
  const a2 = l.assistant('m2', [text('Using exponential backoff with jitter.')]);
  const u2b = { ...l.user('Actually, use a fixed 1s delay.'), parentUuid: a1.uuid };
  const a2b = l.assistant('m3', [text('Using a fixed one second delay.')]);
  const { session, counts } = await readClaudeSession(file(chain([u1, a1, u2, a2, u2b, a2b])));
  assert.ok(session);
  assert.deepEqual(session.turns.map((t) => t.text), [
    'Add a retry to the shard writer.',
    'I will add the retry in shard-writer.ts.',
    'Actually, use a fixed 1s delay.',
    'Using a fixed one second delay.',
  ]);
  assert.equal(session.abandoned.length, 1);
  const b = session.abandoned[0];
  assert.equal(b.branchPointId, a1.uuid);
  assert.equal(b.branchPointTurnIndex, 2);
  assert.equal(b.leafId, a2.uuid);
  assert.deepEqual(b.turns.map((t) => t.text), ['Use exponential backoff.', 'Using exponential backoff with jitter.']);
  assert.equal(counts.abandoned_branches, 1);
  assert.equal(counts.abandoned_turns, 2);
});

test('parallel tool calls hang off one another: they and their results stay on the active path', async () => {
  const l = new Lines();
  const u = l.user('Read both files.');
  const c1 = l.assistant('m1', [toolUse('t1', 'Read', { file_path: '/a' })]);
  const c2: Obj = { ...l.assistant('m1', [toolUse('t2', 'Read', { file_path: '/b' })]), parentUuid: c1.uuid };
  const r1: Obj = { ...l.result('t1', 'a text'), parentUuid: c1.uuid };
  const r2: Obj = { ...l.result('t2', 'b text'), parentUuid: c2.uuid };
  const done = { ...l.assistant('m2', [text('Both read.')]), parentUuid: r2.uuid };
  const { session } = await readClaudeSession(file(chain([u, c1, c2, r1, r2, done])));
  assert.ok(session);
  assert.deepEqual(session.turns.map((t) => [t.role, t.toolCalls.length, t.toolResults.length]), [['user', 0, 0], ['assistant', 2, 0], ['user', 0, 2], ['assistant', 0, 0]]);
  assert.deepEqual(session.abandoned, []);
});

test('a forked session replays its parent\'s lines: taken once, in the parent\'s file', async () => {
  const sub = 'fork-project';
  const parentId = '11111111-1111-4111-8111-111111111111';
  const childId = '22222222-2222-4222-8222-222222222222';
  const p = new Lines({ sessionId: parentId });
  const shared = chain([p.user('Plan the migration of the ledger.'), p.assistant('m1', [text('Step one: dump the keys.')])]);
  file(shared, `${parentId}.jsonl`, sub);
  const c = new Lines({ sessionId: childId });
  const replayed = shared.map((x) => ({ ...x, sessionId: childId, forkedFrom: { sessionId: parentId, messageUuid: x.uuid as string } }));
  const own = chain([{ ...c.user('Now write step two.'), uuid: 'child-1', parentUuid: shared[1].uuid }, { ...c.assistant('m2', [text('Step two: load them.')]), uuid: 'child-2' }]);
  const child = file([...replayed, replayed[1], ...own], `${childId}.jsonl`, sub);
  const { session, counts } = await readClaudeSession(child);
  assert.ok(session);
  assert.equal(session.id, childId);
  assert.deepEqual(session.turns.map((t) => t.text), ['Now write step two.', 'Step two: load them.']);
  assert.equal(counts.replayed_lines, 2);
  assert.equal(counts.duplicate_uuid_lines, 1);
  assert.equal(session.parentSessionId, parentId);
  assert.deepEqual(session.abandoned, []);
  // Without the parent's file beside it, the replayed lines are all there is: kept.
  const alone = file([...replayed, ...own], `${childId}.jsonl`, 'lonely-project');
  const r = await readClaudeSession(alone);
  assert.equal(r.session?.turns.length, 4);
  assert.equal(r.counts.replayed_lines, undefined);
});

test('queued prompts are human input; queue bookkeeping and task notifications are not', async () => {
  const l = new Lines();
  const lines = chain([
    l.user('Run the whole suite.'),
    { type: 'queue-operation', operation: 'enqueue', content: 'also check the lint', sessionId: 'sess-1' },
    l.assistant('m1', [toolUse('t1', 'Bash', { command: 'npm test' })]),
    { type: 'queue-operation', operation: 'remove', sessionId: 'sess-1' },
    l.result('t1', 'ok'),
    l.assistant('m2', [toolUse('t2', 'Bash', { command: 'npm run lint' })]),
    { ...l.user('x'), type: 'attachment', message: undefined, attachment: { type: 'queued_command', commandMode: 'prompt', prompt: 'and push when green', origin: { kind: 'human' } } },
    { ...l.user('x'), type: 'attachment', message: undefined, attachment: { type: 'queued_command', commandMode: 'task-notification', prompt: '<task-notification>done</task-notification>' } },
    { ...l.user('x'), type: 'attachment', message: undefined, attachment: { type: 'hook_success', hookName: 'PostToolUse' } },
    l.result('t2', 'clean'),
    l.assistant('m3', [text('Suite and lint are green; pushing.')]),
  ]);
  const { session, counts } = await readClaudeSession(file(lines));
  assert.ok(session);
  const human = session.turns.filter((t) => t.role === 'user' && t.text !== '').map((t) => t.text);
  assert.deepEqual(human, ['Run the whole suite.', 'also check the lint', 'and push when green']);
  assert.equal(counts.queued_prompts, 2);
  assert.equal(counts.stripped_task_notification, 1);
  assert.equal(counts.attachment_hook_success, 1);
  assert.equal(counts.attachment_queued_command, 2);
  assert.equal(counts.tool_results_unmatched, undefined);
});

test('metadata lines go to extra; pr-link lines to prs', async () => {
  const l = new Lines();
  const lines = chain([
    l.user('Open the PR.'),
    l.assistant('m1', [text('Opened it.')]),
    { type: 'custom-title', customTitle: 'Ship the retry', sessionId: 'sess-1' },
    { type: 'ai-title', aiTitle: 'Shard writer retries', sessionId: 'sess-1' },
    { type: 'agent-name', agentName: 'nux', sessionId: 'sess-1' },
    { type: 'last-prompt', lastPrompt: 'Open the PR.', leafUuid: 'uuid-2', sessionId: 'sess-1' },
    { type: 'mode', mode: 'plan', sessionId: 'sess-1' },
    { type: 'permission-mode', permissionMode: 'acceptEdits', sessionId: 'sess-1' },
    { type: 'pr-link', prNumber: 42, prUrl: 'https://github.com/dappcore/core/pull/42', prRepository: 'dappcore/core', sessionId: 'sess-1' },
    { type: 'pr-link', prNumber: 42, prUrl: 'https://github.com/dappcore/core/pull/42', prRepository: 'dappcore/core', sessionId: 'sess-1' },
    { type: 'system', subtype: 'api_error', level: 'error', sessionId: 'sess-1' },
    { type: 'system', subtype: 'away_summary', content: 'While you were away: the PR was opened.', sessionId: 'sess-1' },
  ]);
  const { session, counts } = await readClaudeSession(file(lines));
  assert.ok(session);
  assert.deepEqual(session.prs, [{ number: 42, url: 'https://github.com/dappcore/core/pull/42', repo: 'dappcore/core' }]);
  assert.equal(session.extra.customTitle, 'Ship the retry');
  assert.equal(session.extra.aiTitle, 'Shard writer retries');
  assert.equal(session.extra.agentName, 'nux');
  assert.equal(session.extra.lastPrompt, 'Open the PR.');
  assert.deepEqual(session.extra.modes, ['plan']);
  assert.deepEqual(session.extra.permissionModes, ['acceptEdits']);
  assert.equal(session.extra.apiErrors, 1);
  assert.deepEqual(session.extra.awaySummaries, ['While you were away: the PR was opened.']);
  assert.equal(counts['skipped_type_pr-link'], 2);
  assert.equal(counts.system_api_error, 1);
});

test('signature-only and redacted thinking are counted, never emitted; images and documents are placeholders', async () => {
  const l = new Lines();
  const lines = chain([
    l.user([text('What is in this screenshot and this spec?'), { type: 'image', source: { type: 'base64', data: 'x' } }, { type: 'document', title: 'spec.pdf', source: { type: 'base64', media_type: 'application/pdf', data: 'y' } }]),
    l.assistant('m1', [{ type: 'thinking', thinking: '', signature: 'EuYB...' }]),
    l.assistant('m1', [{ type: 'redacted_thinking', data: 'abc' }]),
    l.assistant('m1', [text('A login form and its spec.')]),
  ]);
  const { session, counts } = await readClaudeSession(file(lines));
  assert.ok(session);
  assert.equal(session.turns[0].text, 'What is in this screenshot and this spec?\n\n[image]\n\n[document: spec.pdf]');
  assert.equal(session.turns[1].thinking, undefined);
  assert.equal(session.turns[1].text, 'A login form and its spec.');
  assert.equal(counts.thinking_signature_only, 1);
  assert.equal(counts.thinking_redacted, 1);
  assert.equal(counts.images, 1);
  assert.equal(counts.documents, 1);
});

test('a persisted output is inlined from <session>/tool-results up to the field cap; a missing one keeps its preview', async () => {
  const sid = '33333333-3333-4333-8333-333333333333';
  const l = new Lines({ sessionId: sid });
  const preview = (name: string) => `<persisted-output>\nOutput too large (48KB). Full output saved to: C:\\Users\\x\\.claude\\projects\\p\\${sid}\\tool-results\\${name}\n\nPreview (first 2KB):\nline 1\n</persisted-output>`;
  const lines = chain([
    l.user('Dump the log.'),
    l.assistant('m1', [toolUse('t1', 'Bash', { command: 'cat big.log' }), toolUse('t2', 'Bash', { command: 'cat gone.log' })]),
    l.result('t1', preview('b1.txt')),
    l.result('t2', preview('gone.txt')),
    l.assistant('m2', [text('The log says the writer retried twice.')]),
  ]);
  const path = file(lines, `${sid}.jsonl`, 'persisted');
  put(dir, join('persisted', sid, 'tool-results', 'b1.txt'), `${'A'.repeat(300)}MIDDLE${'Z'.repeat(300)}`);
  const { session, counts } = await readClaudeSession(path, { maxFieldChars: 200 });
  assert.ok(session);
  const [full, missing] = session.turns[2].toolResults;
  assert.ok(full.content.startsWith('A'.repeat(100)) && full.content.endsWith('Z'.repeat(100)), full.content);
  assert.match(full.content, /\[\.\.\. 406 chars omitted \.\.\.\]/);
  assert.match(missing.content, /^<persisted-output>/);
  assert.equal(counts.persisted_outputs, 2);
  assert.equal(counts.persisted_outputs_inlined, 1);
  assert.equal(counts.persisted_outputs_missing, 1);
});

test('harness text never reaches a human turn: each kind stripped and counted', async () => {
  const l = new Lines();
  const lines = chain([
    l.user('<local-command-caveat>Caveat: The messages below were generated by the user while running local commands. DO NOT respond to these messages or otherwise consider them in your response unless the user explicitly asks you to.</local-command-caveat>'),
    l.user('<command-name>/model</command-name>\n<command-message>model</command-message>\n<command-args></command-args>'),
    l.user('<local-command-stdout>Set model to opus</local-command-stdout>'),
    l.user('<command-name>/btw</command-name>\n<command-args>what does the refinery do?</command-args>'),
    l.user('<local-command-stdout>It merges the queue.</local-command-stdout>'),
    l.user('Fix the flaky test.<system-reminder>\nUserPromptSubmit hook: branch is main\n</system-reminder>'),
    l.assistant('m1', [toolUse('t1', 'Skill', { skill: 'debugging' })]),
    l.result('t1', 'Launching skill: debugging'),
    l.user([text('Base directory for this skill: /home/agent/.claude/skills/debugging\n\n# Debugging\nFind the root cause first.')], { isMeta: true }),
    l.user([text('<system-reminder>The todo list is empty.</system-reminder>')], { isMeta: true }),
    l.assistant('m2', [toolUse('t2', 'Task', { subagent_type: 'Explore', prompt: 'find the test', description: 'find' })]),
    l.result('t2', [text('The test is test/a.test.ts.'), text("agentId: a1b2c3 (for resuming to continue this agent's work if needed)\n<usage>total_tokens: 4313\ntool_uses: 2\nduration_ms: 3285</usage>")]),
    l.assistant('m2b', [toolUse('t3', 'Read', { file_path: '/r/a.test.ts' })]),
    l.result('t3', "     1→test('a', () => {});\n\n<system-reminder>\nWhenever you read a file, you should consider whether it looks malicious.\n</system-reminder>\n"),
    l.user([text('[Request interrupted by user for tool use]')]),
    l.user('<task-notification>\n<task-id>b1</task-id>\n<status>completed</status>\n</task-notification>\nRead the output file to retrieve the result: /tmp/b1.output'),
    l.user([text('Wrong test. Look at b.test.ts.')]),
    l.assistant('m3', [text('Looking at b.test.ts.')]),
  ]);
  const { session, counts } = await readClaudeSession(file(lines));
  assert.ok(session);
  const human = session.turns.filter((t) => t.role === 'user' && t.text !== '').map((t) => t.text);
  assert.deepEqual(human, ['Fix the flaky test.', 'Wrong test. Look at b.test.ts.']);
  assert.equal(session.turns.find((t) => t.toolResults[0]?.id === 't2')?.toolResults[0].content, 'The test is test/a.test.ts.');
  assert.equal(session.turns.find((t) => t.toolResults[0]?.id === 't3')?.toolResults[0].content, "     1→test('a', () => {});", 'the reminder appended to a Read result is not tool output');
  assert.equal(counts.stripped_tool_result_reminder, 1);
  assert.equal(counts.stripped_local_command_caveat, 1);
  assert.equal(counts.stripped_system_reminder, 2);
  assert.equal(counts.stripped_skill_expansion, 1);
  assert.equal(counts.stripped_subagent_trailer, 1);
  assert.equal(counts.stripped_interrupt_marker, 1);
  assert.equal(counts.stripped_task_notification, 1);
  // /model ran locally; /btw was asked and answered beside the conversation: neither is a turn.
  assert.equal(counts.skipped_local_commands, 1);
  assert.equal(counts.side_questions, 1);
  assert.doesNotMatch(JSON.stringify(session.turns), /merges the queue|Set model/);
});

test('a subagent\'s meta.json gives its type when no Task call of the parent names it', async () => {
  const parent = '44444444-4444-4444-8444-444444444444';
  const l = new Lines({ sessionId: parent, isSidechain: true, agentId: 'a9' });
  const sub = join('meta-project', parent, 'subagents');
  file(chain([new Lines({ sessionId: parent }).user('hello')]), `${parent}.jsonl`, 'meta-project');
  const path = file(chain([l.user('Survey the repo layout.'), l.assistant('m1', [text('src/, test/, fixtures/.')])]), 'agent-a9.jsonl', sub);
  put(dir, join(sub, 'agent-a9.meta.json'), JSON.stringify({ agentType: 'Explore', description: 'Survey' }));
  const { session, counts } = await readClaudeSession(path);
  assert.ok(session);
  assert.equal(session.subagentType, 'Explore');
  assert.equal(session.id, `${parent}.agent-a9`);
  assert.equal(counts.subagent_linked_by_meta, 1);
});
