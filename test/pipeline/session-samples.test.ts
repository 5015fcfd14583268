import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Sample, SampleMetadata } from '../../src/model/sample.ts';
import { sampleProblems } from '../../src/model/sample-rules.ts';
import type { Session, Turn } from '../../src/model/session.ts';
import { sessionToSamples, type SessionSampleOptions } from '../../src/pipeline/session-samples.ts';
import { targetHash } from '../../src/transforms/dedupe.ts';
import { splitFor } from '../../src/transforms/split.ts';
import { assistant, call, result, toolPair, user } from '../transforms/build-turns.ts';

const GH = 'ghp_' + 'Z9y8X7w6V5u4T3s2R1q0P9o8N7m6L5k4J3i2';
const AWS = 'AKIAIOSFODNN7EXAMPLE';
const PASSWORD = 'tr0ub4dor&3xyz';
const SECRETS = [GH, AWS, PASSWORD, 'hunter2-db-pass'];

const opts: SessionSampleOptions = { townRoot: '~/gt', homeDir: '/home/alice', valPercent: 5, thinking: 'keep', version: 7 };

function polecatTurns(): Turn[] {
  const read = call('read', { path: 'src/auth.ts' });
  const test1 = call('bash', { command: `GITHUB_TOKEN=${GH} npm test` });
  const test2 = call('bash', { command: 'npm test' });
  const usage = (input: number, output: number) => ({ input, output, cacheRead: 100, cacheWrite: 10 });
  return [
    user('[GAS TOWN] polecat nux (rig: rig1) <- witness • now • assigned:gt-42\n\nFix the login bug in src/auth.ts: the password check is inverted.'),
    assistant('Reading the auth module first.', { toolCalls: [read], thinking: 'Start from the file.', model: 'claude-opus', usage: usage(1000, 50), timestamp: '2026-01-01T10:00:00Z' }),
    user('', { toolResults: [result(read.id, `export function login(u, p) {\n  // password=${PASSWORD}\n  return !check(u, p);\n}`)] }),
    assistant('The check is negated; running the tests with the token set.', { toolCalls: [test1], model: 'claude-opus', usage: usage(1200, 60) }),
    user('', { toolResults: [result(test1.id, `FAIL auth.test.ts\nShell cwd was reset to /home/ubuntu/gt\nAWS key ${AWS} in env`, true)] }),
    assistant('Fixing the negation and re-running.', { toolCalls: [test2], model: 'claude-sonnet', usage: usage(1500, 70) }),
    user('', { toolResults: [result(test2.id, 'PASS auth.test.ts (5 tests)')] }),
    assistant('Fixed: login no longer negates the password check; all 5 auth tests pass.', { model: 'claude-opus', stopReason: 'end_turn', usage: usage(1600, 40), timestamp: '2026-01-01T10:05:00Z' }),
  ];
}

function session(overrides: Partial<Session> = {}): Session {
  return {
    id: 'sess-polecat-1',
    format: 'claude',
    runtime: 'claude-code',
    path: '/home/alice/.claude/projects/-home-ubuntu-gt-rig1-polecats-nux/sess-polecat-1.jsonl',
    cwd: '/home/ubuntu/gt/rig1/polecats/nux',
    gitBranch: 'polecat/nux',
    models: ['claude-opus', 'claude-sonnet'],
    startedAt: '2026-01-01T09:59:00Z',
    endedAt: '2026-01-01T10:06:00Z',
    turns: polecatTurns(),
    abandoned: [],
    extra: { version: '2.1.3', env: { DB_PASSWORD: 'hunter2-db-pass' } },
    ...overrides,
  };
}

const assistants = (s: Sample) => s.messages.filter((m) => m.role === 'assistant');
const toolMsgs = (s: Sample) => s.messages.filter((m) => m.role === 'tool');
const user0 = (s: Sample): string => (s.messages[1].role === 'user' ? s.messages[1].content : '');
/** Every valid sample is valid JSON too: what a shard holds. */
const problems = (s: Sample) => sampleProblems(JSON.parse(JSON.stringify(s)));

