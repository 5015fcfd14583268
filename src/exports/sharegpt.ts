// `harvest export sharegpt`: lora-forge's layout, unchanged, rendered from canonical samples.
//   {conversations: [{from: system|human|gpt, value}], weight?}
//   system  the system message
//   human   a user message; the results of the previous step's calls come first, each as
//           `<tool_result tool_use_id="..."[ is_error="true"]>...</tool_result>`, one a line
//   gpt     an assistant message: one leading `<think>` block with its thinking, its text, then each
//           call as `<tool_call name="...">{arguments}</tool_call>`, one a line; consecutive assistant
//           messages merge (bodies joined by a blank line, thinking into the one block)
// Leading gpt and trailing human messages are dropped, so it runs human first and gpt last. A gpt
// message made only of context steps (weight 0) carries `train: false` (axolotl's
// message_field_training); readers that do not know the key ignore it.
import type { Sample } from '../model/sample.ts';
import { addCount, type Counts } from '../model/session.ts';
import type { TrainingFileInfo } from '../sinks/training-files.ts';
import type { ExtraFile, SftFormat } from './export-run.ts';
import { datasetName } from './export-run.ts';
import { lfDatasetEntry } from './llamafactory.ts';
import { checkShareGptLine, SHAREGPT_RULES } from './sharegpt-rules.ts';

export interface ShareGptOptions {
  /** keep (default): a leading `<think>` block; drop: thinking left out. */
  thinking: 'keep' | 'drop';
}

export interface ShareGptLine {
  conversations: { from: 'system' | 'human' | 'gpt'; value: string; train?: false }[];
  weight?: number;
  [key: string]: unknown;
}

// Attribute values are ids and tool names: only a quote could break the tag.
const attr = (value: string): string => value.replace(/"/g, '&quot;');

export const toolCallTag = (name: string, args: string): string => `<tool_call name="${attr(name)}">${args}</tool_call>`;
export const toolResultTag = (id: string, content: string, isError?: boolean): string =>
  `<tool_result tool_use_id="${attr(id)}"${isError ? ' is_error="true"' : ''}>${content}</tool_result>`;

interface Group {
  from: 'human' | 'gpt';
  results: string[];
  words: string[];
  thinking: string[];
  bodies: string[];
  context: boolean;
}

function groupValue(g: Group): string {
  if (g.from === 'human') return [...g.results, ...g.words].join('\n');
  const body = g.bodies.join('\n\n');
  if (!g.thinking.length) return body;
  const think = `<think>\n${g.thinking.join('\n\n')}\n</think>`;
  return body === '' ? think : `${think}\n\n${body}`;
}

export function renderShareGpt(sample: Sample, opts: ShareGptOptions = { thinking: 'keep' }, counts?: Counts): ShareGptLine | null {
  const system = sample.messages.filter((m) => m.role === 'system').map((m) => m.content).join('\n\n');
  const groups: Group[] = [];
  const group = (from: Group['from']): Group => {
    const last = groups.at(-1);
    if (last?.from === from) return last;
    const g: Group = { from, results: [], words: [], thinking: [], bodies: [], context: true };
    groups.push(g);
    return g;
  };
  for (const m of sample.messages) {
    if (m.role === 'system') continue;
    if (m.role === 'tool') group('human').results.push(toolResultTag(m.tool_call_id, m.content, m.is_error));
    else if (m.role === 'user') {
      if (m.content.trim() !== '') group('human').words.push(m.content);
    } else {
      const parts = m.content.trim() !== '' ? [m.content] : [];
      for (const c of m.tool_calls ?? []) parts.push(toolCallTag(c.function.name, c.function.arguments));
      const think = opts.thinking === 'keep' ? (m.reasoning_content ?? '').trim() : '';
      if (!parts.length && !think) {
        if (counts) addCount(counts, 'sharegpt_empty_turns_skipped');
        continue;
      }
      const g = group('gpt');
      if (m.weight !== 0) g.context = false;
      if (parts.length) g.bodies.push(parts.join('\n'));
      if (think) g.thinking.push(think);
    }
  }
  while (groups.length && groups[0].from !== 'human') {
    groups.shift();
    if (counts) addCount(counts, 'sharegpt_leading_gpt_turns_dropped');
  }
  while (groups.length && groups.at(-1)!.from !== 'gpt') {
    groups.pop();
    if (counts) addCount(counts, 'sharegpt_trailing_human_turns_dropped');
  }
  if (!groups.length) return null;
  const conversations: ShareGptLine['conversations'] = [{ from: 'system', value: system }];
  for (const g of groups) conversations.push(g.from === 'gpt' && g.context ? { from: 'gpt', value: groupValue(g), train: false } : { from: g.from, value: groupValue(g) });
  const line: ShareGptLine = { conversations };
  if (typeof sample.metadata.weight === 'number') line.weight = sample.metadata.weight;
  return line;
}

/** LLaMA-Factory reads these files too: system in the first message, no tool columns. */
export function shareGptDatasetInfo(files: TrainingFileInfo[]): ExtraFile {
  const info = Object.fromEntries(files.map((f) => [datasetName(f.file), lfDatasetEntry(f.file, { system: false, tools: false, functionTags: false })]));
  return { name: 'dataset_info.json', text: JSON.stringify(info, null, 2) + '\n' };
}

export function shareGptFormat(opts: ShareGptOptions = { thinking: 'keep' }): SftFormat {
  return {
    name: 'sharegpt',
    options: { thinking: opts.thinking },
    render: (s, counts) => renderShareGpt(s, opts, counts),
    check: checkShareGptLine,
    rules: SHAREGPT_RULES,
    extras: (files) => [shareGptDatasetInfo(files)],
  };
}
