// Reads one Claude Code transcript (`<session>.jsonl` or a subagent `agent-<id>.jsonl`) into the
// shared Session model, streaming it line by line through the bounded JSONL reader.
//
// Turns. `assistant` lines sharing `message.id` are one streamed reply: merged into one turn
// (text, thinking and tool_use blocks in order), usage and stop reason taken from the LAST line
// that has them (never summed), even when tool-result lines arrive between its lines. `user` lines
// become user turns; consecutive user lines merge into one turn unless that would put tool
// results after human text, so within a user turn tool results always precede its text.
// Slash commands (`<command-name>`) are kept as `/name args` unless they ran locally (a
// `<local-command-stdout>` echo follows: both dropped); `isMeta` lines (a slash command's expanded
// prompt, hook reminders) and the `isCompactSummary` message are kept as user text; the
// local-command caveat boilerplate is dropped. A tool result with an empty id is paired with the
// oldest unanswered call. Text fields are capped at maxFieldChars (head + marker + tail).
//
// Session ids. A main session: the `sessionId` of its lines (the file name when none has one).
// A subagent file: `<parentSessionId>.agent-<agentId>` (`agent-<agentId>` when no parent id is
// known): unique (agent ids are only unique within a parent) and stable across reads.
// `parentSessionId` comes from the lines' `sessionId` (a subagent's lines carry the parent's) or
// the `<parent>/subagents/` folder, `agentId` from the lines or the file name, and `subagentType`
// from the parent's Task/Agent call whose result names the agent id (or, failing that, whose
// `prompt` equals the subagent's first message). `agent-acompact-*` runs get extra.compaction.
// Inline sidechains of older main files: `<sessionId>.sidechain-<root uuid>` (readClaudeInlineSidechains).
//
// Counts (all optional, absent = 0):
//   lines_total, empty_lines, malformed_json, invalid_utf8, oversize_line, truncated_last_line
//                          from the line reader (its `lines` is reported as lines_total)
//   empty_files            the file has no non-blank line (session is null)
//   no_turns               lines, but nothing that makes a turn (session is null)
//   turns, user_turns, assistant_turns, tool_calls, tool_results
//   assistant_lines_merged  assistant lines folded into an earlier line's turn (same message.id)
//   skipped_type_<type>    progress, file-history-snapshot, queue-operation, system, summary, ...
//   skipped_not_object     a JSON line that is not an object
//   skipped_missing_fields  a user/assistant line without a usable `message.content`
//   skipped_sidechain      isSidechain lines inside a main session file
//   skipped_block_<type>   content blocks not kept (redacted_thinking, document, ...); `invalid`
//                          for blocks that are not objects or lack their required fields
//   skipped_caveat, skipped_local_command_output
//   empty_messages         user/assistant lines left with nothing after the above
//   empty_turns            assistant turns with no text, thinking or tool call (dropped)
//   command_lines          slash-command lines (`<command-name>`)
//   skipped_local_commands  of those, local ones (their `<local-command-stdout>` follows): dropped
//   meta_lines, compact_summaries, synthetic_turns (model `<synthetic>`)
//   images_dropped         image blocks in user content or tool results
//   fields_capped          text fields cut to maxFieldChars (head + marker + tail)
//   duplicate_tool_calls   a tool_use id repeated within one reply (kept once)
//   tool_results_paired_by_order, tool_results_unmatched (no call with that id),
//   tool_calls_unanswered  calls with no result in the file (an interrupted last call, ...)
//   mixed_session_id_lines  lines whose sessionId differs from the session's
//   subagent_linked_by_agent_id, subagent_linked_by_prompt, subagent_unlinked, parent_unreadable
import { basename } from 'node:path';
import { readJsonLines, type JsonLinesOptions } from '../jsonl-lines.ts';
import type { ReaderOptions } from '../reader-options.ts';
import {
  addCount,
  type Counts,
  type ReadResult,
  type Runtime,
  type Session,
  type ToolCall,
  type ToolResult,
  type Turn,
  type Usage,
} from '../../model/session.ts';
import { CappedText, capString, capStrings } from '../capped-text.ts';
import { isAgentFileName } from './discover.ts';
import {
  indexParentTasks,
  TaskCallIndexer,
  parentLocation,
  promptHash,
  type ParentTaskIndex,
  type TaskCall,
} from './parent-tasks.ts';

