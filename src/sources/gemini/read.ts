// Reads one Gemini CLI chat recording into the shared Session model: the append-only
// `~/.gemini/tmp/<project>/chats/session-<time>-<id8>.jsonl` (streamed line by line and replayed
// as Gemini's own loader replays it, see records.ts), or the older single-object
// `session-*.json` (streamed as a document). Subagents write `chats/<parent session id>/<id>.jsonl`:
// linked to their parent by the folder, their type from the parent's tool call naming them.
//
// Message types user and gemini make turns; info, error and warning are counted
// (`skipped_type_<type>`). A gemini message's thoughts become thinking, its tool calls calls, and
// their results (recorded in the same message) the user turn after it. The cwd comes from the
// metadata's `directories`, else the project folder's `.project_root`, else `~/.gemini/projects.json`.
//
// Counts (besides the line reader's and the turn assembler's): records, records_replaced,
// metadata_updates, history_replacements, rewinds, rewound_messages, rewinds_to_unknown_id,
// abandoned_branches, abandoned_turns, skipped_type_<type>, stripped_<kind>, images, documents,
// subagent_linked, subagent_unlinked, empty_files, no_turns.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { addCount, type AbandonedBranch, type Counts, type ReadResult, type Session, type Turn } from '../../model/session.ts';
import { isObj, str } from '../json-values.ts';
import { readJsonDocument } from '../json-document.ts';
import { withSideFile } from '../checked-file.ts';
import { readJsonLines } from '../jsonl-lines.ts';
import { bytesPath, maxFieldOf, type ReaderOptions } from '../reader-options.ts';
import { isHarnessMessage } from '../harness-text.ts';
import { ModelList, SessionClock, TurnAssembler } from '../turn-assembler.ts';
import { GeminiLog, type GeminiMessage } from './records.ts';

/** User messages Gemini CLI itself sends: the next-speaker nudge and the session setup context. */
const INJECTED = [
  { kind: 'continue_nudge', re: /^System: Please continue\.?\s*$/ },
  { kind: 'setup_context', re: /^This is the Gemini CLI\. We are setting up the context for our chat\./ },
];

const SMALL_FILE_BYTES = 64 * 1024;

