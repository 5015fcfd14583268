// The bundled sample data (fixtures/claude/projects) reads as fixtures/README.md says it does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join, relative } from 'node:path';
import { discoverClaudeSessions, type ClaudeSessionFile } from '../../../src/sources/claude/discover.ts';
import { readClaudeSession } from '../../../src/sources/claude/read.ts';
import type { ReadResult } from '../../../src/model/session.ts';
import { claudeFixtureFiles } from '../../../fixtures/claude/generate.ts';

const FIXTURES = fileURLToPath(new URL('../../../fixtures/claude/', import.meta.url));
const ROOT = join(FIXTURES, 'projects');

interface Expect {
  lines: number;
  kind: 'session' | 'subagent';
  turns: number;
  toolCalls: number;
  counts?: Record<string, number>;
  subagentType?: string;
}

// The numbers fixtures/README.md documents. turns = user + assistant turns after merging.
const EXPECTED: Record<string, Expect> = {
  '-home-agent-gt-deacon/2b4f6a8c-1d3e-4f50-a617-2839c4d5e6f7.jsonl': { lines: 16, kind: 'session', turns: 12, toolCalls: 4, counts: { lines_total: 16, command_lines: 1, meta_lines: 1 } },
  '-home-agent-gt-harvest-crew-max/8b0c2d4e-6f5a-4b7c-9d0e-1f2a3b4c5d67.jsonl': {
    lines: 23,
    kind: 'session',
    turns: 10,
    toolCalls: 4,
    counts: {
      lines_total: 23,
      malformed_json: 1,
      invalid_utf8: 1,
      truncated_last_line: 1,
      'skipped_type_telemetry-ping': 1,
      skipped_type_progress: 1,
      'skipped_type_queue-operation': 1,
      stripped_local_command_caveat: 1,
      skipped_local_commands: 1,
    },
  },
  '-home-agent-gt-harvest-crew-max/agent-5e1d7a90.jsonl': { lines: 7, kind: 'subagent', turns: 6, toolCalls: 2, subagentType: 'general-purpose', counts: { subagent_linked_by_prompt: 1 } },
  '-home-agent-gt-harvest-polecats-nux/7a9b1c3d-5e4f-4a6b-8c9d-0e1f2a3b4c56.jsonl': { lines: 27, kind: 'session', turns: 14, toolCalls: 8, counts: { lines_total: 27, assistant_lines_merged: 8, compact_summaries: 1 } },
  '-home-agent-gt-harvest-polecats-nux/7a9b1c3d-5e4f-4a6b-8c9d-0e1f2a3b4c56/subagents/agent-a3f9c21.jsonl': { lines: 8, kind: 'subagent', turns: 6, toolCalls: 2, subagentType: 'Explore', counts: { subagent_linked_by_agent_id: 1 } },
  '-home-agent-gt-harvest-polecats-nux/7a9b1c3d-5e4f-4a6b-8c9d-0e1f2a3b4c56/subagents/agent-acompact-7e21b0.jsonl': { lines: 3, kind: 'subagent', turns: 2, toolCalls: 0 },
  '-home-agent-gt-harvest-refinery/6f8a0b2c-4d3e-4f5a-9b7c-8d9e0f1a2b34.jsonl': { lines: 14, kind: 'session', turns: 10, toolCalls: 4, counts: { images: 1 } },
  '-home-agent-gt-harvest-witness/4d6e8f0a-2b1c-4d3e-9f5a-6b7c8d9e0f12.jsonl': { lines: 13, kind: 'session', turns: 10, toolCalls: 3, counts: { synthetic_turns: 1 } },
  '-home-agent-gt-mayor/0b7e4d1c-9a8f-4e6d-b5c4-a3b2c1d0e9f8.jsonl': { lines: 0, kind: 'session', turns: 0, toolCalls: 0, counts: { empty_files: 1 } },
  '-home-agent-gt-mayor/1a0e5c2d-7b3f-4e91-9a6c-0d4f8e2b7c11.jsonl': { lines: 20, kind: 'session', turns: 10, toolCalls: 4, counts: { skipped_type_progress: 2, 'skipped_type_file-history-snapshot': 1, skipped_type_summary: 1 } },
  '-home-agent-gt-mayor/3c9d2e71-44a0-4b7e-8d15-6f0a9b3c2e55.jsonl': { lines: 3, kind: 'session', turns: 0, toolCalls: 0, counts: { no_turns: 1 } },
  '-home-agent-scratch-harvest-review/5e7f9a1b-3c2d-4e4f-8a6b-7c8d9e0f1a23.jsonl': { lines: 10, kind: 'session', turns: 8, toolCalls: 2 },
  '-home-agent-gt-harvest-polecats-slit/9c0d1e2f-3a4b-4c5d-8e6f-7a8b9c0d1e2f.jsonl': {
    lines: 39,
    kind: 'session',
    turns: 14,
    toolCalls: 5,
    counts: {
      thinking_signature_only: 2,
      thinking_redacted: 1,
      images: 1,
      persisted_outputs_inlined: 1,
      queued_prompts: 2,
      queued_prompts_deduped: 1,
      stripped_local_command_caveat: 1,
      skipped_local_commands: 1,
      abandoned_branches: 1,
      abandoned_turns: 3,
      attachment_hook_success: 1,
      attachment_deferred_tools_delta: 1,
      attachment_skill_listing: 1,
      attachment_task_reminder: 1,
      attachment_queued_command: 1,
      system_stop_hook_summary: 1,
      system_turn_duration: 1,
      'skipped_type_pr-link': 1,
    },
  },
};

