// Replays Gemini CLI's chat recording as its own loader does (`chatRecordingService.ts`): the first
// line is the session's metadata; a record with an `id` is a message, and a later record with the
// same id replaces the earlier one in place (Gemini rewrites a message whole each time its tool
// calls, results or tokens change); `{"$set": {...}}` updates the metadata; `{"$rewindTo": id}`
// removes that message and everything after it (an unknown id clears them all). What a rewind
// removes is kept as an abandoned branch. `$set.messages` (the model's history after compression
// or masking) is counted, not followed: the recorded messages are the conversation.
//
// Each message is reduced on intake to what a turn needs, with text fields capped, so the log
// holds no raw record.
import { addCount, type Counts, type Usage } from '../../model/session.ts';
import { capString, capStrings } from '../capped-text.ts';
import { attachmentPlaceholder } from '../harness-text.ts';
import { isObj, num, str, typeKey, type Obj } from '../json-values.ts';

export interface GeminiToolCall {
  id: string;
  name: string;
  args: unknown;
  /** Undefined when the file holds no result (still running, or never run). */
  result?: { content: string; isError: boolean };
  agentId?: string;
}

export interface GeminiMessage {
  id: string;
  type: string;
  timestamp?: string;
  text: string;
  thoughts: string[];
  toolCalls: GeminiToolCall[];
  usage?: Usage;
  model?: string;
}

export interface RewoundBranch {
  /** The message the branch followed (null: it began the conversation). */
  afterId: string | null;
  messages: GeminiMessage[];
}

/** Text of a PartListUnion (a string, a part, or parts); media become placeholders. */
export function partsText(parts: unknown, counts: Counts): string {
  if (typeof parts === 'string') return parts;
  const list = Array.isArray(parts) ? parts : isObj(parts) ? [parts] : [];
  const out: string[] = [];
  for (const p of list) {
    if (typeof p === 'string') out.push(p);
    else if (!isObj(p)) continue;
    else if (typeof p.text === 'string') {
      if (p.thought === true) continue; // a thought part: recorded in `thoughts`
      out.push(p.text);
    } else if (isObj(p.inlineData) || isObj(p.fileData)) {
      const mime = str((p.inlineData as Obj | undefined)?.mimeType) ?? str((p.fileData as Obj | undefined)?.mimeType) ?? '';
      const image = mime.startsWith('image/');
      addCount(counts, image ? 'images' : 'documents');
      out.push(attachmentPlaceholder(image ? 'image' : 'file', str((p.fileData as Obj | undefined)?.fileUri)));
    } else if (isObj(p.functionResponse)) {
      out.push(functionResponseText(p.functionResponse).content);
    } else if (!isObj(p.functionCall)) addCount(counts, 'skipped_part');
  }
  return out.join('\n');
}

function functionResponseText(fr: Obj): { content: string; isError: boolean } {
  const r = isObj(fr.response) ? fr.response : {};
  if (r.error !== undefined) return { content: typeof r.error === 'string' ? r.error : JSON.stringify(r.error), isError: true };
  const out = r.output ?? r.content ?? r;
  return { content: typeof out === 'string' ? out : JSON.stringify(out), isError: false };
}

function resultOf(call: Obj, counts: Counts): GeminiToolCall['result'] {
  const status = str(call.status);
  const failed = status === 'error' || status === 'cancelled';
  if (call.result !== undefined && call.result !== null) {
    const list = Array.isArray(call.result) ? call.result : [call.result];
    const texts: string[] = [];
    let isError = failed;
    for (const p of list) {
      if (isObj(p) && isObj(p.functionResponse)) {
        const r = functionResponseText(p.functionResponse);
        texts.push(r.content);
        isError ||= r.isError;
      } else texts.push(partsText(p, counts));
    }
    return { content: texts.join('\n'), isError };
  }
  if (failed) {
    const display = typeof call.resultDisplay === 'string' && call.resultDisplay !== '' ? call.resultDisplay : `Tool call ${status}.`;
    return { content: display, isError: true };
  }
  return undefined;
}

