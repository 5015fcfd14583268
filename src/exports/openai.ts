// `harvest export openai`: `{"messages", "tools"}` lines, the chat format of OpenAI fine-tuning and
// the conversational-with-tools format that TRL's SFTTrainer, axolotl's `chat_template` type and
// Unsloth read. Two targets share the shape and differ in three places:
//
//              arguments      reasoning                           tool message keys
//   openai     JSON string    dropped (the format has no field)   role, tool_call_id, content
//   trl        object         `reasoning_content` (Qwen3 reads it) role, tool_call_id, name, content
//
// Every assistant message carries `weight`: 0 for a context step repeated from an earlier sample,
// 1 for a training target (OpenAI reads it; axolotl with `message_field_training: weight`).
// `is_error` of a tool result has no place in either and is left out (the result text says it).
import type { AssistantMessage, Sample, SampleMessage, SampleToolCall } from '../model/sample.ts';
import { addCount, type Counts } from '../model/session.ts';
import type { ToolSpec } from '../model/tool-spec.ts';
import type { ExtraFile, SftFormat } from './export-run.ts';
import { checkOpenAiLine, OPENAI_RULES, TRL_RULES } from './openai-rules.ts';
import type { TrainingFileInfo } from '../sinks/training-files.ts';

export type OpenAiTarget = 'openai' | 'trl';
export type ArgumentsMode = 'string' | 'object';
/** drop: leave thinking out; content: a `<think>` block opening the content; field: `reasoning_content`. */
export type ReasoningMode = 'drop' | 'content' | 'field';

export interface OpenAiOptions {
  target: OpenAiTarget;
  arguments: ArgumentsMode;
  reasoning: ReasoningMode;
}

export function openAiOptions(target: OpenAiTarget, over: Partial<Omit<OpenAiOptions, 'target'>> = {}): OpenAiOptions {
  const base: OpenAiOptions = target === 'trl'
    ? { target, arguments: 'object', reasoning: 'field' }
    : { target, arguments: 'string', reasoning: 'drop' };
  return { ...base, ...Object.fromEntries(Object.entries(over).filter(([, v]) => v !== undefined)) };
}

export interface OpenAiToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string | Record<string, unknown> };
}

export type OpenAiMessage =
  | { role: 'system' | 'user'; content: string }
  | { role: 'assistant'; content: string; reasoning_content?: string; tool_calls?: OpenAiToolCall[]; weight?: 0 | 1 }
  | { role: 'tool'; tool_call_id: string; name?: string; content: string };

export interface OpenAiLine {
  messages: OpenAiMessage[];
  tools?: ToolSpec[];
  [key: string]: unknown;
}

/** Canonical arguments (a JSON string of an object) as an object; anything else wrapped, counted. */
export function argumentsObject(args: string, counts?: Counts): Record<string, unknown> {
  try {
    const v: unknown = JSON.parse(args);
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) return v as Record<string, unknown>;
    if (counts) addCount(counts, 'arguments_not_an_object');
    return { input: v };
  } catch {
    if (counts) addCount(counts, 'arguments_not_json');
    return { input: args };
  }
}

/** `<think>` as Qwen3 and DeepSeek-R1 write it, for targets that keep thinking inside the text. */
export const thinkBlock = (reasoning: string, text: string): string => `<think>\n${reasoning}\n</think>\n\n${text}`;

function renderCall(c: SampleToolCall, mode: ArgumentsMode, counts?: Counts): OpenAiToolCall {
  const args = mode === 'object' ? argumentsObject(c.function.arguments, counts) : c.function.arguments;
  return { id: c.id, type: 'function', function: { name: c.function.name, arguments: args } };
}

