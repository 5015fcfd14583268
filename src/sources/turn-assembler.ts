// Builds the turns of one conversation from what a reader parsed, in file order, the same way for
// every harness: human text and tool results make user turns (results first: a result after text
// opens a new turn), assistant parts make assistant turns (one per model reply; a reader that
// streams a reply over several lines reopens its turn by key). Calls are paired with results by id,
// an empty result id takes the oldest unanswered call. Text fields are capped (head + tail).
//
// Counts: turns, user_turns, assistant_turns, tool_calls, tool_results, assistant_lines_merged,
// duplicate_tool_calls, tool_results_paired_by_order, tool_results_unmatched,
// tool_calls_unanswered, empty_turns, fields_capped.
import { addCount, type Counts, type ToolCall, type ToolResult, type Turn, type Usage } from '../model/session.ts';
import { CappedText, capString, capStrings } from './capped-text.ts';

export interface TurnMeta {
  timestamp?: string;
  entryId?: string;
}

/** An assistant turn being filled. */
export interface PendingAssistant {
  readonly role: 'assistant';
  text: CappedText;
  thinking: CappedText;
  toolCalls: ToolCall[];
  callIds: Set<string>;
  usage?: Usage;
  model?: string;
  provider?: string;
  api?: string;
  stopReason?: string;
  timestamp?: string;
  entryId?: string;
}

interface PendingUser {
  readonly role: 'user';
  text: CappedText;
  toolResults: ToolResult[];
  humanCommand?: boolean;
  timestamp?: string;
  entryId?: string;
}

type Pending = PendingAssistant | PendingUser;

export class TurnAssembler {
  private readonly turns: Pending[] = [];
  private readonly byKey = new Map<string, PendingAssistant>();
  /** Calls without a result yet, oldest first (a Map keeps insertion order). */
  private readonly unanswered = new Map<string, true>();
  /** kept[i]: turns kept among the first i opened (filled by finish). */
  private kept: number[] = [0];

  constructor(
    readonly counts: Counts,
    readonly maxField: number,
  ) {}

  get isEmpty(): boolean {
    return this.turns.length === 0;
  }

  /** Turns opened so far (some may be dropped as empty by `finish`). */
  get pendingCount(): number {
    return this.turns.length;
  }

  /** After `finish`: how many of the first `position` opened turns were kept. */
  keptBefore(position: number): number {
    return this.kept[Math.min(position, this.kept.length - 1)] ?? 0;
  }

  /** Human (or orchestrator) text: joins an open user turn, else opens one. */
  userText(text: string | CappedText, meta: TurnMeta & { humanCommand?: boolean } = {}): void {
    if (typeof text === 'string' ? text.trim() === '' : text.isEmpty) return;
    const last = this.turns[this.turns.length - 1];
    const turn = last?.role === 'user' && !(meta.humanCommand && !last.text.isEmpty) ? last : this.newUser(meta);
    if (typeof text === 'string') turn.text.append(text, '\n\n');
    else turn.text.appendCapped(text, '\n\n');
    if (meta.humanCommand) turn.humanCommand = true;
  }

  /**
   * A tool result, paired with its call. A result never follows text within one user turn.
   * `capped`: the reader already capped the content (it is not cut again).
   */
  toolResult(id: string, content: string, isError: boolean, meta: TurnMeta = {}, capped = false): void {
    addCount(this.counts, 'tool_results');
    let callId = id;
    if (callId === '') {
      const oldest = this.unanswered.keys().next();
      if (!oldest.done) {
        callId = oldest.value;
        addCount(this.counts, 'tool_results_paired_by_order');
      }
    }
    if (this.unanswered.has(callId)) this.unanswered.delete(callId);
    else addCount(this.counts, 'tool_results_unmatched');
    const last = this.turns[this.turns.length - 1];
    const turn = last?.role === 'user' && last.text.isEmpty ? last : this.newUser(meta);
    turn.toolResults.push({ id: callId, content: capped ? content : capString(content, this.maxField, this.counts), isError });
  }

  /**
   * Opens an assistant turn, or returns the one opened earlier under `key` (a reply streamed over
   * several lines, counted `assistant_lines_merged`).
   */
  assistant(meta: TurnMeta & { key?: string } = {}): PendingAssistant {
    if (meta.key !== undefined) {
      const open = this.byKey.get(meta.key);
      if (open) {
        addCount(this.counts, 'assistant_lines_merged');
        return open;
      }
    }
    const turn: PendingAssistant = {
      role: 'assistant',
      text: new CappedText(this.maxField),
      thinking: new CappedText(this.maxField),
      toolCalls: [],
      callIds: new Set(),
      timestamp: meta.timestamp,
      entryId: meta.entryId,
    };
    this.turns.push(turn);
    if (meta.key !== undefined) this.byKey.set(meta.key, turn);
    return turn;
  }

