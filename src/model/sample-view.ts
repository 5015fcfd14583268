// A shard line read for people and for statistics, whichever shape it has: the ShareGPT
// `{conversations, metadata}` of schema 1 (tool calls, results and thinking as tags in the text)
// or the OpenAI-style `{messages, tools, metadata}` of schema 2. Readers of a dataset (the report,
// eval scenarios) look at this view, so they read both the old datasets and the new.

export interface ViewToolCall {
  name: string;
  /** The arguments as JSON text. */
  arguments: string;
}

export interface ViewMessage {
  role: 'system' | 'user' | 'assistant' | 'tool';
  content: string;
  reasoning?: string;
  toolCalls: ViewToolCall[];
  /** A tool message: the name of the tool that answered. */
  name?: string;
  isError?: boolean;
}

const TOOL_CALL = /<tool_call name="([^"]*)">([\s\S]*?)<\/tool_call>/g;
const TOOL_RESULT = /<tool_result tool_use_id="[^"]*"( is_error="true")?>([\s\S]*?)<\/tool_result>/g;
const THINK = /^<think>\n?([\s\S]*?)\n?<\/think>\n*/;

const unquote = (s: string): string => s.replace(/&quot;/g, '"');

function fromShareGpt(conv: { from?: unknown; value?: unknown }[]): ViewMessage[] {
  const out: ViewMessage[] = [];
  for (const c of conv) {
    const text = typeof c.value === 'string' ? c.value : '';
    if (c.from === 'system') out.push({ role: 'system', content: text, toolCalls: [] });
    else if (c.from === 'gpt') {
      const think = THINK.exec(text);
      const body = think ? text.slice(think[0].length) : text;
      const toolCalls = [...body.matchAll(TOOL_CALL)].map((m) => ({ name: unquote(m[1]), arguments: m[2] }));
      out.push({ role: 'assistant', content: body.replace(TOOL_CALL, '').trim(), ...(think ? { reasoning: think[1] } : {}), toolCalls });
    } else {
      // A human message carries the results of the previous calls first, then the person's words.
      for (const m of text.matchAll(TOOL_RESULT)) out.push({ role: 'tool', content: m[2], toolCalls: [], ...(m[1] ? { isError: true } : {}) });
      const words = text.replace(TOOL_RESULT, '').trim();
      if (words) out.push({ role: 'user', content: words, toolCalls: [] });
    }
  }
  return out;
}

const str = (v: unknown): string => (typeof v === 'string' ? v : v == null ? '' : JSON.stringify(v));

function fromMessages(messages: Record<string, unknown>[]): ViewMessage[] {
  return messages.map((m) => {
    const role = (['system', 'user', 'assistant', 'tool'].includes(String(m.role)) ? m.role : 'user') as ViewMessage['role'];
    const calls = Array.isArray(m.tool_calls) ? (m.tool_calls as { function?: { name?: unknown; arguments?: unknown } }[]) : [];
    return {
      role,
      content: str(m.content),
      ...(typeof m.reasoning_content === 'string' && m.reasoning_content ? { reasoning: m.reasoning_content } : {}),
      toolCalls: calls.map((c) => ({ name: str(c.function?.name), arguments: str(c.function?.arguments) })),
      ...(typeof m.name === 'string' ? { name: m.name } : {}),
      ...(m.is_error === true ? { isError: true } : {}),
    };
  });
}

/** The messages of a shard line, or [] for a line of neither shape. */
export function viewMessages(line: unknown): ViewMessage[] {
  const v = (line ?? {}) as { conversations?: unknown; messages?: unknown };
  if (Array.isArray(v.messages)) return fromMessages(v.messages as Record<string, unknown>[]);
  if (Array.isArray(v.conversations)) return fromShareGpt(v.conversations as { from?: unknown; value?: unknown }[]);
  return [];
}

/** Characters of text a sample carries (content, reasoning, call arguments). */
export function viewChars(messages: ViewMessage[]): number {
  let n = 0;
  for (const m of messages) {
    n += m.content.length + (m.reasoning?.length ?? 0);
    for (const c of m.toolCalls) n += c.name.length + c.arguments.length;
  }
  return n;
}
