// `harvest export llamafactory`: LLaMA-Factory's ShareGPT format with tools, one line a sample:
//   {conversations: [{from, value}], system: "...", tools: "[...function specs as a JSON string]"}
//   human          a user message
//   function_call  an assistant message's calls: one `{"name", "arguments": {...}}`, or a list of them
//                  for parallel calls
//   observation    the results of one step's calls, joined the way LLaMA-Factory's own OpenAI
//                  converter joins several tool messages (its Qwen templates wrap each in
//                  <tool_response>)
//   gpt            an assistant message without calls
// Its converter (data/converter.py, SharegptDatasetConverter) silently skips a line unless, after
// the system message, human/observation sit at even indexes (odd positions) and gpt/function_call
// at odd ones, with an even count. So one side's consecutive messages become one:
//   - thinking, and the text an assistant writes before its calls, go in one leading thought block
//     `<think>\n...\n</think>\n\n` (the template's thought_words: FunctionFormatter strips exactly that
//     before parsing the calls' JSON, ReasoningTemplate keeps it); a function_call has no room for
//     text otherwise (`--call-text drop` leaves it out, counted)
//   - two assistant messages in a row merge into one (text joined; the later's calls, if any, make
//     it a function_call)
//   - a human message right after results joins that turn as a human message whose value holds the
//     results as <tool_response> blocks, then the words
//   - an assistant message left empty (thinking only, thinking dropped) is dropped and the turns
//     around it join
// ShareGPT has no per-message weight: context steps (weight 0) are trained like the rest (counted).
import type { Sample, SampleMessage } from '../model/sample.ts';
import { addCount, type Counts } from '../model/session.ts';
import type { TrainingFileInfo } from '../sinks/training-files.ts';
import { datasetName, type ExtraFile, type SftFormat } from './export-run.ts';
import { argumentsObject } from './openai.ts';
import { checkLlamaFactoryLine, LLAMAFACTORY_RULES } from './llamafactory-rules.ts';

export interface LlamaFactoryOptions {
  /** think (default): thinking as a leading `<think>` block; drop: left out. */
  reasoning: 'think' | 'drop';
  /** think (default): text before calls joins the thought block; drop: left out. */
  callText: 'think' | 'drop';
}

export const LLAMAFACTORY_DEFAULTS: LlamaFactoryOptions = { reasoning: 'think', callText: 'think' };

export type LfTag = 'human' | 'gpt' | 'function_call' | 'observation';

export interface LfMessage {
  from: LfTag;
  value: string;
}

export interface LlamaFactoryLine {
  conversations: LfMessage[];
  system: string;
  tools: string;
  [key: string]: unknown;
}

/** LLaMA-Factory's default thought words (template.py register_template). */
export const THOUGHT_OPEN = '<think>\n';
export const THOUGHT_CLOSE = '\n</think>\n\n';
/** How LLaMA-Factory's OpenAI converter joins several tool results of one turn. */
export const OBSERVATION_JOIN = '\n</tool_response>\n<tool_response>\n';

interface Part {
  side: 'odd' | 'even';
  /** even side */
  thoughts: string[];
  texts: string[];
  calls: { name: string; arguments: Record<string, unknown> }[];
  /** odd side */
  results: string[];
  words: string[];
  context: boolean;
}

const part = (side: Part['side']): Part => ({ side, thoughts: [], texts: [], calls: [], results: [], words: [], context: true });

function evenMessage(p: Part, opts: LlamaFactoryOptions, counts?: Counts): LfMessage | null {
  const thoughts = opts.reasoning === 'think' ? [...p.thoughts] : [];
  if (opts.reasoning === 'drop' && p.thoughts.length && counts) addCount(counts, 'reasoning_dropped');
  let text = p.texts.join('\n\n');
  if (p.calls.length && text.trim() !== '') {
    if (opts.callText === 'think') thoughts.push(text);
    if (counts) addCount(counts, opts.callText === 'think' ? 'call_text_in_thought' : 'call_text_dropped');
    text = '';
  }
  const thought = thoughts.length ? `${THOUGHT_OPEN}${thoughts.join('\n\n')}${THOUGHT_CLOSE}` : '';
  if (p.calls.length) {
    return { from: 'function_call', value: thought + JSON.stringify(p.calls.length === 1 ? p.calls[0] : p.calls) };
  }
  if (text.trim() === '' && thought === '') return null;
  return { from: 'gpt', value: thought + text };
}

