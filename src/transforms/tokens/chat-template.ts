// How a tokenizer's chat template renders a sample, message by message, so that its tokens can be
// counted once per message. Qwen3's template is reproduced exactly (test/transforms/tokens.test.ts
// renders the real Jinja template from the tokenizer's own config and compares); the others follow
// their families' documented layouts and are counted as approximations of the trainer's overhead.
//
// Tool-call arguments are rendered as objects through `tojson` (TRL's form), which is never shorter
// than the compact JSON string OpenAI's form inserts: a sample that fits one way fits both.
import type { AssistantMessage, SampleMessage } from '../../model/sample.ts';
import type { ToolSpec } from '../../model/tool-spec.ts';
import { pythonJson } from './python-json.ts';

/** Where a message sits, as far as a template's rendering of it depends on that. */
export interface MessagePlace {
  first: boolean;
  last: boolean;
  /** The previous / next message is a tool message (tool results share one wrapper). */
  prevTool: boolean;
  nextTool: boolean;
  /** After the last real user query (Qwen3 keeps reasoning only there). */
  afterLastQuery: boolean;
}

export interface ChatTemplate {
  readonly name: string;
  /** The opening block: system prompt and tool specs. */
  system(content: string, tools: readonly ToolSpec[]): string;
  /** One message (not the system message) in its place. */
  message(m: SampleMessage, place: MessagePlace): string;
}

/** Bits of a place that change a message's rendering: a cache key. */
export function placeKey(p: MessagePlace): number {
  return (p.first ? 1 : 0) | (p.last ? 2 : 0) | (p.prevTool ? 4 : 0) | (p.nextTool ? 8 : 0) | (p.afterLastQuery ? 16 : 0);
}

function argumentsObject(args: string): unknown {
  try {
    return JSON.parse(args);
  } catch {
    return args;
  }
}

const stripNewlines = (s: string): string => s.replace(/^\n+|\n+$/g, '');
const lstripNewlines = (s: string): string => s.replace(/^\n+/, '');

/** Qwen3 (Qwen/Qwen3-*): ChatML with Hermes-style `<tool_call>` blocks and `<think>` reasoning. */
export const qwen3Template: ChatTemplate = {
  name: 'qwen3',
  system(content, tools) {
    if (tools.length === 0) return `<|im_start|>system\n${content}<|im_end|>\n`;
    let s = `<|im_start|>system\n${content}\n\n`;
    s += '# Tools\n\nYou may call one or more functions to assist with the user query.\n\nYou are provided with function signatures within <tools></tools> XML tags:\n<tools>';
    for (const t of tools) s += `\n${pythonJson(t)}`;
    s += '\n</tools>\n\nFor each function call, return a json object with function name and arguments within <tool_call></tool_call> XML tags:\n<tool_call>\n{"name": <function-name>, "arguments": <args-json-object>}\n</tool_call><|im_end|>\n';
    return s;
  },
  message(m, place) {
    if (m.role === 'user' || m.role === 'system') return `<|im_start|>${m.role}\n${m.content}<|im_end|>\n`;
    if (m.role === 'tool') {
      const open = place.first || !place.prevTool ? '<|im_start|>user' : '';
      const close = place.last || !place.nextTool ? '<|im_end|>\n' : '';
      return `${open}\n<tool_response>\n${m.content}\n</tool_response>${close}`;
    }
    return qwen3Assistant(m, place);
  },
};

