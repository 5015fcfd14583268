// Reads one pi / pir / omp session file (JSONL: a `session` header, then entries forming a tree by
// id/parentId) into the shared Session model, as pi's own SessionManager reads it: versions 1-3
// migrated in memory, the active path from the last entry back to the root, every other leaf an
// abandoned branch. Streams the file; per entry only what a turn needs is kept, text fields capped.
import { existsSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import {
  addCount,
  type AbandonedBranch,
  type Counts,
  type ReadResult,
  type Session,
  type ToolCall,
  type ToolResult,
  type Turn,
  type Usage,
} from '../../model/session.ts';
import { readJsonLines } from '../jsonl-lines.ts';
import type { ReaderOptions } from '../reader-options.ts';

export type PiRuntime = 'pi' | 'pir' | 'omp';

export interface PiReadOptions extends ReaderOptions {
  runtime: PiRuntime;
}

export const DEFAULT_MAX_FIELD_CHARS = 65536;
/** The session format version pi writes today; files without a tree are migrated up to it. */
export const CURRENT_PI_VERSION = 3;
const WARNINGS_PER_KIND = 3;

/** What one entry contributes to a conversation; structure-only entries carry none. */
type Item =
  | { k: 'user'; text: string; humanCommand?: true }
  | { k: 'assistant'; turn: Turn }
  | { k: 'toolResult'; result: ToolResult };

interface Node {
  /** Id as written (undefined when absent: v1, or a pir entry it never got). */
  rawId: string | undefined;
  /** undefined: key absent; null: explicit root. */
  rawParent: string | null | undefined;
  line: number;
  id: string;
  parent: string | null;
  ts?: string;
  item?: Item;
}

interface Header {
  line: number;
  version: unknown;
  id?: string;
  timestamp?: string;
  cwd?: string;
  provider?: string;
  modelId?: string;
  thinkingLevel?: string;
  parentSession?: string;
}

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const num = (v: unknown): number | undefined =>
  typeof v === 'number' && Number.isFinite(v) ? v : undefined;

/** `sha256:<64 lowercase hex>`: the one digest pir writes. */
const BLOB_DIGEST = /^sha256:([0-9a-f]{64})$/;
const BLOB_KEYS = new Set(['$piBlob', 'sizeBytes', 'encoding']);

/**
 * The parent session id from a header's `branchedFrom` (pir) / `parentSession` (pi): a path to the
 * parent file `<timestamp>_<id>.jsonl` gives its id; anything else is taken as the id itself.
 */
export function parentSessionIdFrom(ref: string): string | undefined {
  const trimmed = ref.trim();
  if (trimmed === '') return undefined;
  if (!/[\\/]/.test(trimmed) && !trimmed.endsWith('.jsonl')) return trimmed;
  return sessionIdFromFileName(trimmed.split(/[\\/]/).pop() ?? '');
}

/** `<timestamp>_<id>.jsonl` -> id (the timestamp holds no `_`). */
export function sessionIdFromFileName(name: string): string | undefined {
  const stem = name.replace(/\.jsonl$/, '');
  const us = stem.indexOf('_');
  const id = us === -1 ? stem : stem.slice(us + 1);
  return id === '' ? undefined : id;
}

/** A copy of the first `max` chars that does not pin the original string (V8 slices do). */
function cut(s: string, max: number): string {
  let end = max;
  const c = s.charCodeAt(end - 1);
  if (c >= 0xd800 && c <= 0xdbff) end--; // never split a surrogate pair
  return Buffer.from(s.slice(0, end), 'utf8').toString('utf8');
}

class Reader {
  readonly counts: Counts = {};
  readonly warnings: string[] = [];
  private readonly warned: Record<string, number> = {};
  private readonly nodes: Node[] = [];
  private header: Header | undefined;
  private firstLine = 0;
  private readonly models: string[] = [];
  private readonly modelSet = new Set<string>();
  private readonly thinkingLevels: string[] = [];
  private firstAssistantProvider: string | undefined;
  private firstChangeProvider: string | undefined;
  private readonly labels = new Map<string, string>();
  private name: string | undefined;
  private compactions = 0;
  private readonly tokensBefore: number[] = [];
  private branchSummaries = 0;
  private lastMs = -Infinity;
  private lastIso: string | undefined;
  private anyRawId = false;
  private readonly blobSeen = new Map<string, boolean>();
  private readonly blobDir: string;

  constructor(
    readonly path: string,
    readonly runtime: PiRuntime,
    readonly maxField: number,
  ) {
    this.blobDir = `${path}.blobs`;
  }

  count(key: string, n = 1): void {
    addCount(this.counts, key, n);
  }

  /** One warning per kind up to a few; the rest are summed in `finish`. */
  warn(kind: string, line: number | undefined, msg: string): void {
    const n = (this.warned[kind] = (this.warned[kind] ?? 0) + 1);
    if (n <= WARNINGS_PER_KIND) this.warnings.push(`${this.path}${line ? `:${line}` : ''}: ${msg}`);
  }

  capText(s: string): string {
    if (s.length <= this.maxField) return s;
    this.count('fields_capped');
    return `${cut(s, this.maxField)}\n[truncated ${s.length - this.maxField} chars]`;
  }

  /** Tool arguments: every string inside capped, the shape kept. */
  capValue(v: unknown, depth = 0): unknown {
    if (typeof v === 'string') return this.capText(v);
    if (depth > 64 || v === null || typeof v !== 'object') return v;
    if (Array.isArray(v)) return v.map((x) => this.capValue(x, depth + 1));
    const out: Obj = {};
    for (const [k, x] of Object.entries(v)) out[k] = this.capValue(x, depth + 1);
    return out;
  }

  noteTime(ts: string | undefined): void {
    if (!ts) return;
    const ms = Date.parse(ts);
    if (Number.isFinite(ms) && ms >= this.lastMs) {
      this.lastMs = ms;
      this.lastIso = ts;
    }
  }

  addModel(model: string | undefined): void {
    if (!model || this.modelSet.has(model)) return;
    this.modelSet.add(model);
    this.models.push(model);
  }

  addThinkingLevel(level: string | undefined): void {
    if (level && !this.thinkingLevels.includes(level)) this.thinkingLevels.push(level);
  }

  onLine = (value: unknown, line: number): void => {
    if (this.firstLine === 0) this.firstLine = line;
    if (!isObj(value) || typeof value.type !== 'string') {
      this.count('skipped_no_type');
      this.warn('no_type', line, 'line is not an entry (no "type"); skipped');
      return;
    }
    if (value.type === 'session') return this.onHeader(value, line);
    this.count('entries');
    const rawId = str(value.id);
    if (rawId) this.anyRawId = true;
    const rawParent =
      value.parentId === null ? null : typeof value.parentId === 'string' ? value.parentId : undefined;
    const entryTs = str(value.timestamp);
    const node: Node = { rawId: rawId || undefined, rawParent, line, id: '', parent: null };
    this.noteTime(entryTs);
    this.nodes.push(node);

    switch (value.type) {
      case 'message':
        this.count('messages');
        if (isObj(value.message)) this.onMessage(node, value.message, entryTs);
        else {
          this.count('message_without_body');
          this.warn('message_without_body', line, 'message entry without a message object; skipped');
        }
        break;
      case 'custom_message':
        this.onCustom(node, value, entryTs);
        break;
      case 'model_change':
        this.count('model_changes');
        this.addModel(str(value.modelId));
        this.firstChangeProvider ??= str(value.provider);
        break;
      case 'thinking_level_change':
        this.count('thinking_level_changes');
        this.addThinkingLevel(str(value.thinkingLevel));
        break;
      case 'compaction':
        this.count('compactions');
        this.compactions++;
        if (num(value.tokensBefore) !== undefined) this.tokensBefore.push(num(value.tokensBefore)!);
        break;
      case 'branch_summary':
        this.count('branch_summaries');
        this.branchSummaries++;
        break;
      case 'label': {
        this.count('labels');
        const target = str(value.targetId);
        const label = str(value.label);
        if (target) {
          if (label) this.labels.set(target, label);
          else this.labels.delete(target);
        }
        break;
      }
      case 'session_info': {
        this.count('session_infos');
        const name = str(value.name)?.trim();
        if (name) this.name = name;
        break;
      }
      case 'custom':
        // Extension state: pi never puts it in the model's context.
        this.count('custom_entries');
        break;
      default:
        // Kept as a tree node (children may hang off it), but contributes nothing.
        this.count(`skipped_type_${value.type}`);
        this.warn(`type_${value.type}`, line, `unknown entry type "${value.type}"; skipped`);
    }
  };

  private onHeader(h: Obj, line: number): void {
    if (this.header) {
      this.count('header_duplicate');
      this.warn('header_duplicate', line, 'a second session header; ignored (the first one counts)');
      return;
    }
    if (this.nodes.length > 0 || line !== this.firstLine) {
      this.count('header_not_first');
      this.warn('header_not_first', line, 'session header is not the first line; read anyway');
    }
    this.header = {
      line,
      version: h.version,
      id: str(h.id),
      timestamp: str(h.timestamp),
      cwd: str(h.cwd),
      provider: str(h.provider),
      modelId: str(h.modelId),
      thinkingLevel: str(h.thinkingLevel),
      parentSession: str(h.branchedFrom) ?? str(h.parentSession),
    };
    this.noteTime(this.header.timestamp);
  }

  private turnTime(entryTs: string | undefined, msg: Obj): string | undefined {
    if (entryTs && Number.isFinite(Date.parse(entryTs))) return entryTs;
    const ms = num(msg.timestamp);
    return ms !== undefined ? new Date(ms).toISOString() : entryTs;
  }

  private onMessage(node: Node, msg: Obj, entryTs: string | undefined): void {
    const role = str(msg.role);
    node.ts = this.turnTime(entryTs, msg);
    switch (role) {
      case 'user': {
        this.count('user_messages');
        const text = this.blocksText(msg.content, node.line, 'user');
        node.item = { k: 'user', text };
        return;
      }
      case 'assistant':
        this.count('assistant_messages');
        return this.onAssistant(node, msg);
      case 'toolResult': {
        this.count('tool_results');
        const text = this.blocksText(msg.content, node.line, 'toolResult');
        node.item = {
          k: 'toolResult',
          result: { id: str(msg.toolCallId) ?? '', content: text, isError: msg.isError === true },
        };
        return;
      }
      case 'bashExecution': {
        this.count('bash_executions');
        if (msg.excludeFromContext === true) {
          // `!!` commands: run by the human, never shown to the model.
          this.count('bash_excluded');
          return;
        }
        node.item = { k: 'user', text: this.bashText(msg), humanCommand: true };
        return;
      }
      case 'hookMessage':
        // v2 name of `custom` (renamed in v3); pi migrates it on load.
        this.count('hook_messages_migrated');
        return this.onCustom(node, msg, entryTs);
      case 'custom':
        return this.onCustom(node, msg, entryTs);
      default:
        this.count(`skipped_role_${role ?? 'none'}`);
        this.warn(`role_${role}`, node.line, `unknown message role "${role}"; skipped`);
    }
  }

  /**
   * Extension messages (role `custom`, entry `custom_message`): pi's convertToLlm sends them to the
   * model as user messages whatever `display` says, so those with text become user turns.
   */
  private onCustom(node: Node, m: Obj, entryTs: string | undefined): void {
    this.count('custom_messages');
    node.ts ??= this.turnTime(entryTs, m);
    const text = this.blocksText(m.content, node.line, 'custom');
    if (text.trim() === '') {
      this.count('custom_messages_empty');
      return;
    }
    node.item = { k: 'user', text };
  }

  private bashText(m: Obj): string {
    const command = this.capText(str(m.command) ?? '');
    const output = this.capText(str(m.output) ?? '');
    const exit = num(m.exitCode);
    // Same rendering pi uses when it hands the command to the model.
    let text = `Ran \`${command}\`\n`;
    text += output ? `\`\`\`\n${output}\n\`\`\`` : '(no output)';
    if (m.cancelled === true) text += '\n\n(command cancelled)';
    else if (exit !== undefined && exit !== 0) text += `\n\nCommand exited with code ${exit}`;
    if (m.truncated === true && str(m.fullOutputPath)) {
      text += `\n\n[Output truncated. Full output: ${str(m.fullOutputPath)}]`;
    }
    return text;
  }

  /** Text of a content value (string or blocks); images and media are counted and dropped. */
  private blocksText(content: unknown, line: number, where: string): string {
    if (typeof content === 'string') return this.capText(content);
    if (!Array.isArray(content)) return '';
    const parts: string[] = [];
    for (const b of content) {
      if (!isObj(b)) continue;
      switch (b.type) {
        case 'text':
          if (typeof b.text === 'string' && b.text !== '') parts.push(b.text);
          break;
        case 'image':
        case 'media':
          this.onAttachment(b, line);
          break;
        default:
          this.count(`skipped_block_${String(b.type)}`);
          this.warn(`block_${String(b.type)}`, line, `unknown ${where} block "${String(b.type)}"; skipped`);
      }
    }
    return this.capText(parts.join('\n'));
  }

  /** Image / media blocks: counted and dropped; a pir blob reference is checked, never read. */
  private onAttachment(b: Obj, line: number): void {
    this.count(b.type === 'image' ? 'images' : 'media');
    const data = b.data;
    if (typeof data === 'string' || data === undefined) return;
    this.count('blob_refs');
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
      this.count('blob_refs_malformed');
      this.warn('blob_malformed', line, 'malformed $piBlob reference in an attachment; dropped');
      return;
    }
    const hex = m[1];
    let present = this.blobSeen.get(hex);
    if (present === undefined) {
      present = existsSync(join(this.blobDir, hex));
      this.blobSeen.set(hex, present);
    }
    if (!present) {
      this.count('blobs_missing');
      this.warn('blob_missing', line, `attachment blob ${basename(this.blobDir)}/${hex} is missing`);
    }
  }

  private onAssistant(node: Node, msg: Obj): void {
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
            this.count('thinking_blocks');
            if (typeof b.thinking === 'string' && b.thinking !== '') thinking.push(b.thinking);
            else if (b.redacted === true) this.count('thinking_redacted');
            break;
          case 'toolCall': {
            this.count('tool_calls');
            let id = str(b.id) ?? '';
            if (id === '') {
              // pir may leave it empty; results are then paired by order. A stable id for pairing.
              this.count('tool_call_ids_empty');
              id = `${EMPTY_ID_PREFIX}${node.line}-${calls.length}`;
            }
            calls.push({ id, name: str(b.name) ?? '', input: this.capValue(b.arguments ?? {}) });
            break;
          }
          case 'image':
          case 'media':
            this.onAttachment(b, node.line);
            break;
          default:
            this.count(`skipped_block_${String(b.type)}`);
            this.warn(`block_${String(b.type)}`, node.line, `unknown assistant block "${String(b.type)}"; skipped`);
        }
      }
    }
    const model = str(msg.model);
    const provider = str(msg.provider);
    this.addModel(model);
    if (texts.length === 0 && thinking.length === 0 && calls.length === 0) {
      // An aborted or failed request with nothing in it: no turn to learn from.
      this.count('assistant_empty');
      return;
    }
    this.firstAssistantProvider ??= provider;
    const turn: Turn = {
      role: 'assistant',
      text: this.capText(texts.join('\n')),
      toolCalls: calls,
      toolResults: [],
    };
    if (thinking.length) turn.thinking = this.capText(thinking.join('\n'));
    const usage = usageOf(msg.usage);
    if (usage) turn.usage = usage;
    if (model) turn.model = model;
    if (provider) turn.provider = provider;
    if (str(msg.api)) turn.api = str(msg.api);
    if (str(msg.stopReason)) turn.stopReason = str(msg.stopReason);
    node.item = { k: 'assistant', turn };
  }

  /** After the last line: ids, tree, paths, turns. */
  finish(): ReadResult {
    const h = this.header;
    if (!h && this.nodes.length === 0) {
      this.count('no_turns');
      this.warnings.push(`${this.path}: no session header and no entries; nothing to read`);
      return { session: null, counts: this.counts, warnings: this.warnings };
    }
    if (!h) {
      this.count('header_missing');
      this.warn('header_missing', undefined, 'no session header; id taken from the file name');
    }
    const version = this.resolveVersion(h);
    this.assignIds(version);
    const byId = this.buildIndex();
    const leaf = this.nodes[this.nodes.length - 1];

    const active = leaf ? pathTo(leaf, byId) : [];
    const activePos = new Map<string, number>();
    active.forEach((n, i) => activePos.set(n.id, i));
    const builder = new TurnBuilder(this.counts);
    const turnsAfter: number[] = [];
    for (const n of active) {
      builder.push(n);
      turnsAfter.push(builder.turns.length);
    }
    const turns = builder.turns;
    this.count('turns', turns.length);

    const abandoned = this.abandonedBranches(byId, active, activePos, turnsAfter, leaf);

    if (turns.length === 0 && abandoned.length === 0) {
      this.count('no_turns');
      this.warnings.push(`${this.path}: no conversation turns; nothing to emit`);
      return { session: null, counts: this.counts, warnings: this.warnings };
    }

    const session: Session = {
      id: this.sessionId(h),
      format: 'pi',
      runtime: this.runtime,
      path: this.path,
      models: this.models,
      turns,
      abandoned,
      extra: this.extra(h, version),
    };
    if (h?.cwd) session.cwd = h.cwd;
    const provider = this.firstAssistantProvider ?? this.firstChangeProvider ?? h?.provider;
    if (provider) session.provider = provider;
    if (h?.parentSession) {
      const parent = parentSessionIdFrom(h.parentSession);
      if (parent) session.parentSessionId = parent;
    }
    const started = h?.timestamp ?? this.nodes.find((n) => n.ts)?.ts;
    if (started) session.startedAt = started;
    if (this.lastIso) session.endedAt = this.lastIso;
    this.summarizeWarnings();
    return { session, counts: this.counts, warnings: this.warnings };
  }

  /** pi's rule: no version means v1. A header claiming nothing while entries carry ids is read as current. */
  private resolveVersion(h: Header | undefined): number {
    const v = h?.version;
    if (v === undefined || v === null) {
      if (!this.anyRawId) {
        if (h) this.count('version_1');
        return 1;
      }
      this.count('version_missing');
      this.warn('version', h?.line, `no session version but entries carry ids; read as v${CURRENT_PI_VERSION}`);
      return CURRENT_PI_VERSION;
    }
    if (typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= CURRENT_PI_VERSION) {
      this.count(`version_${v}`);
      return v;
    }
    this.count('version_unknown');
    this.warn('version', h?.line, `unknown session version ${JSON.stringify(v)}; read as v${CURRENT_PI_VERSION}`);
    return CURRENT_PI_VERSION;
  }

  /**
   * v1: entries chain in file order (pi's migrateV1ToV2). v2+: ids as written; a missing id is made
   * up, a missing parentId (pir's model_change) hangs the entry off the one before it.
   */
  private assignIds(version: number): void {
    let prev: string | null = null;
    if (version < 2) {
      if (this.nodes.length) this.count('migrated_from_v1');
      this.nodes.forEach((n, i) => {
        n.id = `v1-${i + 1}`;
        n.parent = prev;
        prev = n.id;
      });
      return;
    }
    if (version === 2 && this.nodes.length) this.count('migrated_from_v2');
    for (const n of this.nodes) {
      if (n.rawId) n.id = n.rawId;
      else {
        this.count('ids_missing');
        this.warn('ids_missing', n.line, 'entry without an id; one made up from its line');
        n.id = `line-${n.line}`;
      }
      if (n.rawParent === undefined) {
        if (prev !== null) {
          this.count('parent_id_missing');
          this.warn('parent_id_missing', n.line, 'entry without parentId; attached to the entry before it');
        }
        n.parent = prev;
      } else n.parent = n.rawParent === '' ? null : n.rawParent;
      prev = n.id;
    }
  }

  /** id -> node (a later duplicate wins, as in pi's byId); orphans and cycles made roots. */
  private buildIndex(): Map<string, Node> {
    const byId = new Map<string, Node>();
    for (const n of this.nodes) {
      if (byId.has(n.id)) {
        this.count('duplicate_ids');
        this.warn('duplicate_ids', n.line, `duplicate entry id "${n.id}"; the later entry wins`);
      }
      byId.set(n.id, n);
    }
    for (const n of byId.values()) {
      if (n.parent === null) continue;
      if (n.parent === n.id) {
        this.count('cycles');
        this.warn('cycles', n.line, `entry "${n.id}" is its own parent; made a root`);
        n.parent = null;
      } else if (!byId.has(n.parent)) {
        // pi treats an entry whose parent is unknown as a root of its own.
        this.count('orphans');
        this.warn('orphans', n.line, `parent "${n.parent}" of entry "${n.id}" does not exist; made a root`);
        n.parent = null;
      }
    }
    // Longer cycles: walk up from each entry; a walk that meets itself is cut where it closes.
    const state = new Map<string, number>(); // 1 on the current walk, 2 done
    for (const start of byId.values()) {
      if (state.get(start.id) === 2) continue;
      const walk: Node[] = [];
      let cur: Node | undefined = start;
      while (cur && !state.has(cur.id)) {
        state.set(cur.id, 1);
        walk.push(cur);
        cur = cur.parent === null ? undefined : byId.get(cur.parent);
      }
      if (cur && state.get(cur.id) === 1) {
        const closer = walk[walk.length - 1];
        this.count('cycles');
        this.warn('cycles', closer.line, `parentId cycle through entry "${closer.id}"; cut there`);
        closer.parent = null;
      }
      for (const n of walk) state.set(n.id, 2);
    }
    return byId;
  }

  private abandonedBranches(
    byId: Map<string, Node>,
    active: Node[],
    activePos: Map<string, number>,
    turnsAfter: number[],
    leaf: Node | undefined,
  ): AbandonedBranch[] {
    const hasChild = new Set<string>();
    for (const n of byId.values()) if (n.parent !== null) hasChild.add(n.parent);
    const out: AbandonedBranch[] = [];
    for (const n of this.nodes) {
      if (n === leaf || hasChild.has(n.id) || byId.get(n.id) !== n || activePos.has(n.id)) continue;
      // Up to the last entry shared with the active path (or the root of another tree).
      const own: Node[] = [];
      let cur: Node | undefined = n;
      while (cur && !activePos.has(cur.id)) {
        own.push(cur);
        cur = cur.parent === null ? undefined : byId.get(cur.parent);
      }
      own.reverse();
      if (!own.some((x) => x.item)) continue;
      const bpIndex = cur ? activePos.get(cur.id)! : -1;
      const builder = new TurnBuilder({});
      // Replay from the last assistant turn at or before the branch point: it owns the calls
      // the branch's first results may answer.
      let from = bpIndex;
      while (from > 0 && active[from].item?.k !== 'assistant') from--;
      for (let i = Math.max(from, 0); i <= bpIndex; i++) builder.push(active[i]);
      builder.startBranch(this.counts);
      for (const x of own) builder.push(x);
      if (builder.turns.length === 0) continue;
      this.count('abandoned_branches');
      this.count('abandoned_turns', builder.turns.length);
      out.push({
        branchPointId: cur ? cur.id : null,
        branchPointTurnIndex: bpIndex >= 0 ? turnsAfter[bpIndex] : 0,
        turns: builder.turns,
        leafId: n.id,
      });
    }
    return out;
  }

  private sessionId(h: Header | undefined): string {
    if (h?.id) return h.id;
    this.count('session_id_from_filename');
    return sessionIdFromFileName(basename(this.path)) ?? basename(this.path);
  }

  private extra(h: Header | undefined, version: number): Record<string, unknown> {
    const levels = h?.thinkingLevel ? [h.thinkingLevel, ...this.thinkingLevels] : this.thinkingLevels;
    const extra: Record<string, unknown> = {
      version: typeof h?.version === 'number' ? h.version : version,
      thinkingLevels: [...new Set(levels)],
      compactions: { count: this.compactions, tokensBefore: this.tokensBefore },
      branchSummaries: this.branchSummaries,
    };
    if (this.name) extra.name = this.name;
    if (this.labels.size) extra.labels = Object.fromEntries(this.labels);
    if (h?.parentSession) extra.parentSession = h.parentSession;
    if (h?.modelId) extra.initialModel = h.modelId;
    if (!h?.cwd) {
      // Role detection falls back to the folder pi named after the cwd.
      const folder = basename(dirname(this.path));
      if (/^--.*--$/.test(folder)) extra.encodedFolder = folder;
    }
    return extra;
  }

  private summarizeWarnings(): void {
    for (const [kind, n] of Object.entries(this.warned)) {
      if (n > WARNINGS_PER_KIND) {
        this.warnings.push(`${this.path}: ${n - WARNINGS_PER_KIND} more "${kind}" warnings`);
      }
    }
    const bad = ['malformed_json', 'invalid_utf8', 'oversize_line', 'truncated_last_line'];
    for (const k of bad) {
      if (this.counts[k]) this.warnings.push(`${this.path}: ${this.counts[k]} line(s) skipped (${k})`);
    }
  }
}

