import assert from 'node:assert/strict';
import { test } from 'node:test';
import { normalizeToolResults } from '../../src/transforms/normalize.ts';
import { assistant, result, user } from './build-turns.ts';

test('noise lines are dropped and counted, the rest kept in order', () => {
  const content = 'line one\nShell cwd was reset to /home/u/gt\nline two\nWARNING: This binary was built with Bun\nline three';
  const turns = [assistant('hi'), user('', { toolResults: [result('a', content)] })];
  const out = normalizeToolResults(turns);
  assert.equal(out.turns[1].toolResults[0].content, 'line one\nline two\nline three');
  assert.equal(out.counts.noise_lines_dropped, 2);
  assert.equal(out.counts.tool_results_truncated, 0);
});

test('long bodies keep head and tail near 2000 chars and are counted', () => {
  const body = 'START' + 'x'.repeat(9000) + 'END';
  const turns = [user('', { toolResults: [result('a', body), result('b', 'short')] })];
  const out = normalizeToolResults(turns);
  const cut = out.turns[0].toolResults[0].content;
  assert.ok(cut.length <= 2000 && cut.length > 1950, `length ${cut.length}`);
  assert.ok(cut.startsWith('START') && cut.endsWith('END'));
  assert.match(cut, /\n\[\.\.\. truncated \d+ chars \.\.\.\]\n/);
  assert.equal(out.turns[0].toolResults[1].content, 'short');
  assert.equal(out.counts.tool_results_truncated, 1);
});

test('the limit is an option; input turns are not mutated', () => {
  const turns = [user('', { toolResults: [result('a', 'y'.repeat(500))] })];
  const out = normalizeToolResults(turns, { maxToolResultChars: 100 });
  assert.ok(out.turns[0].toolResults[0].content.length <= 100);
  assert.equal(turns[0].toolResults[0].content.length, 500);
});

test('a noise word inside a line is not noise', () => {
  const content = 'echo "Shell cwd was reset to" is what it prints';
  const out = normalizeToolResults([user('', { toolResults: [result('a', content)] })]);
  assert.equal(out.turns[0].toolResults[0].content, content);
  assert.equal(out.counts.noise_lines_dropped, 0);
});