export interface ReadClaudeOptions extends ReaderOptions {
  /**
   * Parent Task-call indexes by parent path. Pass one Map for the subagents of a project so the
   * parent is streamed once, not once per subagent; the caller owns (and clears) it.
   */
  parentIndexCache?: Map<string, ParentTaskIndex>;
}

export const DEFAULT_MAX_FIELD_CHARS = 65536;

const CAVEAT = 'Caveat: The messages below were generated by the user while running local commands';
const LOCAL_COMMAND_OUTPUT = /^\s*<local-command-(stdout|stderr)>/;
const COMMAND_NAME = /<command-name>([\s\S]*?)<\/command-name>/;
const COMMAND_ARGS = /<command-args>([\s\S]*?)<\/command-args>/;
const SYNTHETIC_MODEL = '<synthetic>';
const AGENT_FILE_ID = /^agent-(.+)\.jsonl$/;

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** A safe counts-key suffix for a type named by the file. */
function typeKey(t: string): string {
  const k = t.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 40);
  return k === '' ? 'unnamed' : k;
}

interface PendingTurn {
  role: 'user' | 'assistant';
  text: CappedText;
  thinking: CappedText;
  toolCalls: ToolCall[];
  callIds: Set<string>;
  toolResults: ToolResult[];
  usage?: Usage;
  model?: string;
  stopReason?: string;
  timestamp?: string;
  entryId?: string;
}

class ClaudeSessionBuilder {
  readonly counts: Counts = {};
  readonly warnings: string[] = [];
  private readonly turns: PendingTurn[] = [];
  private readonly assistantById = new Map<string, PendingTurn>();
  /** Calls without a result yet, oldest first (Map keeps insertion order). */
  private readonly unanswered = new Map<string, true>();
  private readonly models: string[] = [];
  private readonly summaries: string[] = [];
  private readonly compactions: Obj[] = [];
  sessionId?: string;
  agentIdField?: string;
  firstPromptHash?: string;
  private cwd?: string;
  private gitBranch?: string;
  private version?: string;
  private slug?: string;
  private pendingCommand?: { text: string; timestamp: unknown; uuid?: string };
  private startedAt?: { s: string; ms: number };
  private endedAt?: { s: string; ms: number };

  constructor(
    /** A subagent's own lines (agent file or one inline sidechain): isSidechain lines are its turns. */
    private readonly isSubagent: boolean,
    private readonly maxField: number,
  ) {}

  onLine = (v: unknown, lineNo: number): void => {
    if (!isObj(v)) {
      addCount(this.counts, 'skipped_not_object');
      return;
    }
    const type = v.type;
    if (typeof type !== 'string') {
      addCount(this.counts, 'skipped_missing_fields');
      return;
    }
    this.noteTime(v.timestamp);
    if (type === 'user' || type === 'assistant') {
      if (v.isSidechain === true && !this.isSubagent) {
        addCount(this.counts, 'skipped_sidechain');
        return;
      }
      if (!isObj(v.message) || !(typeof v.message.content === 'string' || Array.isArray(v.message.content))) {
        addCount(this.counts, 'skipped_missing_fields');
        return;
      }
      this.noteContext(v);
      if (type === 'user') this.onUser(v, v.message);
      else this.onAssistant(v, v.message, lineNo);
      return;
    }
    addCount(this.counts, `skipped_type_${typeKey(type)}`);
    if (type === 'summary' && typeof v.summary === 'string' && this.summaries.length < 100) {
      this.summaries.push(capString(v.summary, this.maxField, this.counts));
    } else if (type === 'system' && v.subtype === 'compact_boundary' && this.compactions.length < 1000) {
      const meta = isObj(v.compactMetadata) ? v.compactMetadata : {};
      const c: Obj = {};
      if (str(v.timestamp)) c.timestamp = v.timestamp;
      if (str(meta.trigger)) c.trigger = meta.trigger;
      if (typeof meta.preTokens === 'number') c.preTokens = meta.preTokens;
      this.compactions.push(c);
    }
  };

