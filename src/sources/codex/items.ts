// Codex response items (what the model saw and said) -> turns. One model reply is the run of
// assistant-side items (reasoning, assistant message, function / custom / local shell calls) up to
// the next output or user message; a reasoning item after content opens the next reply.
import { addCount, type Counts } from '../../model/session.ts';
import { attachmentPlaceholder } from '../harness-text.ts';
import { isObj, str, typeKey, type Obj } from '../json-values.ts';
import type { PendingAssistant, TurnAssembler } from '../turn-assembler.ts';
import { codexUserText } from './user-text.ts';

/** Text of a message's content list (input_text / output_text); images become a placeholder. */
function contentText(content: unknown, counts: Counts): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  const parts: string[] = [];
  for (const c of content) {
    if (!isObj(c)) continue;
    if ((c.type === 'input_text' || c.type === 'output_text' || c.type === 'text') && typeof c.text === 'string') parts.push(c.text);
    else if (c.type === 'input_image' || c.type === 'image') {
      addCount(counts, 'images');
      parts.push(attachmentPlaceholder('image'));
    } else if (c.type === 'input_file') {
      addCount(counts, 'documents');
      parts.push(attachmentPlaceholder('file', str(c.filename)));
    } else addCount(counts, `skipped_content_${typeKey(c.type)}`);
  }
  return parts.join('\n');
}

/** A call's output as text, and whether it failed (non-zero exit, `success: false`). */
export function outputOf(output: unknown, counts: Counts): { content: string; isError: boolean } {
  let value = output;
  // Older rollouts stored `{"output": ..., "metadata": {"exit_code": n}}` as a JSON string.
  if (typeof value === 'string' && value.startsWith('{"output"')) {
    try {
      value = JSON.parse(value) as unknown;
    } catch {
      // plain text that happens to start like JSON
    }
  }
  if (typeof value === 'string') return { content: value, isError: exitCodeOf(value) > 0 };
  if (Array.isArray(value)) return { content: contentText(value, counts), isError: false };
  if (isObj(value)) {
    const inner = value.output ?? value.content;
    const text = typeof inner === 'string' ? inner : Array.isArray(inner) ? contentText(inner, counts) : JSON.stringify(inner ?? value);
    const meta = isObj(value.metadata) ? value.metadata : {};
    const exit = typeof meta.exit_code === 'number' ? meta.exit_code : exitCodeOf(text);
    return { content: text, isError: value.success === false || exit > 0 };
  }
  return { content: value === undefined || value === null ? '' : JSON.stringify(value), isError: false };
}

const EXIT_LINE = /^(?:Process exited with code|Exit code:)\s*(-?\d+)/m;

function exitCodeOf(text: string): number {
  const m = EXIT_LINE.exec(text.slice(0, 400));
  return m ? Math.abs(Number(m[1])) : 0;
}

function parseArguments(args: unknown, counts: Counts): unknown {
  if (typeof args !== 'string') return args ?? {};
  try {
    return JSON.parse(args) as unknown;
  } catch {
    addCount(counts, 'tool_arguments_not_json');
    return { arguments: args };
  }
}

/** Feeds response items into the turns of one session. */
export class CodexItems {
  /** The open reply and whether it already holds content (text or calls). */
  private reply: PendingAssistant | undefined;
  private replyHasContent = false;
  readonly models: string[] = [];

  constructor(
    private readonly turns: TurnAssembler,
    private readonly counts: Counts,
  ) {}

  /** Assistant turns opened so far (for usage pairing). */
  onReplyOpened?: (turn: PendingAssistant) => void;

  private replyFor(item: Obj, timestamp: string | undefined, startsReply: boolean): PendingAssistant {
    if (!this.reply || this.turns.openAssistant() !== this.reply || (startsReply && this.replyHasContent)) {
      this.reply = this.turns.assistant({ timestamp, entryId: str(item.id) });
      this.replyHasContent = false;
      this.onReplyOpened?.(this.reply);
    }
    return this.reply;
  }

  onItem(item: Obj, timestamp: string | undefined, model: string | undefined): void {
    const type = str(item.type) ?? 'unnamed';
    addCount(this.counts, `items_${typeKey(type)}`);
    switch (type) {
      case 'message':
        return this.onMessage(item, timestamp, model);
      case 'reasoning': {
        const turn = this.replyFor(item, timestamp, true);
        this.setModel(turn, model);
        const texts: string[] = [];
        for (const key of ['content', 'summary'] as const) {
          const list = item[key];
          if (!Array.isArray(list)) continue;
          for (const s of list) if (isObj(s) && typeof s.text === 'string') texts.push(s.text);
          if (texts.length) break; // raw reasoning when the file has it, else its summary
        }
        if (str(item.encrypted_content)) addCount(this.counts, 'reasoning_encrypted');
        if (texts.length === 0) addCount(this.counts, 'reasoning_empty');
        for (const t of texts) this.turns.think(turn, t);
        return;
      }
      case 'function_call':
      case 'custom_tool_call':
      case 'local_shell_call': {
        const turn = this.replyFor(item, timestamp, false);
        this.setModel(turn, model);
        const id = str(item.call_id) ?? str(item.id) ?? '';
        const name = str(item.name) ?? (type === 'local_shell_call' ? 'local_shell' : 'unnamed');
        const input =
          type === 'function_call'
            ? parseArguments(item.arguments, this.counts)
            : type === 'custom_tool_call'
              ? { input: typeof item.input === 'string' ? item.input : JSON.stringify(item.input ?? '') }
              : (item.action ?? {});
        this.turns.call(turn, id, name, input);
        this.replyHasContent = true;
        return;
      }
      case 'function_call_output':
      case 'custom_tool_call_output':
      case 'local_shell_call_output': {
        const { content, isError } = outputOf(item.output, this.counts);
        this.turns.toolResult(str(item.call_id) ?? '', content, isError, { timestamp });
        return;
      }
      default:
        // web_search_call and the like run on the server: no call/result pair to learn from.
        addCount(this.counts, `skipped_item_${typeKey(type)}`);
    }
  }

  private onMessage(item: Obj, timestamp: string | undefined, model: string | undefined): void {
    const role = str(item.role);
    const raw = contentText(item.content, this.counts);
    if (role === 'assistant') {
      const turn = this.replyFor(item, timestamp, false);
      this.setModel(turn, model);
      if (this.turns.text(turn, raw)) this.replyHasContent = true;
      return;
    }
    if (role === 'user') {
      const text = codexUserText(raw, this.counts);
      if (text === '') addCount(this.counts, 'user_messages_harness_only');
      else this.turns.userText(text, { timestamp, entryId: str(item.id) });
      return;
    }
    // developer / system: the harness's instructions, never a turn.
    addCount(this.counts, `skipped_role_${typeKey(role ?? 'none')}`);
  }

  private setModel(turn: PendingAssistant, model: string | undefined): void {
    if (!model || turn.model) return;
    turn.model = model;
    if (!this.models.includes(model)) this.models.push(model);
  }
}
