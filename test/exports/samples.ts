// Hand-made canonical samples (schema 2) for the export tests: parallel calls with a tool error and
// reasoning; a context step (weight 0) before the trained step, whose last call is answered in the
// next sample; and preference pairs.
import type { PreferencePair, Sample, SampleMessage, SampleMetadata } from '../../src/model/sample.ts';
import type { ToolSpec } from '../../src/model/tool-spec.ts';

const spec = (name: string, props: Record<string, { type: string }>, required: string[]): ToolSpec => ({
  type: 'function',
  function: { name, description: `The ${name} tool.`, parameters: { type: 'object', properties: props, required } },
});

export const TOOLS: Record<string, ToolSpec> = {
  Read: spec('Read', { file_path: { type: 'string' }, limit: { type: 'integer' } }, ['file_path']),
  Grep: spec('Grep', { pattern: { type: 'string' }, path: { type: 'string' } }, ['pattern']),
  Bash: spec('Bash', { command: { type: 'string' } }, ['command']),
  Edit: spec('Edit', { file_path: { type: 'string' }, old_string: { type: 'string' }, new_string: { type: 'string' } }, ['file_path', 'old_string', 'new_string']),
};

export function meta(over: Partial<SampleMetadata> = {}): SampleMetadata {
  return {
    schema_version: 2, record_id: 'rec-1', version: 1, source: 'claude-code', runtime: 'claude-code',
    session_id: 's-1', parent_session_id: null, role: 'polecat', split: 'train', branch: 'active',
    episode_index: 0, step_start: 0, step_end: 2, episode_steps: 2, context_steps: 0,
    quality_score: 0.8, quality_components: { completion: 1 }, model: 'claude-x', models: ['claude-x'],
    tokens: { input: 10, output: 20, cache_read: 0, cache_write: 0 }, token_count: 300, tokenizer: 'qwen3', token_budget: 4096,
    gpt_hash: 'h1', ...over,
  };
}

export const SYSTEM = '[GAS TOWN ROLE: polecat]\nYou are a polecat.';

const call = (id: string, name: string, args: Record<string, unknown>) => ({ id, type: 'function' as const, function: { name, arguments: JSON.stringify(args) } });

/** Reasoning, text, two parallel calls (one result an error), then the final answer. */
export function parallelSample(over: Partial<SampleMetadata> = {}): Sample {
  const messages: SampleMessage[] = [
    { role: 'system', content: SYSTEM },
    { role: 'user', content: 'Find where the stride is set and tell me.' },
    {
      role: 'assistant', content: 'Looking in two places.', reasoning_content: 'Check config and grep for stride.',
      tool_calls: [call('toolu_1', 'Read', { file_path: 'src/config.ts' }), call('toolu_2', 'Grep', { pattern: 'stride' })],
    },
    { role: 'tool', tool_call_id: 'toolu_1', name: 'Read', content: 'File does not exist.', is_error: true },
    { role: 'tool', tool_call_id: 'toolu_2', name: 'Grep', content: 'src/chunk.ts:12: stride = 8' },
    { role: 'assistant', content: 'The stride is set in src/chunk.ts line 12 (8).', reasoning_content: 'Found it.' },
  ];
  return { messages, tools: structuredClone([TOOLS.Read, TOOLS.Grep]), metadata: meta(over) };
}

/** A context step (weight 0) then the trained step, which calls Edit and ends the sample. */
export function contextSample(over: Partial<SampleMetadata> = {}): Sample {
  const messages: SampleMessage[] = [
    { role: 'system', content: SYSTEM },
    { role: 'user', content: 'Set the stride to 4.\n\n[so far: 1 step; Bash x1]' },
    { role: 'assistant', content: '', tool_calls: [call('toolu_3', 'Bash', { command: 'grep -n stride src/chunk.ts' })], weight: 0 },
    { role: 'tool', tool_call_id: 'toolu_3', name: 'Bash', content: '12: stride = 8' },
    {
      role: 'assistant', content: 'Changing it now.', reasoning_content: 'One edit.',
      tool_calls: [call('toolu_4', 'Edit', { file_path: 'src/chunk.ts', old_string: 'stride = 8', new_string: 'stride = 4' })],
    },
  ];
  return { messages, tools: structuredClone([TOOLS.Bash, TOOLS.Edit]), metadata: meta({ record_id: 'rec-2', context_steps: 1, step_start: 1, ...over }) };
}

/** A text-only pair (pi branch style). */
export function textPair(): PreferencePair {
  return {
    prompt: [{ role: 'system', content: SYSTEM }, { role: 'user', content: 'What stride should chunks use?' }],
    chosen: [{ role: 'assistant', content: 'Use 8 of 16: half the window overlaps.', reasoning_content: 'Half overlap.' }],
    rejected: [{ role: 'assistant', content: 'Any stride works.' }],
    tools: [],
    metadata: { source: 'pi_branch', role: 'crew', why: 'the user kept the other reply', scores: { chosen: 0.8, rejected: 0.3 }, pair_id: 'pair-text' },
  };
}

/** A trajectory pair whose sides call tools after a prompt that ends on a tool result. */
export function toolPair(): PreferencePair {
  return {
    prompt: [
      { role: 'system', content: SYSTEM },
      { role: 'user', content: 'Fix the failing test.' },
      { role: 'assistant', content: '', tool_calls: [call('toolu_5', 'Bash', { command: 'npm test' })] },
      { role: 'tool', tool_call_id: 'toolu_5', name: 'Bash', content: '1 failing: stride' },
    ],
    chosen: [
      { role: 'assistant', content: 'Reading the test.', tool_calls: [call('toolu_6', 'Read', { file_path: 'test/chunk.test.ts' })] },
      { role: 'tool', tool_call_id: 'toolu_6', name: 'Read', content: 'assert.equal(stride, 4)' },
      { role: 'assistant', content: 'The test expects 4.' },
    ],
    rejected: [{ role: 'assistant', content: 'Deleting the test.', tool_calls: [call('toolu_7', 'Bash', { command: 'rm test/chunk.test.ts' })] }],
    tools: structuredClone([TOOLS.Bash, TOOLS.Read]),
    metadata: { source: 'bead', role: 'polecat', why: 'same bead, closed vs reopened', scores: { chosen: 0.9, rejected: 0.1 }, pair_id: 'pair-tool' },
  };
}