  private noteTime(ts: unknown): void {
    if (typeof ts !== 'string') return;
    const ms = Date.parse(ts);
    if (Number.isNaN(ms)) return;
    if (!this.startedAt || ms < this.startedAt.ms) this.startedAt = { s: ts, ms };
    if (!this.endedAt || ms >= this.endedAt.ms) this.endedAt = { s: ts, ms };
  }

  private noteContext(v: Obj): void {
    const sid = str(v.sessionId);
    if (sid) {
      if (this.sessionId === undefined) this.sessionId = sid;
      else if (sid !== this.sessionId) addCount(this.counts, 'mixed_session_id_lines');
    }
    this.cwd ??= str(v.cwd);
    this.gitBranch ??= str(v.gitBranch);
    this.version ??= str(v.version);
    this.slug ??= str(v.slug);
    this.agentIdField ??= str(v.agentId);
  }

  private onUser(v: Obj, msg: Obj): void {
    const texts: string[] = [];
    const results: ToolResult[] = [];
    let command: string | undefined;
    let localOutput = false;
    let dropped = false;
    const takeText = (raw: unknown): void => {
      if (typeof raw !== 'string') {
        addCount(this.counts, 'skipped_block_invalid');
        return;
      }
      if (raw.trimStart().startsWith(CAVEAT)) {
        addCount(this.counts, 'skipped_caveat');
        dropped = true;
        return;
      }
      if (LOCAL_COMMAND_OUTPUT.test(raw)) {
        addCount(this.counts, 'skipped_local_command_output');
        localOutput = true;
        return;
      }
      const cmd = COMMAND_NAME.exec(raw);
      if (cmd) {
        addCount(this.counts, 'command_lines');
        const name = cmd[1].trim();
        const args = COMMAND_ARGS.exec(raw)?.[1].trim() ?? '';
        command = `${name.startsWith('/') ? '' : '/'}${name}${args ? ` ${args}` : ''}`;
        return;
      }
      if (raw.trim() === '') return;
      texts.push(raw); // capped once, as the turn's text grows
    };

    if (typeof msg.content === 'string') takeText(msg.content);
    else {
      for (const b of msg.content as unknown[]) {
        if (!isObj(b)) {
          addCount(this.counts, 'skipped_block_invalid');
          continue;
        }
        if (b.type === 'text') takeText(b.text);
        else if (b.type === 'tool_result') results.push(this.toolResult(b));
        else if (b.type === 'image') addCount(this.counts, 'images_dropped');
        else addCount(this.counts, `skipped_block_${typeKey(String(b.type))}`);
      }
    }
    // A slash command whose output was echoed back locally (`/cost`, `/model`) never reached the
    // model: drop it with its output. Others (`/review args`) stay as a `/name args` user text.
    if (localOutput) {
      dropped = true;
      if (command !== undefined || this.pendingCommand) addCount(this.counts, 'skipped_local_commands');
      if (command !== undefined) command = undefined;
      else this.pendingCommand = undefined;
    }
    this.flushCommand();
    if (command !== undefined) {
      if (texts.length === 0 && results.length === 0) {
        this.pendingCommand = { text: command, timestamp: v.timestamp, uuid: str(v.uuid) };
        return;
      }
      texts.unshift(command);
    }
    if (texts.length === 0 && results.length === 0) {
      if (!dropped) addCount(this.counts, 'empty_messages');
      return;
    }
    if (v.isMeta === true) addCount(this.counts, 'meta_lines');
    if (v.isCompactSummary === true) addCount(this.counts, 'compact_summaries');
    if (this.isSubagent && this.firstPromptHash === undefined && texts.length > 0) {
      this.firstPromptHash = promptHash(texts.join('\n\n'));
    }
    this.addUser(texts, results, v.timestamp, str(v.uuid));
  }

