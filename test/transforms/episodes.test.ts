import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Turn } from '../../src/model/session.ts';
import { segmentEpisodes } from '../../src/transforms/episodes.ts';
import { assistant, call, result, toolPair, user } from './build-turns.ts';

test('an episode per human input, a step per assistant turn; results join their step by call id', () => {
  const read = call('read', { path: 'a.ts' });
  const turns: Turn[] = [
    user('Fix the bug in a.ts'),
    assistant('Reading.', { toolCalls: [read] }),
    user('', { toolResults: [result(read.id, 'export const a = 1;')] }),
    assistant('Fixed.'),
    user('Now the docs, please'),
    assistant('Docs updated.'),
  ];
  const { episodes, counts } = segmentEpisodes(turns);
  assert.equal(episodes.length, 2);
  assert.deepEqual(episodes.map((e) => e.task), ['Fix the bug in a.ts', 'Now the docs, please']);
  assert.deepEqual(episodes.map((e) => e.steps.length), [2, 1]);
  assert.equal(episodes[0].steps[0].results[0]?.content, 'export const a = 1;');
  assert.deepEqual([counts.episodes, counts.steps, counts.tool_results_orphaned, counts.tool_calls_unanswered], [2, 3, 0, 0]);
});

test('a long tool loop with no human turn after the first is one episode', () => {
  const turns: Turn[] = [user('Refactor every module')];
  for (let i = 0; i < 25; i++) turns.push(...toolPair('edit', { path: `m${i}.ts` }, 'ok'));
  turns.push(assistant('Done.'));
  const { episodes } = segmentEpisodes(turns);
  assert.equal(episodes.length, 1);
  assert.equal(episodes[0].steps.length, 26);
  assert.ok(episodes[0].steps.slice(0, 25).every((s) => s.results.length === 1 && s.results[0] !== undefined));
});

test('parallel calls: one step, results in call order whatever order they arrived in', () => {
  const a = call('read', { path: 'a' });
  const b = call('read', { path: 'b' });
  const c = call('bash', { command: 'ls' });
  const turns: Turn[] = [
    user('look around'),
    assistant('', { toolCalls: [a, b, c] }),
    user('', { toolResults: [result(c.id, 'C'), result(a.id, 'A')] }),
    user('', { toolResults: [result(b.id, 'B', true)] }),
    assistant('Seen all three.'),
  ];
  const [e] = segmentEpisodes(turns).episodes;
  assert.equal(e.steps.length, 2);
  assert.deepEqual(e.steps[0].results.map((r) => r?.content), ['A', 'B', 'C']);
  assert.equal(e.steps[0].results[1]?.isError, true);
});

test('a result that arrives after the next human input still answers its step; unknown results are orphans', () => {
  const slow = call('bash', { command: 'sleep 60' });
  const turns: Turn[] = [
    user('start the build'),
    assistant('', { toolCalls: [slow] }),
    user('also, what time is it?', { toolResults: [result(slow.id, 'built'), result('toolu_nowhere', '?')] }),
    assistant('Noon.'),
  ];
  const { episodes, counts } = segmentEpisodes(turns);
  assert.equal(episodes.length, 2);
  assert.equal(episodes[0].steps[0].results[0]?.content, 'built');
  assert.equal(counts.tool_results_orphaned, 1);
});

test('a resubmitted prompt is one task; two inputs in a row join; an unanswered last prompt is no episode', () => {
  const turns: Turn[] = [
    user('deploy the service'),
    user('deploy the service'),
    user('to staging first'),
    assistant('Deploying to staging.'),
    user('hello?'),
  ];
  const { episodes, counts } = segmentEpisodes(turns);
  assert.equal(episodes.length, 1);
  assert.equal(episodes[0].task, 'deploy the service\n\nto staging first');
  assert.equal(counts.resubmitted_prompts, 1);
  assert.equal(counts.episodes_without_steps, 1);
});

test('assistant turns before any human input have no task; unanswered calls are counted', () => {
  const open = call('bash', { command: 'npm test' });
  const { episodes, counts } = segmentEpisodes([assistant('Resuming from the summary.'), user('go on'), assistant('', { toolCalls: [open] })]);
  assert.equal(counts.steps_without_task, 1);
  assert.equal(episodes[0].steps.length, 1);
  assert.equal(episodes[0].steps[0].results[0], undefined);
  assert.equal(counts.tool_calls_unanswered, 1);
});

test('empty and repeated call ids get unique ids; results with empty ids answer them in order', () => {
  const turns: Turn[] = [
    user('two reads'),
    assistant('', { toolCalls: [call('read', { path: 'a' }, ''), call('read', { path: 'b' }, '')] }),
    user('', { toolResults: [result('', 'A'), result('', 'B')] }),
    assistant('', { toolCalls: [call('read', { path: 'c' }, 'dup')] }),
    user('', { toolResults: [result('dup', 'C')] }),
    assistant('', { toolCalls: [call('read', { path: 'd' }, 'dup')] }),
    user('', { toolResults: [result('dup', 'D')] }),
    assistant('done'),
  ];
  const [e] = segmentEpisodes(turns).episodes;
  const ids = e.steps.flatMap((s) => s.calls.map((c) => c.id));
  assert.equal(new Set(ids).size, ids.length);
  assert.ok(ids.every((id) => id !== ''));
  assert.deepEqual(e.steps.flatMap((s) => s.results.map((r) => r?.content)), ['A', 'B', 'C', 'D']);
  assert.deepEqual(e.steps.flatMap((s) => s.results.map((r) => r?.id)), ids, 'each result carries its call\'s new id');
});
