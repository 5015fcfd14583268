// Each per-sample renderer over hand-made canonical samples: parallel calls, a tool error,
// reasoning, a context step (weight 0), and a call in the last assistant message whose result is
// in the next sample. Every rendered line passes its target's checker.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderOpenAi, openAiOptions } from '../../src/exports/openai.ts';
import { checkOpenAiLine } from '../../src/exports/openai-rules.ts';
import { renderLlamaFactory, OBSERVATION_JOIN } from '../../src/exports/llamafactory.ts';
import { checkLlamaFactoryLine } from '../../src/exports/llamafactory-rules.ts';
import { renderShareGpt } from '../../src/exports/sharegpt.ts';
import { checkShareGptLine } from '../../src/exports/sharegpt-rules.ts';
import { contextSample, parallelSample, SYSTEM, TOOLS } from './samples.ts';

test('openai target: string arguments, no reasoning, tool messages without name or is_error, weights', () => {
  const counts = {};
  const line = renderOpenAi(parallelSample(), openAiOptions('openai'), counts)!;
  assert.deepEqual(line.tools, [TOOLS.Read, TOOLS.Grep]);
  assert.deepEqual(line.messages.map((m) => m.role), ['system', 'user', 'assistant', 'tool', 'tool', 'assistant']);
  const a = line.messages[2] as Record<string, unknown>;
  assert.deepEqual(a, {
    role: 'assistant', content: 'Looking in two places.', weight: 1,
    tool_calls: [
      { id: 'toolu_1', type: 'function', function: { name: 'Read', arguments: '{"file_path":"src/config.ts"}' } },
      { id: 'toolu_2', type: 'function', function: { name: 'Grep', arguments: '{"pattern":"stride"}' } },
    ],
  });
  assert.deepEqual(line.messages[3], { role: 'tool', tool_call_id: 'toolu_1', content: 'File does not exist.' });
  assert.equal(JSON.stringify(line).includes('Check config'), false, 'reasoning dropped for OpenAI');
  assert.deepEqual(counts, { reasoning_dropped: 2 });
  assert.deepEqual(checkOpenAiLine(line, { target: 'openai', arguments: 'string' }), []);
});

test('trl target: object arguments, reasoning_content, tool messages named', () => {
  const line = renderOpenAi(parallelSample(), openAiOptions('trl'))!;
  const a = line.messages[2] as Record<string, unknown>;
  assert.equal(a.reasoning_content, 'Check config and grep for stride.');
  assert.deepEqual((a.tool_calls as { function: unknown }[])[1].function, { name: 'Grep', arguments: { pattern: 'stride' } });
  assert.deepEqual(line.messages[4], { role: 'tool', tool_call_id: 'toolu_2', name: 'Grep', content: 'src/chunk.ts:12: stride = 8' });
  assert.deepEqual(checkOpenAiLine(line, { target: 'trl', arguments: 'object' }), []);
  const inContent = renderOpenAi(parallelSample(), openAiOptions('trl', { reasoning: 'content' }))!;
  assert.equal((inContent.messages[5] as { content: string }).content, '<think>\nFound it.\n</think>\n\nThe stride is set in src/chunk.ts line 12 (8).');
});

test('a context step has weight 0; the last message keeps its unanswered call', () => {
  for (const target of ['openai', 'trl'] as const) {
    const line = renderOpenAi(contextSample(), openAiOptions(target))!;
    const assistants = line.messages.filter((m) => m.role === 'assistant') as { weight: number; tool_calls?: unknown[] }[];
    assert.deepEqual(assistants.map((m) => m.weight), [0, 1]);
    assert.equal(line.messages.at(-1)!.role, 'assistant');
    assert.equal(assistants[1].tool_calls!.length, 1);
    assert.deepEqual(checkOpenAiLine(line, { target, arguments: target === 'trl' ? 'object' : 'string' }), []);
  }
  // Only context left: nothing to train on, the sample is not expressible.
  const s = contextSample();
  s.messages = s.messages.slice(0, 4);
  const counts: Record<string, number> = {};
  assert.equal(renderOpenAi(s, openAiOptions('openai'), counts), null);
  assert.equal(counts.skipped_no_trained_assistant, 1);
});