  /** A pending slash command becomes user text once the next line shows it was not local. */
  private flushCommand(): void {
    const c = this.pendingCommand;
    if (!c) return;
    this.pendingCommand = undefined;
    this.addUser([c.text], [], c.timestamp, c.uuid);
  }

  private addUser(texts: string[], results: ToolResult[], ts: unknown, uuid: string | undefined): void {
    const last = this.turns[this.turns.length - 1];
    let turn: PendingTurn;
    if (last && last.role === 'user' && !(results.length > 0 && !last.text.isEmpty)) {
      turn = last;
    } else {
      turn = this.newTurn('user', ts, uuid);
    }
    for (const t of texts) turn.text.append(t, '\n\n');
    for (const r of results) turn.toolResults.push(r);
  }

  private toolResult(b: Obj): ToolResult {
    addCount(this.counts, 'tool_results');
    let id = typeof b.tool_use_id === 'string' ? b.tool_use_id : '';
    if (id === '') {
      const oldest = this.unanswered.keys().next();
      if (!oldest.done) {
        id = oldest.value;
        addCount(this.counts, 'tool_results_paired_by_order');
      }
    }
    if (this.unanswered.has(id)) this.unanswered.delete(id);
    else addCount(this.counts, 'tool_results_unmatched');

    const text = new CappedText(this.maxField);
    const c = b.content;
    if (typeof c === 'string') text.append(c);
    else if (Array.isArray(c)) {
      for (const part of c) {
        if (typeof part === 'string') text.append(part, '\n');
        else if (isObj(part) && part.type === 'text' && typeof part.text === 'string') {
          text.append(part.text, '\n');
        } else if (isObj(part) && part.type === 'image') addCount(this.counts, 'images_dropped');
        else addCount(this.counts, `skipped_block_${isObj(part) ? typeKey(String(part.type)) : 'invalid'}`);
      }
    } else if (c !== undefined && c !== null) {
      text.append(JSON.stringify(c));
    }
    if (text.capped) addCount(this.counts, 'fields_capped');
    return { id, content: text.toString(), isError: b.is_error === true };
  }

  private onAssistant(v: Obj, msg: Obj, lineNo: number): void {
    this.flushCommand();
    const key = str(msg.id) ?? str(v.uuid) ?? `line:${lineNo}`;
    let turn = this.assistantById.get(key);
    if (turn) addCount(this.counts, 'assistant_lines_merged');
    else {
      turn = this.newTurn('assistant', v.timestamp, str(msg.id) ?? str(v.uuid));
      this.assistantById.set(key, turn);
    }
    const model = str(msg.model);
    if (model && turn.model === undefined) {
      turn.model = model;
      if (model === SYNTHETIC_MODEL) addCount(this.counts, 'synthetic_turns');
      else if (!this.models.includes(model)) this.models.push(model);
    }
    let kept = 0;
    const blocks: unknown[] = typeof msg.content === 'string' ? [{ type: 'text', text: msg.content }] : (msg.content as unknown[]);
    for (const b of blocks) {
      if (!isObj(b)) {
        addCount(this.counts, 'skipped_block_invalid');
        continue;
      }
      if (b.type === 'text' && typeof b.text === 'string') {
        const t = b.text.trim();
        if (t !== '') {
          turn.text.append(t, '\n\n');
          kept++;
        }
      } else if (b.type === 'thinking' && typeof b.thinking === 'string') {
        const t = b.thinking.trim();
        if (t !== '') {
          turn.thinking.append(t, '\n\n');
          kept++;
        }
      } else if (b.type === 'tool_use' && typeof b.name === 'string') {
        const id = typeof b.id === 'string' ? b.id : '';
        if (id !== '' && turn.callIds.has(id)) {
          addCount(this.counts, 'duplicate_tool_calls');
          continue;
        }
        turn.toolCalls.push({ id, name: b.name, input: capStrings(b.input ?? {}, this.maxField, this.counts) });
        addCount(this.counts, 'tool_calls');
        kept++;
        if (id !== '') {
          turn.callIds.add(id);
          this.unanswered.set(id, true);
        }
      } else if (b.type === 'text' || b.type === 'thinking' || b.type === 'tool_use' || typeof b.type !== 'string') {
        addCount(this.counts, 'skipped_block_invalid');
      } else {
        addCount(this.counts, `skipped_block_${typeKey(b.type)}`);
      }
    }
    if (isObj(msg.usage)) turn.usage = toUsage(msg.usage);
    if (typeof msg.stop_reason === 'string') turn.stopReason = msg.stop_reason;
    if (kept === 0 && !isObj(msg.usage)) addCount(this.counts, 'empty_messages');
  }

