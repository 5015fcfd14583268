// DPO renderers from hand-made PreferencePairs, each line checked by its target's rules; and every
// preference rule failing on a line made to break it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderDpo, renderDpoLlamaFactory, renderDpoOpenAi, renderDpoTrl } from '../../src/exports/dpo.ts';
import { checkDpoLine, DPO_RULES } from '../../src/exports/dpo-rules.ts';
import { SYSTEM, textPair, toolPair } from './samples.ts';
import { ruleCases, type Line, type RuleCase } from './rule-cases.ts';


test('trl: explicit prompt, structured tool calls on both sides, tools and metadata kept', () => {
  const line = renderDpoTrl(toolPair())! as Line;
  assert.equal(line.prompt.length, 4);
  assert.deepEqual(line.chosen[0].tool_calls[0].function, { name: 'Read', arguments: { file_path: 'test/chunk.test.ts' } });
  assert.deepEqual(line.chosen.map((m: Line) => m.role), ['assistant', 'tool', 'assistant']);
  assert.equal(line.chosen[0].weight, undefined, 'preference sides carry no weights');
  assert.equal(line.metadata.pair_id, 'pair-tool');
  assert.equal(line.tools.length, 2);
  assert.deepEqual(checkDpoLine(line, 'trl'), []);
  const text = renderDpoTrl(textPair())! as Line;
  assert.equal(text.chosen[0].reasoning_content, 'Half overlap.');
  assert.equal(text.tools, undefined);
  assert.deepEqual(checkDpoLine(text, 'trl'), []);
});

test('llamafactory: ranking form, one message a side (a trajectory side keeps its first), system and tools columns', () => {
  const counts: Record<string, number> = {};
  const line = renderDpoLlamaFactory(toolPair(), undefined, counts)! as Line;
  assert.equal(line.system, SYSTEM);
  assert.deepEqual(line.conversations.map((m: Line) => m.from), ['human', 'function_call', 'observation']);
  assert.equal(line.chosen.from, 'function_call');
  assert.match(line.chosen.value, /^<think>\nReading the test.\n<\/think>\n\n\{"name":"Read"/);
  assert.equal(line.rejected.from, 'function_call');
  assert.equal(counts.dpo_sides_cut_to_first_message, 1);
  assert.equal(line.metadata, undefined);
  assert.deepEqual(checkDpoLine(line, 'llamafactory'), []);
  const text = renderDpoLlamaFactory(textPair())! as Line;
  assert.deepEqual(text.conversations, [{ from: 'human', value: 'What stride should chunks use?' }]);
  assert.equal(text.chosen.value, '<think>\nHalf overlap.\n</think>\n\nUse 8 of 16: half the window overlaps.');
  assert.deepEqual(checkDpoLine(text, 'llamafactory'), []);
  // A prompt that ends on an assistant message is no ranking prompt.
  const p = textPair();
  p.prompt.push({ role: 'assistant', content: 'Let me think.' });
  assert.equal(renderDpoLlamaFactory(p, undefined, counts), null);
  assert.equal(counts.dpo_llamafactory_prompt_not_aligned, 1);
});

test('openai: input / preferred_output / non_preferred_output; a side that calls tools is not expressible', () => {
  const line = renderDpoOpenAi(textPair())! as Line;
  assert.deepEqual(line, {
    input: { messages: [{ role: 'system', content: SYSTEM }, { role: 'user', content: 'What stride should chunks use?' }] },
    preferred_output: [{ role: 'assistant', content: 'Use 8 of 16: half the window overlaps.' }],
    non_preferred_output: [{ role: 'assistant', content: 'Any stride works.' }],
  });
  assert.deepEqual(checkDpoLine(line, 'openai'), []);
  const counts: Record<string, number> = {};
  assert.equal(renderDpoOpenAi(toolPair(), counts), null);
  assert.equal(counts.dpo_openai_side_not_text, 1);
});

test('a pair whose prompt ends on an assistant message, or whose sides are the same, is counted and left out', () => {
  const counts: Record<string, number> = {};
  const p = textPair();
  p.prompt.push({ role: 'assistant', content: 'Let me think.' });
  for (const f of ['trl', 'llamafactory', 'openai'] as const) assert.equal(renderDpo(p, f, counts), null);
  const same = textPair();
  same.rejected = same.chosen;
  assert.equal(renderDpo(same, 'trl', counts), null);
  // The same first message on both sides: the one-message targets cannot tell them apart.
  const cut = toolPair();
  cut.rejected = [cut.chosen[0]];
  assert.equal(renderDpo(cut, 'llamafactory', counts), null);
  assert.deepEqual(counts, { dpo_prompt_not_ending_on_input: 3, dpo_sides_identical: 1, dpo_sides_cut_to_first_message: 1, dpo_llamafactory_prompt_not_aligned: 1 });
});

const trlCases: RuleCase[] = [
  ['pair-shape', (l) => { l.extra = 1; }],
  ['pair-shape', (l) => { l.chosen = l.rejected; }],
  ['pair-shape', (l) => { l.chosen = [{ role: 'tool', tool_call_id: 'x', name: 'Read', content: '' }]; }],
  ['pair-shape', (l) => { l.prompt = []; }],
  ['prompt-ends-on-input', (l) => { l.prompt.push({ role: 'assistant', content: 'hm' }); }],
  ['tool-answers-call', (l) => { l.chosen[1].tool_call_id = 'zzz'; }],
  ['arguments', (l) => { l.chosen[0].tool_calls[0].function.arguments = '{}'; }],
  ['call-declared', (l) => { l.tools = l.tools.slice(0, 1); }],
];
const openaiCases: RuleCase[] = [
  ['pair-shape', (l) => { l.input = l.input.messages; }],
  ['pair-shape', (l) => { l.input.metadata = {}; }],
  ['pair-shape', (l) => { l.chosen = l.preferred_output; }],
  ['output-one-text-message', (l) => { l.preferred_output.push({ role: 'assistant', content: 'more' }); }],
  ['output-one-text-message', (l) => { l.preferred_output[0].tool_calls = []; }],
  ['output-one-text-message', (l) => { l.non_preferred_output = l.preferred_output; }],
  ['prompt-ends-on-input', (l) => { l.input.messages.push({ role: 'assistant', content: 'hm' }); }],
  ['role', (l) => { l.input.messages[1].role = 'human'; }],
  ['tools-shape', (l) => { l.input.tools = []; }],
];

ruleCases('trl preference', () => renderDpoTrl(toolPair())!, (l) => checkDpoLine(l, 'trl'), trlCases);
ruleCases('openai preference', () => renderDpoOpenAi(textPair())!, (l) => checkDpoLine(l, 'openai'), openaiCases);

test('every preference rule of its own has a failing case', () => {
  for (const r of DPO_RULES.trl) if (['pair-shape', 'prompt-ends-on-input'].includes(r.id)) assert.ok(trlCases.some(([id]) => id === r.id));
  for (const r of DPO_RULES.openai) if (['pair-shape', 'output-one-text-message', 'prompt-ends-on-input'].includes(r.id)) assert.ok(openaiCases.some(([id]) => id === r.id));
});
