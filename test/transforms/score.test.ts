import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Turn } from '../../src/model/session.ts';
import { segmentEpisodes } from '../../src/transforms/episodes.ts';
import { assessSample, QUALITY_WEIGHTS, scoreSample } from '../../src/transforms/score.ts';
import { isBoilerplate, isSubstantiveTurn } from '../../src/transforms/substantive.ts';
import { assistant, call, result, toolPair, user } from './build-turns.ts';

/** The score of turns as one sample over all their steps (tokens given, default 1500). */
const scoreTurns = (turns: Turn[], role: Parameters<typeof scoreSample>[1], tokenCount = 1500) => {
  const [e] = segmentEpisodes(turns).episodes;
  return scoreSample({ task: e.task, steps: e.steps, tokenCount }, role);
};
const assess = (turns: Turn[], opts: Parameters<typeof assessSample>[1]) => {
  const [e] = segmentEpisodes(turns).episodes;
  return assessSample({ task: e.task, steps: e.steps, tokenCount: 1500 }, opts);
};

const task = user('Please add input validation to the signup form and cover it with tests: the email must be checked.');

test('weights sum to 1', () => {
  const sum = Object.values(QUALITY_WEIGHTS).reduce((a, b) => a + b, 0);
  assert.ok(Math.abs(sum - 1) < 1e-9);
});

test('boilerplate: check-ins, acks, patrol pings, bare banners; not real requests', () => {
  for (const text of ['ok', 'Continue.', 'check in', 'Mayor, checking in.', 'patrol', 'Run patrol cycle', 'patrol tick 42',
    'Check your hook and mail', 'Nothing on hook', 'No new messages', '[GAS TOWN] deacon <- daemon • 2026-01-01 • patrol', '  Thanks!  ']) {
    assert.ok(isBoilerplate(text), text);
  }
  for (const text of ['ok, now rename the config key to maxRetries and update the docs', 'Fix the failing test in auth.ts',
    '[GAS TOWN] mayor <- human • t • cold-start\n\nReview PR 12 and merge it if the tests pass']) {
    assert.ok(!isBoilerplate(text), text);
  }
  // lora-forge only looked at the first line: a long message opening with a check-in is substantive.
  assert.ok(!isBoilerplate('Mayor, checking in.\nI found three stale polecats and restarted rig1/witness after its crash.'));
});

test('substantive turns: tool-result-only user turns do not count, tool calls do', () => {
  const [a, r] = toolPair('bash', { command: 'ls' }, 'file.txt');
  assert.equal(isSubstantiveTurn(r), false);
  assert.equal(isSubstantiveTurn(a), true);
  assert.equal(isSubstantiveTurn(assistant('ok')), false);
  assert.equal(isSubstantiveTurn(task), true);
});

test('rejects only for real reasons: a check-in that is boilerplate throughout; a short real answer stays', () => {
  const pings = assess([user('check in'), assistant('Mayor, checking in.'), user('ok'), assistant('ok')], { role: 'mayor' });
  assert.deepEqual([pings.keep, pings.reason, pings.counts], [false, 'boilerplate', { rejected_boilerplate: 1 }]);
  const tiny = assess([user('fix bug'), assistant('fixed it')], { role: 'crew' });
  assert.equal(tiny.keep, true, 'short is not a reason');
  const checkInWithWork = assess([user('check in'), ...toolPair('bash', { command: 'gt hook' }, 'nothing hooked'), assistant('Nothing on my hook.')], { role: 'mayor' });
  assert.equal(checkInWithWork.keep, true, 'a check-in that runs a tool did work');
});

test('minScore rejects a sample scoring below it', () => {
  const turns = [task, assistant('I added a zod schema for the form, wired it into the submit handler, and wrote three tests for the email rule; all of them pass now.')];
  const { score } = scoreTurns(turns, 'crew');
  assert.equal(assess(turns, { role: 'crew', minScore: score + 0.01 }).reason, 'below_min_score');
  assert.equal(assess(turns, { role: 'crew', minScore: score }).keep, true);
});

