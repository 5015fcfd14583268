// The lora-forge ShareGPT checker: a good line passes, every rule fails on a line made to break it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkShareGptLine, SHAREGPT_RULES } from '../../src/exports/sharegpt-rules.ts';
import { ruleCases, type Line, type RuleCase } from './rule-cases.ts';

const good = (): Line => ({
  conversations: [
    { from: 'system', value: 'sys' }, { from: 'human', value: 'q' }, { from: 'gpt', value: 'ctx', train: false },
    { from: 'human', value: '<tool_result tool_use_id="t">x</tool_result>' }, { from: 'gpt', value: 'a' },
  ],
  weight: 1,
});

const cases: RuleCase[] = [
  ['line-shape', (l) => { l.messages = l.conversations; }],
  ['line-shape', (l) => { l.weight = 'heavy'; }],
  ['line-shape', (l) => { l.conversations[1].role = 'user'; }],
  ['line-shape', (l) => { l.conversations[1].value = null; }],
  ['system-first', (l) => { l.conversations.shift(); }],
  ['system-first', (l) => { l.conversations[3] = { from: 'system', value: 'again' }; }],
  ['alternation', (l) => { l.conversations[2].from = 'human'; }],
  ['alternation', (l) => { l.conversations[1].from = 'observation'; }],
  ['ends-on-gpt', (l) => { l.conversations.push({ from: 'human', value: 'more?' }); }],
  ['ends-on-gpt', (l) => { l.conversations = l.conversations.slice(0, 2); }],
  ['not-empty', (l) => { l.conversations[4].value = ' '; }],
  ['train-flag', (l) => { l.conversations[1].train = false; }],
  ['train-flag', (l) => { l.conversations[4].train = true; }],
];

test('a good line passes', () => assert.deepEqual(checkShareGptLine(good()), []));

ruleCases('sharegpt', good, checkShareGptLine, cases);

test('every listed rule has a failing case', () => {
  for (const r of SHAREGPT_RULES) assert.ok(cases.some(([id]) => id === r.id), r.id);
});
