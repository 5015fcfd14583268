// OpenCode's messages and parts (message-v2) -> one Session, whichever store they came from (the
// SQLite database, the older JSON storage folders, an `opencode export` file). A user message's
// text parts are what the person typed (synthetic parts, written by OpenCode itself, are stripped
// and counted); files become placeholders. An assistant message is one model step: reasoning,
// text and tool parts make its turn, and each tool part's state (completed output, error) the
// result that follows it; a message with several steps makes one turn per step. Usage comes from
// the message's tokens (else its step-finish parts): reasoning counts as output, as elsewhere.
// A reverted session keeps the messages from the revert point on as an abandoned branch.
import { addCount, type AbandonedBranch, type Counts, type ReadResult, type Session, type Turn, type Usage } from '../../model/session.ts';
import { attachmentPlaceholder } from '../harness-text.ts';
import { isObj, isoTime, num, str, typeKey, type Obj } from '../json-values.ts';
import { ModelList, SessionClock, TurnAssembler, type PendingAssistant } from '../turn-assembler.ts';

export interface OpenCodeMessage {
  /** The message info (role, time, tokens, modelID, ...), with its `id`. */
  info: Obj;
  parts: Obj[];
}

function usageOf(tokens: unknown, cost: unknown): Usage | undefined {
  if (!isObj(tokens)) return undefined;
  const cache = isObj(tokens.cache) ? tokens.cache : {};
  const usage: Usage = {
    input: num(tokens.input) ?? 0,
    output: (num(tokens.output) ?? 0) + (num(tokens.reasoning) ?? 0),
    cacheRead: num(cache.read) ?? 0,
    cacheWrite: num(cache.write) ?? 0,
  };
  if (num(tokens.total) !== undefined) usage.totalTokens = num(tokens.total);
  if (num(cost) !== undefined) usage.cost = num(cost);
  return usage;
}

function addUsage(a: Usage | undefined, b: Usage): Usage {
  if (!a) return { ...b };
  const out: Usage = {
    input: a.input + b.input,
    output: a.output + b.output,
    cacheRead: a.cacheRead + b.cacheRead,
    cacheWrite: a.cacheWrite + b.cacheWrite,
  };
  if (a.totalTokens !== undefined || b.totalTokens !== undefined) out.totalTokens = (a.totalTokens ?? 0) + (b.totalTokens ?? 0);
  if (a.cost !== undefined || b.cost !== undefined) out.cost = (a.cost ?? 0) + (b.cost ?? 0);
  return out;
}

function toolOutput(state: Obj): { content: string; isError: boolean } | undefined {
  const status = str(state.status);
  if (status === 'completed') {
    const out = state.output;
    return { content: typeof out === 'string' ? out : JSON.stringify(out ?? ''), isError: false };
  }
  if (status === 'error') {
    const err = state.error;
    return { content: typeof err === 'string' ? err : JSON.stringify(err ?? 'error'), isError: true };
  }
  return undefined; // pending / running: no result in the store
}

/** Turns of a run of messages. */
export class OpenCodeTurns {
  readonly turns: TurnAssembler;
  readonly models = new ModelList();
  readonly agents: string[] = [];
  readonly clock = new SessionClock();

  constructor(
    private readonly counts: Counts,
    maxField: number,
  ) {
    this.turns = new TurnAssembler(counts, maxField);
  }

  add(m: OpenCodeMessage): void {
    const role = str(m.info.role);
    const time = isObj(m.info.time) ? m.info.time : {};
    const timestamp = isoTime(time.created);
    this.clock.note(timestamp);
    this.clock.note(isoTime(time.completed));
    const agent = str(m.info.agent) ?? str(m.info.mode);
    if (agent && !this.agents.includes(agent)) this.agents.push(agent);
    if (role === 'user') return this.user(m, timestamp);
    if (role === 'assistant') return this.assistant(m, timestamp);
    addCount(this.counts, `skipped_role_${typeKey(role ?? 'none')}`);
  }

  private user(m: OpenCodeMessage, timestamp: string | undefined): void {
    const texts: string[] = [];
    for (const p of m.parts) {
      switch (p.type) {
        case 'text':
          if (p.ignored === true) addCount(this.counts, 'skipped_ignored_parts');
          else if (p.synthetic === true) addCount(this.counts, 'stripped_synthetic_part');
          else if (typeof p.text === 'string') texts.push(p.text);
          break;
        case 'file': {
          const mime = str(p.mime) ?? '';
          addCount(this.counts, mime.startsWith('image/') ? 'images' : 'documents');
          texts.push(attachmentPlaceholder(mime.startsWith('image/') ? 'image' : 'file', str(p.filename)));
          break;
        }
        case 'agent':
          if (str(p.name)) texts.push(`@${str(p.name)}`);
          break;
        case 'compaction':
          addCount(this.counts, 'compactions');
          break;
        default:
          addCount(this.counts, `skipped_part_${typeKey(p.type)}`);
      }
    }
    const text = texts.join('\n').trim();
    if (text !== '') this.turns.userText(text, { timestamp, entryId: str(m.info.id) });
    else addCount(this.counts, 'user_messages_empty');
  }

