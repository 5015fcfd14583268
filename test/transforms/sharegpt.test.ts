import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SampleMessage } from '../../src/model/sample.ts';
import { toShareGpt } from '../../src/transforms/sharegpt.ts';

const system = '[GAS TOWN ROLE: crew]\nYou are a Crew member.';
const call = (id: string, name: string, args: unknown) => ({ id, type: 'function' as const, function: { name, arguments: JSON.stringify(args) } });

test("lora-forge's layout: system, human task, gpt with think block and inline tool calls, results in human", () => {
  const messages: SampleMessage[] = [
    { role: 'system', content: system },
    { role: 'user', content: 'list the files' },
    { role: 'assistant', content: 'Listing.', reasoning_content: 'Use ls.', tool_calls: [call('toolu_1', 'bash', { command: 'ls -la', cwd: 'é/x' })] },
    { role: 'tool', content: 'a.txt\nb.txt', tool_call_id: 'toolu_1', name: 'bash' },
    { role: 'assistant', content: 'There are two files: a.txt and b.txt.' },
  ];
  assert.deepEqual(toShareGpt(messages), [
    { from: 'system', value: system },
    { from: 'human', value: 'list the files' },
    { from: 'gpt', value: '<think>\nUse ls.\n</think>\n\nListing.\n<tool_call name="bash">{"command":"ls -la","cwd":"é/x"}</tool_call>' },
    { from: 'human', value: '<tool_result tool_use_id="toolu_1">a.txt\nb.txt</tool_result>' },
    { from: 'gpt', value: 'There are two files: a.txt and b.txt.' },
  ]);
  assert.ok(!JSON.stringify(toShareGpt(messages, { thinking: 'drop' })).includes('Use ls.'));
});

test('parallel results join one human message; errors are marked; code is not escaped', () => {
  const code = 'if (a < b && c > d) { return "<div>"; }';
  const messages: SampleMessage[] = [
    { role: 'system', content: system },
    { role: 'user', content: code },
    { role: 'assistant', content: '', tool_calls: [call('t1', 'bash', { command: 'make' }), call('t2', 'read', { path: 'Makefile' })] },
    { role: 'tool', content: 'make: not found', tool_call_id: 't1', name: 'bash', is_error: true },
    { role: 'tool', content: 'all:', tool_call_id: 't2', name: 'read' },
    { role: 'assistant', content: code },
  ];
  const out = toShareGpt(messages);
  assert.deepEqual(out.map((m) => m.from), ['system', 'human', 'gpt', 'human', 'gpt']);
  assert.equal(out[3].value, '<tool_result tool_use_id="t1" is_error="true">make: not found</tool_result>\n<tool_result tool_use_id="t2">all:</tool_result>');
  assert.equal(out[1].value, code);
  assert.equal(out[4].value, code);
});
