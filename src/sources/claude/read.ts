// Reads one Claude Code transcript (`<session>.jsonl` or a subagent `agent-<id>.jsonl`) into the
// shared Session model, streaming it line by line through the bounded JSONL reader:
//   message-lines.ts  user / assistant lines -> compact items (text fields capped)
//   facts.ts          metadata, system, attachment and queue lines -> extra, prs, queued prompts
//   tree.ts           uuid links -> the active conversation and its abandoned (rewound) branches
//   turns.ts          items of a path -> turns (streamed replies merged, commands, meta prompts)
//   side-files.ts     persisted tool outputs inlined, a subagent's meta.json
//
// A line is taken once: a repeated uuid (counted `duplicate_uuid_lines`) and a line replayed from
// another session's file that sits beside this one (`forkedFrom`, or a foreign `sessionId`: forked
// and resumed sessions copy their parent's lines with the same uuids) are counted
// `replayed_lines` and keep only their place in the tree.
//
// Session ids. A main session: the `sessionId` of its own lines (the file name when none has
// one). A subagent file: `<parentSessionId>.agent-<agentId>` (`agent-<agentId>` when no parent id
// is known): unique and stable across reads. `parentSessionId` comes from the lines' `sessionId`
// (a subagent's lines carry the parent's) or the `<parent>/subagents/` folder, `agentId` from the
// lines or the file name, and `subagentType` from the parent's Task/Agent call whose result names
// the agent id (or, failing that, whose `prompt` equals the subagent's first message), else the
// subagent's meta.json. `agent-acompact-*` runs get extra.compaction. Inline sidechains of older
// main files: `<sessionId>.sidechain-<root uuid>` (readClaudeInlineSidechains).
//
// Counts (all optional, absent = 0), besides those of the modules above and the turn assembler:
//   lines_total, empty_lines, malformed_json, invalid_utf8, oversize_line, truncated_last_line
//   empty_files, no_turns, skipped_not_object, skipped_missing_fields, skipped_sidechain,
//   duplicate_uuid_lines, replayed_lines, mixed_session_id_lines, abandoned_branches,
//   abandoned_turns, subagent_linked_by_agent_id, subagent_linked_by_prompt,
//   subagent_linked_by_meta, subagent_unlinked, parent_unreadable
import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { readJsonLines, type JsonLinesOptions } from '../jsonl-lines.ts';
import { isObj, str, type Obj } from '../json-values.ts';
import { maxFieldOf, type ReaderOptions } from '../reader-options.ts';
import { SessionClock } from '../turn-assembler.ts';
import { addCount, type AbandonedBranch, type Counts, type ReadResult, type Session } from '../../model/session.ts';
import { isAgentFileName } from './discover.ts';
import type { ClaudeNode } from './entries.ts';
import { SessionFacts } from './facts.ts';
import { parseAssistantLine, parseUserLine } from './message-lines.ts';
import { indexParentTasks, TaskCallIndexer, parentLocation, type ParentTaskIndex, type TaskCall } from './parent-tasks.ts';
import { inlinePersistedOutputs, readSubagentMeta } from './side-files.ts';
import { withSideFile } from '../checked-file.ts';
import { resolveTree, type ConversationTree } from './tree.ts';
import { ClaudeTurnBuilder } from './turns.ts';

export interface ReadClaudeOptions extends ReaderOptions {
  /**
   * Parent Task-call indexes by parent path. Pass one Map for the subagents of a project so the
   * parent is streamed once, not once per subagent; the caller owns (and clears) it.
   */
  parentIndexCache?: Map<string, ParentTaskIndex>;
}

export { DEFAULT_MAX_FIELD_CHARS } from '../reader-options.ts';

const AGENT_FILE_ID = /^agent-(.+)\.jsonl$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** One file's lines, parsed into tree nodes, plus what the session says about itself. */
class ClaudeLines {
  readonly counts: Counts = {};
  readonly warnings: string[] = [];
  readonly nodes: ClaudeNode[] = [];
  readonly facts: SessionFacts;
  readonly clock = new SessionClock();
  private readonly seen = new Set<string>();
  /** Queued prompts by text, to take one typed prompt once. */
  private readonly queuedPrompts = new Map<string, ClaudeNode>();
  /** Sessions whose files sit beside this one and exist (for replayed lines). */
  private readonly siblings = new Map<string, boolean>();
  sessionId?: string;
  agentIdField?: string;
  replayedFrom?: string;
  /** sha1 of the first human text (a subagent's first message, matched to its Task prompt). */
  firstPromptHash?: string;
  cwd?: string;
  gitBranch?: string;
  version?: string;
  slug?: string;