test('llamafactory: function_call with a thought, parallel calls as a list, results joined in one observation', () => {
  const counts: Record<string, number> = {};
  const line = renderLlamaFactory(parallelSample(), undefined, counts)!;
  assert.equal(line.system, SYSTEM);
  assert.deepEqual(JSON.parse(line.tools), [TOOLS.Read, TOOLS.Grep]);
  assert.deepEqual(line.conversations.map((m) => m.from), ['human', 'function_call', 'observation', 'gpt']);
  assert.equal(line.conversations[1].value,
    '<think>\nCheck config and grep for stride.\n\nLooking in two places.\n</think>\n\n'
    + '[{"name":"Read","arguments":{"file_path":"src/config.ts"}},{"name":"Grep","arguments":{"pattern":"stride"}}]');
  assert.equal(line.conversations[2].value, `File does not exist.${OBSERVATION_JOIN}src/chunk.ts:12: stride = 8`);
  assert.equal(line.conversations[3].value, '<think>\nFound it.\n</think>\n\nThe stride is set in src/chunk.ts line 12 (8).');
  assert.equal(counts.call_text_in_thought, 1);
  assert.deepEqual(checkLlamaFactoryLine(line), []);
  const dropped = renderLlamaFactory(parallelSample(), { reasoning: 'drop', callText: 'drop' })!;
  assert.equal(dropped.conversations[1].value, '[{"name":"Read","arguments":{"file_path":"src/config.ts"}},{"name":"Grep","arguments":{"pattern":"stride"}}]');
  assert.deepEqual(checkLlamaFactoryLine(dropped), []);
});

test('llamafactory: one call is an object; the sample ends on the function_call whose result is in the next sample', () => {
  const counts: Record<string, number> = {};
  const line = renderLlamaFactory(contextSample(), undefined, counts)!;
  assert.deepEqual(line.conversations.map((m) => m.from), ['human', 'function_call', 'observation', 'function_call']);
  assert.deepEqual(JSON.parse(line.conversations[1].value), { name: 'Bash', arguments: { command: 'grep -n stride src/chunk.ts' } });
  assert.equal(counts.context_steps_trained, 1, 'ShareGPT has no per-message weight: counted');
  assert.deepEqual(checkLlamaFactoryLine(line), []);
});

test('llamafactory: a thinking-only step with thinking dropped leaves its neighbours joined, still aligned', () => {
  const s = parallelSample();
  s.messages.splice(5, 0, { role: 'assistant', content: '', reasoning_content: 'hmm' }, { role: 'user', content: 'go on' });
  const counts: Record<string, number> = {};
  const line = renderLlamaFactory(s, { reasoning: 'drop', callText: 'think' }, counts)!;
  assert.deepEqual(line.conversations.map((m) => m.from), ['human', 'function_call', 'human', 'gpt']);
  assert.match(line.conversations[2].value, /^<tool_response>\nFile does not exist.\n<\/tool_response>\n<tool_response>\nsrc\/chunk.ts:12: stride = 8\n<\/tool_response>\ngo on$/);
  assert.equal(counts.assistant_messages_empty_dropped, 1);
  assert.deepEqual(checkLlamaFactoryLine(line), []);
});

test('sharegpt: lora-forge layout, inline tags, is_error kept, think block, train: false on a context-only gpt turn', () => {
  const line = renderShareGpt(parallelSample())!;
  assert.deepEqual(line.conversations, [
    { from: 'system', value: SYSTEM },
    { from: 'human', value: 'Find where the stride is set and tell me.' },
    { from: 'gpt', value: '<think>\nCheck config and grep for stride.\n</think>\n\nLooking in two places.\n<tool_call name="Read">{"file_path":"src/config.ts"}</tool_call>\n<tool_call name="Grep">{"pattern":"stride"}</tool_call>' },
    { from: 'human', value: '<tool_result tool_use_id="toolu_1" is_error="true">File does not exist.</tool_result>\n<tool_result tool_use_id="toolu_2">src/chunk.ts:12: stride = 8</tool_result>' },
    { from: 'gpt', value: '<think>\nFound it.\n</think>\n\nThe stride is set in src/chunk.ts line 12 (8).' },
  ]);
  assert.deepEqual(checkShareGptLine(line), []);
  const ctx = renderShareGpt(contextSample())!;
  assert.equal(ctx.conversations[2].train, false);
  assert.equal(ctx.conversations[4].train, undefined);
  assert.deepEqual(checkShareGptLine(ctx), []);
  const noThink = renderShareGpt(parallelSample(), { thinking: 'drop' })!;
  assert.ok(!JSON.stringify(noThink).includes('<think>'));
});