function thoughtText(t: unknown): string | undefined {
  if (!isObj(t)) return typeof t === 'string' ? t : undefined;
  const subject = str(t.subject);
  const description = str(t.description);
  if (subject && description) return `**${subject}**\n${description}`;
  return subject ?? description;
}

function usageOf(t: unknown): Usage | undefined {
  if (!isObj(t)) return undefined;
  const input = num(t.input) ?? 0;
  const cached = num(t.cached) ?? 0;
  const usage: Usage = {
    input: Math.max(0, input - cached),
    output: (num(t.output) ?? 0) + (num(t.thoughts) ?? 0),
    cacheRead: cached,
    cacheWrite: 0,
  };
  if (num(t.total) !== undefined) usage.totalTokens = num(t.total);
  return usage;
}

/** One message record reduced to what a turn needs. */
export function toMessage(r: Obj, maxField: number, counts: Counts): GeminiMessage {
  const m: GeminiMessage = {
    id: String(r.id),
    type: str(r.type) ?? 'unnamed',
    timestamp: str(r.timestamp),
    text: capString(partsText(r.content, counts), maxField, counts),
    thoughts: [],
    toolCalls: [],
  };
  if (Array.isArray(r.thoughts)) {
    for (const t of r.thoughts) {
      const s = thoughtText(t);
      if (s) m.thoughts.push(capString(s, maxField, counts));
    }
  }
  if (Array.isArray(r.toolCalls)) {
    for (const c of r.toolCalls) {
      if (!isObj(c) || !str(c.name)) continue;
      const result = resultOf(c, counts);
      m.toolCalls.push({
        id: str(c.id) ?? '',
        name: str(c.name)!,
        args: capStrings(c.args ?? {}, maxField, counts),
        ...(result ? { result: { ...result, content: capString(result.content, maxField, counts) } } : {}),
        ...(str(c.agentId) ? { agentId: str(c.agentId) } : {}),
      });
    }
  }
  const usage = usageOf(r.tokens);
  if (usage) m.usage = usage;
  if (str(r.model)) m.model = str(r.model);
  return m;
}

/** The replayed log of one file. */
export class GeminiLog {
  metadata: Obj = {};
  readonly messages = new Map<string, GeminiMessage>();
  readonly rewound: RewoundBranch[] = [];
  private sawMetadata = false;

  constructor(
    private readonly maxField: number,
    readonly counts: Counts,
  ) {}

  onRecord = (v: unknown): void => {
    if (!isObj(v)) {
      addCount(this.counts, 'skipped_not_object');
      return;
    }
    if (typeof v.$rewindTo === 'string') return this.rewind(v.$rewindTo);
    if (typeof v.id === 'string') {
      if (this.messages.has(v.id)) addCount(this.counts, 'records_replaced');
      else addCount(this.counts, 'records');
      // Map.set keeps the first position of an id, as Gemini's loader does.
      this.messages.set(v.id, toMessage(v, this.maxField, this.counts));
      return;
    }
    if (isObj(v.$set)) {
      addCount(this.counts, 'metadata_updates');
      const { messages, ...rest } = v.$set;
      if (messages !== undefined) addCount(this.counts, 'history_replacements');
      this.metadata = { ...this.metadata, ...rest };
      return;
    }
    if (typeof v.sessionId === 'string') {
      if (this.sawMetadata) addCount(this.counts, 'metadata_repeated');
      this.sawMetadata = true;
      const { messages: _m, ...rest } = v;
      this.metadata = { ...this.metadata, ...rest };
      return;
    }
    addCount(this.counts, `skipped_record_${typeKey(Object.keys(v)[0] ?? 'empty')}`);
  };

  private rewind(target: string): void {
    addCount(this.counts, 'rewinds');
    const ids = [...this.messages.keys()];
    const at = ids.indexOf(target);
    if (at === -1) addCount(this.counts, 'rewinds_to_unknown_id');
    const from = at === -1 ? 0 : at;
    const removed = ids.slice(from).map((id) => this.messages.get(id)!);
    for (const m of removed) this.messages.delete(m.id);
    if (removed.length === 0) return;
    addCount(this.counts, 'rewound_messages', removed.length);
    this.rewound.push({ afterId: from === 0 ? null : ids[from - 1], messages: removed });
  }
}
