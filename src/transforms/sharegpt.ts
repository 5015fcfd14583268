// A canonical sample in lora-forge's ShareGPT layout (`harvest export sharegpt`): system / human /
// gpt strictly alternating; tool calls and results inline as `<tool_call name="..">{json}</tool_call>`
// and `<tool_result tool_use_id=".." [is_error="true"]>..</tool_result>` tags, thinking as a leading
// `<think>` block of the gpt message. Kept so existing lora-forge configs read harvest's output.
import type { SampleMessage, ShareGptMessage } from '../model/sample.ts';

// Attribute values are ids and tool names: only a quote could break the tag.
const attr = (value: string): string => value.replace(/"/g, '&quot;');

function gptValue(m: Extract<SampleMessage, { role: 'assistant' }>, keepThinking: boolean): string {
  const parts: string[] = [];
  if (m.content.trim() !== '') parts.push(m.content);
  for (const c of m.tool_calls ?? []) parts.push(`<tool_call name="${attr(c.function.name)}">${c.function.arguments}</tool_call>`);
  const body = parts.join('\n');
  const think = keepThinking ? (m.reasoning_content ?? '').trim() : '';
  if (think === '') return body;
  return body === '' ? `<think>\n${think}\n</think>` : `<think>\n${think}\n</think>\n\n${body}`;
}

/** The ShareGPT conversation of a sample (tool results join the human message that follows them). */
export function toShareGpt(messages: readonly SampleMessage[], opts: { thinking?: 'keep' | 'drop' } = {}): ShareGptMessage[] {
  const keep = (opts.thinking ?? 'keep') === 'keep';
  const out: ShareGptMessage[] = [];
  const push = (from: ShareGptMessage['from'], value: string) => {
    const last = out.at(-1);
    if (last && last.from === from && from !== 'system') last.value = `${last.value}\n${value}`;
    else out.push({ from, value });
  };
  for (const m of messages) {
    if (m.role === 'system') push('system', m.content);
    else if (m.role === 'user') push('human', m.content);
    else if (m.role === 'tool') {
      const err = m.is_error ? ' is_error="true"' : '';
      push('human', `<tool_result tool_use_id="${attr(m.tool_call_id)}"${err}>${m.content}</tool_result>`);
    } else push('gpt', gptValue(m, keep));
  }
  return out;
}
