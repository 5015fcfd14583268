import type { ShareGptMessage } from '../model/sample.ts';
import { addCount, type Counts, type ToolCall, type ToolResult, type Turn } from '../model/session.ts';
import { toolInputJson } from './turn-size.ts';

export type ThinkingMode = 'keep' | 'drop';

export interface ShareGptOptions {
  systemPrompt: string;
  /** 'keep' (default) opens each gpt message with a `<think>` block; 'drop' leaves thinking out. */
  thinking?: ThinkingMode;
  /** Shared by the overlapping windows of one conversation (same options for every call). */
  cache?: ShareGptCache;
}

/**
 * Messages already rendered for a conversation's turns. Overlapping windows (stride 8 of 16) hold
 * most turns twice, and most of their messages are the same run of turns: rendered once, they are
 * also the same message object, which lets the shard line reuse its encoded JSON. Keyed by the first
 * and last turn objects of the run, so trimmed copies of turns (budget fitting) never hit.
 */
export class ShareGptCache {
  private readonly runs = new WeakMap<Turn, WeakMap<Turn, ShareGptMessage>>();
  private system: ShareGptMessage | undefined;

  systemMessage(prompt: string): ShareGptMessage {
    if (this.system?.value !== prompt) this.system = { from: 'system', value: prompt };
    return this.system;
  }

  message(first: Turn, last: Turn, render: () => ShareGptMessage): ShareGptMessage {
    let byLast = this.runs.get(first);
    if (!byLast) {
      byLast = new WeakMap();
      this.runs.set(first, byLast);
    }
    let m = byLast.get(last);
    if (!m) {
      m = render();
      byLast.set(last, m);
    }
    return m;
  }
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

/** A run of same-side turns that becomes one message (rendered only when no cached one exists). */
interface Group {
  from: 'human' | 'gpt';
  turns: Turn[];
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

// What humanBody / gptBody / the kept thinking would render to, without rendering it.
const hasBody = (turn: Turn, from: Group['from']): boolean =>
  turn.text.trim() !== '' || (from === 'human' ? turn.toolResults.length > 0 : turn.toolCalls.length > 0);
const keptThinking = (turn: Turn, from: Group['from'], keep: boolean): string =>
  from === 'gpt' && keep ? (turn.thinking ?? '').trim() : '';

function renderGroup(group: Group, keepThinking: boolean): string {
  const bodies: string[] = [];
  const thinking: string[] = [];
  for (const turn of group.turns) {
    const body = group.from === 'human' ? humanBody(turn) : gptBody(turn);
    if (body !== '') bodies.push(body);
    const think = keptThinking(turn, group.from, keepThinking);
    if (think !== '') thinking.push(think);
  }
  const body = bodies.join('\n\n');
  if (thinking.length === 0) return body;
  const think = `<think>\n${thinking.join('\n\n')}\n</think>`;
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
    if (!hasBody(turn, from) && keptThinking(turn, from, keepThinking) === '') {
      addCount(counts, 'sharegpt_empty_turns_skipped');
      continue;
    }
    let group = groups.at(-1);
    if (!group || group.from !== from) {
      group = { from, turns: [] };
      groups.push(group);
    }
    group.turns.push(turn);
  }
  while (groups.length > 0 && groups[0].from !== 'human') {
    addCount(counts, 'sharegpt_leading_gpt_turns_dropped', groups.shift()!.turns.length);
  }
  while (groups.length > 0 && groups[groups.length - 1].from !== 'gpt') {
    addCount(counts, 'sharegpt_trailing_human_turns_dropped', groups.pop()!.turns.length);
  }
  if (groups.length === 0) return { conversations: null, counts };
  const cache = opts.cache;
  const conversations: ShareGptMessage[] = [cache ? cache.systemMessage(opts.systemPrompt) : { from: 'system', value: opts.systemPrompt }];
  for (const group of groups) {
    const render = (): ShareGptMessage => ({ from: group.from, value: renderGroup(group, keepThinking) });
    conversations.push(cache ? cache.message(group.turns[0], group.turns[group.turns.length - 1], render) : render());
  }
  return { conversations, counts };
}
