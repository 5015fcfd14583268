// Reads OpenCode sessions into the shared Session model from each of the places OpenCode keeps
// them: its SQLite store (many sessions in one file: one, named by `sessionKey`, or all), a
// session of the older JSON storage (named by its info file), or an `opencode export` file
// (`{info, messages: [{info, parts}]}`, streamed as a document). messages.ts maps them.
//
// Counts (besides the turn assembler's): messages, parts, bad_records (rows or files that are not
// JSON objects), reverted_messages, abandoned_branches, abandoned_turns, compactions,
// compaction_summaries, assistant_errors, reasoning_empty, stripped_synthetic_part,
// skipped_part_<type>, tool_state_<status> (a call still pending or running), images, documents,
// subagent_linked, subagent_unlinked, session_missing, no_turns.
import { addCount, type ReadResult } from '../../model/session.ts';
import { isObj, str } from '../json-values.ts';
import { readJsonDocument } from '../json-document.ts';
import { bytesPath, maxFieldOf, type ReaderOptions } from '../reader-options.ts';
import { OpenCodeSessionBuilder } from './messages.ts';
import { listStoreSessions, openStore, storeMessages, storeSession } from './store.ts';
import { readStorageInfo, storageMessages, storageRootOf } from './storage.ts';

/** Subagent sessions name their spawner: the parent's `task` call whose metadata holds the child's id. */
function subagentTypeOf(db: ReturnType<typeof openStore>, parentId: string, childId: string): string | undefined {
  const rows = db
    .prepare("SELECT data FROM part WHERE session_id = ? AND json_extract(data, '$.type') = 'tool' AND json_extract(data, '$.tool') = 'task'")
    .all(parentId) as { data: string }[];
  for (const r of rows) {
    try {
      const p = JSON.parse(r.data) as unknown;
      const state = isObj(p) && isObj(p.state) ? p.state : {};
      const meta = isObj(state.metadata) ? state.metadata : {};
      if (meta.sessionId === childId || meta.sessionID === childId) {
        const input = isObj(state.input) ? state.input : {};
        return str(input.subagent_type) ?? str(input.agent) ?? 'task';
      }
    } catch {
      // a part that is not JSON names no child
    }
  }
  return undefined;
}

/** One session, or every session, of an OpenCode SQLite store. Rejects when the store cannot be opened. */
export async function readOpenCodeStore(path: string, opts: ReaderOptions = {}): Promise<ReadResult[]> {
  const maxField = maxFieldOf(opts);
  let db;
  try {
    db = openStore(bytesPath(path, opts));
  } catch (err) {
    throw new Error(`cannot open OpenCode store ${path}: ${(err as Error).message}`, { cause: err });
  }
  try {
    const rows = opts.sessionKey ? [storeSession(db, opts.sessionKey)] : listStoreSessions(db);
    const out: ReadResult[] = [];
    for (const row of rows) {
      if (!row) {
        out.push({ session: null, counts: { session_missing: 1 }, warnings: [`${path}: no session ${opts.sessionKey} in the store`] });
        continue;
      }
      const b = new OpenCodeSessionBuilder(row.info, path, maxField);
      const bad = { bad: 0 };
      for (const m of storeMessages(db, row.id, bad)) b.add(m);
      const r = b.finish();
      if (bad.bad) addCount(r.counts, 'bad_records', bad.bad);
      if (r.session) r.session.extra.storeUpdatedMs = row.updatedMs;
      const parent = r.session?.parentSessionId;
      if (r.session && parent) {
        const type = subagentTypeOf(db, parent, row.id);
        if (type) {
          r.session.subagentType = type;
          r.session.agentId = row.id;
          addCount(r.counts, 'subagent_linked');
        } else addCount(r.counts, 'subagent_unlinked');
      }
      out.push(r);
    }
    return out;
  } finally {
    db.close();
  }
}

/** One session of the older JSON storage, read from its info file. */
export async function readOpenCodeStorageSession(path: string, opts: ReaderOptions = {}): Promise<ReadResult> {
  const bad = { bad: 0 };
  const info = await readStorageInfo(bytesPath(path, opts), bad);
  const storage = storageRootOf(path);
  if (!info || !storage || !str(info.id)) {
    return { session: null, counts: { bad_records: Math.max(1, bad.bad), no_turns: 1 }, warnings: [`${path}: not an OpenCode session info file`] };
  }
  const b = new OpenCodeSessionBuilder(info, path, maxFieldOf(opts));
  for await (const m of storageMessages(storage, str(info.id)!, bad, opts.roots)) b.add(m);
  const r = b.finish();
  if (bad.bad) addCount(r.counts, 'bad_records', bad.bad);
  return r;
}

/** An `opencode export` file. */
export async function readOpenCodeExport(path: string, opts: ReaderOptions = {}): Promise<ReadResult> {
  const maxField = maxFieldOf(opts);
  let b: OpenCodeSessionBuilder | undefined;
  const counts: Record<string, number> = {};
  try {
    await readJsonDocument(bytesPath(path, opts), 'messages', {
      onHead: (head) => {
        b = new OpenCodeSessionBuilder(isObj(head.info) ? head.info : {}, path, maxField);
      },
      onItem: (item) => {
        if (!b) return;
        if (!isObj(item) || !isObj(item.info)) {
          addCount(counts, 'bad_records');
          return;
        }
        b.add({ info: item.info, parts: Array.isArray(item.parts) ? item.parts.filter(isObj) : [] });
      },
    }, counts);
  } catch (err) {
    throw new Error(`cannot read OpenCode export ${path}: ${(err as Error).message}`, { cause: err });
  }
  if (!b) return { session: null, counts: { ...counts, no_turns: 1 }, warnings: [] };
  const r = b.finish();
  for (const [k, n] of Object.entries(counts)) addCount(r.counts, k, n);
  return r;
}
