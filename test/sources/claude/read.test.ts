import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readClaudeInlineSidechains, readClaudeSession } from '../../../src/sources/claude/read.ts';
import { Lines, jsonl, put, tempDir, text, toolUse, usage } from './lines.ts';

const dir = tempDir();
let n = 0;
function file(content: Buffer | string): string {
  return put(dir, `s${n++}.jsonl`, content);
}

test('a reply streamed over lines sharing message.id is one turn with the LAST line usage', async () => {
  const l = new Lines();
  const p = file(
    jsonl([
      l.user('Implement the sink'),
      l.assistant('msg_A', [text('\n\n')], { usage: usage(3, 10, 17842, 8037) }),
      l.assistant('msg_A', [{ type: 'thinking', thinking: 'Look at the bead first.', signature: 'sig' }], { usage: usage(3, 10, 17842, 8037) }),
      l.assistant('msg_A', [text('Let me look.')], { usage: usage(3, 10, 17842, 8037) }),
      l.assistant('msg_A', [toolUse('t1', 'Bash', { command: 'bd show' })], { usage: usage(3, 10, 17842, 8037) }),
      l.result('t1', 'bead text'), // a result between two lines of the same reply
      l.assistant('msg_A', [toolUse('t2', 'Read', { file_path: '/a' })], { usage: usage(3, 441, 17842, 8037), stop: 'tool_use' }),
      l.result('t2', 'file text'),
      l.assistant('msg_B', [text('Done.')], { usage: usage(1, 20, 26000, 100), stop: 'end_turn' }),
    ]),
  );
  const { session, counts } = await readClaudeSession(p);
  assert.ok(session);
  assert.deepEqual(session.turns.map((t) => t.role), ['user', 'assistant', 'user', 'assistant']);
  const a = session.turns[1];
  assert.equal(a.text, 'Let me look.');
  assert.equal(a.thinking, 'Look at the bead first.');
  assert.deepEqual(a.toolCalls.map((c) => c.id), ['t1', 't2']);
  assert.deepEqual(a.usage, { input: 3, output: 441, cacheRead: 17842, cacheWrite: 8037 });
  assert.equal(a.stopReason, 'tool_use');
  assert.equal(a.entryId, 'msg_A');
  assert.deepEqual(session.turns[2].toolResults.map((r) => r.id), ['t1', 't2']);
  assert.equal(counts.assistant_lines_merged, 4);
  assert.equal(counts.turns, 4);
});

test('tool calls in equal tool results out; is_error kept; an empty result id pairs by order', async () => {
  const l = new Lines();
  const p = file(
    jsonl([
      l.user('run it'),
      l.assistant('m1', [toolUse('t1', 'Bash', { command: 'gt status' })]),
      l.result('t1', 'Exit code 1\nconnection refused', { isError: true }),
      l.assistant('m2', [toolUse('t2', 'Bash', { command: 'gt daemon start' })]),
      l.result('', 'daemon started'),
      l.assistant('m3', [text('Recovered: the daemon was down and is running again.')]),
    ]),
  );
  const { session, counts } = await readClaudeSession(p);
  assert.ok(session);
  const calls = session.turns.flatMap((t) => t.toolCalls.map((c) => c.id));
  const results = session.turns.flatMap((t) => t.toolResults);
  assert.deepEqual(calls, ['t1', 't2']);
  assert.deepEqual(results.map((r) => r.id), ['t1', 't2']);
  assert.deepEqual(results.map((r) => r.isError), [true, false]);
  assert.equal(counts.tool_calls, 2);
  assert.equal(counts.tool_results, 2);
  assert.equal(counts.tool_results_paired_by_order, 1);
  assert.equal(counts.tool_calls_unanswered, undefined);
});