test('one clean session gives one valid sample: task first, whole steps, native tool calls, tool specs', () => {
  const s = session();
  const out = sessionToSamples(s, opts);
  assert.equal(out.role, 'polecat');
  assert.equal(out.roleSignal, 'cwd');
  assert.equal(out.samples.length, 1);
  const [sample] = out.samples;
  assert.deepEqual(problems(sample), []);
  assert.deepEqual(sample.messages.map((m) => m.role), ['system', 'user', 'assistant', 'tool', 'assistant', 'tool', 'assistant', 'tool', 'assistant']);
  assert.match(sample.messages[0].role === 'system' ? sample.messages[0].content : '', /^\[GAS TOWN ROLE: polecat\]/);
  assert.match(user0(sample), /Fix the login bug/);

  const callsIn = s.turns.reduce((n, t) => n + t.toolCalls.length, 0);
  assert.equal(assistants(sample).reduce((n, m) => n + (m.role === 'assistant' ? m.tool_calls?.length ?? 0 : 0), 0), callsIn);
  assert.equal(toolMsgs(sample).length, callsIn, 'every call answered by a tool message');
  assert.equal(toolMsgs(sample).filter((m) => m.role === 'tool' && m.is_error).length, 1);
  const first = assistants(sample)[0];
  assert.equal(first.role === 'assistant' && first.reasoning_content, 'Start from the file.');
  assert.equal(first.role === 'assistant' && first.tool_calls?.[0].function.arguments, JSON.stringify({ path: 'src/auth.ts' }));
  assert.deepEqual(sample.tools.map((t) => t.function.name), ['read', 'bash'], 'one spec per tool called, in order of first use');
  assert.ok(!JSON.stringify(sample.messages).includes('Shell cwd was reset'), 'noise line dropped');
  assert.equal(out.counts.noise_lines_dropped, 1);
  assert.equal(out.counts.assistant_messages, 4);
  assert.equal(out.counts.targets, 4, 'coverage 100%');
});

test('secrets are gone from messages, tool arguments and metadata, and counted by kind', () => {
  const out = sessionToSamples(session(), opts);
  const json = JSON.stringify(out.samples);
  for (const secret of SECRETS) assert.ok(!json.includes(secret), `${secret} leaked`);
  const [sample] = out.samples;
  const bash = assistants(sample)[1];
  assert.match(bash.role === 'assistant' ? bash.tool_calls![0].function.arguments : '', /GITHUB_TOKEN=\[REDACTED:github_token\]/);
  assert.deepEqual((sample.metadata.extra as { env: unknown }).env, { DB_PASSWORD: '[REDACTED:secret_field]' });
  assert.equal(out.counts.redacted_github_token, 1, 'counted once per occurrence in the session, wherever it is rendered');
  assert.equal(out.counts.redacted_aws_access_key_id, 1);
  assert.equal(out.counts.redacted_secret_assignment, 1);
  assert.equal(out.counts.redacted_secret_field, 1);
  assert.equal(sample.metadata.gpt_hash, targetHash(sample.messages));
});

test('every metadata field is filled', () => {
  const s = session();
  const { samples } = sessionToSamples(s, opts);
  const m: SampleMetadata = samples[0].metadata;
  assert.equal(m.schema_version, 2);
  assert.match(m.record_id, /^[0-9a-f]{32}$/);
  assert.equal(m.version, 7);
  assert.equal(m.source, 'claude-code');
  assert.equal(m.runtime, 'claude-code');
  assert.equal(m.session_id, 'sess-polecat-1');
  assert.equal(m.parent_session_id, null);
  assert.equal(m.agent_id, null);
  assert.equal(m.subagent_type, null);
  assert.equal(m.role, 'polecat');
  assert.equal(m.split, splitFor('sess-polecat-1', 5));
  assert.deepEqual([m.episode_index, m.step_start, m.step_end, m.context_steps], [0, 0, 4, 0]);
  assert.equal(m.branch, 'active');
  assert.equal(m.branch_point, null);
  assert.ok(m.quality_score > 0.6 && m.quality_score <= 1, `score ${m.quality_score}`);
  assert.deepEqual(Object.keys(m.quality_components).sort(), ['completion', 'length', 'recovery', 'substance', 'thinking', 'tool_success']);
  assert.equal(m.quality_components.thinking, 1);
  assert.equal(m.quality_components.completion, 1, 'the last step is a final answer');
  assert.equal(m.model, 'claude-opus', 'used by 3 of 4 assistant turns');
  assert.deepEqual(m.models, ['claude-opus', 'claude-sonnet']);
  assert.deepEqual(m.tokens, { input: 5300, output: 220, cache_read: 400, cache_write: 40 });
  assert.equal(m.tokenizer, 'qwen3');
  assert.equal(m.token_budget, 4096);
  assert.ok(m.token_count > 100 && m.token_count <= 4096, `${m.token_count} tokens`);
  assert.deepEqual(m.session_coverage, { assistant_messages: 4 });
  assert.equal(m.cwd, '/home/ubuntu/gt/rig1/polecats/nux');
  assert.equal(m.git_branch, 'polecat/nux');
  assert.equal(m.started_at, '2026-01-01T09:59:00Z', 'the task turn has no timestamp of its own: the session start');
  assert.equal(m.ended_at, '2026-01-01T10:05:00Z');
  assert.equal(m.gpt_hash.length, 64);
});

