import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Sample, SampleMessage } from '../../src/model/sample.ts';
import { sampleProblems } from '../../src/model/sample-rules.ts';

const call = (id: string, name = 'bash') => ({ id, type: 'function' as const, function: { name, arguments: '{"command":"ls"}' } });
const spec = (name: string) => ({ type: 'function' as const, function: { name, description: name, parameters: { type: 'object' } } });

function sample(messages: SampleMessage[], tools = [spec('bash')]): Sample {
  return {
    messages,
    tools,
    metadata: {
      schema_version: 2, record_id: 'r', version: 1, source: 'claude-code', runtime: 'claude-code', session_id: 's', parent_session_id: null,
      role: 'polecat', split: 'train', branch: 'active', episode_index: 0, step_start: 0, step_end: 2, context_steps: 0,
      quality_score: 0.5, quality_components: {}, model: null, models: [], tokens: { input: 0, output: 0, cache_read: 0, cache_write: 0 },
      token_count: 100, tokenizer: 'qwen3', token_budget: 4096, gpt_hash: 'h',
    },
  };
}

const good: SampleMessage[] = [
  { role: 'system', content: 'S' },
  { role: 'user', content: 'task' },
  { role: 'assistant', content: '', tool_calls: [call('c1'), call('c2')] },
  { role: 'tool', content: 'a', tool_call_id: 'c1', name: 'bash' },
  { role: 'tool', content: 'b', tool_call_id: 'c2', name: 'bash' },
  { role: 'assistant', content: 'next', tool_calls: [call('c3')] },
];

const rulesOf = (s: Sample) => sampleProblems(JSON.parse(JSON.stringify(s))).map((p) => p.split(':')[0]);

test('a good sample passes, ending on calls whose results begin the next sample', () => {
  assert.deepEqual(sampleProblems(sample(good)), []);
});

test('every rule can fail', () => {
  const cases: [string, SampleMessage[], ReturnType<typeof spec>[]?][] = [
    ['task first', [good[1], good[0], ...good.slice(2)]],
    ['task first', [...good.slice(0, 3), good[3], good[4], { role: 'user', content: 'again' }, good[5]]],
    ['no orphan', [good[0], good[1], { role: 'tool', content: 'x', tool_call_id: 'c9', name: 'bash' }, { role: 'assistant', content: 'ok' }]],
    ['no orphan', [good[0], good[1], good[2], { ...good[3], name: 'read' } as SampleMessage, good[4], good[5]]],
    ['answered', [good[0], good[1], good[2], good[3], good[5]]],
    ['ends', good.slice(0, 5)],
    ['ends', [...good.slice(0, 5), { role: 'assistant', content: 'context', weight: 0 }]],
    ['tools', good, [spec('read')]],
    ['nonempty', [good[0], good[1], { role: 'assistant', content: '  ' }]],
    ['shape', [good[0], good[1], { role: 'assistant', content: 'x', tool_calls: [{ id: '', type: 'function', function: { name: 'bash', arguments: '{}' } }] }]],
    ['shape', [good[0], good[1]]],
  ];
  for (const [rule, messages, tools] of cases) {
    assert.ok(rulesOf(sample(messages, tools)).includes(rule), `${rule}: ${JSON.stringify(sampleProblems(sample(messages, tools)))}`);
  }
});
