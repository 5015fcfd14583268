// OpenCode's SQLite store (`~/.local/share/opencode/opencode.db`): tables session, message and
// part, the last two with their content as JSON in a `data` column. Opened read-only with a busy
// timeout, as pir's index is: safe while OpenCode writes (WAL). Rows are read one session at a
// time; parts are iterated, never all loaded.
import Database from 'better-sqlite3';
import { isObj, type Obj } from '../json-values.ts';
import type { OpenCodeMessage } from './messages.ts';

export const STORE_BUSY_TIMEOUT_MS = 2000;

export interface StoreSessionRow {
  id: string;
  /** The session's info as the export writes it (`{id, parentID, directory, title, time, ...}`). */
  info: Obj;
  /** Last change (ms): orders the reads of one session. */
  updatedMs: number;
  /** Number of parts: a cheap measure of its size. */
  parts: number;
}

export function openStore(path: string): Database.Database {
  return new Database(path, { readonly: true, fileMustExist: true, timeout: STORE_BUSY_TIMEOUT_MS });
}

function parseJson(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  try {
    return JSON.parse(v) as unknown;
  } catch {
    return undefined;
  }
}

/** A session row (columns as OpenCode's drizzle schema names them) as export-style info. */
function sessionInfo(row: Record<string, unknown>): Obj {
  const info: Obj = {
    id: row.id,
    slug: row.slug,
    projectID: row.project_id,
    directory: row.directory,
    title: row.title,
    version: row.version,
    time: { created: row.time_created, updated: row.time_updated, ...(row.time_archived ? { archived: row.time_archived } : {}) },
  };
  if (row.parent_id) info.parentID = row.parent_id;
  const revert = parseJson(row.revert);
  if (isObj(revert)) info.revert = revert;
  if (row.summary_files !== undefined && row.summary_files !== null) {
    info.summary = { additions: row.summary_additions, deletions: row.summary_deletions, files: row.summary_files };
  }
  return info;
}

/** Every session of the store with its size and last change. */
export function listStoreSessions(db: Database.Database): StoreSessionRow[] {
  const parts = new Map<string, number>();
  for (const r of db.prepare('SELECT session_id AS id, count(*) AS n FROM part GROUP BY session_id').all() as { id: string; n: number }[]) {
    parts.set(r.id, r.n);
  }
  const rows = db.prepare('SELECT * FROM session ORDER BY id').all() as Record<string, unknown>[];
  return rows
    .filter((r) => typeof r.id === 'string')
    .map((r) => ({
      id: r.id as string,
      info: sessionInfo(r),
      updatedMs: typeof r.time_updated === 'number' ? r.time_updated : 0,
      parts: parts.get(r.id as string) ?? 0,
    }));
}

export function storeSession(db: Database.Database, id: string): StoreSessionRow | undefined {
  const row = db.prepare('SELECT * FROM session WHERE id = ?').get(id) as Record<string, unknown> | undefined;
  if (!row) return undefined;
  const n = (db.prepare('SELECT count(*) AS n FROM part WHERE session_id = ?').get(id) as { n: number }).n;
  return { id, info: sessionInfo(row), updatedMs: typeof row.time_updated === 'number' ? row.time_updated : 0, parts: n };
}

/**
 * The messages of one session in order, each with its parts. Message infos are loaded first
 * (small), then parts are iterated in (message, id) order: one connection runs one query at a time.
 */
export function* storeMessages(db: Database.Database, sessionId: string, counts: { bad: number }): Generator<OpenCodeMessage> {
  const infos = db.prepare('SELECT id, data FROM message WHERE session_id = ? ORDER BY id').all(sessionId) as { id: string; data: string }[];
  const byId = new Map<string, OpenCodeMessage>();
  const order: OpenCodeMessage[] = [];
  for (const r of infos) {
    const data = parseJson(r.data);
    if (!isObj(data)) {
      counts.bad++;
      continue;
    }
    const m: OpenCodeMessage = { info: { ...data, id: r.id }, parts: [] };
    byId.set(r.id, m);
    order.push(m);
  }
  // Parts arrive grouped by message, in the messages' order: a message is handed on once a part
  // of a later message shows its own parts are all seen.
  let next = 0;
  const it = db.prepare('SELECT id, message_id, data FROM part WHERE session_id = ? ORDER BY message_id, id').iterate(sessionId) as Iterable<{ id: string; message_id: string; data: string }>;
  for (const r of it) {
    const m = byId.get(r.message_id);
    const data = parseJson(r.data);
    if (!m || !isObj(data)) {
      counts.bad++;
      continue;
    }
    while (next < order.length && order[next] !== m) yield order[next++];
    m.parts.push({ ...data, id: r.id });
  }
  while (next < order.length) yield order[next++];
}
