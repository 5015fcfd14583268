// Conformance over real Claude Code transcripts in ../shared/corpus/claude (see its SOURCES.md);
// skipped when the corpus is absent. The files are read in place, never copied.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join, relative } from 'node:path';
import { discoverClaudeSessions } from '../../src/sources/claude/discover.ts';
import { readClaudeInlineSidechains, readClaudeSession } from '../../src/sources/claude/read.ts';
import { readJsonLines } from '../../src/sources/jsonl-lines.ts';
import type { Session } from '../../src/model/session.ts';

const CORPUS = fileURLToPath(new URL('../../../shared/corpus/claude', import.meta.url));
const skip = existsSync(CORPUS) ? false : `no corpus at ${CORPUS}`;
const SPOTTER = join(CORPUS, 'spotter-258c7280');
const SPOTTER_ID = '258c7280-ae70-4798-800f-63464d01a85d';

// Files whose tool calls and results do not pair, and exactly why (the file itself is broken).
const KNOWN_UNPAIRED: Record<string, string[]> = {
  // tool_edge_002's result line misspells `content` as `contenst` (skipped_missing_fields);
  // toolu_todowrite_002 is the last call in the file and has no result line at all.
  'claude-code-log/edge_cases.jsonl': ['tool_edge_002', 'toolu_todowrite_002'],
};

function callIds(s: Session | null): string[] {
  return (s?.turns ?? []).flatMap((t) => t.toolCalls.map((c) => c.id));
}
function resultIds(s: Session | null): string[] {
  return (s?.turns ?? []).flatMap((t) => t.toolResults.map((r) => r.id));
}

test('every corpus file is discovered and extracts without throwing; tool calls in == results out', { skip }, async () => {
  let files = 0;
  let sessions = 0;
  for await (const f of discoverClaudeSessions(CORPUS)) {
    files++;
    const rel = relative(CORPUS, f.path);
    const results = [await readClaudeSession(f.path), ...(await readClaudeInlineSidechains(f.path))];
    for (const r of results) {
      if (!r.session) continue;
      sessions++;
      assert.equal(r.session.format, 'claude');
      assert.ok(r.session.turns.length > 0, rel);
      const calls = callIds(r.session);
      const out = new Set(resultIds(r.session));
      const missing = calls.filter((id) => !out.has(id));
      assert.deepEqual(missing, r === results[0] ? (KNOWN_UNPAIRED[rel] ?? []) : [], `${r.session.id}: calls without results`);
      assert.equal(r.counts.tool_calls_unanswered ?? 0, missing.length, rel);
      assert.equal(r.counts.tool_results_unmatched ?? 0, 0, `${rel}: results without calls`);
      for (const t of r.session.turns) {
        for (const res of t.toolResults) assert.doesNotMatch(res.content, /^\[\{['"]type['"]/, `${rel}: language repr`);
      }
    }
  }
  assert.equal(files, 10);
  // 10 files, all with turns, plus the inline sidechain chains of two 1.0.x-era viewer sessions
  // (2 in 5c0375b4, 5 in fe5e1c67).
  assert.equal(sessions, 17);
});

test('spotter: the subagent files link to their parent, with the Task call\'s subagent type', { skip }, async () => {
  const sub = join(SPOTTER, SPOTTER_ID, 'subagents');
  const agent = await readClaudeSession(join(sub, 'agent-a881341.jsonl'));
  assert.ok(agent.session);
  assert.equal(agent.session.id, `${SPOTTER_ID}.agent-a881341`);
  assert.equal(agent.session.parentSessionId, SPOTTER_ID);
  assert.equal(agent.session.agentId, 'a881341');
  assert.equal(agent.session.subagentType, 'claude-code-guide');
  assert.equal(agent.session.extra.parentToolUseId, 'toolu_01VmaERAwhb19LGUwu9GenaK');
  assert.equal(agent.counts.subagent_linked_by_agent_id, 1);

  const compact = await readClaudeSession(join(sub, 'agent-acompact-fffbd0.jsonl'));
  assert.ok(compact.session);
  assert.equal(compact.session.parentSessionId, SPOTTER_ID);
  assert.equal(compact.session.agentId, 'acompact-fffbd0');
  assert.equal(compact.session.extra.compaction, true);
});

test('spotter: each merged turn has the usage of the last line of its message.id', { skip }, async () => {
  const path = join(SPOTTER, `${SPOTTER_ID}.jsonl`);
  const lastUsage = new Map<string, Record<string, number>>();
  const lineCount = new Map<string, number>();
  await readJsonLines(
    path,
    (v) => {
      const o = v as { type?: string; message?: { id?: string; usage?: Record<string, number> } };
      if (o.type !== 'assistant' || !o.message?.id || !o.message.usage) return;
      lastUsage.set(o.message.id, o.message.usage);
      lineCount.set(o.message.id, (lineCount.get(o.message.id) ?? 0) + 1);
    },
    {},
  );
  const { session, counts } = await readClaudeSession(path);
  assert.ok(session);
  const assistants = session.turns.filter((t) => t.role === 'assistant');
  assert.equal(assistants.length, lastUsage.size);
  assert.ok([...lineCount.values()].some((n) => n > 1), 'the corpus streams replies over several lines');
  for (const t of assistants) {
    const u = lastUsage.get(t.entryId ?? '');
    assert.ok(u, `no lines for ${t.entryId}`);
    assert.deepEqual(t.usage, {
      input: u.input_tokens,
      output: u.output_tokens,
      cacheRead: u.cache_read_input_tokens,
      cacheWrite: u.cache_creation_input_tokens,
    });
  }
  assert.equal(counts.tool_calls, 186);
  assert.equal(counts.tool_results, 186);
  assert.equal(counts.skipped_type_progress, 1333);
  assert.deepEqual(session.models, ['claude-opus-4-6']);
  assert.equal(session.gitBranch, 'spotter-gqc');
});

test('viewer sample: the legacy sibling agent file links to its parent session id', { skip }, async () => {
  const r = await readClaudeSession(join(CORPUS, 'viewer-sample-project', 'agent-test-hash-123.jsonl'));
  assert.ok(r.session);
  assert.equal(r.session.parentSessionId, '5c0375b4-57a5-4f26-b12d-d022ee4e51b7');
  assert.equal(r.session.agentId, 'test-hash-123');
  // No Task call in the parent sent "Run the test suite": the sample was made by hand.
  assert.equal(r.session.subagentType, undefined);
  assert.equal(r.counts.subagent_unlinked, 1);
});
