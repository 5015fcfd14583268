// The LLaMA-Factory checker applies its converter's alignment exactly: a good line passes, and
// every rule fails on a line made to break it (the converter would skip it silently).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkLlamaFactoryLine, checkLlamaFactoryRankingLine, LLAMAFACTORY_RULES } from '../../src/exports/llamafactory-rules.ts';
import { ruleCases, type Line, type RuleCase } from './rule-cases.ts';


const tools = JSON.stringify(['Read', 'Bash'].map((name) => ({
  type: 'function', function: { name, description: name, parameters: { type: 'object', properties: { a: { type: 'string', enum: ['x', 'y'] }, b: { type: 'array', items: { type: 'string' } } } } },
})));

const good = (): Line => ({
  conversations: [
    { from: 'human', value: 'task' },
    { from: 'function_call', value: '<think>\nplan\n</think>\n\n[{"name":"Read","arguments":{"a":"x"}},{"name":"Bash","arguments":{}}]' },
    { from: 'observation', value: 'r1\n</tool_response>\n<tool_response>\nr2' },
    { from: 'function_call', value: '{"name":"Bash","arguments":{"b":["ls"]}}' },
    { from: 'observation', value: 'out' },
    { from: 'gpt', value: '<think>\ndone\n</think>\n\nDone.' },
  ],
  system: 'sys',
  tools,
});

const cases: RuleCase[] = [
  ['line-shape', (l) => { l.system = null; }],
  ['line-shape', (l) => { l.tools = []; }],
  ['line-shape', (l) => { l.conversations[0].value = 3; }],
  ['line-shape', (l) => { l.conversations[0].role = 'user'; }],
  ['line-shape', (l) => { l.conversations = {}; }],
  ['tag', (l) => { l.conversations[0].from = 'user'; }],
  ['tag', (l) => { l.conversations.unshift({ from: 'system', value: 'sys' }); }],
  ['alignment', (l) => { l.conversations.splice(1, 0, { from: 'gpt', value: 'first' }); }],
  ['alignment', (l) => { l.conversations[2].from = 'gpt'; }],
  ['count', (l) => { l.conversations.pop(); }],
  ['count', (l) => { l.conversations = []; }],
  ['function-call', (l) => { l.conversations[3].value = 'Calling Bash: {"name":"Bash"}'; }],
  ['function-call', (l) => { l.conversations[3].value = '{"name":"Bash","arguments":"{}"}'; }],
  ['function-call', (l) => { l.conversations[3].value = '[]'; }],
  ['thought', (l) => { l.conversations[1].value = 'I will read.<think>\nplan\n</think>\n\n{"name":"Read","arguments":{}}'; }],
  ['thought', (l) => { l.conversations[1].value = '<think>\nplan</think>{"name":"Read","arguments":{}}'; }],
  ['thought', (l) => { l.conversations[5].value = 'Done.<think>x</think>'; }],
  ['tools', (l) => { l.tools = '{"name":"Read"}'; }],
  ['tools', (l) => { l.tools = 'Read, Bash'; }],
  ['tools', (l) => { const t = JSON.parse(l.tools); delete t[0].function.parameters.properties; l.tools = JSON.stringify(t); }],
  ['tools', (l) => { const t = JSON.parse(l.tools); t[0].function.parameters.properties.a.enum = [1, 2]; l.tools = JSON.stringify(t); }],
  ['tools', (l) => { const t = JSON.parse(l.tools); t[0].function.parameters.properties.b.items = 'string'; l.tools = JSON.stringify(t); }],
  ['call-declared', (l) => { l.tools = JSON.stringify(JSON.parse(l.tools).slice(0, 1)); }],
];

test('a good line passes', () => {
  assert.deepEqual(checkLlamaFactoryLine(good()), []);
});

ruleCases('llamafactory', good, checkLlamaFactoryLine, cases);

const ranking = (): Line => ({
  conversations: [{ from: 'human', value: 'task' }, { from: 'function_call', value: '{"name":"Bash","arguments":{}}' }, { from: 'observation', value: 'out' }],
  system: 'sys',
  tools,
  chosen: { from: 'gpt', value: 'good' },
  rejected: { from: 'function_call', value: '{"name":"Read","arguments":{}}' },
});

test('ranking: a good line passes; an even prompt, a human side, a broken call and equal sides fail', () => {
  assert.deepEqual(checkLlamaFactoryRankingLine(ranking()), []);
  const rules = (mut: (l: Line) => void) => {
    const l = ranking();
    mut(l);
    return checkLlamaFactoryRankingLine(l).map((b) => b.rule);
  };
  assert.ok(rules((l) => l.conversations.pop()).includes('count'));
  assert.ok(rules((l) => { l.chosen = { from: 'human', value: 'x' }; }).includes('ranking-sides'));
  assert.ok(rules((l) => { l.chosen = [{ from: 'gpt', value: 'x' }]; }).includes('ranking-sides'));
  assert.ok(rules((l) => { l.rejected = { from: 'gpt', value: 'good' }; }).includes('ranking-sides'));
  assert.ok(rules((l) => { l.rejected.value = 'not json'; }).includes('function-call'));
});

test('every listed rule has a failing case', () => {
  const tested = new Set([...cases.map(([r]) => r), 'ranking-sides']);
  for (const r of LLAMAFACTORY_RULES) assert.ok(tested.has(r.id), r.id);
});