function oddMessage(p: Part): LfMessage {
  if (p.words.length === 0) return { from: 'observation', value: p.results.join(OBSERVATION_JOIN) };
  const blocks = p.results.map((r) => `<tool_response>\n${r}\n</tool_response>\n`);
  return { from: 'human', value: blocks.join('') + p.words.join('\n\n') };
}

/** The conversation after the system message, aligned; null when nothing trainable is left. */
export function renderLfConversation(messages: readonly SampleMessage[], opts: LlamaFactoryOptions, counts?: Counts): LfMessage[] | null {
  const parts: Part[] = [];
  const current = (side: Part['side']): Part => {
    const last = parts.at(-1);
    if (last?.side === side) return last;
    const p = part(side);
    parts.push(p);
    return p;
  };
  for (const m of messages) {
    if (m.role === 'system') continue;
    if (m.role === 'user') current('odd').words.push(m.content);
    else if (m.role === 'tool') current('odd').results.push(m.content);
    else {
      const p = current('even');
      if (m.weight !== 0) p.context = false;
      const r = (m.reasoning_content ?? '').trim();
      if (r) p.thoughts.push(r);
      if (m.content.trim() !== '') p.texts.push(m.content);
      for (const c of m.tool_calls ?? []) p.calls.push({ name: c.function.name, arguments: argumentsObject(c.function.arguments, counts) });
    }
  }
  // A turn dropped for being empty joins the odd turns around it into one.
  const out: LfMessage[] = [];
  let odd: Part | null = null;
  for (const p of parts) {
    if (p.side === 'odd') {
      if (odd) {
        odd.results.push(...p.results);
        odd.words.push(...p.words);
      } else odd = p;
      continue;
    }
    const msg = evenMessage(p, opts, counts);
    if (!msg) {
      if (counts) addCount(counts, 'assistant_messages_empty_dropped');
      continue;
    }
    if (!odd) {
      if (counts) addCount(counts, 'leading_assistant_turns_dropped');
      continue;
    }
    if (p.context && counts) addCount(counts, 'context_steps_trained');
    out.push(oddMessage(odd), msg);
    odd = null;
  }
  if (odd && out.length && counts) addCount(counts, 'trailing_human_turns_dropped');
  return out.length ? out : null;
}

export function renderLlamaFactory(sample: Sample, opts: LlamaFactoryOptions = LLAMAFACTORY_DEFAULTS, counts?: Counts): LlamaFactoryLine | null {
  const conversations = renderLfConversation(sample.messages, opts, counts);
  if (!conversations) {
    if (counts) addCount(counts, 'skipped_no_trained_assistant');
    return null;
  }
  const system = sample.messages.filter((m) => m.role === 'system').map((m) => m.content).join('\n\n');
  return { conversations, system, tools: JSON.stringify(sample.tools) };
}

/** LLaMA-Factory's `dataset_info.json` entry for a ShareGPT file (data/README.md). */
export function lfDatasetEntry(file: string, opts: { ranking?: boolean; system?: boolean; tools?: boolean; functionTags?: boolean } = {}): Record<string, unknown> {
  const columns: Record<string, string> = { messages: 'conversations' };
  if (opts.system !== false) columns.system = 'system';
  if (opts.tools !== false) columns.tools = 'tools';
  if (opts.ranking) Object.assign(columns, { chosen: 'chosen', rejected: 'rejected' });
  const tags: Record<string, string> = { role_tag: 'from', content_tag: 'value', user_tag: 'human', assistant_tag: 'gpt', system_tag: 'system' };
  if (opts.functionTags !== false) Object.assign(tags, { observation_tag: 'observation', function_tag: 'function_call' });
  return { file_name: file, formatting: 'sharegpt', ...(opts.ranking ? { ranking: true } : {}), columns, tags };
}

export function lfDatasetInfo(files: TrainingFileInfo[], opts: Parameters<typeof lfDatasetEntry>[1] = {}): ExtraFile {
  const info = Object.fromEntries(files.map((f) => [datasetName(f.file), lfDatasetEntry(f.file, opts)]));
  return { name: 'dataset_info.json', text: JSON.stringify(info, null, 2) + '\n' };
}

export function llamaFactoryFormat(opts: LlamaFactoryOptions = LLAMAFACTORY_DEFAULTS): SftFormat {
  return {
    name: 'llamafactory',
    options: { reasoning: opts.reasoning, call_text: opts.callText },
    render: (s, counts) => renderLlamaFactory(s, opts, counts),
    check: (line) => checkLlamaFactoryLine(line),
    rules: LLAMAFACTORY_RULES,
    extras: (files) => [lfDatasetInfo(files)],
  };
}
