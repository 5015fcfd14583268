import { test } from 'node:test';
import assert from 'node:assert/strict';
import { viewChars, viewMessages } from '../../src/model/sample-view.ts';

test('a ShareGPT line: calls, results and thinking taken out of the tags', () => {
  const v = viewMessages({
    conversations: [
      { from: 'system', value: 'You are a polecat.' },
      { from: 'human', value: 'Fix the parser.' },
      { from: 'gpt', value: '<think>\nlook first\n</think>\n\nReading it.<tool_call name="bash">{"command":"cat p.ts"}</tool_call>' },
      { from: 'human', value: '<tool_result tool_use_id="t1" is_error="true">no such file</tool_result>\n\nTry src/.' },
      { from: 'gpt', value: 'Done.' },
    ],
  });
  assert.deepEqual(v.map((m) => m.role), ['system', 'user', 'assistant', 'tool', 'user', 'assistant']);
  assert.deepEqual(v[2], { role: 'assistant', content: 'Reading it.', reasoning: 'look first', toolCalls: [{ name: 'bash', arguments: '{"command":"cat p.ts"}' }] });
  assert.equal(v[3].isError, true);
  assert.equal(v[3].content, 'no such file');
  assert.equal(v[4].content, 'Try src/.');
});

test('an OpenAI-style line reads the same', () => {
  const v = viewMessages({
    messages: [
      { role: 'user', content: 'Fix the parser.' },
      { role: 'assistant', content: 'Reading it.', reasoning_content: 'look first', tool_calls: [{ id: 'c1', type: 'function', function: { name: 'bash', arguments: '{"command":"cat p.ts"}' } }] },
      { role: 'tool', tool_call_id: 'c1', name: 'bash', content: 'no such file', is_error: true },
    ],
    tools: [],
    metadata: {},
  });
  assert.deepEqual(v[1], { role: 'assistant', content: 'Reading it.', reasoning: 'look first', toolCalls: [{ name: 'bash', arguments: '{"command":"cat p.ts"}' }] });
  assert.deepEqual(v[2], { role: 'tool', content: 'no such file', toolCalls: [], name: 'bash', isError: true });
  assert.equal(viewChars(v), 'Fix the parser.'.length + 'Reading it.'.length + 'look first'.length + 4 + 22 + 'no such file'.length);
  assert.deepEqual(viewMessages({ neither: 1 }), []);
});