  constructor(
    /** A subagent's own lines (agent file or one inline sidechain): isSidechain lines are its turns. */
    readonly isSubagent: boolean,
    readonly maxField: number,
    /** The transcript's folder and file name stem (replays are looked up beside it). */
    private readonly dir: string,
    private readonly stem: string,
  ) {
    this.facts = new SessionFacts(this.counts, maxField);
  }

  private siblingExists(sessionId: string): boolean {
    let known = this.siblings.get(sessionId);
    if (known === undefined) {
      known = !/[\\/]/.test(sessionId) && existsSync(join(this.dir, `${sessionId}.jsonl`));
      this.siblings.set(sessionId, known);
    }
    return known;
  }

  /** A line another file beside this one holds too: that file's session takes it. */
  private replayedSource(v: Obj): string | undefined {
    const fork = isObj(v.forkedFrom) ? str(v.forkedFrom.sessionId) : undefined;
    if (fork && fork !== this.stem && this.siblingExists(fork)) return fork;
    const sid = str(v.sessionId);
    if (!this.isSubagent && sid && sid !== this.stem && UUID.test(this.stem) && this.siblingExists(sid)) return sid;
    return undefined;
  }

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
    if (v.isSidechain === true && !this.isSubagent && (type === 'user' || type === 'assistant' || type === 'attachment')) {
      addCount(this.counts, 'skipped_sidechain');
      return;
    }
    const uuid = str(v.uuid);
    if (uuid) {
      if (this.seen.has(uuid)) {
        addCount(this.counts, 'duplicate_uuid_lines');
        return;
      }
      this.seen.add(uuid);
    }
    const timestamp = str(v.timestamp);
    const node: ClaudeNode = { line: lineNo, type, timestamp };
    if (uuid) node.uuid = uuid;
    if ('parentUuid' in v) node.parent = typeof v.parentUuid === 'string' ? v.parentUuid : null;
    if (str(v.logicalParentUuid)) node.logicalParent = str(v.logicalParentUuid);
    const replayed = this.replayedSource(v);
    if (replayed) {
      addCount(this.counts, 'replayed_lines');
      this.replayedFrom ??= replayed;
      if (uuid) this.nodes.push(node);
      return;
    }
    this.clock.note(timestamp);
    if (type === 'user' || type === 'assistant') {
      if (!isObj(v.message) || !(typeof v.message.content === 'string' || Array.isArray(v.message.content))) {
        addCount(this.counts, 'skipped_missing_fields');
        return;
      }
      this.noteContext(v);
      node.item = type === 'user'
        ? parseUserLine(v, v.message, this.counts, this.maxField)
        : parseAssistantLine(v, v.message, lineNo, this.counts, this.maxField);
      this.nodes.push(node);
      return;
    }
    const prompt = this.facts.onLine(type, v);
    if (prompt) {
      // The same prompt as a queue removal and a queued_command attachment: taken once.
      const twin = this.queuedPrompts.get(prompt.text);
      if (twin && twin.item?.k === 'prompt' && twin.item.deferred !== prompt.deferred) {
        addCount(this.counts, 'queued_prompts_deduped');
        if (prompt.deferred) {
          if (uuid) this.nodes.push(node);
          return;
        }
        delete twin.item;
      }
      node.item = prompt;
      this.queuedPrompts.set(prompt.text, node);
    }
    if (uuid || prompt) this.nodes.push(node);
  };

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
}

async function readLines(path: string, onLine: (v: unknown, lineNo: number) => void, counts: Counts, opts: ReaderOptions): Promise<void> {
  const readerOpts: JsonLinesOptions = { maxLineBytes: opts.maxLineBytes };
  try {
    await readJsonLines(opts.readFrom ?? path, onLine, counts, readerOpts);
  } catch (err) {
    throw new Error(`cannot read Claude session ${path}: ${(err as Error).message}`, { cause: err });
  }
}

