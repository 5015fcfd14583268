// Real pi sessions from the shared corpus (../shared/corpus/pi, never copied here): both files
// extract, and the v1 file yields the turns and tool calls its messages hold, counted apart.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readPiSession } from '../../src/sources/pi/read.ts';

const corpus = fileURLToPath(new URL('../../../shared/corpus/pi', import.meta.url));
const skip = existsSync(corpus) ? false : `no shared corpus at ${corpus}`;
const V1 = join(corpus, 'pi-mono-large-session-v1.jsonl');
const V3 = join(corpus, 'agentsview-session-v3.jsonl');

type Json = Record<string, any>;

/** A plain pass over the file: turns and tool calls as the messages hold them. */
function expected(path: string) {
  let turns = 0;
  let toolCalls = 0;
  let inResults = false;
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    let e: Json;
    try {
      e = JSON.parse(line);
    } catch {
      continue;
    }
    if (e.type !== 'message') continue;
    const m = e.message as Json;
    if (m.role === 'toolResult') {
      if (!inResults) turns++; // consecutive results make one user turn
      inResults = true;
      continue;
    }
    inResults = false;
    const blocks: Json[] = Array.isArray(m.content) ? m.content : [];
    if (m.role === 'assistant') {
      const calls = blocks.filter((b) => b.type === 'toolCall').length;
      const said = blocks.some((b) => (b.type === 'text' && b.text) || (b.type === 'thinking' && b.thinking));
      toolCalls += calls;
      if (calls || said) turns++; // an empty (aborted) reply is no turn
    } else if (m.role === 'user' || m.role === 'bashExecution') turns++;
  }
  return { turns, toolCalls };
}

test('the v1 session reads as pi reads it: every turn and tool call its messages hold', { skip }, async () => {
  const r = await readPiSession(V1, { runtime: 'pi' });
  assert.ok(r.session);
  const want = expected(V1);
  assert.equal(r.session.turns.length, want.turns);
  assert.equal(r.session.turns.reduce((a, t) => a + t.toolCalls.length, 0), want.toolCalls);
  assert.equal(r.counts.version_1, 1);
  assert.equal(r.session.abandoned.length, 0);
  assert.equal(r.session.id, 'd703a1a9-1b7b-4fb1-b512-c9738b1fe617');
  assert.equal(r.session.cwd, '/Users/badlogic/workspaces/pi-mono');
  assert.deepEqual(r.session.extra.thinkingLevels, ['off', 'minimal', 'low', 'medium', 'high']);
  assert.equal(r.counts.thinking_level_changes, 103);
  // Every tool result answers a call of the turn before it.
  const turns = r.session.turns;
  for (let i = 1; i < turns.length; i++) {
    const ids = new Set<string>(turns[i - 1].toolCalls.map((c) => c.id));
    for (const res of turns[i].toolResults) assert.ok(ids.has(res.id), `turn ${i}: ${res.id}`);
  }
  assert.equal(r.counts.tool_results_unmatched, undefined);
});

test('the v3 session: thinking, a model change, a compaction, a bad line and an unknown type', { skip }, async () => {
  const r = await readPiSession(V3, { runtime: 'pi' });
  assert.ok(r.session);
  const s = r.session;
  assert.equal(s.turns.length, expected(V3).turns);
  assert.deepEqual(s.turns.map((t) => t.role), ['user', 'assistant', 'user', 'user', 'assistant']);
  assert.equal(s.turns[1].thinking, 'Let me analyze this carefully.');
  assert.deepEqual(s.turns[1].toolCalls, [{ id: 'toolu_01', name: 'read', input: { file_path: 'auth.go' } }]);
  assert.deepEqual(s.turns[2].toolResults, [{ id: 'toolu_01', content: 'package auth\nfunc Login() {}', isError: false }]);
  assert.equal(s.parentSessionId, 'parent-uuid');
  assert.deepEqual(s.extra.compactions, { count: 1, tokensBefore: [5000] });
  assert.deepEqual(s.extra.thinkingLevels, ['high']);
  assert.deepEqual(s.models, ['claude-opus-4-5']);
  assert.equal(r.counts.malformed_json, 1);
  assert.equal(r.counts.skipped_type_unknown_future_entry_type, 1);
  assert.equal(r.counts.thinking_redacted, 1);
});
