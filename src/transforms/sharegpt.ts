import type { ShareGptMessage } from '../model/sample.ts';
import { addCount, type Counts, type ToolCall, type ToolResult, type Turn } from '../model/session.ts';
import { toolInputJson } from './turn-size.ts';

export type ThinkingMode = 'keep' | 'drop';

export interface ShareGptOptions {
  systemPrompt: string;
  /** 'keep' (default) opens each gpt message with a `<think>` block; 'drop' leaves thinking out. */
  thinking?: ThinkingMode;
}

export interface ShareGptResult {
  /** System message, then human/gpt alternating from human to gpt; null when no gpt message is left. */
  conversations: ShareGptMessage[] | null;
  counts: Counts;
}

// Attribute values are ids and tool names: only a quote could break the tag.
const attr = (value: string): string => value.replace(/"/g, '&quot;');

export function renderToolCall(call: ToolCall): string {
  return `<tool_call name="${attr(call.name)}">${toolInputJson(call.input)}</tool_call>`;
}

export function renderToolResult(result: ToolResult): string {
  const error = result.isError ? ' is_error="true"' : '';
  return `<tool_result tool_use_id="${attr(result.id)}"${error}>${result.content}</tool_result>`;
}

interface Group {
  from: 'human' | 'gpt';
  turns: number;
  bodies: string[];
  thinking: string[];
}

/** Results answer the previous gpt message, so they come before the human's own words. */
function humanBody(turn: Turn): string {
  const parts = turn.toolResults.map(renderToolResult);
  if (turn.text.trim() !== '') parts.push(turn.text);
  return parts.join('\n');
}

function gptBody(turn: Turn): string {
  const parts = turn.text.trim() !== '' ? [turn.text] : [];
  for (const call of turn.toolCalls) parts.push(renderToolCall(call));
  return parts.join('\n');
}

function renderGroup(group: Group): string {
  const body = group.bodies.join('\n\n');
  if (group.thinking.length === 0) return body;
  const think = `<think>\n${group.thinking.join('\n\n')}\n</think>`;
  return body === '' ? think : `${think}\n\n${body}`;
}

/**
 * Turns into ShareGPT: consecutive same-side turns merge into one message (their thinking into one
 * `<think>` block at its start), leading gpt and trailing human messages are dropped so the
 * conversation runs human first and gpt last. Text goes in as it is, with nothing escaped.
 */
export function formatShareGpt(turns: Turn[], opts: ShareGptOptions): ShareGptResult {
  const keepThinking = (opts.thinking ?? 'keep') === 'keep';
  const counts: Counts = {};
  const groups: Group[] = [];
  for (const turn of turns) {
    const from = turn.role === 'user' ? 'human' : 'gpt';
    const body = from === 'human' ? humanBody(turn) : gptBody(turn);
    const thinking = from === 'gpt' && keepThinking ? (turn.thinking ?? '').trim() : '';
    if (body === '' && thinking === '') {
      addCount(counts, 'sharegpt_empty_turns_skipped');
      continue;
    }
    let group = groups.at(-1);
    if (!group || group.from !== from) {
      group = { from, turns: 0, bodies: [], thinking: [] };
      groups.push(group);
    }
    group.turns++;
    if (body !== '') group.bodies.push(body);
    if (thinking !== '') group.thinking.push(thinking);
  }
  while (groups.length > 0 && groups[0].from !== 'human') {
    addCount(counts, 'sharegpt_leading_gpt_turns_dropped', groups.shift()!.turns);
  }
  while (groups.length > 0 && groups[groups.length - 1].from !== 'gpt') {
    addCount(counts, 'sharegpt_trailing_human_turns_dropped', groups.pop()!.turns);
  }
  if (groups.length === 0) return { conversations: null, counts };
  const conversations: ShareGptMessage[] = [{ from: 'system', value: opts.systemPrompt }];
  for (const group of groups) conversations.push({ from: group.from, value: renderGroup(group) });
  return { conversations, counts };
}