/** Turns of the active conversation and of each abandoned branch. */
function buildTurns(lines: ClaudeLines, tree: ConversationTree) {
  const active = new ClaudeTurnBuilder(lines.counts, lines.maxField);
  const positionAfter = new Map<ClaudeNode, number>();
  const activeNodes = lines.nodes.filter((n) => tree.active.has(n));
  for (const n of activeNodes) {
    active.push(n);
    positionAfter.set(n, active.position);
  }
  const done = active.finish();
  const abandoned: AbandonedBranch[] = [];
  for (const b of tree.abandoned) {
    const branch = new ClaudeTurnBuilder({}, lines.maxField);
    // Replay from the last reply at or before the branch point: it owns the calls the branch's
    // first results may answer; its turns are then dropped.
    const at = b.point ? activeNodes.indexOf(b.point) : -1;
    let from = at;
    while (from > 0 && activeNodes[from].item?.k !== 'assistant') from--;
    if (from >= 0 && activeNodes[from]?.item?.k === 'assistant') {
      const key = (activeNodes[from].item as { key: string }).key;
      while (from > 0 && activeNodes[from - 1].item?.k === 'assistant' && (activeNodes[from - 1].item as { key: string }).key === key) from--;
    }
    for (let i = Math.max(from, 0); i <= at; i++) branch.push(activeNodes[i]);
    const shared = branch.position;
    for (const n of b.nodes) branch.push(n);
    const out = branch.finish();
    const turns = out.turns.slice(out.keptBefore(shared));
    if (turns.length === 0) continue;
    addCount(lines.counts, 'abandoned_branches');
    addCount(lines.counts, 'abandoned_turns', turns.length);
    abandoned.push({
      branchPointId: b.point?.uuid ?? null,
      branchPointTurnIndex: b.point ? done.keptBefore(positionAfter.get(b.point) ?? 0) : 0,
      turns,
      leafId: b.leaf.uuid ?? `line:${b.leaf.line}`,
    });
  }
  return { ...done, abandoned };
}

/** The Session the lines hold, or null (counted `empty_files` / `no_turns`) when they have no turns. */
async function toSession(lines: ClaudeLines, path: string, fallbackId: string, opts: ReaderOptions, blankFile: boolean): Promise<Session | null> {
  const id = lines.sessionId ?? fallbackId;
  // `<project>/<session>/tool-results/`, beside a main transcript or above a subagent's folder.
  const toolResults = isAgentFileName(basename(path)) && basename(dirname(path)) === 'subagents'
    ? join(dirname(dirname(path)), 'tool-results')
    : join(dirname(path), id, 'tool-results');
  await inlinePersistedOutputs(lines.nodes, toolResults, lines.maxField, lines.counts, opts.roots);
  const tree = resolveTree(lines.nodes, lines.counts);
  const built = buildTurns(lines, tree);
  if (built.turns.length === 0) {
    addCount(lines.counts, blankFile ? 'empty_files' : 'no_turns');
    return null;
  }
  const session: Session = {
    id,
    format: 'claude',
    runtime: opts.runtime ?? 'claude-code',
    path,
    models: built.models,
    turns: built.turns,
    abandoned: built.abandoned,
    extra: lines.facts.extra(),
  };
  const prs = lines.facts.prLinks;
  if (prs.length) session.prs = prs;
  if (lines.version) session.extra.claudeVersion = lines.version;
  if (lines.slug) session.extra.slug = lines.slug;
  if (lines.replayedFrom) {
    session.extra.replayedFrom = lines.replayedFrom;
    session.parentSessionId ??= lines.replayedFrom;
  }
  if (lines.cwd) session.cwd = lines.cwd;
  if (lines.gitBranch) session.gitBranch = lines.gitBranch;
  if (lines.clock.startedAt) session.startedAt = lines.clock.startedAt;
  if (lines.clock.endedAt) session.endedAt = lines.clock.endedAt;
  lines.firstPromptHash = built.firstPromptHash;
  return session;
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
  const stem = fileName.replace(/\.jsonl$/, '');
  const lines = new ClaudeLines(isAgentFile, maxFieldOf(opts), dirname(path), stem);
  const readerCounts: Counts = {};
  await readLines(path, lines.onLine, readerCounts, opts);
  const counts = lines.counts;
  for (const [k, n] of Object.entries(readerCounts)) addCount(counts, k === 'lines' ? 'lines_total' : k, n);
  counts.lines_total ??= 0;
  const blank = (readerCounts.lines ?? 0) === (readerCounts.empty_lines ?? 0);
  const session = await toSession(lines, path, stem, opts, blank);
  if (session && isAgentFile) await linkSubagent(session, path, lines, opts, counts);
  return { session, counts, warnings: lines.warnings };
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
export async function readClaudeInlineSidechains(path: string, opts: ReadClaudeOptions = {}): Promise<ReadResult[]> {
  if (isAgentFileName(basename(path))) return []; // a subagent file is all sidechain: itself
  const maxField = maxFieldOf(opts);
  const chainOf = new Map<string, string>(); // sidechain line uuid -> root uuid
  const chains = new Map<string, ClaudeLines>();
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
      if (!chain) chains.set(root, (chain = new ClaudeLines(true, maxField, dirname(path), basename(path, '.jsonl'))));
      addCount(chain.counts, 'lines_total');
      chain.onLine(v, lineNo);
    },
    {},
    opts,
  );
  const index = tasks.index();
  const out: ReadResult[] = [];
  for (const [root, lines] of chains) {
    const parentId = mainSessionId ?? lines.sessionId ?? basename(path).replace(/\.jsonl$/, '');
    const session = await toSession(lines, path, `${parentId}.sidechain-${root}`, opts, false);
    if (session) {
      session.id = `${parentId}.sidechain-${root}`;
      session.parentSessionId = parentId;
      session.extra.inlineSidechain = true;
      session.extra.sidechainRootUuid = root;
      const hash = lines.firstPromptHash;
      const call = hash ? index.byPromptHash.get(hash) : undefined;
      if (call) {
        addCount(lines.counts, 'subagent_linked_by_prompt');
        applyTaskCall(session, call);
      } else {
        addCount(lines.counts, 'subagent_unlinked');
      }
    }
    out.push({ session, counts: lines.counts, warnings: lines.warnings });
  }
  return out;
}

