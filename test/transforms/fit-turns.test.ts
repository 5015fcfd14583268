import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fitTurnsToBudget } from '../../src/transforms/fit-turns.ts';
import { turnChars } from '../../src/transforms/turn-size.ts';
import { assistant, call, result, user } from './build-turns.ts';

const total = (turns: Parameters<typeof fitTurnsToBudget>[0]): number => turns.reduce((n, t) => n + turnChars(t), 0);

test('turns within the budget come back as they are', () => {
  const turns = [user('a'), assistant('b')];
  const out = fitTurnsToBudget(turns, 100);
  assert.equal(out.turns, turns);
  assert.equal(out.truncatedTurns, 0);
});

test('the longest strings are cut first, short ones stay whole', () => {
  const c = call('write', { path: 'src/a.ts', content: 'line\n'.repeat(4000) });
  const turns = [
    user('please write the file'),
    assistant('writing', { toolCalls: [c], thinking: 'I will write it' }),
    user('', { toolResults: [result(c.id, 'r'.repeat(3000))] }),
  ];
  const out = fitTurnsToBudget(turns, 3000);
  assert.ok(total(out.turns) <= 3000, `${total(out.turns)} chars`);
  assert.equal(out.turns[0].text, 'please write the file');
  assert.equal(out.turns[1].thinking, 'I will write it');
  const input = out.turns[1].toolCalls[0].input as { path: string; content: string };
  assert.equal(input.path, 'src/a.ts');
  assert.match(input.content, /truncated \d+ chars/);
  assert.match(out.turns[2].toolResults[0].content, /truncated \d+ chars/);
  assert.equal(out.truncatedTurns, 2);
  assert.equal((c.input as { content: string }).content.length, 20000, 'input untouched');
});