function readSmall(path: string): string | undefined {
  try {
    if (!existsSync(path) || statSync(path).size > SMALL_FILE_BYTES) return undefined;
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** The `chats` folder above a recording (subagents sit one folder deeper). */
function chatsDirOf(path: string): string | undefined {
  let dir = dirname(path);
  for (let i = 0; i < 3; i++) {
    if (basename(dir) === 'chats') return dir;
    dir = dirname(dir);
  }
  return undefined;
}

/** The project directory a recording belongs to, from the files Gemini CLI keeps beside it. */
export function geminiProjectDir(path: string, projectHash: string | undefined): string | undefined {
  const chats = chatsDirOf(path);
  if (!chats) return undefined;
  const projectDir = dirname(chats);
  const marker = readSmall(join(projectDir, '.project_root'))?.trim();
  if (marker) return marker;
  const registry = readSmall(join(dirname(dirname(projectDir)), 'projects.json'));
  if (!registry) return undefined;
  try {
    const data = JSON.parse(registry) as unknown;
    const projects = isObj(data) && isObj(data.projects) ? data.projects : {};
    const slug = basename(projectDir);
    for (const [dir, id] of Object.entries(projects)) if (id === slug || id === projectHash) return dir;
  } catch {
    // an unreadable registry names no project
  }
  return undefined;
}

/** Turns of a run of messages (the conversation, or one rewound branch). */
function messagesToTurns(messages: Iterable<GeminiMessage>, counts: Counts, maxField: number, models: ModelList): { turns: Turn[]; after: Map<string, number> } {
  const t = new TurnAssembler(counts, maxField);
  const marks: { id: string; at: number }[] = [];
  for (const m of messages) {
    if (m.type === 'user') {
      if (!isHarnessMessage(m.text, INJECTED, counts)) t.userText(m.text, { timestamp: m.timestamp, entryId: m.id });
    } else if (m.type === 'gemini') {
      const turn = t.assistant({ timestamp: m.timestamp, entryId: m.id });
      for (const th of m.thoughts) t.think(turn, th);
      t.text(turn, m.text);
      for (const c of m.toolCalls) t.call(turn, c.id, c.name, c.args);
      if (m.usage) turn.usage = m.usage;
      if (m.model) {
        turn.model = m.model;
        models.add(m.model);
      }
      for (const c of m.toolCalls) if (c.result) t.toolResult(c.id, c.result.content, c.result.isError, { timestamp: m.timestamp });
    } else addCount(counts, `skipped_type_${m.type}`);
    marks.push({ id: m.id, at: 0 });
  }
  const turns = t.finish();
  // Where each message ends in turns: turns whose entryId is at or before it.
  const after = new Map<string, number>();
  const pos = new Map<string, number>();
  turns.forEach((turn, i) => {
    if (turn.entryId) pos.set(turn.entryId, i + 1);
  });
  let last = 0;
  for (const mk of marks) {
    last = Math.max(last, pos.get(mk.id) ?? last);
    after.set(mk.id, last);
  }
  return { turns, after };
}

async function replay(path: string, opts: ReaderOptions, log: GeminiLog, counts: Counts): Promise<{ blank: boolean }> {
  const from = bytesPath(path, opts);
  if (path.endsWith('.json')) {
    const ok = await readJsonDocument(from, 'messages', {
      onHead: (head) => log.onRecord({ ...head, sessionId: str(head.sessionId) ?? '' }),
      onItem: (item) => log.onRecord(item),
    }, counts);
    return { blank: !ok };
  }
  const reader: Counts = {};
  await readJsonLines(from, log.onRecord, reader, { maxLineBytes: opts.maxLineBytes });
  for (const [k, n] of Object.entries(reader)) addCount(counts, k === 'lines' ? 'lines_total' : k, n);
  return { blank: (reader.lines ?? 0) === (reader.empty_lines ?? 0) };
}

/** Reads one Gemini CLI recording (`.jsonl` or the older `.json`). Rejects only when it cannot be read. */
export async function readGeminiSession(path: string, opts: ReaderOptions = {}): Promise<ReadResult> {
  const counts: Counts = {};
  const maxField = maxFieldOf(opts);
  const log = new GeminiLog(maxField, counts);
  let blank: boolean;
  try {
    ({ blank } = await replay(path, opts, log, counts));
  } catch (err) {
    throw new Error(`cannot read Gemini session ${path}: ${(err as Error).message}`, { cause: err });
  }
  const models = new ModelList();
  const active = messagesToTurns(log.messages.values(), counts, maxField, models);
  const abandoned: AbandonedBranch[] = [];
  for (const b of log.rewound) {
    const point = b.afterId === null ? 0 : active.after.get(b.afterId);
    if (point === undefined) {
      addCount(counts, 'abandoned_branches_orphaned');
      continue;
    }
    const { turns } = messagesToTurns(b.messages, {}, maxField, models);
    if (turns.length === 0) continue;
    addCount(counts, 'abandoned_branches');
    addCount(counts, 'abandoned_turns', turns.length);
    abandoned.push({ branchPointId: b.afterId, branchPointTurnIndex: point, turns, leafId: b.messages[b.messages.length - 1].id });
  }
  if (active.turns.length === 0 && abandoned.length === 0) {
    addCount(counts, blank && log.messages.size === 0 ? 'empty_files' : 'no_turns');
    return { session: null, counts, warnings: [] };
  }
  const meta = log.metadata;
  const clock = new SessionClock();
  for (const m of log.messages.values()) clock.note(m.timestamp);
  const session: Session = {
    id: str(meta.sessionId) ?? basename(path).replace(/\.jsonl?$/, ''),
    format: 'gemini',
    runtime: 'gemini',
    path,
    models: models.models,
    turns: active.turns,
    abandoned,
    extra: {},
  };
  const dirs = Array.isArray(meta.directories) ? meta.directories.filter((d): d is string => typeof d === 'string') : [];
  const cwd = dirs[0] ?? geminiProjectDir(path, str(meta.projectHash));
  if (cwd) session.cwd = cwd;
  session.startedAt = str(meta.startTime) ?? clock.startedAt;
  const ended = clock.endedAt ?? str(meta.lastUpdated);
  if (ended) session.endedAt = ended;
  if (str(meta.projectHash)) session.extra.projectHash = meta.projectHash;
  if (str(meta.summary)) session.extra.summary = meta.summary;
  if (str(meta.kind)) session.extra.kind = meta.kind;
  await linkSubagent(session, path, meta, counts, opts);
  return { session, counts, warnings: [] };
}

/** `chats/<parent>/<id>.jsonl`: the parent's id from the folder, the subagent's type from its tool call. */
async function linkSubagent(session: Session, path: string, meta: Record<string, unknown>, counts: Counts, opts: ReaderOptions): Promise<void> {
  const folder = basename(dirname(path));
  if (folder === 'chats') return;
  session.parentSessionId = folder;
  session.agentId = session.id;
  const chats = dirname(dirname(path));
  let parentFile: string | undefined;
  try {
    parentFile = readdirSync(chats).find((n) => /^session-.*\.jsonl?$/.test(n) && n.replace(/\.jsonl?$/, '').endsWith(`-${folder.slice(0, 8)}`));
  } catch {
    parentFile = undefined;
  }
  if (!parentFile) {
    addCount(counts, 'subagent_unlinked');
    return;
  }
  let name: string | undefined;
  const look = (v: unknown) => {
    if (name || !isObj(v) || !Array.isArray(v.toolCalls)) return;
    for (const c of v.toolCalls) if (isObj(c) && c.agentId === session.id && typeof c.name === 'string') name = c.name;
  };
  try {
    // The parent is a side file: read only when it is inside the roots.
    const parent = join(chats, parentFile);
    await withSideFile(parent, opts.roots, async (readFrom) => {
      if (parentFile!.endsWith('.jsonl')) await readJsonLines(parent, look, {}, { maxLineBytes: opts.maxLineBytes, readFrom });
      else await readJsonDocument(readFrom, 'messages', { onHead: () => undefined, onItem: look }, {});
    });
  } catch {
    name = undefined;
  }
  if (name) {
    session.subagentType = name;
    addCount(counts, 'subagent_linked');
  } else addCount(counts, 'subagent_unlinked');
  if (meta.kind === undefined) session.extra.kind = 'subagent';
}
