// Conformance over the real Codex CLI, Gemini CLI, OpenCode and Claude Code 2.1.205 files in
// ../shared/corpus (see its SOURCES.md; read in place, never copied; skipped when absent): every
// file is discovered and extracts, tool calls in equal results out (but for calls the file itself
// never answers), and the turn and tool-call counts derived by hand from each file (the comments
// say how).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join, relative } from 'node:path';
import type { ReadResult, Session } from '../../src/model/session.ts';
import { discoverCodexSessions } from '../../src/sources/codex/discover.ts';
import { discoverGeminiSessions } from '../../src/sources/gemini/discover.ts';
import { discoverOpenCodeSessions } from '../../src/sources/opencode/discover.ts';
import { readSessionFile } from '../../src/sources/readers.ts';

const CORPUS = fileURLToPath(new URL('../../../shared/corpus', import.meta.url));
const skip = existsSync(CORPUS) ? false : `no corpus at ${CORPUS}`;

interface Expect {
  format: string;
  turns: number;
  /** Human (or orchestrator) texts, in order: what a person typed. */
  human: string[];
  calls: number;
  /** Calls the file has no result for (it ends before them). */
  unanswered?: string[];
}

function check(rel: string, r: ReadResult, e: Expect): Session {
  const s = r.session;
  assert.ok(s, `${rel}: no session`);
  assert.equal(s.turns.length, e.turns, `${rel}: turns`);
  const calls = s.turns.flatMap((t) => t.toolCalls.map((c) => c.id));
  const results = new Set(s.turns.flatMap((t) => t.toolResults.map((x) => x.id)));
  assert.equal(calls.length, e.calls, `${rel}: tool calls`);
  assert.deepEqual(calls.filter((id) => !results.has(id)), e.unanswered ?? [], `${rel}: calls without results`);
  assert.equal(r.counts.tool_results_unmatched ?? 0, 0, `${rel}: results without calls`);
  const human = s.turns.filter((t) => t.role === 'user' && t.text !== '').map((t) => t.text);
  assert.equal(human.length, e.human.length, `${rel}: human turns ${JSON.stringify(human.map((h) => h.slice(0, 40)))}`);
  e.human.forEach((h, i) => assert.ok(human[i].startsWith(h), `${rel}: human turn ${i}: ${human[i].slice(0, 60)}`));
  for (const t of s.turns) assert.ok(t.role === 'user' || t.toolResults.length === 0);
  return s;
}

test('Codex CLI: both rollouts are discovered and read to the counts derived by hand', { skip }, async () => {
  const root = join(CORPUS, 'codex', 'sessions');
  const files: string[] = [];
  for await (const f of discoverCodexSessions(root)) files.push(f.path);
  assert.equal(files.length, 2);
  const byName = (part: string) => files.find((f) => f.includes(part))!;

  // 0.140.0: two prompts ("remove ...", "please push"); 11 replies (a reasoning item or the first
  // assistant item after an output opens one); 22 function_call + 1 custom_tool_call, 21 outputs:
  // the last reply's two calls have none (the file ends). User turns: 2 prompts + 9 result runs.
  const a = await readSessionFile(byName('019ed836'));
  assert.equal(a.format, 'codex');
  const sa = check('codex 0.140.0', a.results[0], {
    format: 'codex',
    turns: 22,
    human: ['remove agentv-claude-trace plugin no longer needed, can merge directly', 'please push'],
    calls: 23,
    unanswered: ['call_83dZnsnpHoEhwmDTB4IPzs0g', 'call_xP2E8KzesSGihSRX16BGgjQT'],
  });
  const ca = a.results[0].counts;
  assert.equal(sa.turns.filter((t) => t.role === 'assistant').length, 11);
  assert.equal(ca.ui_copies_skipped, 10); // 2 user_message + 8 agent_message
  assert.equal(ca.token_counts_paired, 10); // 10 token_count events, the 11th reply is cut off
  assert.equal(ca.stripped_agents_md, 1);
  assert.equal(ca.stripped_environment_context, 1);
  assert.equal(ca.skipped_role_developer, 1);
  assert.equal(sa.cwd, '/home/entity/projects/EntityProcess/agentv');
  assert.deepEqual(sa.models, ['gpt-5.4']);

  // 0.39.0 (VS Code): one prompt (inside the IDE's context preamble); 19 replies, 18 calls, 18
  // outputs; token_count written before each reply's items (19 of them).
  const b = await readSessionFile(byName('01996135'));
  const sb = check('codex 0.39.0', b.results[0], { format: 'codex', turns: 38, human: ['幫我檢查一下 go.mod'], calls: 18 });
  assert.equal(b.results[0].counts.token_counts_paired, 19);
  assert.equal(b.results[0].counts.stripped_ide_context, 1);
  assert.ok(sb.turns.filter((t) => t.role === 'assistant').every((t) => t.usage));
});