  private newTurn(role: 'user' | 'assistant', ts: unknown, entryId: string | undefined): PendingTurn {
    const turn: PendingTurn = {
      role,
      text: new CappedText(this.maxField),
      thinking: new CappedText(this.maxField),
      toolCalls: [],
      callIds: new Set(),
      toolResults: [],
      timestamp: str(ts),
      entryId,
    };
    this.turns.push(turn);
    return turn;
  }

  /** The finished turns, extra and the remaining counts. */
  finish(): { turns: Turn[]; extra: Record<string, unknown>; models: string[]; cwd?: string; gitBranch?: string; startedAt?: string; endedAt?: string } {
    this.flushCommand();
    const turns: Turn[] = [];
    for (const p of this.turns) {
      if (p.role === 'assistant' && p.text.isEmpty && p.thinking.isEmpty && p.toolCalls.length === 0) {
        addCount(this.counts, 'empty_turns');
        continue;
      }
      if (p.text.capped) addCount(this.counts, 'fields_capped');
      if (p.thinking.capped) addCount(this.counts, 'fields_capped');
      const turn: Turn = { role: p.role, text: p.text.toString(), toolCalls: p.toolCalls, toolResults: p.toolResults };
      if (!p.thinking.isEmpty) turn.thinking = p.thinking.toString();
      if (p.usage) turn.usage = p.usage;
      if (p.model) turn.model = p.model;
      if (p.stopReason) turn.stopReason = p.stopReason;
      if (p.timestamp) turn.timestamp = p.timestamp;
      if (p.entryId) turn.entryId = p.entryId;
      turns.push(turn);
      addCount(this.counts, p.role === 'user' ? 'user_turns' : 'assistant_turns');
    }
    addCount(this.counts, 'turns', turns.length);
    if (this.unanswered.size > 0) addCount(this.counts, 'tool_calls_unanswered', this.unanswered.size);
    const extra: Record<string, unknown> = {};
    if (this.version) extra.claudeVersion = this.version;
    if (this.slug) extra.slug = this.slug;
    if (this.summaries.length) extra.summaries = this.summaries;
    if (this.compactions.length) extra.compactions = this.compactions;
    return {
      turns,
      extra,
      models: this.models,
      cwd: this.cwd,
      gitBranch: this.gitBranch,
      startedAt: this.startedAt?.s,
      endedAt: this.endedAt?.s,
    };
  }
}

function num(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : 0;
}

function toUsage(u: Obj): Usage {
  return {
    input: num(u.input_tokens),
    output: num(u.output_tokens),
    cacheRead: num(u.cache_read_input_tokens),
    cacheWrite: num(u.cache_creation_input_tokens),
  };
}

/**
 * Reads one Claude Code transcript. Bad lines are skipped and counted; rejects only when the file
 * itself cannot be read (the Error names the path). A subagent's parent that cannot be read is a
 * warning, not a failure. Older (1.0.x) main files also hold their subagents' lines inline
 * (`isSidechain: true`): they are left out here (`skipped_sidechain`) and read by
 * `readClaudeInlineSidechains`.
 */
