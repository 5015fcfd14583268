// The OpenAI / TRL checker: a good line passes, and every rule fails on a line made to break it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkOpenAiLine, OPENAI_RULES, TRL_RULES, type OpenAiCheck } from '../../src/exports/openai-rules.ts';
import { ruleCases, type Line, type RuleCase } from './rule-cases.ts';


const good = (args: 'string' | 'object'): Line => {
  const a = (o: Record<string, unknown>) => (args === 'string' ? JSON.stringify(o) : o);
  return {
    messages: [
      { role: 'system', content: 'sys' },
      { role: 'user', content: 'task' },
      { role: 'assistant', content: '', weight: 0, tool_calls: [
        { id: 'c1', type: 'function', function: { name: 'Read', arguments: a({ file_path: 'a' }) } },
        { id: 'c2', type: 'function', function: { name: 'Bash', arguments: a({ command: 'ls' }) } },
      ] },
      { role: 'tool', tool_call_id: 'c1', name: 'Read', content: 'x' },
      { role: 'tool', tool_call_id: 'c2', name: 'Bash', content: '' },
      { role: 'assistant', content: 'done', weight: 1, tool_calls: [{ id: 'c3', type: 'function', function: { name: 'Bash', arguments: a({ command: 'pwd' }) } }] },
    ],
    tools: ['Read', 'Bash'].map((name) => ({ type: 'function', function: { name, description: name, parameters: { type: 'object', properties: {} } } })),
  };
};

const openai = (l: Line): Line => {
  for (const m of l.messages) if (m.role === 'tool') delete m.name;
  return l;
};

const OPENAI: OpenAiCheck = { target: 'openai', arguments: 'string' };
const TRL: OpenAiCheck = { target: 'trl', arguments: 'object' };


test('good lines pass both targets', () => {
  assert.deepEqual(checkOpenAiLine(openai(good('string')), OPENAI), []);
  assert.deepEqual(checkOpenAiLine(good('object'), TRL), []);
  assert.deepEqual(checkOpenAiLine(good('string'), { target: 'trl', arguments: 'string' }), []);
});

const openaiCases: RuleCase[] = [
  ['line-shape', (l) => { l.metadata = {}; }],
  ['line-shape', (l) => { l.messages = []; }],
  ['role', (l) => { l.messages[1].role = 'human'; }],
  ['message-keys', (l) => { l.messages[3].name = 'Read'; }],
  ['message-keys', (l) => { l.messages[5].reasoning_content = 'r'; }],
  ['content', (l) => { l.messages[1].content = ''; }],
  ['content', (l) => { l.messages[5] = { role: 'assistant', content: '', weight: 1 }; }],
  ['content', (l) => { l.messages[3].content = ['x']; }],
  ['tool-call-shape', (l) => { l.messages[2].tool_calls[0].type = 'tool'; }],
  ['tool-call-shape', (l) => { l.messages[2].tool_calls[1].id = 'c1'; }],
  ['tool-call-shape', (l) => { l.messages[2].tool_calls[0].function.name = 'mcp.read file'; }],
  ['tool-call-shape', (l) => { l.messages[2].tool_calls = []; }],
  ['arguments', (l) => { l.messages[2].tool_calls[0].function.arguments = { file_path: 'a' }; }],
  ['arguments', (l) => { l.messages[2].tool_calls[0].function.arguments = '["a"]'; }],
  ['tool-answers-call', (l) => { l.messages[3].tool_call_id = 'nope'; }],
  ['tool-answers-call', (l) => { l.messages.splice(4, 0, { role: 'tool', tool_call_id: 'c1', content: 'again' }); }],
  ['tool-answers-call', (l) => { l.messages.splice(2, 0, { role: 'tool', tool_call_id: 'c0', content: 'orphan' }); }],
  ['calls-answered', (l) => { l.messages.splice(4, 1); }],
  ['weight', (l) => { l.messages[1].weight = 0; }],
  ['weight', (l) => { l.messages[5].weight = 0.5; }],
  ['trained-assistant', (l) => { l.messages[5].weight = 0; }],
  ['tools-shape', (l) => { l.tools = []; }],
  ['tools-shape', (l) => { l.tools[0].type = 'tool'; }],
  ['tools-shape', (l) => { l.tools[1].function.name = 'Read'; }],
  ['tools-shape', (l) => { l.tools[0].function.parameters = { type: 'string' }; }],
  ['call-declared', (l) => { l.tools = l.tools.slice(0, 1); }],
  ['call-declared', (l) => { delete l.tools; }],
];

ruleCases('openai', () => openai(good('string')), (l) => checkOpenAiLine(l, OPENAI), openaiCases);

const trlCases: RuleCase[] = [
  ['line-shape', (l) => { l.parallel_tool_calls = true; }],
  ['role', (l) => { l.messages[0].role = 'developer'; }],
  ['message-keys', (l) => { l.messages[1].name = 'me'; }],
  ['arguments', (l) => { l.messages[2].tool_calls[0].function.arguments = '{"file_path":"a"}'; }],
  ['tool-name', (l) => { l.messages[3].name = 'Bash'; }],
  ['tool-name', (l) => { delete l.messages[3].name; }],
  ['user-first', (l) => { l.messages.splice(1, 1); }],
  ['reasoning', (l) => { l.messages[5].reasoning_content = 7; }],
  ['calls-answered', (l) => { l.messages.splice(3, 2); }],
];

ruleCases('trl', () => good('object'), (l) => checkOpenAiLine(l, TRL), trlCases);

test('every listed rule has a failing case, and says where it comes from', () => {
  const tested = new Set([...openaiCases.map(([r]) => `openai:${r}`), ...trlCases.map(([r]) => `trl:${r}`)]);
  for (const r of OPENAI_RULES) assert.ok(tested.has(`openai:${r.id}`) || tested.has(`trl:${r.id}`), r.id);
  for (const r of TRL_RULES) assert.ok(tested.has(`trl:${r.id}`) || tested.has(`openai:${r.id}`), r.id);
  for (const r of [...OPENAI_RULES, ...TRL_RULES]) assert.ok(r.source.length > 10 && r.says.length > 10);
});

test('a non-object line breaks line-shape', () => {
  assert.deepEqual(checkOpenAiLine([1], OPENAI).map((b) => b.rule), ['line-shape']);
});