async function readAll(): Promise<Array<{ file: ClaudeSessionFile; rel: string; read: ReadResult }>> {
  const out = [];
  for await (const file of discoverClaudeSessions(ROOT)) {
    out.push({ file, rel: relative(ROOT, file.path), read: await readClaudeSession(file.path) });
  }
  return out;
}

test('the committed fixtures are exactly what fixtures/claude/generate.ts writes', () => {
  for (const f of claudeFixtureFiles()) {
    const committed = readFileSync(join(FIXTURES, f.path));
    assert.ok(committed.equals(f.bytes), `${f.path} differs from the generator: run node --import tsx fixtures/claude/generate.ts`);
  }
});

test('every fixture file is discovered with its kind and reads to the documented numbers', async () => {
  const all = await readAll();
  assert.deepEqual(all.map((a) => a.rel).sort(), Object.keys(EXPECTED).sort());
  for (const { file, rel, read } of all) {
    const e = EXPECTED[rel];
    assert.equal(file.kind, e.kind, rel);
    const turns = read.session?.turns ?? [];
    assert.equal(turns.length, e.turns, rel);
    assert.equal(read.counts.lines_total, e.lines, rel);
    const calls = turns.flatMap((t) => t.toolCalls.map((c) => c.id));
    const results = turns.flatMap((t) => t.toolResults.map((r) => r.id));
    assert.equal(calls.length, e.toolCalls, rel);
    assert.deepEqual([...results].sort(), [...calls].sort(), `${rel}: tool calls in == tool results out`);
    for (const [k, v] of Object.entries(e.counts ?? {})) assert.equal(read.counts[k], v, `${rel}: ${k}`);
    if (e.subagentType) assert.equal(read.session?.subagentType, e.subagentType, rel);
    assert.deepEqual(read.warnings, [], rel);
  }
});

test('the fixtures carry what later stages must handle: roles, banner, secrets, noise, long output', async () => {
  const sessions = (await readAll()).flatMap((a) => (a.read.session ? [a.read.session] : []));
  assert.equal(sessions.length, 11);
  assert.equal(sessions.reduce((n, s) => n + s.turns.length, 0), 102);
  assert.equal(sessions.reduce((n, s) => n + s.turns.reduce((m, t) => m + t.toolCalls.length, 0), 0), 38);
  const cwds = sessions.map((s) => s.cwd);
  for (const role of ['/mayor', '/deacon', '/harvest/witness', '/harvest/refinery', '/harvest/polecats/nux', '/harvest/crew/max', '/harvest/polecats/slit']) {
    assert.ok(cwds.includes(`/home/agent/gt${role}`), role);
  }
  const handoff = sessions.find((s) => s.cwd === '/home/agent/scratch/harvest-review');
  assert.ok(handoff?.turns[0].text.startsWith('[GAS TOWN] witness (rig: harvest) <- deacon'));

  const everything = sessions
    .flatMap((s) => s.turns.flatMap((t) => [t.text, t.thinking ?? '', ...t.toolResults.map((r) => r.content), ...t.toolCalls.map((c) => JSON.stringify(c.input))]))
    .join('\n');
  for (const secret of [/ghp_[A-Za-z0-9]{36}/, /sk-ant-api03-/, /AKIA[A-Z0-9]{16}/, /eyJ[\w-]+\.eyJ[\w-]+\.[\w-]+/, /-----BEGIN RSA PRIVATE KEY-----/, /password=hunter2/]) {
    assert.match(everything, secret);
  }
  assert.match(everything, /Shell cwd was reset to /);
  const longest = Math.max(...sessions.flatMap((s) => s.turns.flatMap((t) => t.toolResults.map((r) => r.content.length))));
  assert.ok(longest > 2000, `longest tool output ${longest}`);
  assert.ok(sessions.some((s) => s.turns.some((t) => t.toolResults.some((r) => r.isError))));
  assert.ok(sessions.some((s) => s.turns.some((t) => (t.thinking ?? '') !== '')));
  assert.ok(sessions.every((s) => s.turns.filter((t) => t.text.length > 200).length >= 1));
});

test('the 2.1.200+ session: PR link, metadata lines, the persisted output inlined, the rewound request kept', async () => {
  const slit = (await readAll()).find((a) => a.rel.includes('polecats-slit'))!.read.session!;
  assert.deepEqual(slit.prs, [{ number: 412, url: 'https://github.com/gastown/harvest/pull/412', repo: 'gastown/harvest' }]);
  assert.equal(slit.extra.customTitle, 'hv-9zz: histogram printed twice');
  assert.equal(slit.extra.agentName, 'slit');
  assert.deepEqual(slit.extra.permissionModes, ['acceptEdits']);
  const human = slit.turns.filter((t) => t.role === 'user' && t.text !== '').map((t) => t.text.split('\n')[0]);
  assert.deepEqual(human, [
    '[GAS TOWN] polecat slit (rig: harvest) <- witness',
    'also run the lint before the PR',
    'Do not bump the version. Commit, push and open the PR; the screenshot shows the double histogram.',
  ]);
  assert.match(slit.turns.flatMap((t) => t.toolResults).find((r) => r.id === 'toolu_01Slit0002')!.content, /^test 1: ok\ntest 2: ok\ntest 3: ok/);
  assert.equal(slit.abandoned.length, 1);
  assert.equal(slit.abandoned[0].turns[0].text, 'Also bump the version to 0.2.0 in the same PR.');
  assert.equal(slit.abandoned[0].branchPointTurnIndex, 10);
});
