// Claude Code `user` and `assistant` lines -> compact items. User content: text blocks classified
// (commands, local output, shell commands, harness text), tool results rendered as text (list
// content joined, images and documents as placeholders, the subagent trailer stripped, a
// persisted output remembered for inlining), images and documents as placeholders. Assistant
// content: text, thinking (signature-only and redacted thinking are counted, never kept) and
// tool_use blocks; usage and stop reason of the line.
//
// Counts: skipped_block_<type> (`invalid` for malformed blocks), images, documents,
// thinking_signature_only, thinking_redacted, fields_capped, stripped_<kind>, command_lines,
// shell_commands, skipped_local_command_output, persisted_outputs.
import { addCount, type Counts } from '../../model/session.ts';
import { CappedText, capString, capStrings } from '../capped-text.ts';
import { attachmentPlaceholder } from '../harness-text.ts';
import { isObj, num, str, typeKey, type Obj } from '../json-values.ts';
import type { AssistantBlock, AssistantItem, UserItem, UserPiece } from './entries.ts';
import { classifyUserText, stripToolResultHarnessText } from './user-text.ts';

/** `<persisted-output>... Full output saved to: <path>` (Claude Code 2.x, outputs over its limit). */
const PERSISTED = /<persisted-output>[\s\S]*?(?:Full output saved to|Output has been saved to):\s*(\S[^\n]*?)\s*(?:\n|$)/;

/** A text held capped (head + tail) until its turn takes it, keeping the omitted count. */
function capped(t: string, maxField: number): CappedText {
  const c = new CappedText(maxField);
  c.append(t);
  return c;
}

function mediaPlaceholder(b: Obj, counts: Counts): string | undefined {
  if (b.type === 'image') {
    addCount(counts, 'images');
    return attachmentPlaceholder('image');
  }
  if (b.type === 'document') {
    addCount(counts, 'documents');
    const title = str(b.title) ?? (isObj(b.source) ? str(b.source.media_type) : undefined);
    return attachmentPlaceholder('document', title);
  }
  return undefined;
}

/** The first text of a result's content, where a `<persisted-output>` preview would stand. */
function leadingText(c: unknown): string {
  if (typeof c === 'string') return c.slice(0, 4096);
  if (Array.isArray(c)) {
    const first = c[0];
    if (typeof first === 'string') return first.slice(0, 4096);
    if (isObj(first) && typeof first.text === 'string') return first.text.slice(0, 4096);
  }
  return '';
}

function toolResultPiece(b: Obj, counts: Counts, maxField: number): UserPiece {
  const text = new CappedText(maxField);
  const c = b.content;
  // Looked for before the cap: a cut preview would lose the saved file's name.
  const persisted = PERSISTED.exec(leadingText(c));
  if (typeof c === 'string') text.append(c);
  else if (Array.isArray(c)) {
    for (const part of c) {
      if (typeof part === 'string') text.append(part, '\n');
      else if (isObj(part) && part.type === 'text' && typeof part.text === 'string') text.append(part.text, '\n');
      else {
        const media = isObj(part) ? mediaPlaceholder(part, counts) : undefined;
        if (media !== undefined) text.append(media, '\n');
        else addCount(counts, `skipped_block_${isObj(part) ? typeKey(part.type) : 'invalid'}`);
      }
    }
  } else if (c !== undefined && c !== null) text.append(JSON.stringify(c));
  if (text.capped) addCount(counts, 'fields_capped');
  const content = stripToolResultHarnessText(text.toString(), counts);
  const piece: UserPiece = { k: 'result', id: typeof b.tool_use_id === 'string' ? b.tool_use_id : '', content, isError: b.is_error === true };
  if (persisted) {
    piece.persistedPath = persisted[1];
    addCount(counts, 'persisted_outputs');
  }
  return piece;
}

/** A user line's content as pieces, in order. */
export function parseUserLine(v: Obj, msg: Obj, counts: Counts, maxField: number): UserItem {
  const pieces: UserPiece[] = [];
  const takeText = (raw: unknown): void => {
    if (typeof raw !== 'string') {
      addCount(counts, 'skipped_block_invalid');
      return;
    }
    const p = classifyUserText(raw, counts);
    if (p.k === 'text') pieces.push({ k: 'text', text: capped(p.text, maxField) }); else if (p.k === 'shell' || p.k === 'shell_output') pieces.push({ ...p, text: capString(p.text, maxField, counts) });
    else pieces.push(p);
  };
  if (typeof msg.content === 'string') takeText(msg.content);
  else {
    for (const b of msg.content as unknown[]) {
      if (!isObj(b)) {
        addCount(counts, 'skipped_block_invalid');
        continue;
      }
      if (b.type === 'text') takeText(b.text);
      else if (b.type === 'tool_result') pieces.push(toolResultPiece(b, counts, maxField));
      else {
        const media = mediaPlaceholder(b, counts);
        if (media !== undefined) pieces.push({ k: 'media', text: media });
        else addCount(counts, `skipped_block_${typeKey(b.type)}`);
      }
    }
  }
  return { k: 'user', pieces, isMeta: v.isMeta === true, isCompactSummary: v.isCompactSummary === true };
}

function toUsage(u: Obj): AssistantItem['usage'] {
  return {
    input: num(u.input_tokens) ?? 0,
    output: num(u.output_tokens) ?? 0,
    cacheRead: num(u.cache_read_input_tokens) ?? 0,
    cacheWrite: num(u.cache_creation_input_tokens) ?? 0,
  };
}

/** An assistant line's blocks, usage and stop reason. */
export function parseAssistantLine(v: Obj, msg: Obj, lineNo: number, counts: Counts, maxField: number): AssistantItem {
  const blocks: AssistantBlock[] = [];
  const list: unknown[] = typeof msg.content === 'string' ? [{ type: 'text', text: msg.content }] : (msg.content as unknown[]);
  for (const b of list) {
    if (!isObj(b)) {
      addCount(counts, 'skipped_block_invalid');
      continue;
    }
    if (b.type === 'text' && typeof b.text === 'string') {
      const t = b.text.trim();
      if (t !== '') blocks.push({ k: 'text', text: capped(t, maxField) });
    } else if (b.type === 'thinking' && typeof b.thinking === 'string') {
      const t = b.thinking.trim();
      if (t !== '') blocks.push({ k: 'thinking', text: capped(t, maxField) });
      else if (str(b.signature)) addCount(counts, 'thinking_signature_only');
    } else if (b.type === 'redacted_thinking') {
      addCount(counts, 'thinking_redacted');
    } else if (b.type === 'tool_use' && typeof b.name === 'string') {
      blocks.push({ k: 'tool', id: typeof b.id === 'string' ? b.id : '', name: b.name, input: capStrings(b.input ?? {}, maxField, counts) });
    } else if (b.type === 'text' || b.type === 'thinking' || b.type === 'tool_use' || typeof b.type !== 'string') {
      addCount(counts, 'skipped_block_invalid');
    } else {
      addCount(counts, `skipped_block_${typeKey(b.type)}`);
    }
  }
  const item: AssistantItem = {
    k: 'assistant',
    key: str(msg.id) ?? str(v.uuid) ?? `line:${lineNo}`,
    blocks,
    empty: blocks.length === 0 && !isObj(msg.usage),
  };
  const msgId = str(msg.id) ?? str(v.uuid);
  if (msgId) item.msgId = msgId;
  if (str(msg.model)) item.model = str(msg.model);
  if (isObj(msg.usage)) item.usage = toUsage(msg.usage);
  if (typeof msg.stop_reason === 'string') item.stopReason = msg.stop_reason;
  return item;
}
