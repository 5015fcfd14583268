// Reads one Codex CLI rollout (`~/.codex/sessions/YYYY/MM/DD/rollout-<time>-<id>.jsonl`) into the
// shared Session model, streaming it line by line.
//
// The conversation is the `response_item`s (what the model saw and said). The `event_msg`s are the
// UI's copy of the same conversation (user_message, agent_message, agent_reasoning): never counted
// twice; they are read only when a file has no response item messages at all. `token_count` events
// become the usage of the reply they describe: rollouts up to 0.4x write the event before the
// reply's items, later ones after them; the first event decides which. `session_meta` gives id,
// cwd, cli version, originator, provider, git and instructions; `turn_context` the model, cwd and
// the approval / sandbox policy; `compacted` (and compaction items) are recorded, never turns.
//
// Counts (besides the line reader's and the turn assembler's): items_<type>, event_<type>,
// skipped_role_<role> (developer / system messages), skipped_item_<type>, reasoning_empty,
// reasoning_encrypted, stripped_<kind>, user_messages_harness_only, ui_copies_skipped,
// ui_copies_read (a file with no response item messages), token_counts_paired,
// token_counts_unpaired, token_counts_repeated, compactions, skipped_line_<type>,
// skipped_not_object, empty_files, no_turns.
import { basename } from 'node:path';
import { addCount, type Counts, type ReadResult, type Session, type Usage } from '../../model/session.ts';
import { capString } from '../capped-text.ts';
import { isObj, num, str, typeKey, type Obj } from '../json-values.ts';
import { readJsonLines } from '../jsonl-lines.ts';
import { bytesPath, maxFieldOf, type ReaderOptions } from '../reader-options.ts';
import { SessionClock, TurnAssembler, type PendingAssistant } from '../turn-assembler.ts';
import { CodexItems } from './items.ts';
import { parseCodexLine } from './lines.ts';
import { codexUserText } from './user-text.ts';