function applyTaskCall(session: Session, call: TaskCall): void {
  if (call.subagentType) session.subagentType = call.subagentType;
  session.extra.parentToolUseId = call.toolUseId;
  if (call.description) session.extra.subagentDescription = call.description;
}

async function linkSubagent(session: Session, path: string, lines: ClaudeLines, opts: ReadClaudeOptions, counts: Counts): Promise<void> {
  const agentId = lines.agentIdField ?? AGENT_FILE_ID.exec(basename(path))?.[1] ?? basename(path);
  const { parentPath, folderSessionId } = parentLocation(path, lines.sessionId);
  const parentId = lines.sessionId ?? folderSessionId;
  session.agentId = agentId;
  if (parentId) session.parentSessionId = parentId;
  session.id = parentId ? `${parentId}.agent-${agentId}` : `agent-${agentId}`;
  if (agentId.startsWith('acompact-')) {
    // A compaction run summarises the parent; no Task call spawned it.
    session.extra.compaction = true;
    return;
  }
  const meta = await readSubagentMeta(path, opts.roots);
  if (meta) session.extra.subagentMeta = meta;
  const byMeta = (): boolean => {
    if (!meta?.agentType) return false;
    session.subagentType = meta.agentType;
    if (meta.toolUseId) session.extra.parentToolUseId = meta.toolUseId;
    if (meta.description) session.extra.subagentDescription = meta.description;
    addCount(counts, 'subagent_linked_by_meta');
    return true;
  };
  if (!parentPath) {
    if (byMeta()) return;
    addCount(counts, 'subagent_unlinked');
    lines.warnings.push(`${path}: no parent session id, subagent type unknown`);
    return;
  }
  let index = opts.parentIndexCache?.get(parentPath);
  if (!index) {
    try {
      const got = await withSideFile(parentPath, opts.roots, (readFrom) => indexParentTasks(parentPath, { maxLineBytes: opts.maxLineBytes, readFrom }));
      if (!got) throw new Error('outside the configured roots');
      index = got;
    } catch (err) {
      addCount(counts, 'parent_unreadable');
      if (byMeta()) return;
      addCount(counts, 'subagent_unlinked');
      lines.warnings.push(`${path}: parent session ${parentPath} not readable (${(err as Error).message}), subagent type unknown`);
      return;
    }
    opts.parentIndexCache?.set(parentPath, index);
  }
  const hash = lines.firstPromptHash;
  let call: TaskCall | undefined = index.byAgentId.get(agentId);
  if (call) addCount(counts, 'subagent_linked_by_agent_id');
  else if (hash && (call = index.byPromptHash.get(hash))) addCount(counts, 'subagent_linked_by_prompt');
  if (!call) {
    if (byMeta()) return;
    addCount(counts, 'subagent_unlinked');
    lines.warnings.push(`${path}: no Task/Agent call in ${parentPath} names agent ${agentId}`);
    return;
  }
  applyTaskCall(session, call);
}