export async function readClaudeSession(path: string, opts: ReadClaudeOptions = {}): Promise<ReadResult> {
  const fileName = basename(path);
  const isAgentFile = isAgentFileName(fileName);
  const b = new ClaudeSessionBuilder(isAgentFile, maxFieldOf(opts));

  const readerCounts: Counts = {};
  await readLines(path, b.onLine, readerCounts, opts);
  const counts = b.counts;
  for (const [k, n] of Object.entries(readerCounts)) addCount(counts, k === 'lines' ? 'lines_total' : k, n);
  counts.lines_total ??= 0;

  const blank = (readerCounts.lines ?? 0) === (readerCounts.empty_lines ?? 0);
  const session = toSession(b, path, fileName.replace(/\.jsonl$/, ''), opts, blank);
  if (session && isAgentFile) await linkSubagent(session, path, b, opts, counts);
  return { session, counts, warnings: b.warnings };
}

/**
 * Reads the subagent conversations that a 1.0.x main session file holds inline (`isSidechain`
 * lines), one session per chain: a chain starts at a sidechain line whose `parentUuid` is null (or
 * not a sidechain line) and follows `parentUuid` links. Session id
 * `<sessionId>.sidechain-<root uuid>`; `subagentType` from the Task call of the same file whose
 * `prompt` equals the chain's first message. Returns [] when the file has no sidechain lines.
 * Reader counts (malformed lines, ...) stay with `readClaudeSession` of the same file. Returns []
 * for a subagent file (`agent-*.jsonl`), whose lines are all its own sidechain.
 */
export async function readClaudeInlineSidechains(
  path: string,
  opts: ReadClaudeOptions = {},
): Promise<ReadResult[]> {
  if (isAgentFileName(basename(path))) return []; // a subagent file is all sidechain: itself
  const maxField = maxFieldOf(opts);
  const chainOf = new Map<string, string>(); // sidechain line uuid -> root uuid
  const chains = new Map<string, ClaudeSessionBuilder>();
  const tasks = new TaskCallIndexer();
  let mainSessionId: string | undefined;
  await readLines(
    path,
    (v, lineNo) => {
      tasks.onLine(v);
      if (!isObj(v) || v.isSidechain !== true || (v.type !== 'user' && v.type !== 'assistant')) {
        if (isObj(v) && (v.type === 'user' || v.type === 'assistant')) mainSessionId ??= str(v.sessionId);
        return;
      }
      const uuid = str(v.uuid) ?? `line:${lineNo}`;
      const parent = str(v.parentUuid);
      const root = (parent && chainOf.get(parent)) ?? uuid;
      chainOf.set(uuid, root);
      let chain = chains.get(root);
      if (!chain) chains.set(root, (chain = new ClaudeSessionBuilder(true, maxField)));
      addCount(chain.counts, 'lines_total');
      chain.onLine(v, lineNo);
    },
    {},
    opts,
  );
  const index = tasks.index();
  const out: ReadResult[] = [];
  for (const [root, b] of chains) {
    const parentId = mainSessionId ?? b.sessionId ?? basename(path).replace(/\.jsonl$/, '');
    const session = toSession(b, path, `${parentId}.sidechain-${root}`, opts, false);
    if (session) {
      session.id = `${parentId}.sidechain-${root}`;
      session.parentSessionId = parentId;
      session.extra.inlineSidechain = true;
      session.extra.sidechainRootUuid = root;
      const call = b.firstPromptHash ? index.byPromptHash.get(b.firstPromptHash) : undefined;
      if (call) {
        addCount(b.counts, 'subagent_linked_by_prompt');
        applyTaskCall(session, call);
      } else {
        addCount(b.counts, 'subagent_unlinked');
      }
    }
    out.push({ session, counts: b.counts, warnings: b.warnings });
  }
  return out;
}

