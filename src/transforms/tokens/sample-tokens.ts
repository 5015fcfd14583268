// Tokens of a sample as its chat template renders it, counted once per message and summed: every
// message's rendering starts and ends at special tokens (Qwen3, Llama 3), which the tokenizer never
// merges across, so the sum equals the count of the whole rendered text. Templates without that
// property (ChatML over o200k) add a small per-message slack instead.
import type { AssistantMessage, SampleMessage, ToolMessage } from '../../model/sample.ts';
import type { ToolSpec } from '../../model/tool-spec.ts';
import { renderSample, type MessagePlace } from './chat-template.ts';
import type { Tokenizer } from './tokenizer.ts';

// Inside a sample, assistant messages all follow its one user message (the task), and each run of
// tool messages sits between two assistant messages.
const ASSISTANT: MessagePlace = { first: false, last: false, prevTool: false, nextTool: false, afterLastQuery: true };
const ASSISTANT_LAST: MessagePlace = { ...ASSISTANT, last: true };
const USER: MessagePlace = { first: false, last: false, prevTool: false, nextTool: false, afterLastQuery: false };
const SYSTEM_CACHE_MAX = 4096;
const SYSTEM_COUNTS = new WeakMap<Tokenizer, Map<string, number>>();
const specIds = new WeakMap<ToolSpec, number>();
let nextSpecId = 0;
const specId = (t: ToolSpec): number => {
  let id = specIds.get(t);
  if (id === undefined) specIds.set(t, (id = nextSpecId++));
  return id;
};

export class SampleTokenCounter {
  private readonly assistantCounts = new WeakMap<AssistantMessage, [number, number]>();
  private readonly toolCounts = new WeakMap<readonly ToolMessage[], number>();
  /** System blocks by prompt and tool specs, shared by every counter of the tokenizer (across sessions). */
  private readonly systemCounts: Map<string, number>;
  /** Extra tokens per message where per-message counts may differ from the whole text's. */
  readonly slack: number;
  /**
   * Qwen3 writes an empty think block into the last assistant message when it has no reasoning:
   * `<think>` `\n\n` `</think>` `\n\n`, split from the rest by the special tokens. Added to the
   * message's count instead of counting it again (only where the content cannot merge with it).
   */
  private readonly emptyThink: number;

  constructor(readonly tokenizer: Tokenizer) {
    this.slack = tokenizer.name === 'qwen3' || tokenizer.name === 'llama3' ? 0 : 2;
    let shared = SYSTEM_COUNTS.get(tokenizer);
    if (!shared) SYSTEM_COUNTS.set(tokenizer, (shared = new Map()));
    this.systemCounts = shared;
    this.emptyThink = tokenizer.name === 'qwen3' ? 2 + 2 * tokenizer.count('\n\n') : -1;
  }

  /**
   * The system block with these tools, cached by prompt and spec identity: the built-in specs are
   * the same objects in every session, so a worker counts each role's usual block once.
   */
  system(prompt: string, tools: readonly ToolSpec[]): number {
    const key = `${tools.map(specId).join(',')}\u0001${prompt}`;
    let n = this.systemCounts.get(key);
    if (n === undefined) {
      n = this.tokenizer.count(this.tokenizer.template.system(prompt, tools)) + this.slack;
      if (this.systemCounts.size >= SYSTEM_CACHE_MAX) this.systemCounts.clear();
      this.systemCounts.set(key, n);
    }
    return n;
  }

  user(content: string): number {
    return this.tokenizer.count(this.tokenizer.template.message({ role: 'user', content }, USER)) + this.slack;
  }

  /** An assistant message; `last` when it ends the sample (Qwen3 then always writes a think block). */
  assistant(m: AssistantMessage, last: boolean): number {
    let c = this.assistantCounts.get(m);
    if (!c) {
      c = [-1, -1];
      this.assistantCounts.set(m, c);
    }
    const i = last ? 1 : 0;
    if (c[i] >= 0) return c[i];
    // With reasoning, Qwen3 renders a message the same wherever it sits after the task.
    if (this.emptyThink >= 0 && m.reasoning_content) {
      const other = c[1 - i];
      if (other >= 0) return (c[i] = other);
    }
    if (last && this.emptyThink >= 0 && !m.reasoning_content && !m.content.includes('</think>') && (m.content === '' || /^\S/.test(m.content))) {
      c[1] = this.assistant(m, false) + this.emptyThink;
    } else {
      c[i] = this.tokenizer.count(this.tokenizer.template.message(m, last ? ASSISTANT_LAST : ASSISTANT)) + this.slack;
    }
    return c[i];
  }

  /** One step's tool messages, between its assistant message and the next. */
  tools(group: readonly ToolMessage[]): number {
    if (group.length === 0) return 0;
    let n = this.toolCounts.get(group);
    if (n === undefined) {
      n = 0;
      group.forEach((m, i) => {
        const place: MessagePlace = { first: false, last: false, prevTool: i > 0, nextTool: i < group.length - 1, afterLastQuery: true };
        n! += this.tokenizer.count(this.tokenizer.template.message(m, place)) + this.slack;
      });
      this.toolCounts.set(group, n);
    }
    return n;
  }

  /** The whole sample counted at once (no caches): for checks. */
  whole(messages: readonly SampleMessage[], tools: readonly ToolSpec[]): number {
    return this.tokenizer.count(renderSample(this.tokenizer.template, messages, tools));
  }
}