  private assistant(m: OpenCodeMessage, timestamp: string | undefined): void {
    if (m.info.summary === true) {
      // The compaction's summary: OpenCode's own text about the session, not a step of it.
      addCount(this.counts, 'compaction_summaries');
      return;
    }
    if (isObj(m.info.error)) addCount(this.counts, 'assistant_errors');
    const model = str(m.info.modelID);
    this.models.add(model);
    let turn: PendingAssistant | undefined;
    let hasContent = false;
    let results: { id: string; content: string; isError: boolean }[] = [];
    let stepUsage: Usage | undefined;
    const open = (): PendingAssistant => {
      if (!turn) {
        turn = this.turns.assistant({ timestamp, entryId: str(m.info.id) });
        if (model) turn.model = model;
        const provider = str(m.info.providerID);
        if (provider) turn.provider = provider;
      }
      return turn;
    };
    const closeStep = (): void => {
      for (const r of results) this.turns.toolResult(r.id, r.content, r.isError, { timestamp });
      results = [];
      turn = undefined;
      hasContent = false;
    };
    for (const p of m.parts) {
      switch (p.type) {
        case 'step-start':
          if (hasContent) closeStep();
          break;
        case 'reasoning':
          if (typeof p.text === 'string' && p.text.trim() !== '') this.turns.think(open(), p.text);
          else addCount(this.counts, 'reasoning_empty');
          break;
        case 'text':
          if (p.synthetic === true) addCount(this.counts, 'stripped_synthetic_part');
          else if (typeof p.text === 'string' && this.turns.text(open(), p.text)) hasContent = true;
          break;
        case 'tool': {
          const state = isObj(p.state) ? p.state : {};
          const id = str(p.callID) ?? str(p.id) ?? '';
          if (this.turns.call(open(), id, str(p.tool) ?? 'unnamed', state.input ?? {})) {
            const out = toolOutput(state);
            if (out) results.push({ id, ...out });
            else addCount(this.counts, `tool_state_${typeKey(state.status ?? 'none')}`);
          }
          hasContent = true;
          break;
        }
        case 'step-finish': {
          const u = usageOf(p.tokens, p.cost);
          if (u) stepUsage = addUsage(stepUsage, u);
          break;
        }
        default:
          // patch, snapshot, file, agent, retry, subtask: bookkeeping of the harness.
          addCount(this.counts, `skipped_part_${typeKey(p.type)}`);
      }
    }
    const last = this.turns.lastAssistant();
    const usage = usageOf(m.info.tokens, m.info.cost) ?? stepUsage;
    if (last && usage && last.entryId === str(m.info.id)) last.usage = usage;
    if (last && str(m.info.finish) && last.entryId === str(m.info.id)) last.stopReason = str(m.info.finish);
    closeStep();
  }

  finish(): Turn[] {
    return this.turns.finish();
  }
}

/** The Session of one OpenCode session: its info and its messages (in order). */
export class OpenCodeSessionBuilder {
  readonly counts: Counts = {};
  private readonly active: OpenCodeTurns;
  private readonly reverted: OpenCodeMessage[] = [];
  private revertAt: string | undefined;
  private reverting = false;

  constructor(
    private readonly info: Obj,
    private readonly path: string,
    private readonly maxField: number,
  ) {
    this.active = new OpenCodeTurns(this.counts, maxField);
    const revert = isObj(info.revert) ? info.revert : undefined;
    this.revertAt = revert ? str(revert.messageID) : undefined;
  }

  add(m: OpenCodeMessage): void {
    addCount(this.counts, 'messages');
    addCount(this.counts, 'parts', m.parts.length);
    if (this.revertAt && str(m.info.id) === this.revertAt) this.reverting = true;
    if (this.reverting) {
      this.reverted.push(m);
      addCount(this.counts, 'reverted_messages');
      return;
    }
    this.active.add(m);
  }

  finish(): ReadResult {
    const turns = this.active.finish();
    const abandoned: AbandonedBranch[] = [];
    if (this.reverted.length) {
      const branch = new OpenCodeTurns({}, this.maxField);
      for (const m of this.reverted) branch.add(m);
      const bt = branch.finish();
      if (bt.length) {
        addCount(this.counts, 'abandoned_branches');
        addCount(this.counts, 'abandoned_turns', bt.length);
        abandoned.push({
          branchPointId: turns.at(-1)?.entryId ?? null,
          branchPointTurnIndex: turns.length,
          turns: bt,
          leafId: str(this.reverted[this.reverted.length - 1].info.id) ?? 'reverted',
        });
      }
    }
    if (turns.length === 0 && abandoned.length === 0) {
      addCount(this.counts, 'no_turns');
      return { session: null, counts: this.counts, warnings: [] };
    }
    const info = this.info;
    const time = isObj(info.time) ? info.time : {};
    const session: Session = {
      id: str(info.id) ?? 'opencode-session',
      format: 'opencode',
      runtime: 'opencode',
      path: this.path,
      models: this.active.models.models,
      turns,
      abandoned,
      extra: {},
    };
    const cwd = str(info.directory);
    if (cwd) session.cwd = cwd;
    const parent = str(info.parentID) ?? str(info.parent_id);
    if (parent) session.parentSessionId = parent;
    const started = isoTime(time.created) ?? this.active.clock.startedAt;
    if (started) session.startedAt = started;
    const ended = this.active.clock.endedAt ?? isoTime(time.updated);
    if (ended) session.endedAt = ended;
    const first = turns.find((t) => t.role === 'assistant' && t.provider);
    if (first?.provider) session.provider = first.provider;
    const extra = session.extra;
    if (str(info.title)) extra.title = info.title;
    if (str(info.slug)) extra.slug = info.slug;
    if (str(info.version)) extra.opencodeVersion = info.version;
    if (str(info.projectID)) extra.projectId = info.projectID;
    if (this.active.agents.length) extra.agents = this.active.agents;
    if (isObj(info.summary)) extra.changeSummary = info.summary;
    return { session, counts: this.counts, warnings: [] };
  }
}