  /** The assistant turn currently last, if the last turn is one. */
  openAssistant(): PendingAssistant | undefined {
    const last = this.turns[this.turns.length - 1];
    return last?.role === 'assistant' ? last : undefined;
  }

  /** The most recent assistant turn, wherever it is. */
  lastAssistant(): PendingAssistant | undefined {
    for (let i = this.turns.length - 1; i >= 0; i--) {
      const t = this.turns[i];
      if (t.role === 'assistant') return t;
    }
    return undefined;
  }

  text(turn: PendingAssistant, s: string | CappedText): boolean {
    return appendPart(turn.text, s);
  }

  think(turn: PendingAssistant, s: string | CappedText): boolean {
    return appendPart(turn.thinking, s);
  }

  /**
   * A tool call; a repeated id within one reply is kept once (`duplicate_tool_calls`).
   * `capped`: the reader already capped the strings of `input`.
   */
  call(turn: PendingAssistant, id: string, name: string, input: unknown, capped = false): boolean {
    if (id !== '' && turn.callIds.has(id)) {
      addCount(this.counts, 'duplicate_tool_calls');
      return false;
    }
    turn.toolCalls.push({ id, name, input: capped ? (input ?? {}) : capStrings(input ?? {}, this.maxField, this.counts) });
    addCount(this.counts, 'tool_calls');
    if (id !== '') {
      turn.callIds.add(id);
      this.unanswered.set(id, true);
    }
    return true;
  }

  private newUser(meta: TurnMeta): PendingUser {
    const turn: PendingUser = {
      role: 'user',
      text: new CappedText(this.maxField),
      toolResults: [],
      timestamp: meta.timestamp,
      entryId: meta.entryId,
    };
    this.turns.push(turn);
    return turn;
  }

  private isEmptyTurn(p: Pending): boolean {
    return p.role === 'assistant'
      ? p.text.isEmpty && p.thinking.isEmpty && p.toolCalls.length === 0
      : p.text.isEmpty && p.toolResults.length === 0;
  }

  /** The finished turns: assistant turns with nothing in them are dropped (`empty_turns`). */
  finish(): Turn[] {
    const out: Turn[] = [];
    this.kept = [0];
    for (const p of this.turns) {
      this.kept.push(out.length + (this.isEmptyTurn(p) ? 0 : 1));
      if (p.role === 'assistant' && p.text.isEmpty && p.thinking.isEmpty && p.toolCalls.length === 0) {
        addCount(this.counts, 'empty_turns');
        continue;
      }
      if (p.role === 'user' && p.text.isEmpty && p.toolResults.length === 0) continue;
      if (p.text.capped) addCount(this.counts, 'fields_capped');
      const turn: Turn = { role: p.role, text: p.text.toString(), toolCalls: [], toolResults: [] };
      if (p.role === 'assistant') {
        turn.toolCalls = p.toolCalls;
        if (p.thinking.capped) addCount(this.counts, 'fields_capped');
        if (!p.thinking.isEmpty) turn.thinking = p.thinking.toString();
        if (p.usage) turn.usage = p.usage;
        if (p.model) turn.model = p.model;
        if (p.provider) turn.provider = p.provider;
        if (p.api) turn.api = p.api;
        if (p.stopReason) turn.stopReason = p.stopReason;
      } else {
        turn.toolResults = p.toolResults;
        if (p.humanCommand) turn.humanCommand = true;
      }
      if (p.timestamp) turn.timestamp = p.timestamp;
      if (p.entryId) turn.entryId = p.entryId;
      out.push(turn);
      addCount(this.counts, p.role === 'user' ? 'user_turns' : 'assistant_turns');
    }
    addCount(this.counts, 'turns', out.length);
    if (this.unanswered.size > 0) addCount(this.counts, 'tool_calls_unanswered', this.unanswered.size);
    return out;
  }
}

/** Appends a trimmed, non-empty part (a capped part keeps its omitted count). */
function appendPart(into: CappedText, s: string | CappedText): boolean {
  if (typeof s !== 'string') {
    if (s.isEmpty) return false;
    into.appendCapped(s, '\n\n');
    return true;
  }
  const t = s.trim();
  if (t === '') return false;
  into.append(t, '\n\n');
  return true;
}

/** Earliest and latest time seen in a file (lines may be out of order). */
export class SessionClock {
  private first?: { s: string; ms: number };
  private last?: { s: string; ms: number };

  note(ts: string | undefined): void {
    if (ts === undefined) return;
    const ms = Date.parse(ts);
    if (Number.isNaN(ms)) return;
    if (!this.first || ms < this.first.ms) this.first = { s: ts, ms };
    if (!this.last || ms >= this.last.ms) this.last = { s: ts, ms };
  }

  get startedAt(): string | undefined {
    return this.first?.s;
  }

  get endedAt(): string | undefined {
    return this.last?.s;
  }
}

/** Models in order of first use. */
export class ModelList {
  readonly models: string[] = [];
  add(model: string | undefined): void {
    if (model && !this.models.includes(model)) this.models.push(model);
  }
}