function cleanFinishedWithRecovery(): Turn[] {
  const failing = call('bash', { command: 'npm test' });
  const passing = call('bash', { command: 'npm test' });
  return [
    task,
    ...toolPair('read', { path: 'src/signup.ts' }, 'export function signup(form) { /* ... */ }\n'.repeat(20)),
    ...toolPair('edit', { path: 'src/signup.ts', text: 'validate(form)' }, 'applied'),
    assistant('', { toolCalls: [failing], thinking: 'Run the tests to see where we stand.' }),
    user('', { toolResults: [result(failing.id, 'FAIL signup.test.ts: expected error for bad email\n'.repeat(10), true)] }),
    ...toolPair('edit', { path: 'src/signup.ts', text: 'emailRule' }, 'applied'),
    assistant('', { toolCalls: [passing] }),
    user('', { toolResults: [result(passing.id, 'PASS signup.test.ts (12 tests)\n'.repeat(10))] }),
    assistant('Validation is in place; the email rule rejects bad addresses and all 12 tests pass.', { stopReason: 'end_turn' }),
  ];
}

function errorRiddenUnfinished(): Turn[] {
  return [
    task,
    ...toolPair('bash', { command: 'npm test' }, 'Error: cannot find module\n'.repeat(20), true),
    ...toolPair('edit', { path: 'src/signup.ts' }, 'Error: old_string not found in file', true),
    ...toolPair('edit', { path: 'src/signup.tsx' }, 'Error: file does not exist', true),
    ...toolPair('bash', { command: 'npm test' }, 'Error: cannot find module\n'.repeat(20), true),
    assistant('Let me try again.', { toolCalls: [call('bash', { command: 'npm install' })] }),
  ];
}

test('the score discriminates: an error-ridden unfinished sample is clearly below a clean finished one with recovery', () => {
  const good = scoreTurns(cleanFinishedWithRecovery(), 'polecat');
  const bad = scoreTurns(errorRiddenUnfinished(), 'polecat');
  assert.ok(good.score - bad.score > 0.4, `good ${good.score} vs bad ${bad.score}`);
  assert.ok(good.score >= 0 && good.score <= 1 && bad.score >= 0 && bad.score <= 1);
  assert.equal(good.components.completion, 1);
  assert.equal(bad.components.completion, 0);
  assert.equal(good.components.recovery, 1, 'the failed bash later succeeds');
  assert.equal(bad.components.recovery, 0, 'nothing ever succeeds');
  assert.equal(bad.components.tool_success, 0);
  assert.equal(good.components.tool_success, 0.8);
});

test('recovery gives half credit when only another tool succeeds later', () => {
  const turns = [
    task,
    ...toolPair('bash', { command: 'make' }, 'make: *** missing target', true),
    ...toolPair('read', { path: 'Makefile' }, 'all: build'),
    assistant('The target is called build; the Makefile has no default target for you to run.'),
  ];
  assert.equal(scoreTurns(turns, 'crew').components.recovery, 0.5);
});

test('thinking gets its documented boost', () => {
  const base = [task, assistant('I added the schema and tests; everything passes now, ready for review.')];
  const withThinking = [task, { ...base[1], thinking: 'x' }];
  const a = scoreTurns(base, 'crew');
  const b = scoreTurns(withThinking, 'crew');
  assert.equal(a.components.thinking, 0);
  assert.equal(b.components.thinking, 1);
  assert.ok(Math.abs(b.score - a.score - QUALITY_WEIGHTS.thinking) < 0.01, `${a.score} -> ${b.score}`);
});

test('length is judged against the role: the same sample fits a boot better than a polecat', () => {
  const turns = [task, assistant('Done.')];
  assert.ok(scoreTurns(turns, 'boot', 700).components.length > scoreTurns(turns, 'polecat', 700).components.length);
});

test('completion of a sample that ends on tool calls: their results decide, not the sample\'s place in the session', () => {
  const ok = call('bash', { command: 'npm test' });
  const bad = call('bash', { command: 'npm test' });
  const open = call('bash', { command: 'npm test' });
  const endsOn = (c: ReturnType<typeof call>, results: Turn[]) => scoreTurns([task, assistant('', { toolCalls: [c] }), ...results], 'crew').components.completion;
  assert.equal(endsOn(ok, [user('', { toolResults: [result(ok.id, 'PASS')] })]), 1);
  assert.equal(endsOn(bad, [user('', { toolResults: [result(bad.id, 'FAIL', true)] })]), 0.5);
  assert.equal(endsOn(open, []), 0, 'interrupted: no result');
});

test('completion reads the stop reason', () => {
  const end = (stopReason?: string) => scoreTurns([task, assistant('The change is done and tested.', { stopReason })], 'crew').components.completion;
  assert.equal(end(undefined), 1);
  assert.equal(end('end_turn'), 1);
  assert.equal(end('stop'), 1);
  assert.equal(end('max_tokens'), 0.25);
  assert.equal(end('aborted'), 0);
});