test('Gemini CLI: the .jsonl and the older .json recording read to the counts derived by hand', { skip }, async () => {
  const root = join(CORPUS, 'gemini', 'tmp');
  const files: string[] = [];
  for await (const f of discoverGeminiSessions(root)) files.push(f.path);
  assert.equal(files.length, 2);

  // .jsonl: 11 distinct message ids after replacement (2 info, 3 user, 6 gemini; 5 records
  // rewrite an earlier id); tool calls 5 + 3 + 1 + 1 + 2 = 12, each with its result; the raw
  // file holds 13 thoughts, the kept messages 7. Turns: user (the /init prompt), then per gemini
  // message its turn and, when it called tools, the results: 5 + 5 - "System: Please continue."
  // (Gemini's own nudge, stripped) + the last request and its reply with results = 13.
  const j = await readSessionFile(files.find((f) => f.endsWith('.jsonl'))!);
  assert.equal(j.format, 'gemini');
  const sj = check('gemini .jsonl', j.results[0], {
    format: 'gemini',
    turns: 13,
    human: ['\nYou are an AI agent that brings the power of Gemini', '幫我做一個小修改'],
    calls: 12,
  });
  assert.equal(j.results[0].counts.records_replaced, 5);
  assert.equal(j.results[0].counts.stripped_continue_nudge, 1);
  assert.equal(j.results[0].counts.skipped_type_info, 2);
  assert.equal(sj.turns.filter((t) => t.thinking).length, 5); // 5 of the 6 gemini messages carry thoughts (edf94f05 has none)
  assert.deepEqual(sj.models, ['gemini-3-flash-preview', 'gemini-3.1-pro-preview']);

  // .json: 4 messages (1 user, 3 gemini) with 3 + 4 tool calls: u, a, r, a, r, a.
  const o = await readSessionFile(files.find((f) => f.endsWith('.json'))!);
  assert.equal(o.format, 'gemini-json');
  check('gemini .json', o.results[0], { format: 'gemini-json', turns: 6, human: ['請幫我依照專案實際狀況更新 README.md'], calls: 7 });
});

test('OpenCode: the export reads to the counts derived by hand', { skip }, async () => {
  const root = join(CORPUS, 'opencode', 'export');
  const files: string[] = [];
  for await (const f of discoverOpenCodeSessions(root)) files.push(f.path);
  assert.equal(files.length, 1);
  // 13 messages: 3 user, 10 assistant (one model step each); 10 tool parts, all completed; 9
  // reasoning parts with empty text (encrypted). Turns: 10 assistant + 3 prompts + 8 result runs,
  // the second prompt joining the result run before it = 20.
  const r = await readSessionFile(files[0]);
  assert.equal(r.format, 'opencode-export');
  const s = check('opencode export', r.results[0], {
    format: 'opencode-export',
    turns: 20,
    human: ['I have a pnpm run lint error', '> @nivalis/biome-config@2.4.10 lint', 'Enfore multiline for package.json'],
    calls: 10,
  });
  assert.equal(r.results[0].counts.reasoning_empty, 9);
  assert.equal(s.cwd, '/Users/pnodet/git/nivalis/biome-config');
  assert.equal(s.extra.title, 'Fixing pnpm lint error in config');
  assert.ok(s.turns.filter((t) => t.role === 'assistant').every((t) => t.usage));
});

test('Claude Code 2.1.205: attachments, metadata lines, PR link, signature-only thinking, to the counts derived by hand', { skip }, async () => {
  const dir = join(CORPUS, 'claude-recent', 'oh-my-posh-2.1.205');
  const path = join(dir, 'e3c445a1-7bce-4ed8-ac91-5aa08adc027f.jsonl');
  const r = await readSessionFile(path);
  assert.equal(r.format, 'claude');
  // 17 replies (distinct message.id), 14 tool_use blocks each answered; 4 prompts; 14 result
  // lines, two of them answering one reply's two calls (one user turn): 17 user turns, 34 turns.
  // The two "Base directory for this skill" isMeta lines are skill bodies, not input.
  const s = check(relative(CORPUS, path), r.results[0], {
    format: 'claude',
    turns: 34,
    human: ['review this PR for me https://github.com/JanDeDobbeleer/oh-my-posh/pull/7360', 'Add a commen tusing the writing clearly skills', 'there are em dahses here?', 'yes'],
    calls: 14,
  });
  const c = r.results[0].counts;
  assert.deepEqual(s.prs, [{ number: 7360, url: 'https://github.com/JanDeDobbeleer/oh-my-posh/pull/7360', repo: 'JanDeDobbeleer/oh-my-posh' }]);
  assert.equal(c.thinking_signature_only, 11);
  assert.equal(s.turns.filter((t) => t.thinking).length, 0);
  assert.equal(c.skipped_type_attachment, 12);
  assert.equal(c.attachment_task_reminder, 2);
  assert.equal(c.stripped_skill_expansion, 2);
  assert.equal(c.system_stop_hook_summary, 2);
  assert.equal(c['skipped_type_queue-operation'], 8);
  assert.equal(c.queued_prompts ?? 0, 0); // all four were dequeued into user lines
  assert.equal(s.extra.customTitle, 'Feat/zsh transient multiline');
  assert.equal(s.extra.lastPrompt, 'Add a commen tusing the writing clearly skills');
  assert.deepEqual(s.abandoned, []);
});