test('list-form tool_result content is its text joined by newlines; images are a placeholder, counted', async () => {
  const l = new Lines();
  const p = file(
    jsonl([
      l.user('check the board'),
      l.assistant('m1', [toolUse('t1', 'mcp__gt__mq_status')]),
      l.result('t1', [
        { type: 'text', text: 'Merge queue: 1 ready' },
        { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBOR' } },
        { type: 'text', text: 'Screenshot attached.' },
      ]),
      l.user([text('and this'), { type: 'image', source: { type: 'base64', data: 'x' } }]),
    ]),
  );
  const { session, counts } = await readClaudeSession(p);
  assert.ok(session);
  const r = session.turns[2].toolResults[0];
  assert.equal(r.content, 'Merge queue: 1 ready\n[image]\nScreenshot attached.');
  assert.doesNotMatch(r.content, /\[\{|'type'|"type"/);
  assert.equal(counts.images, 2);
  // Results precede text within a user turn, so the human text after a result joins that turn.
  assert.equal(session.turns[2].text, 'and this\n\n[image]');
});

test('human text followed by tool results never reorders: results start a new user turn', async () => {
  const l = new Lines();
  const p = file(jsonl([l.assistant('m1', [toolUse('t1', 'Bash')]), l.user('wait, also check x'), l.result('t1', 'ok')]));
  const { session } = await readClaudeSession(p);
  assert.ok(session);
  assert.deepEqual(
    session.turns.map((t) => [t.role, t.text, t.toolResults.length]),
    [['assistant', '', 0], ['user', 'wait, also check x', 0], ['user', '', 1]],
  );
});

test('non-conversation line types are skipped and counted by type; summaries go to extra', async () => {
  const l = new Lines();
  const p = file(
    jsonl([
      { type: 'summary', summary: 'Mayor dispatches hv-4kq', leafUuid: 'x' },
      { type: 'file-history-snapshot', messageId: 'm', snapshot: {}, isSnapshotUpdate: false },
      { ...l.user('x'), type: 'progress', data: { type: 'hook_progress' } },
      { type: 'queue-operation', operation: 'enqueue', content: 'later' },
      { type: 'system', subtype: 'compact_boundary', content: 'Conversation compacted', timestamp: '2026-03-02T09:30:00.000Z', compactMetadata: { trigger: 'auto', preTokens: 167094 } },
      { type: 'system', subtype: 'turn_duration', durationMs: 5 },
      { type: 'weird new type', x: 1 },
      { type: 'user' }, // no message
      { type: 'assistant', message: { id: 'z', content: 7 } },
      { no: 'type' },
      '"a string"',
      '42',
      l.user('Hello, the real work starts here.'),
      l.assistant('m1', [text('Hi.')]),
    ]),
  );
  const { session, counts } = await readClaudeSession(p);
  assert.ok(session);
  assert.equal(session.turns.length, 2);
  assert.equal(counts['skipped_type_summary'], 1);
  assert.equal(counts['skipped_type_file-history-snapshot'], 1);
  assert.equal(counts['skipped_type_progress'], 1);
  assert.equal(counts['skipped_type_queue-operation'], 1);
  assert.equal(counts['skipped_type_system'], 2);
  assert.equal(counts['skipped_type_weird_new_type'], 1);
  assert.equal(counts.skipped_missing_fields, 3);
  assert.equal(counts.skipped_not_object, 2);
  assert.equal(counts.lines_total, 14);
  assert.deepEqual(session.extra.summaries, ['Mayor dispatches hv-4kq']);
  assert.deepEqual(session.extra.compactions, [{ timestamp: '2026-03-02T09:30:00.000Z', trigger: 'auto', preTokens: 167094 }]);
});

test('caveat boilerplate and local commands are dropped; slash commands and meta prompts kept', async () => {
  const l = new Lines();
  const caveat = 'Caveat: The messages below were generated by the user while running local commands. DO NOT respond to these messages.';
  const p = file(
    jsonl([
      l.user([text(caveat)], { isMeta: true }),
      l.user('<command-name>/cost</command-name>\n<command-message>cost</command-message>\n<command-args></command-args>'),
      l.user('<local-command-stdout>Total cost: $0.42</local-command-stdout>'),
      l.user('<command-message>review is running…</command-message>\n<command-name>/review</command-name>\n<command-args>hv-4kq</command-args>'),
      l.user([text('Review the change for correctness and tests.')], { isMeta: true }),
      l.assistant('m1', [text('Reviewing hv-4kq.')]),
    ]),
  );
  const { session, counts } = await readClaudeSession(p);
  assert.ok(session);
  assert.equal(session.turns[0].text, '/review hv-4kq\n\nReview the change for correctness and tests.');
  assert.equal(counts.stripped_local_command_caveat, 1);
  assert.equal(counts.skipped_local_command_output, 1);
  assert.equal(counts.skipped_local_commands, 1);
  assert.equal(counts.command_lines, 2);
  assert.equal(counts.meta_lines, 1);
  assert.equal(counts.empty_messages, undefined);
});

test('bad lines are skipped and counted, the good lines still used', async () => {
  const l = new Lines();
  const p = file(
    jsonl(
      [
        l.user('First real question about the witness patrol.'),
        '{"type":"user","message":{"content":"cut',
        Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d]),
        l.assistant('m1', [text('An answer that survives the bad lines around it.')]),
        '{"type":"assistant","message":{"id":"m2","content":[{"type":"text","text":"Al',
      ],
      false,
    ),
  );
  const { session, counts } = await readClaudeSession(p);
  assert.ok(session);
  assert.equal(session.turns.length, 2);
  assert.equal(counts.malformed_json, 1);
  assert.equal(counts.invalid_utf8, 1);
  assert.equal(counts.truncated_last_line, 1);
  assert.equal(counts.lines_total, 5);
});

test('an empty file is a null session counted as empty_files; a file with no turns as no_turns', async () => {
  const empty = await readClaudeSession(file(''));
  assert.equal(empty.session, null);
  assert.equal(empty.counts.empty_files, 1);
  const blank = await readClaudeSession(file('\n\n'));
  assert.equal(blank.session, null);
  assert.equal(blank.counts.empty_files, 1);
  const noTurns = await readClaudeSession(file(jsonl([{ type: 'summary', summary: 'x', leafUuid: 'y' }])));
  assert.equal(noTurns.session, null);
  assert.equal(noTurns.counts.no_turns, 1);
});

test('a file that is gone or unreadable rejects with an Error naming the path', async () => {
  const gone = `${dir}/gone-${n++}.jsonl`;
  await assert.rejects(readClaudeSession(gone), (err: Error) => err.message.includes(gone) && /ENOENT/.test(err.message));
  await assert.rejects(readClaudeSession(dir), (err: Error) => err.message.includes(dir));
});

test('text fields are capped at maxFieldChars keeping head and tail, and counted', async () => {
  const l = new Lines();
  const long = 'H'.repeat(50) + 'm'.repeat(10_000) + 'T'.repeat(50);
  const streamed = Array.from({ length: 200 }, (_, i) => l.assistant('m1', [text(`part ${i} ${'z'.repeat(40)}`)]));
  const p = file(
    jsonl([
      l.user(long),
      l.assistant('m0', [toolUse('t1', 'Write', { file_path: '/a', content: long })]),
      l.result('t1', long),
      ...streamed,
    ]),
  );
  const { session, counts } = await readClaudeSession(p, { maxFieldChars: 100 });
  assert.ok(session);
  const u = session.turns[0].text;
  assert.ok(u.startsWith('H'.repeat(50)) && u.endsWith('T'.repeat(50)), u);
  assert.match(u, /\[\.\.\. 10000 chars omitted \.\.\.\]/);
  assert.ok(u.length < 140);
  const input = session.turns[1].toolCalls[0].input as { content: string; file_path: string };
  assert.ok(input.content.length < 140);
  assert.equal(input.file_path, '/a');
  assert.ok(session.turns[2].toolResults[0].content.length < 140);
  const merged = session.turns[3].text;
  assert.ok(merged.startsWith('part 0 ') && merged.endsWith('z'.repeat(40)));
  assert.ok(merged.length < 140);
  assert.equal(counts.fields_capped, 4);
});

test('session facts: id, cwd, branch, models in order of first use (no <synthetic>), times, version', async () => {
  const l = new Lines();
  const p = file(
    jsonl([
      l.user('Patrol the rig and report what you find in detail.'),
      l.assistant('m1', [text('Patrolling.')], { model: 'claude-haiku-4-5-20251001' }),
      l.user([text('[Request interrupted by user]')]),
      l.assistant('m2', [text('No response requested.')], { model: '<synthetic>' }),
      l.user('Go on.'),
      l.assistant('m3', [text('Patrol done.')], { model: 'claude-opus-4-6' }),
      l.assistant('m4', [text('And a note.')], { model: 'claude-haiku-4-5-20251001' }),
    ]),
  );
  const { session, counts } = await readClaudeSession(p, { runtime: 'claude-code' });
  assert.ok(session);
  assert.equal(session.id, 'sess-1');
  assert.equal(session.format, 'claude');
  assert.equal(session.runtime, 'claude-code');
  assert.equal(session.path, p);
  assert.equal(session.cwd, '/home/agent/gt/harvest/polecats/nux');
  assert.equal(session.gitBranch, 'main');
  assert.deepEqual(session.models, ['claude-haiku-4-5-20251001', 'claude-opus-4-6']);
  // The interrupt marker is Claude Code's, not the person's: stripped, so the synthetic reply follows m1.
  assert.equal(session.turns[2].model, '<synthetic>');
  assert.equal(counts.stripped_interrupt_marker, 1);
  assert.equal(counts.synthetic_turns, 1);
  assert.equal(session.startedAt, '2026-03-02T09:00:01.000Z');
  assert.equal(session.endedAt, '2026-03-02T09:00:07.000Z');
  assert.equal(session.extra.claudeVersion, '2.1.39');
  assert.deepEqual(session.abandoned, []);
});

test('inline sidechain lines of a 1.0.x main file are left out, and read as their own sessions', async () => {
  const main = new Lines({ version: '1.0.98' });
  const side = new Lines({ version: '1.0.98', isSidechain: true });
  const prompt = 'Audit the README for stale badges and report each with its line.';
  const s1 = side.user(prompt);
  const s2: Record<string, unknown> = { ...side.assistant('sm1', [toolUse('st1', 'Read', { file_path: 'README.md' })]), parentUuid: s1.uuid };
  const s3: Record<string, unknown> = { ...side.result('st1', 'line 3: travis badge'), parentUuid: s2.uuid };
  const s4: Record<string, unknown> = { ...side.assistant('sm2', [text('Line 3 has a dead travis badge.')]), parentUuid: s3.uuid };
  const p = file(
    jsonl([
      main.user('Fix the README badges and the docs links, please.'),
      main.assistant('m1', [toolUse('task1', 'Task', { description: 'Audit', subagent_type: 'general-purpose', prompt })]),
      s1,
      s2,
      s3,
      s4,
      main.result('task1', [text('Line 3 has a dead travis badge.')]),
      main.assistant('m2', [text('The audit found one dead badge; fixing it now.')]),
    ]),
  );
  const r = await readClaudeSession(p);
  assert.ok(r.session);
  assert.equal(r.counts.skipped_sidechain, 4);
  assert.equal(r.session.turns.length, 4);
  const chains = await readClaudeInlineSidechains(p);
  assert.equal(chains.length, 1);
  const s = chains[0].session;
  assert.ok(s);
  assert.equal(s.id, `sess-1.sidechain-${s1.uuid}`);
  assert.equal(s.parentSessionId, 'sess-1');
  assert.equal(s.subagentType, 'general-purpose');
  assert.equal(s.extra.parentToolUseId, 'task1');
  assert.deepEqual(s.turns.map((t) => t.role), ['user', 'assistant', 'user', 'assistant']);
  assert.equal(chains[0].counts.lines_total, 4);
  assert.deepEqual(await readClaudeInlineSidechains(file(jsonl([main.user('plain')]))), []);
});
