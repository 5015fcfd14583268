import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatShareGpt, ShareGptCache } from '../../src/transforms/sharegpt.ts';
import { assistant, call, result, user } from './build-turns.ts';

const systemPrompt = '[GAS TOWN ROLE: crew]\nYou are a Crew member.';

test('system first, tool calls in gpt, results in human, thinking as a leading think block', () => {
  const c = call('bash', { command: 'ls -la', cwd: 'é/x' }, 'toolu_1');
  const turns = [
    user('list the files'),
    assistant('Listing.', { toolCalls: [c], thinking: 'Use ls.' }),
    user('', { toolResults: [result('toolu_1', 'a.txt\nb.txt')] }),
    assistant('There are two files: a.txt and b.txt.'),
  ];
  const { conversations } = formatShareGpt(turns, { systemPrompt });
  assert.deepEqual(conversations, [
    { from: 'system', value: systemPrompt },
    { from: 'human', value: 'list the files' },
    { from: 'gpt', value: '<think>\nUse ls.\n</think>\n\nListing.\n<tool_call name="bash">{"command":"ls -la","cwd":"é/x"}</tool_call>' },
    { from: 'human', value: '<tool_result tool_use_id="toolu_1">a.txt\nb.txt</tool_result>' },
    { from: 'gpt', value: 'There are two files: a.txt and b.txt.' },
  ]);
});

test("thinking 'drop' leaves it out", () => {
  const turns = [user('q'), assistant('answer', { thinking: 'secret reasoning' })];
  const { conversations } = formatShareGpt(turns, { systemPrompt, thinking: 'drop' });
  assert.equal(conversations![2].value, 'answer');
  assert.ok(!JSON.stringify(conversations).includes('secret reasoning'));
});

test('errored results are marked; results come before the human words of the same turn', () => {
  const turns = [
    user('run it'),
    assistant('', { toolCalls: [call('bash', { command: 'make' }, 'toolu_9')] }),
    user('stop, use npm instead', { toolResults: [result('toolu_9', 'make: not found', true)] }),
    assistant('Switching to npm.'),
  ];
  const { conversations } = formatShareGpt(turns, { systemPrompt });
  assert.equal(conversations![3].value, '<tool_result tool_use_id="toolu_9" is_error="true">make: not found</tool_result>\nstop, use npm instead');
});

test('same-side turns merge, leading gpt and trailing human are dropped and counted, strict alternation', () => {
  const turns = [
    assistant('left over from before'),
    user('first'),
    user('second'),
    assistant('one', { thinking: 't1' }),
    assistant('two', { thinking: 't2' }),
    user('unanswered'),
  ];
  const { conversations, counts } = formatShareGpt(turns, { systemPrompt });
  assert.deepEqual(conversations!.map((m) => m.from), ['system', 'human', 'gpt']);
  assert.equal(conversations![1].value, 'first\n\nsecond');
  assert.equal(conversations![2].value, '<think>\nt1\n\nt2\n</think>\n\none\n\ntwo');
  assert.equal(counts.sharegpt_leading_gpt_turns_dropped, 1);
  assert.equal(counts.sharegpt_trailing_human_turns_dropped, 1);
});

test('no gpt message gives null', () => {
  assert.equal(formatShareGpt([user('hello')], { systemPrompt }).conversations, null);
  assert.equal(formatShareGpt([assistant('hi'), user('hello')], { systemPrompt }).conversations, null);
  assert.equal(formatShareGpt([], { systemPrompt }).conversations, null);
});

test('empty turns are skipped, so no message is ever empty', () => {
  const turns = [user('q'), user('   '), assistant(''), assistant('a', { thinking: 'only' })];
  const { conversations, counts } = formatShareGpt(turns, { systemPrompt, thinking: 'drop' });
  assert.deepEqual(conversations!.map((m) => m.value), [systemPrompt, 'q', 'a']);
  assert.equal(counts.sharegpt_empty_turns_skipped, 2);
});

test('text is kept as is: no HTML escaping of code', () => {
  const code = 'if (a < b && c > d) { return "<div>"; }';
  const { conversations } = formatShareGpt([user(code), assistant(code)], { systemPrompt });
  assert.equal(conversations![1].value, code);
  assert.equal(conversations![2].value, code);
});

test('overlapping windows formatted through one cache: the same messages as without it, shared where the runs match', () => {
  const turns = [
    user('Fix the build'),
    assistant('Looking', { thinking: 'the tests first', toolCalls: [call('bash', { command: 'npm test' }, 't1')] }),
    user('', { toolResults: [result('t1', 'FAIL: 2 tests')] }),
    assistant('', { toolCalls: [call('read', { path: 'a.ts' }, 't2')] }),
    user('', { toolResults: [result('t2', 'export const a = 1;')] }),
    assistant('Fixed: a was wrong.'),
    user('Now the docs'),
    assistant('Done.', { thinking: '  ' }),
  ];
  const windows = [turns.slice(0, 6), turns.slice(2, 8), turns.slice(0, 8), turns.slice(5, 8)];
  for (const thinking of ['keep', 'drop'] as const) {
    const cache = new ShareGptCache();
    const cached = windows.map((w) => formatShareGpt(w, { systemPrompt, thinking, cache }));
    const plain = windows.map((w) => formatShareGpt(w, { systemPrompt, thinking }));
    assert.deepEqual(cached, plain);
    // Window 3 holds window 1's runs after its first: the message objects themselves are reused.
    const [a, , c] = cached.map((r) => r.conversations!);
    assert.equal(c[0], a[0], 'one system message');
    assert.equal(c[2], a[2]);
    assert.equal(c[3], a[3]);
  }
});
