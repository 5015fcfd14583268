// The Codex CLI reader on hand-made rollouts: the double-copy rule (event_msg copies of the
// conversation never counted twice), usage paired in either order, harness text stripped,
// compactions recorded, the envelope-less layout.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readCodexSession } from '../../../src/sources/codex/read.ts';
import { discoverCodexSessions } from '../../../src/sources/codex/discover.ts';
import { detectFormat } from '../../../src/sources/detect-format.ts';

const root = mkdtempSync(join(tmpdir(), 'harvest-codex-'));
let n = 0;
function rollout(lines: unknown[], day = '2026/06/18'): string {
  const dir = join(root, day);
  mkdirSync(dir, { recursive: true });
  const id = `019ed836-b1da-78f1-8a0c-${String(n++).padStart(12, '0')}`;
  const p = join(dir, `rollout-2026-06-18T00-52-03-${id}.jsonl`);
  writeFileSync(p, lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n') + '\n');
  return p;
}

let t = Date.parse('2026-06-18T00:57:00.000Z');
const ts = () => new Date((t += 1000)).toISOString();
const meta = (extra: Record<string, unknown> = {}) => ({ timestamp: ts(), type: 'session_meta', payload: { id: 'sess-codex', timestamp: '2026-06-18T00:52:03.755Z', cwd: '/home/agent/gt/harvest/polecats/nux', originator: 'codex-tui', cli_version: '0.140.0', model_provider: 'openai', base_instructions: { text: 'You are Codex.' }, ...extra } });
const ctx = () => ({ timestamp: ts(), type: 'turn_context', payload: { cwd: '/home/agent/gt/harvest/polecats/nux', approval_policy: 'never', sandbox_policy: { type: 'workspace-write' }, model: 'gpt-5.4', effort: 'medium' } });
const item = (payload: Record<string, unknown>) => ({ timestamp: ts(), type: 'response_item', payload });
const event = (payload: Record<string, unknown>) => ({ timestamp: ts(), type: 'event_msg', payload });
const say = (role: string, text: string) => item({ type: 'message', role, content: [{ type: role === 'assistant' ? 'output_text' : 'input_text', text }] });
const call = (id: string, cmd: string) => item({ type: 'function_call', name: 'exec_command', arguments: JSON.stringify({ cmd }), call_id: id });
const out = (id: string, output: string) => item({ type: 'function_call_output', call_id: id, output });
const tokens = (last: number, total: number) => event({ type: 'token_count', info: { last_token_usage: { input_tokens: last, cached_input_tokens: 10, output_tokens: 5, reasoning_output_tokens: 2, total_tokens: last + 5 }, total_token_usage: { total_tokens: total } } });

test('the UI copies (user_message, agent_message) are never counted twice; the response items are the conversation', async () => {
  const p = rollout([
    meta(),
    item({ type: 'message', role: 'developer', content: [{ type: 'input_text', text: '<permissions instructions>never ask</permissions instructions>' }] }),
    say('user', '# AGENTS.md instructions for /home/agent/gt/harvest\n\n<INSTRUCTIONS>\nRun tests first.\n</INSTRUCTIONS>'),
    say('user', '<environment_context>\n  <cwd>/home/agent/gt/harvest/polecats/nux</cwd>\n</environment_context>'),
    ctx(),
    say('user', 'Fix the flaky shard test.'),
    event({ type: 'user_message', message: 'Fix the flaky shard test.', images: [] }),
    item({ type: 'reasoning', summary: [{ type: 'summary_text', text: 'Look at the test first.' }], encrypted_content: 'gAAAA' }),
    event({ type: 'agent_message', message: 'Running the test.' }),
    say('assistant', 'Running the test.'),
    call('c1', 'npm test -- shard'),
    out('c1', 'Chunk ID: 1\nProcess exited with code 1\nOutput:\n1 failing'),
    tokens(100, 105),
    tokens(100, 105), // the same event again: not a second reply
    item({ type: 'reasoning', summary: [] }),
    item({ type: 'custom_tool_call', call_id: 'c2', name: 'apply_patch', input: '*** Begin Patch\n*** End Patch' }),
    item({ type: 'custom_tool_call_output', call_id: 'c2', output: 'Exit code: 0\nSuccess.' }),
    tokens(200, 310),
    event({ type: 'agent_message', message: 'Fixed: the test raced the seal.' }),
    say('assistant', 'Fixed: the test raced the seal.'),
    tokens(300, 615),
    { timestamp: ts(), type: 'compacted', payload: { message: 'summary of the work so far' } },
    '{"timestamp":"cut',
  ]);
  assert.equal(await detectFormat(p), 'codex');
  const { session, counts } = await readCodexSession(p);
  assert.ok(session);
  assert.equal(session.id, 'sess-codex');
  assert.equal(session.runtime, 'codex');
  assert.equal(session.cwd, '/home/agent/gt/harvest/polecats/nux');
  assert.deepEqual(session.models, ['gpt-5.4']);
  assert.deepEqual(session.turns.map((x) => [x.role, x.text, x.toolCalls.length, x.toolResults.length]), [
    ['user', 'Fix the flaky shard test.', 0, 0],
    ['assistant', 'Running the test.', 1, 0],
    ['user', '', 0, 1],
    ['assistant', '', 1, 0],
    ['user', '', 0, 1],
    ['assistant', 'Fixed: the test raced the seal.', 0, 0],
  ]);
  assert.equal(session.turns[1].thinking, 'Look at the test first.');
  assert.equal(session.turns[2].toolResults[0].isError, true);
  assert.deepEqual(session.turns[3].toolCalls[0].input, { input: '*** Begin Patch\n*** End Patch' });
  assert.deepEqual(session.turns[1].usage, { input: 90, output: 5, cacheRead: 10, cacheWrite: 0, totalTokens: 105 });
  assert.equal(session.turns[5].usage?.totalTokens, 305);
  assert.equal(counts.ui_copies_skipped, 3);
  assert.equal(counts.token_counts_paired, 3);
  assert.equal(counts.token_counts_repeated, 1);
  assert.equal(counts.skipped_role_developer, 1);
  assert.equal(counts.stripped_agents_md, 1);
  assert.equal(counts.stripped_environment_context, 1);
  assert.equal(counts.reasoning_encrypted, 1);
  assert.equal(counts.reasoning_empty, 1);
  assert.equal(counts.compactions, 1);
  assert.equal(counts.malformed_json, 1);
  assert.deepEqual(session.extra.approvalPolicies, ['never']);
  assert.deepEqual(session.extra.sandboxPolicies, ['workspace-write']);
  assert.equal(session.extra.cliVersion, '0.140.0');
});

test('older rollouts write token_count before the reply it measures: paired with the next reply', async () => {
  const p = rollout([
    meta({ cli_version: '0.39.0' }),
    say('user', 'List the files.'),
    ctx(),
    event({ type: 'agent_message', message: 'Listing.' }),
    tokens(50, 55),
    item({ type: 'reasoning', summary: [], content: null, encrypted_content: null }),
    say('assistant', 'Listing.'),
    item({ type: 'function_call', name: 'shell', arguments: JSON.stringify({ command: ['bash', '-lc', 'ls'] }), call_id: 'c1' }),
    out('c1', JSON.stringify({ output: 'a\nb', metadata: { exit_code: 0, duration_seconds: 0.1 } })),
    tokens(70, 130),
    say('assistant', 'Two files: a and b.'),
  ]);
  const { session, counts } = await readCodexSession(p);
  assert.ok(session);
  assert.equal(session.turns[1].usage?.totalTokens, 55);
  assert.equal(session.turns[3].usage?.totalTokens, 75);
  assert.equal(session.turns[2].toolResults[0].content, 'a\nb');
  assert.equal(session.turns[2].toolResults[0].isError, false);
  assert.equal(counts.token_counts_paired, 2);
});

test('a rollout with no response item messages is read from its UI copy', async () => {
  const p = rollout([meta(), event({ type: 'user_message', message: 'Hello there, Codex.' }), event({ type: 'agent_message', message: 'Hello! What shall we build?' })]);
  const { session, counts } = await readCodexSession(p);
  assert.ok(session);
  assert.deepEqual(session.turns.map((x) => x.text), ['Hello there, Codex.', 'Hello! What shall we build?']);
  assert.equal(counts.ui_copies_read, 2);
});

test('the envelope-less layout of the oldest rollouts reads the same', async () => {
  const p = rollout([
    { id: 'old-1', timestamp: '2025-04-20T10:00:00.000Z', instructions: 'be brief' },
    { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'What is in README?' }] },
    { record_type: 'state' },
    { type: 'function_call', name: 'shell', arguments: '{"command":["cat","README.md"]}', call_id: 'c1' },
    { type: 'function_call_output', call_id: 'c1', output: '{"output":"# harvest","metadata":{"exit_code":0}}' },
    { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'A title: harvest.' }] },
  ], '2025/04/20');
  assert.equal(await detectFormat(p), 'codex');
  const { session, counts } = await readCodexSession(p);
  assert.ok(session);
  assert.equal(session.id, 'old-1');
  assert.equal(session.turns.length, 4);
  assert.equal(counts.skipped_line_state, 1);
});

test('discovery finds rollouts by day folder and flat (archived)', async () => {
  const found = [];
  for await (const f of discoverCodexSessions(root)) found.push(f.path);
  assert.ok(found.length >= 4);
  assert.ok(found.every((p) => /rollout-.*\.jsonl$/.test(p)));
});