function maxFieldOf(opts: ReadClaudeOptions): number {
  return Math.max(16, opts.maxFieldChars ?? DEFAULT_MAX_FIELD_CHARS);
}

async function readLines(
  path: string,
  onLine: (v: unknown, lineNo: number) => void,
  counts: Counts,
  opts: ReadClaudeOptions,
): Promise<void> {
  const readerOpts: JsonLinesOptions = { maxLineBytes: opts.maxLineBytes };
  try {
    await readJsonLines(opts.readFrom ?? path, onLine, counts, readerOpts);
  } catch (err) {
    throw new Error(`cannot read Claude session ${path}: ${(err as Error).message}`, { cause: err });
  }
}

/** The Session a builder holds, or null (counted `empty_files` / `no_turns`) when it has no turns. */
function toSession(
  b: ClaudeSessionBuilder,
  path: string,
  fallbackId: string,
  opts: ReadClaudeOptions,
  blankFile: boolean,
): Session | null {
  const done = b.finish();
  if (done.turns.length === 0) {
    addCount(b.counts, blankFile ? 'empty_files' : 'no_turns');
    return null;
  }
  const session: Session = {
    id: b.sessionId ?? fallbackId,
    format: 'claude',
    runtime: opts.runtime ?? 'claude-code',
    path,
    models: done.models,
    turns: done.turns,
    abandoned: [],
    extra: done.extra,
  };
  if (done.cwd) session.cwd = done.cwd;
  if (done.gitBranch) session.gitBranch = done.gitBranch;
  if (done.startedAt) session.startedAt = done.startedAt;
  if (done.endedAt) session.endedAt = done.endedAt;
  return session;
}

function applyTaskCall(session: Session, call: TaskCall): void {
  if (call.subagentType) session.subagentType = call.subagentType;
  session.extra.parentToolUseId = call.toolUseId;
  if (call.description) session.extra.subagentDescription = call.description;
}

async function linkSubagent(
  session: Session,
  path: string,
  b: ClaudeSessionBuilder,
  opts: ReadClaudeOptions,
  counts: Counts,
): Promise<void> {
  const agentId = b.agentIdField ?? AGENT_FILE_ID.exec(basename(path))?.[1] ?? basename(path);
  const { parentPath, folderSessionId } = parentLocation(path, b.sessionId);
  const parentId = b.sessionId ?? folderSessionId;
  session.agentId = agentId;
  if (parentId) session.parentSessionId = parentId;
  session.id = parentId ? `${parentId}.agent-${agentId}` : `agent-${agentId}`;
  if (agentId.startsWith('acompact-')) {
    // A compaction run summarises the parent; no Task call spawned it.
    session.extra.compaction = true;
    return;
  }
  if (!parentPath) {
    addCount(counts, 'subagent_unlinked');
    b.warnings.push(`${path}: no parent session id, subagent type unknown`);
    return;
  }
  let index = opts.parentIndexCache?.get(parentPath);
  if (!index) {
    try {
      index = await indexParentTasks(parentPath, { maxLineBytes: opts.maxLineBytes });
    } catch (err) {
      addCount(counts, 'parent_unreadable');
      addCount(counts, 'subagent_unlinked');
      b.warnings.push(`${path}: parent session ${parentPath} not readable (${(err as Error).message}), subagent type unknown`);
      return;
    }
    opts.parentIndexCache?.set(parentPath, index);
  }
  let call: TaskCall | undefined = index.byAgentId.get(agentId);
  if (call) addCount(counts, 'subagent_linked_by_agent_id');
  else if (b.firstPromptHash && (call = index.byPromptHash.get(b.firstPromptHash))) {
    addCount(counts, 'subagent_linked_by_prompt');
  }
  if (!call) {
    addCount(counts, 'subagent_unlinked');
    b.warnings.push(`${path}: no Task/Agent call in ${parentPath} names agent ${agentId}`);
    return;
  }
  applyTaskCall(session, call);
}