test('record ids are stable across re-reads of a growing session; the version is the caller\'s', () => {
  const short = session();
  const more: Turn[] = [user('Now also add a regression test for the inverted check, please.')];
  for (let i = 0; i < 40; i++) more.push(...toolPair('edit', { path: `test/auth${i}.test.ts`, text: 'expect(login()).toBe(true);\n'.repeat(12) }, 'applied '.repeat(30)));
  more.push(assistant('Added the regression tests; the suite passes.', { stopReason: 'end_turn' }));
  const grown = session({ turns: [...short.turns, ...more] });
  const first = sessionToSamples(short, opts).samples;
  const second = sessionToSamples(grown, { ...opts, version: 8 }).samples;
  assert.ok(second.length > first.length + 1, `${second.length} samples`);
  assert.equal(second[0].metadata.record_id, first[0].metadata.record_id);
  assert.equal(second[0].metadata.version, 8);
  assert.equal(new Set(second.map((s) => s.metadata.record_id)).size, second.length, 'ids are distinct');
  for (const s of second) assert.deepEqual(problems(s), []);
  // The second episode tiles its 41 steps: contiguous, each step once.
  const ep1 = second.filter((s) => s.metadata.episode_index === 1);
  assert.deepEqual(ep1.map((s) => s.metadata.step_start), [0, ...ep1.slice(0, -1).map((s) => s.metadata.step_end)]);
  assert.equal(ep1.at(-1)!.metadata.step_end, 41);
  for (const s of ep1.slice(1)) assert.match(user0(s), /Now also add a regression test[\s\S]*\[Progress so far: \d+ steps\. Tools used: edit \(\d+\)\. Files changed: test\/auth0\.test\.ts/);
  // Same content read again: same ids, same hashes.
  assert.deepEqual(sessionToSamples(grown, opts).samples.map((s) => s.metadata.gpt_hash), second.map((s) => s.metadata.gpt_hash));
});

test('abandoned branches train only their own steps, with the task of the shared prefix', () => {
  const branchTurns = (first: string, twist = ''): Turn[] => [
    assistant(`Rewrote check() to return true on success${twist}, updated its three callers in src/auth.ts and src/session.ts, and ran the suite: all tests pass locally.`, { stopReason: 'stop', entryId: first }),
  ];
  const s = session({
    format: 'pi',
    runtime: 'pi',
    abandoned: [
      { branchPointId: 'e5', branchPointTurnIndex: 7, turns: branchTurns('b1'), leafId: 'leaf1' },
      { branchPointId: 'e5', branchPointTurnIndex: 7, turns: branchTurns('b2'), leafId: 'leaf2' },
      // A fork inside the abandoned part: same first entry, another leaf.
      { branchPointId: 'e5', branchPointTurnIndex: 7, turns: branchTurns('b2', ' (second try)'), leafId: 'leaf3' },
    ],
  });
  const out = sessionToSamples(s, opts);
  const abandoned = out.samples.filter((x) => x.metadata.branch === 'abandoned');
  assert.equal(abandoned.length, 3);
  for (const a of abandoned) {
    assert.equal(a.metadata.branch_point, 'e5');
    assert.deepEqual([a.metadata.step_start, a.metadata.step_end], [3, 4], 'the branch step only; the prefix steps are the note');
    assert.match(user0(a), /Fix the login bug[\s\S]*\[Progress so far: 3 steps\. Tools used: bash \(2\), read \(1\)\./);
    assert.deepEqual(problems(a), []);
  }
  assert.equal(new Set(out.samples.map((x) => x.metadata.record_id)).size, 4, 'branches from one point, and forks inside them, stay apart');
  assert.equal(out.counts.abandoned_branches, 3);
  assert.equal(out.counts.abandoned_turns, 3);
  assert.equal(out.counts.assistant_messages, 7);
  assert.equal(out.counts.targets, 7);
});

test('a subagent lands in the split of its root session', () => {
  for (let i = 0; i < 30; i++) {
    const parentId = `root-${i}`;
    const sub = sessionToSamples(session({ id: `agent-${i}`, parentSessionId: parentId, agentId: `a${i}`, subagentType: 'Explore' }), { ...opts, valPercent: 50 });
    assert.equal(sub.samples[0].metadata.split, splitFor(parentId, 50));
    assert.equal(sub.samples[0].metadata.parent_session_id, parentId);
    assert.equal(sub.samples[0].metadata.agent_id, `a${i}`);
    assert.equal(sub.samples[0].metadata.subagent_type, 'Explore');
  }
});

test('boilerplate check-ins are rejected whole, counted by reason; counts add up', () => {
  const s = session({
    cwd: '/home/alice/gt/deacon',
    turns: [user('[GAS TOWN] deacon <- daemon • patrol'), assistant('Deacon, checking in.'), user('ok'), assistant('ok')],
  });
  const out = sessionToSamples(s, opts);
  assert.equal(out.role, 'deacon');
  assert.equal(out.samples.length, 0);
  assert.equal(out.counts.rejected_boilerplate, 2);
  assert.equal(out.counts['uncovered.rejected_boilerplate'], 2);
  assert.equal(out.counts.sessions, 1);
  assert.equal(out.counts.turns, 4);
  assert.equal(out.counts.assistant_messages, 2);
  assert.equal(out.counts.samples, 0);
});

test('a short real exchange is a sample: no filter rejects it for being short', () => {
  const out = sessionToSamples(session({ turns: [user('What does the -n flag of gt sling do?'), assistant('It names the polecat that gets the bead.')] }), opts);
  assert.equal(out.samples.length, 1);
  assert.deepEqual(problems(out.samples[0]), []);
});

test('minScore filters low-quality samples', () => {
  const out = sessionToSamples(session(), { ...opts, minScore: 0.99 });
  assert.equal(out.samples.length, 0);
  assert.equal(out.counts.rejected_below_min_score, 1);
  assert.equal(out.counts['uncovered.rejected_below_min_score'], 4);
});

test("thinking 'drop' keeps thinking out of the sample but not out of the score", () => {
  const kept = sessionToSamples(session(), opts).samples[0];
  const dropped = sessionToSamples(session(), { ...opts, thinking: 'drop' }).samples[0];
  assert.ok(!JSON.stringify(dropped.messages).includes('reasoning_content'));
  assert.equal(dropped.metadata.quality_components.thinking, kept.metadata.quality_components.thinking);
  assert.ok(dropped.metadata.token_count < kept.metadata.token_count);
  assert.equal(dropped.metadata.record_id, kept.metadata.record_id);
});

test('role falls back to the banner, then to the folder name', () => {
  const banner = sessionToSamples(session({ cwd: '/tmp/elsewhere' }), opts);
  assert.deepEqual([banner.role, banner.roleSignal], ['polecat', 'banner']);
  const turns = polecatTurns();
  turns[0] = user('Fix the login bug in src/auth.ts: the password check is inverted and users cannot sign in.');
  const folder = sessionToSamples(session({ cwd: undefined, turns, path: '/home/x/.pi/agent/sessions/--home-x-gt-rig1-witness--/s.jsonl' }), opts);
  assert.deepEqual([folder.role, folder.roleSignal], ['witness', 'folder']);
  assert.match(folder.samples[0].messages[0].content, /^\[GAS TOWN ROLE: witness\]/);
});

test('a long tool loop with no human turn after the first: every sample opens with the task, none with an orphan result', () => {
  const turns: Turn[] = [user('Refactor every module under src/legacy to the new logger API, one file at a time.')];
  for (let i = 0; i < 30; i++) turns.push(...toolPair('edit', { path: `src/legacy/m${i}.ts`, text: 'log.info(x)'.repeat(40) }, 'applied '.repeat(60)));
  turns.push(assistant('All 30 modules use the new logger now.', { stopReason: 'end_turn' }));
  const out = sessionToSamples(session({ turns }), { ...opts, maxTokens: 1500 });
  assert.ok(out.samples.length >= 3, `${out.samples.length} samples`);
  for (const s of out.samples) {
    assert.deepEqual(problems(s), []);
    assert.match(user0(s), /^Refactor every module/);
    assert.equal(s.messages[2].role, 'assistant', 'the task is followed by a step, never by a result');
    assert.ok(s.metadata.token_count <= 1500);
  }
  assert.equal(out.counts.targets, 31);
  assert.equal(out.counts.assistant_messages, 31);
  const last = out.samples.at(-1)!;
  assert.equal(last.metadata.quality_components.completion, 1);
  assert.equal(out.samples[0].metadata.quality_components.completion, 1, 'a mid-run sample ends on calls whose results succeeded');
});

test('context steps repeat earlier steps as weight 0 before the trained ones', () => {
  const turns: Turn[] = [user('Rename every helper in src/util to a name that says what it does.')];
  for (let i = 0; i < 12; i++) turns.push(...toolPair('edit', { path: `src/util/h${i}.ts`, text: 'x'.repeat(300) }, 'ok'));
  turns.push(assistant('Renamed all twelve helpers.', { stopReason: 'end_turn' }));
  const out = sessionToSamples(session({ turns }), { ...opts, maxTokens: 1200, contextSteps: 2 });
  assert.ok(out.samples.length >= 2);
  for (const s of out.samples) assert.deepEqual(problems(s), []);
  const later = out.samples.slice(1);
  for (const s of later) {
    assert.equal(s.metadata.context_steps, 2);
    const context = s.messages.filter((m) => m.role === 'assistant' && m.weight === 0);
    assert.equal(context.length, 2);
  }
  assert.equal(out.counts.targets, 13, 'context is not counted as targets');
});
