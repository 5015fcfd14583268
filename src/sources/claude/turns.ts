// Claude Code items, in file order, -> turns. Assistant lines sharing `message.id` are one
// streamed reply: merged into one turn (text, thinking and tool_use blocks in order), usage and
// stop reason taken from the LAST line that has them (never summed), even when tool-result lines
// arrive between its lines. User lines become user turns (results before text, see the turn
// assembler). A slash command (`<command-name>`) is kept as `/name args` with its expanded
// prompt (the `isMeta` line after it), unless it ran locally (a `<local-command-stdout>` echo
// follows: both dropped); other `isMeta` lines are Claude Code's own text (stripped). A queued
// prompt is human text; a `!` shell command and its output a human command.
//
// Counts: skipped_local_commands, side_questions (`/btw`, answered beside the conversation),
// meta_lines (kept: a command's prompt), stripped_meta_line, stripped_compact_summary,
// compact_summaries, synthetic_turns, empty_messages.
import { addCount, type Counts, type Turn } from '../../model/session.ts';
import type { CappedText } from '../capped-text.ts';
import { TurnAssembler, type PendingAssistant, type TurnMeta } from '../turn-assembler.ts';
import type { ClaudeNode, UserItem } from './entries.ts';
import { promptHash } from './parent-tasks.ts';

const SYNTHETIC_MODEL = '<synthetic>';
/** Commands whose answer never enters the conversation. */
const SIDE_COMMANDS = new Set(['/btw']);

export interface ClaudeTurns {
  turns: Turn[];
  models: string[];
  /** sha1 of the first human text: a subagent's first message, matched to its Task prompt. */
  firstPromptHash?: string;
}

export class ClaudeTurnBuilder {
  private readonly t: TurnAssembler;
  private readonly models: string[] = [];
  private pendingCommand?: { text: string; name: string; meta: TurnMeta };
  /** The last user line was a (non-local) command: an isMeta line after it is its prompt. */
  private afterCommand = false;
  private firstPromptHash?: string;
  /** Prompts folded into a running turn: they join the user turn before the next reply. */
  private deferred: { text: string; meta: TurnMeta }[] = [];

  constructor(
    private readonly counts: Counts,
    maxField: number,
  ) {
    this.t = new TurnAssembler(counts, maxField);
  }

  push(n: ClaudeNode): void {
    const it = n.item;
    if (!it) return;
    const meta: TurnMeta = { timestamp: n.timestamp, entryId: n.uuid };
    if (it.k === 'assistant') return this.assistant(n, it);
    if (it.k === 'prompt') {
      if (it.deferred) {
        this.deferred.push({ text: it.text, meta });
        return;
      }
      this.flushCommand();
      this.afterCommand = false;
      this.userText([it.text], meta);
      return;
    }
    this.user(it, meta);
  }

  private userText(texts: (string | CappedText)[], meta: TurnMeta & { humanCommand?: boolean }): void {
    if (texts.length === 0) return;
    this.firstPromptHash ??= promptHash(texts.map(String).join('\n\n'));
    for (const t of texts) this.t.userText(t, meta);
  }