/** Instructions are long and the same in every session: kept short in `extra`. */
const INSTRUCTIONS_CHARS = 4096;
const ROLLOUT_ID = /rollout-.*?-([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.jsonl$/i;

/** The session id a rollout's file name carries. */
export function codexIdFromFileName(name: string): string | undefined {
  return ROLLOUT_ID.exec(name)?.[1];
}

function usageOf(u: unknown): Usage | undefined {
  if (!isObj(u)) return undefined;
  const input = num(u.input_tokens) ?? 0;
  const cached = num(u.cached_input_tokens) ?? 0;
  const usage: Usage = {
    input: Math.max(0, input - cached),
    output: num(u.output_tokens) ?? 0,
    cacheRead: cached,
    cacheWrite: 0,
  };
  const total = num(u.total_tokens);
  if (total !== undefined) usage.totalTokens = total;
  return usage;
}

/** Reply usage from token_count events, in whichever order this rollout writes them. */
class UsagePairing {
  private mode: 'leading' | 'trailing' | undefined;
  private pending: Usage | undefined;
  private lastTotal: number | undefined;
  private repliesOpened = 0;

  constructor(
    private readonly turns: TurnAssembler,
    private readonly counts: Counts,
  ) {}

  onReplyOpened = (turn: PendingAssistant): void => {
    this.repliesOpened++;
    if (this.mode === 'leading' && this.pending) {
      turn.usage = this.pending;
      this.pending = undefined;
      addCount(this.counts, 'token_counts_paired');
    }
  };

  onTokenCount(payload: Obj): void {
    const info = isObj(payload.info) ? payload.info : 'input_tokens' in payload ? { last_token_usage: payload, total_token_usage: payload } : undefined;
    if (!info) return; // a rate-limits-only event
    const usage = usageOf(info.last_token_usage);
    if (!usage) return;
    const total = isObj(info.total_token_usage) ? num(info.total_token_usage.total_tokens) : undefined;
    if (total !== undefined && total === this.lastTotal) {
      addCount(this.counts, 'token_counts_repeated');
      return;
    }
    this.lastTotal = total;
    this.mode ??= this.repliesOpened === 0 ? 'leading' : 'trailing';
    if (this.mode === 'leading') {
      if (this.pending) addCount(this.counts, 'token_counts_unpaired');
      this.pending = usage;
      return;
    }
    const last = this.turns.lastAssistant();
    if (last && !last.usage) {
      last.usage = usage;
      addCount(this.counts, 'token_counts_paired');
    } else addCount(this.counts, 'token_counts_unpaired');
  }

  finish(): void {
    if (this.pending) addCount(this.counts, 'token_counts_unpaired');
  }
}

interface UiCopy {
  role: 'user' | 'assistant';
  text: string;
  timestamp?: string;
}

const UI_COPY_CAP = 10_000;

/** Reads one Codex rollout. Bad lines are skipped and counted; rejects only when the file cannot be read. */
export async function readCodexSession(path: string, opts: ReaderOptions = {}): Promise<ReadResult> {
  const counts: Counts = {};
  const maxField = maxFieldOf(opts);
  const clock = new SessionClock();
  let turns = new TurnAssembler(counts, maxField);
  const items = new CodexItems(turns, counts);
  const pairing = new UsagePairing(turns, counts);
  items.onReplyOpened = pairing.onReplyOpened;
  let meta: Obj | undefined;
  let model: string | undefined;
  let cwd: string | undefined;
  const approvals: string[] = [];
  const sandboxes: string[] = [];
  const efforts: string[] = [];
  const compactions: Obj[] = [];
  const uiCopies: UiCopy[] = [];
  let responseMessages = 0;
  const distinct = (list: string[], v: string | undefined) => {
    if (v && !list.includes(v)) list.push(v);
  };

  const onLine = (v: unknown): void => {
    const line = parseCodexLine(v);
    if ('timestamp' in line) clock.note(line.timestamp);
    switch (line.k) {
      case 'meta':
        meta ??= line.payload;
        cwd ??= str(line.payload.cwd);
        return;
      case 'context': {
        const p = line.payload;
        model = str(p.model) ?? model;
        cwd ??= str(p.cwd);
        distinct(approvals, str(p.approval_policy));
        const sb = p.sandbox_policy;
        distinct(sandboxes, typeof sb === 'string' ? sb : isObj(sb) ? (str(sb.type) ?? str(sb.mode)) : undefined);
        distinct(efforts, str(p.effort));
        return;
      }
      case 'item': {
        const t = str(line.item.type);
        if (t === 'compaction' || t === 'compaction_summary') {
          addCount(counts, 'compactions');
          compactions.push(line.timestamp ? { timestamp: line.timestamp } : {});
          return;
        }
        if (t === 'message') responseMessages++;
        items.onItem(line.item, line.timestamp, model);
        return;
      }
      case 'event': {
        addCount(counts, `event_${typeKey(line.type)}`);
        if (line.type === 'token_count') pairing.onTokenCount(line.payload);
        else if (line.type === 'user_message' || line.type === 'agent_message') {
          if (uiCopies.length < UI_COPY_CAP && typeof line.payload.message === 'string') {
            uiCopies.push({ role: line.type === 'user_message' ? 'user' : 'assistant', text: line.payload.message, timestamp: line.timestamp });
          }
        }
        return;
      }
      case 'compacted':
        addCount(counts, 'compactions');
        compactions.push(line.timestamp ? { timestamp: line.timestamp } : {});
        return;
      case 'state':
        addCount(counts, 'skipped_line_state');
        return;
      case 'other':
        addCount(counts, `skipped_line_${typeKey(line.type)}`);
        return;
      default:
        addCount(counts, 'skipped_not_object');
    }
  };

  const reader: Counts = {};
  try {
    await readJsonLines(bytesPath(path, opts), onLine, reader, { maxLineBytes: opts.maxLineBytes });
  } catch (err) {
    throw new Error(`cannot read Codex session ${path}: ${(err as Error).message}`, { cause: err });
  }
  for (const [k, n] of Object.entries(reader)) addCount(counts, k === 'lines' ? 'lines_total' : k, n);
  pairing.finish();

  if (responseMessages === 0 && uiCopies.length > 0) {
    // No response items: the UI's copy is all this file has of the conversation.
    turns = new TurnAssembler(counts, maxField);
    for (const c of uiCopies) {
      if (c.role === 'user') turns.userText(codexUserText(c.text, counts), { timestamp: c.timestamp });
      else turns.text(turns.assistant({ timestamp: c.timestamp }), c.text);
    }
    addCount(counts, 'ui_copies_read', uiCopies.length);
  } else if (uiCopies.length > 0) addCount(counts, 'ui_copies_skipped', uiCopies.length);

  const finished = turns.finish();
  if (finished.length === 0) {
    addCount(counts, (reader.lines ?? 0) === (reader.empty_lines ?? 0) ? 'empty_files' : 'no_turns');
    return { session: null, counts, warnings: [] };
  }
  const m = meta ?? {};
  const session: Session = {
    id: str(m.id) ?? codexIdFromFileName(basename(path)) ?? basename(path).replace(/\.jsonl$/, ''),
    format: 'codex',
    runtime: 'codex',
    path,
    models: [...new Set([...items.models, ...(model ? [model] : [])])],
    turns: finished,
    abandoned: [],
    extra: {},
  };
  if (cwd) session.cwd = cwd;
  const provider = str(m.model_provider);
  if (provider) session.provider = provider;
  const git = isObj(m.git) ? m.git : undefined;
  if (git && str(git.branch)) session.gitBranch = str(git.branch);
  session.startedAt = str(m.timestamp) ?? clock.startedAt;
  if (clock.endedAt) session.endedAt = clock.endedAt;
  const extra = session.extra;
  if (str(m.cli_version)) extra.cliVersion = m.cli_version;
  if (str(m.originator)) extra.originator = m.originator;
  if (m.source !== undefined) extra.source = m.source;
  if (git) extra.git = { branch: git.branch, commit: git.commit_hash, repository: git.repository_url };
  const instructions = typeof m.instructions === 'string' ? m.instructions : isObj(m.base_instructions) ? str(m.base_instructions.text) : undefined;
  if (instructions) extra.instructions = capString(instructions, INSTRUCTIONS_CHARS, {});
  if (approvals.length) extra.approvalPolicies = approvals;
  if (sandboxes.length) extra.sandboxPolicies = sandboxes;
  if (efforts.length) extra.reasoningEfforts = efforts;
  if (compactions.length) extra.compactions = compactions;
  return { session, counts, warnings: [] };
}