function renderAssistant(m: AssistantMessage, opts: OpenAiOptions, weights: boolean, counts?: Counts): OpenAiMessage | null {
  const reasoning = (m.reasoning_content ?? '').trim();
  let content = m.content ?? '';
  const out: OpenAiMessage = { role: 'assistant', content };
  if (weights) out.weight = m.weight === 0 ? 0 : 1;
  if (reasoning && opts.reasoning === 'field') out.reasoning_content = reasoning;
  if (reasoning && opts.reasoning === 'content') out.content = content = thinkBlock(reasoning, content);
  if (m.tool_calls?.length) out.tool_calls = m.tool_calls.map((c) => renderCall(c, opts.arguments, counts));
  if (reasoning && opts.reasoning === 'drop' && counts) addCount(counts, 'reasoning_dropped');
  const empty = content.trim() === '' && !out.tool_calls && !out.reasoning_content;
  return empty ? null : out;
}

/**
 * Messages in the target's shape; an assistant message left with nothing to say is dropped (counted).
 * `weights`: give every assistant message its `weight` (SFT lines; preference sides have none).
 */
export function renderOpenAiMessages(messages: readonly SampleMessage[], opts: OpenAiOptions, counts?: Counts, weights = true): OpenAiMessage[] {
  const out: OpenAiMessage[] = [];
  for (const m of messages) {
    if (m.role === 'assistant') {
      const a = renderAssistant(m, opts, weights, counts);
      if (a) out.push(a);
      else if (counts) addCount(counts, 'assistant_messages_empty_dropped');
    } else if (m.role === 'tool') {
      out.push(opts.target === 'trl'
        ? { role: 'tool', tool_call_id: m.tool_call_id, name: m.name, content: m.content }
        : { role: 'tool', tool_call_id: m.tool_call_id, content: m.content });
    } else {
      out.push({ role: m.role, content: m.content });
    }
  }
  return out;
}

/** One sample as one line; null when no trained assistant message is left (counted). */
export function renderOpenAi(sample: Sample, opts: OpenAiOptions, counts?: Counts): OpenAiLine | null {
  const messages = renderOpenAiMessages(sample.messages, opts, counts);
  if (!messages.some((m) => m.role === 'assistant' && m.weight === 1)) {
    if (counts) addCount(counts, 'skipped_no_trained_assistant');
    return null;
  }
  // An empty list is refused by OpenAI's API; no tools is said by leaving the key out.
  return sample.tools.length ? { messages, tools: sample.tools } : { messages };
}

/** The dataset entries of an axolotl config for the combined files (YAML; this much needs no library). */
export function axolotlSnippet(files: TrainingFileInfo[], opts: OpenAiOptions): string {
  const entry = (file: string, extra: string[] = []): string[] => [
    `  - path: ./${file}`,
    '    ds_type: json',
    ...extra,
    '    type: chat_template',
    '    field_messages: messages',
    '    field_tools: tools',
    '    message_field_training: weight',
    '    roles_to_train: ["assistant"]',
    ...(opts.reasoning === 'field' ? ['    field_thinking: reasoning_content', '    template_thinking_key: reasoning_content'] : []),
  ];
  return [
    '# axolotl datasets for the files beside this one (type chat_template: the tokenizer\'s own template).',
    '# weight 0 marks a context step: message_field_training makes axolotl leave it out of the loss.',
    `# arguments are ${opts.arguments === 'string' ? 'JSON strings (axolotl parses them)' : 'objects'}; reasoning: ${opts.reasoning}.`,
    `# per-role files: ${files.filter((f) => !f.file.startsWith('gastown_')).map((f) => f.file).join(', ') || 'none'}`,
    'datasets:',
    ...entry('gastown_train.jsonl'),
    'test_datasets:',
    ...entry('gastown_val.jsonl', ['    split: train']),
  ].join('\n') + '\n';
}

export function openAiFormat(opts: OpenAiOptions): SftFormat {
  return {
    name: 'openai',
    options: { ...opts },
    render: (s, counts) => renderOpenAi(s, opts, counts),
    check: (line) => checkOpenAiLine(line, { target: opts.target, arguments: opts.arguments }),
    rules: opts.target === 'trl' ? TRL_RULES : OPENAI_RULES,
    extras: (files): ExtraFile[] => [{ name: 'axolotl.yaml', text: axolotlSnippet(files, opts) }],
  };
}