function qwen3Assistant(m: AssistantMessage, place: MessagePlace): string {
  let content = m.content;
  let reasoning = '';
  if (m.reasoning_content !== undefined && m.reasoning_content !== null) reasoning = m.reasoning_content;
  else if (content.includes('</think>')) {
    const parts = content.split('</think>');
    reasoning = lstripNewlines(parts[0].replace(/\n+$/, '').split('<think>').at(-1)!);
    content = lstripNewlines(parts.at(-1)!);
  }
  let s: string;
  if (place.afterLastQuery && (place.last || reasoning)) {
    s = `<|im_start|>assistant\n<think>\n${stripNewlines(reasoning)}\n</think>\n\n${lstripNewlines(content)}`;
  } else {
    s = `<|im_start|>assistant\n${content}`;
  }
  (m.tool_calls ?? []).forEach((call, i) => {
    if ((i === 0 && content) || i > 0) s += '\n';
    s += `<tool_call>\n{"name": "${call.function.name}", "arguments": ${pythonJson(argumentsObject(call.function.arguments))}}\n</tool_call>`;
  });
  return s + '<|im_end|>\n';
}

/** Llama 3.1-style headers; tool calls as `{"name", "parameters"}` JSON, results as `ipython`. */
export const llama3Template: ChatTemplate = {
  name: 'llama3',
  system(content, tools) {
    let body = content;
    if (tools.length) body += `\n\nYou have access to the following functions:\n\n${tools.map((t) => pythonJson(t)).join('\n\n')}`;
    return `<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\n${body.trim()}<|eot_id|>`;
  },
  message(m) {
    if (m.role === 'tool') return `<|start_header_id|>ipython<|end_header_id|>\n\n${m.content.trim()}<|eot_id|>`;
    if (m.role !== 'assistant') return `<|start_header_id|>${m.role}<|end_header_id|>\n\n${m.content.trim()}<|eot_id|>`;
    let body = m.reasoning_content ? `<think>\n${m.reasoning_content}\n</think>\n\n${m.content}` : m.content;
    for (const call of m.tool_calls ?? []) {
      body += `\n${pythonJson({ name: call.function.name, parameters: argumentsObject(call.function.arguments) })}`;
    }
    return `<|start_header_id|>assistant<|end_header_id|>\n\n${body.trim()}<|eot_id|>`;
  },
};

/** OpenAI-style ChatML with `<|im_sep|>`, used with the o200k / cl100k encodings. */
export const chatmlTemplate: ChatTemplate = {
  name: 'chatml',
  system(content, tools) {
    const body = tools.length ? `${content}\n\n# Tools\n${tools.map((t) => pythonJson(t)).join('\n')}` : content;
    return `<|im_start|>system<|im_sep|>${body}<|im_end|>`;
  },
  message(m) {
    if (m.role !== 'assistant') return `<|im_start|>${m.role}<|im_sep|>${m.content}<|im_end|>`;
    let body = m.reasoning_content ? `${m.reasoning_content}\n\n${m.content}` : m.content;
    for (const call of m.tool_calls ?? []) body += `\n${pythonJson({ name: call.function.name, arguments: argumentsObject(call.function.arguments) })}`;
    return `<|im_start|>assistant<|im_sep|>${body}<|im_end|>`;
  },
};

/** Places of each message after the system message (index 0), as the templates see them. */
export function placesOf(messages: readonly SampleMessage[]): MessagePlace[] {
  // Qwen3: the last user message that is not a wrapped tool response is the last query.
  let lastQuery = messages.length - 1;
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i];
    if (m.role === 'user' && !(m.content.startsWith('<tool_response>') && m.content.endsWith('</tool_response>'))) {
      lastQuery = i;
      break;
    }
  }
  return messages.map((m, i) => ({
    first: i === 0,
    last: i === messages.length - 1,
    prevTool: i > 0 && messages[i - 1].role === 'tool',
    nextTool: i < messages.length - 1 && messages[i + 1].role === 'tool',
    afterLastQuery: i > lastQuery,
  }));
}

/** The whole rendered text of a sample (for checks and for tests; counting goes per message). */
export function renderSample(template: ChatTemplate, messages: readonly SampleMessage[], tools: readonly ToolSpec[]): string {
  const places = placesOf(messages);
  let out = '';
  messages.forEach((m, i) => {
    if (i === 0 && m.role === 'system') out += template.system(m.content, tools);
    else out += template.message(m, places[i]);
  });
  return out;
}
