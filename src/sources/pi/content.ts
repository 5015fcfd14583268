// pi message content -> what a turn holds: text of content blocks (images and media counted and
// dropped; a pir blob reference checked, never read), a human `bashExecution` rendered as pi hands
// it to the model, an assistant message's text, thinking and tool calls.
import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { ToolCall, Turn, Usage } from '../../model/session.ts';
import { isObj, num, str, type Obj } from '../json-values.ts';
import type { PiContext } from './context.ts';

/** Prefix of the ids made up for pir's empty tool-call ids (never seen in real ids). */
export const EMPTY_ID_PREFIX = 'pi-empty-';

/** `sha256:<64 lowercase hex>`: the one digest pir writes. */
const BLOB_DIGEST = /^sha256:([0-9a-f]{64})$/;
const BLOB_KEYS = new Set(['$piBlob', 'sizeBytes', 'encoding']);

export class PiContent {
  private readonly blobSeen = new Map<string, boolean>();
  private readonly blobDir: string;

  constructor(private readonly ctx: PiContext) {
    this.blobDir = `${ctx.path}.blobs`;
  }

  /** Text of a content value (string or blocks); images and media are counted and dropped. */
  blocksText(content: unknown, line: number, where: string): string {
    if (typeof content === 'string') return this.ctx.capText(content);
    if (!Array.isArray(content)) return '';
    const parts: string[] = [];
    for (const b of content) {
      if (!isObj(b)) continue;
      switch (b.type) {
        case 'text':
          if (typeof b.text === 'string' && b.text !== '') parts.push(b.text);
          break;
        default:
          this.otherBlock(b, line, where);
      }
    }
    return this.ctx.capText(parts.join('\n'));
  }

  /** An image or media block (counted, dropped), or one pi does not know (counted, warned). */
  private otherBlock(b: Obj, line: number, where: string): void {
    if (b.type === 'image' || b.type === 'media') return this.onAttachment(b, line);
    this.ctx.count(`skipped_block_${String(b.type)}`);
    this.ctx.warn(`block_${String(b.type)}`, line, `unknown ${where} block "${String(b.type)}"; skipped`);
  }

  /** A command the human ran (`!cmd`), as pi renders it when it hands it to the model. */
  bashText(m: Obj): string {
    const command = this.ctx.capText(str(m.command) ?? '');
    const output = this.ctx.capText(str(m.output) ?? '');
    const exit = num(m.exitCode);
    let text = `Ran \`${command}\`\n`;
    text += output ? `\`\`\`\n${output}\n\`\`\`` : '(no output)';
    if (m.cancelled === true) text += '\n\n(command cancelled)';
    else if (exit !== undefined && exit !== 0) text += `\n\nCommand exited with code ${exit}`;
    if (m.truncated === true && str(m.fullOutputPath)) text += `\n\n[Output truncated. Full output: ${str(m.fullOutputPath)}]`;
    return text;
  }

  /** Image / media blocks: counted and dropped; a pir blob reference is checked, never read. */
  onAttachment(b: Obj, line: number): void {
    const ctx = this.ctx;
    ctx.count(b.type === 'image' ? 'images' : 'media');
    const data = b.data;
    if (typeof data === 'string' || data === undefined) return;
    ctx.count('blob_refs');
    const ref = isObj(data) ? data : undefined;
    const digest = ref ? str(ref.$piBlob) : undefined;
    const m = digest ? BLOB_DIGEST.exec(digest) : null;
    const size = ref ? num(ref.sizeBytes) : undefined;
    const wellFormed =
      ref !== undefined &&
      m !== null &&
      size !== undefined &&
      Number.isInteger(size) &&
      size >= 0 &&
      (ref.encoding === 'base64' || ref.encoding === 'base64NoPad') &&
      Object.keys(ref).every((k) => BLOB_KEYS.has(k));
    if (!wellFormed || !m) {
      ctx.count('blob_refs_malformed');
      ctx.warn('blob_malformed', line, 'malformed $piBlob reference in an attachment; dropped');
      return;
    }
    const hex = m[1];
    let present = this.blobSeen.get(hex);
    if (present === undefined) {
      present = existsSync(join(this.blobDir, hex));
      this.blobSeen.set(hex, present);
    }
    if (!present) {
      ctx.count('blobs_missing');
      ctx.warn('blob_missing', line, `attachment blob ${basename(this.blobDir)}/${hex} is missing`);
    }
  }

  /** An assistant message as a turn, or undefined when it holds nothing (an aborted request). */
  assistantTurn(msg: Obj, line: number): Turn | undefined {
    const ctx = this.ctx;
    const texts: string[] = [];
    const thinking: string[] = [];
    const calls: ToolCall[] = [];
    const content = typeof msg.content === 'string' ? [{ type: 'text', text: msg.content }] : msg.content;
    if (Array.isArray(content)) {
      for (const b of content as unknown[]) {
        if (!isObj(b)) continue;
        switch (b.type) {
          case 'text':
            if (typeof b.text === 'string' && b.text !== '') texts.push(b.text);
            break;
          case 'thinking':
            ctx.count('thinking_blocks');
            if (typeof b.thinking === 'string' && b.thinking !== '') thinking.push(b.thinking);
            else if (b.redacted === true) ctx.count('thinking_redacted');
            else if (str(b.thinkingSignature) ?? str(b.signature)) ctx.count('thinking_signature_only');
            break;
          case 'toolCall': {
            ctx.count('tool_calls');
            let id = str(b.id) ?? '';
            if (id === '') {
              // pir may leave it empty; results are then paired by order. A stable id for pairing.
              ctx.count('tool_call_ids_empty');
              id = `${EMPTY_ID_PREFIX}${line}-${calls.length}`;
            }
            calls.push({ id, name: str(b.name) ?? '', input: ctx.capValue(b.arguments ?? {}) });
            break;
          }
          default:
            this.otherBlock(b, line, 'assistant');
        }
      }
    }
    if (texts.length === 0 && thinking.length === 0 && calls.length === 0) {
      // An aborted or failed request with nothing in it: no turn to learn from.
      ctx.count('assistant_empty');
      return undefined;
    }
    const turn: Turn = { role: 'assistant', text: ctx.capText(texts.join('\n')), toolCalls: calls, toolResults: [] };
    if (thinking.length) turn.thinking = ctx.capText(thinking.join('\n'));
    const usage = usageOf(msg.usage);
    if (usage) turn.usage = usage;
    const model = str(msg.model);
    const provider = str(msg.provider);
    if (model) turn.model = model;
    if (provider) turn.provider = provider;
    if (str(msg.api)) turn.api = str(msg.api);
    if (str(msg.stopReason)) turn.stopReason = str(msg.stopReason);
    return turn;
  }
}

export function usageOf(u: unknown): Usage | undefined {
  if (!isObj(u)) return undefined;
  const usage: Usage = {
    input: num(u.input) ?? 0,
    output: num(u.output) ?? 0,
    cacheRead: num(u.cacheRead) ?? 0,
    cacheWrite: num(u.cacheWrite) ?? 0,
  };
  if (num(u.totalTokens) !== undefined) usage.totalTokens = num(u.totalTokens);
  const cost = isObj(u.cost) ? num(u.cost.total) : num(u.cost);
  if (cost !== undefined) usage.cost = cost;
  return usage;
}