/** Prefix of the ids made up for pir's empty tool-call ids (never seen in real ids). */
export const EMPTY_ID_PREFIX = 'pi-empty-';

function usageOf(u: unknown): Usage | undefined {
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

function pathTo(leaf: Node, byId: Map<string, Node>): Node[] {
  const path: Node[] = [];
  let cur: Node | undefined = leaf;
  while (cur) {
    path.push(cur);
    cur = cur.parent === null ? undefined : byId.get(cur.parent);
  }
  return path.reverse();
}

/**
 * Turns from a path of entries: tool results gather into one user turn after the assistant turn
 * whose calls they answer; a result with an empty id takes the first unanswered call.
 */
class TurnBuilder {
  readonly turns: Turn[] = [];
  private pending: string[] = [];
  private mergeable = false;

  constructor(private counts: Counts) {}

  /** Turns so far belong to the shared prefix: drop them, and count from here on. */
  startBranch(counts: Counts): void {
    this.turns.length = 0;
    this.mergeable = false;
    this.counts = counts;
  }

  push(n: Node): void {
    const item = n.item;
    if (!item) return;
    if (item.k === 'assistant') {
      const turn = withEntry(item.turn, n);
      this.turns.push(turn);
      this.pending = turn.toolCalls.map((c) => c.id);
      this.mergeable = false;
      return;
    }
    if (item.k === 'user') {
      const turn: Turn = { role: 'user', text: item.text, toolCalls: [], toolResults: [] };
      if (item.humanCommand) turn.humanCommand = true;
      this.turns.push(withEntry(turn, n, false));
      this.mergeable = false;
      return;
    }
    const result = { ...item.result };
    const at = result.id === '' ? -1 : this.pending.indexOf(result.id);
    if (at >= 0) this.pending.splice(at, 1);
    else if (this.pending.length && (result.id === '' || this.pending[0].startsWith(EMPTY_ID_PREFIX))) {
      result.id = this.pending.shift()!;
      addCount(this.counts, 'tool_ids_paired_by_order');
    } else addCount(this.counts, 'tool_results_unmatched');
    const last = this.turns[this.turns.length - 1];
    if (this.mergeable && last) last.toolResults.push(result);
    else {
      this.turns.push(withEntry({ role: 'user', text: '', toolCalls: [], toolResults: [result] }, n, false));
      this.mergeable = true;
    }
  }
}

function withEntry(turn: Turn, n: Node, copy = true): Turn {
  const t = copy ? { ...turn } : turn;
  if (n.ts) t.timestamp = n.ts;
  t.entryId = n.id;
  return t;
}

/**
 * The id in the header of the parent file when it can be read: pir names files after the first 8
 * characters of the session's UUID, so the file name alone gives only that prefix.
 */
async function parentHeaderId(ref: string, childPath: string): Promise<string | undefined> {
  if (!/[\\/]/.test(ref) && !ref.endsWith('.jsonl')) return undefined;
  const p = isAbsolute(ref) ? ref : resolve(dirname(childPath), ref);
  let fh;
  try {
    fh = await open(p, 'r');
    const buf = Buffer.alloc(HEADER_WINDOW_BYTES);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    const text = buf.subarray(0, bytesRead).toString('utf8');
    const nl = text.indexOf('\n');
    if (nl === -1 && bytesRead === buf.length) return undefined;
    const h = JSON.parse(nl === -1 ? text : text.slice(0, nl)) as unknown;
    return isObj(h) && h.type === 'session' ? str(h.id) || undefined : undefined;
  } catch {
    return undefined;
  } finally {
    await fh?.close();
  }
}

const HEADER_WINDOW_BYTES = 64 * 1024;

/** Reads a pi / pir / omp session file. Rejects only when the file cannot be read at all. */
export async function readPiSession(path: string, opts: PiReadOptions): Promise<ReadResult> {
  const abs = resolve(path);
  const reader = new Reader(abs, opts.runtime, opts.maxFieldChars ?? DEFAULT_MAX_FIELD_CHARS);
  await readJsonLines(opts.readFrom ?? abs, reader.onLine, reader.counts, { maxLineBytes: opts.maxLineBytes });
  const result = reader.finish();
  const ref = result.session?.extra.parentSession;
  if (result.session && typeof ref === 'string') {
    const full = await parentHeaderId(ref, abs);
    if (full) {
      result.session.parentSessionId = full;
      addCount(result.counts, 'parent_id_from_header');
    } else if (result.session.parentSessionId) addCount(result.counts, 'parent_id_from_name');
  }
  return result;
}