  private user(it: UserItem, meta: TurnMeta): void {
    const texts: (string | CappedText)[] = [];
    const results: { id: string; content: string; isError: boolean }[] = [];
    let command: { text: string; name: string } | undefined;
    let localOutput = false;
    let harness = false;
    let shell: string | undefined;
    for (const p of it.pieces) {
      switch (p.k) {
        case 'text':
          if (!p.text.isEmpty && p.text.toString().trim() !== '') texts.push(p.text);
          break;
        case 'media':
          texts.push(p.text);
          break;
        case 'result':
          results.push(p);
          break;
        case 'command':
          command = p;
          break;
        case 'local_output':
          localOutput = true;
          break;
        case 'shell':
          shell = p.text;
          break;
        case 'shell_output':
          texts.push(p.text);
          break;
        case 'harness':
          harness = true;
          break;
      }
    }
    // A slash command whose output was echoed back locally (`/cost`, `/model`) never reached the
    // model: drop it with its output. Others (`/review args`) stay as a `/name args` user text.
    if (localOutput) {
      const name = command?.name ?? this.pendingCommand?.name;
      if (command !== undefined || this.pendingCommand) addCount(this.counts, 'skipped_local_commands');
      if (name && SIDE_COMMANDS.has(name)) addCount(this.counts, 'side_questions');
      if (command !== undefined) command = undefined;
      else this.pendingCommand = undefined;
      this.afterCommand = false;
      return;
    }
    if (command && SIDE_COMMANDS.has(command.name)) {
      // Asked and answered beside the conversation: the model's context never saw it.
      addCount(this.counts, 'side_questions');
      this.flushCommand();
      return;
    }
    const wasAfterCommand = this.afterCommand || this.pendingCommand !== undefined;
    this.flushCommand();
    this.afterCommand = false;
    if (it.isCompactSummary) {
      // The summary Claude Code wrote of the conversation before a compaction: not anyone's input.
      addCount(this.counts, 'compact_summaries');
      if (texts.length) addCount(this.counts, 'stripped_compact_summary');
      texts.length = 0;
    } else if (it.isMeta && texts.length > 0) {
      if (wasAfterCommand && !harness) addCount(this.counts, 'meta_lines');
      else {
        addCount(this.counts, 'stripped_meta_line');
        texts.length = 0;
      }
    }
    if (command !== undefined) {
      if (texts.length === 0 && results.length === 0) {
        this.pendingCommand = { ...command, meta };
        return;
      }
      texts.unshift(command.text);
      this.afterCommand = true;
    }
    for (const r of results) this.t.toolResult(r.id, r.content, r.isError, meta, true);
    if (shell) this.userText([shell], { ...meta, humanCommand: true });
    this.userText(texts, shell ? { ...meta, humanCommand: true } : meta);
    if (texts.length === 0 && results.length === 0 && !shell && !harness) addCount(this.counts, 'empty_messages');
  }

  /** A pending slash command becomes user text once the next line shows it was not local. */
  private flushCommand(): void {
    const c = this.pendingCommand;
    if (!c) return;
    this.pendingCommand = undefined;
    this.userText([c.text], c.meta);
    this.afterCommand = true;
  }

  private flushDeferred(): void {
    for (const d of this.deferred) this.userText([d.text], d.meta);
    this.deferred = [];
  }

  private assistant(n: ClaudeNode, it: Extract<NonNullable<ClaudeNode['item']>, { k: 'assistant' }>): void {
    this.flushCommand();
    this.flushDeferred();
    this.afterCommand = false;
    const turn: PendingAssistant = this.t.assistant({ key: it.key, timestamp: n.timestamp, entryId: it.msgId });
    if (it.model && turn.model === undefined) {
      turn.model = it.model;
      if (it.model === SYNTHETIC_MODEL) addCount(this.counts, 'synthetic_turns');
      else if (!this.models.includes(it.model)) this.models.push(it.model);
    }
    for (const b of it.blocks) {
      if (b.k === 'text') this.t.text(turn, b.text);
      else if (b.k === 'thinking') this.t.think(turn, b.text);
      else this.t.call(turn, b.id, b.name, b.input, true);
    }
    if (it.usage) turn.usage = it.usage;
    if (it.stopReason) turn.stopReason = it.stopReason;
    if (it.empty) addCount(this.counts, 'empty_messages');
  }

  /** How many turns exist so far (before empty ones are dropped at the end). */
  get position(): number {
    return this.t.pendingCount;
  }

  finish(): ClaudeTurns & { keptBefore: (position: number) => number } {
    this.flushCommand();
    this.flushDeferred();
    const turns = this.t.finish();
    return { turns, models: this.models, firstPromptHash: this.firstPromptHash, keptBefore: (p) => this.t.keptBefore(p) };
  }
}
