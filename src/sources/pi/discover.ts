// Finds pi / pir / omp session files under a sessions root:
//   <root>/--<encoded cwd>--/<timestamp>_<id>.jsonl
// through pir's `session-index.sqlite` beside the folders when it is there (each row gives path,
// size and mtime: no stat per file), plus a listing-only walk for files the index does not list
// yet. Without a usable index (absent, locked, corrupt) it walks and stats, and says so once.
import { readdir, stat, lstat } from 'node:fs/promises';
import { existsSync, type Dirent } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { addCount, type Counts } from '../../model/session.ts';

export type PiFamily = 'pi' | 'pir' | 'omp';

export const SESSION_INDEX_FILE = 'session-index.sqlite';

export interface PiSessionFile {
  /** Absolute path. */
  path: string;
  size: number;
  /** Whole milliseconds (pir's index stores integers; walked files are truncated to match). */
  mtimeMs: number;
  source: 'index' | 'walk';
  /** Session id from the index row. */
  indexId?: string;
}

/** An index row whose file is gone (deleted or moved since pir indexed it). */
export interface PiMissingFile {
  missing: true;
  path: string;
  source: 'index';
  indexId?: string;
}

export type PiDiscovered = PiSessionFile | PiMissingFile;

export interface PiDiscoverOptions {
  /** Read the index at all (default true). */
  useIndex?: boolean;
  /** How long to wait on a locked index before falling back to the walk (ms, default 2000). */
  busyTimeoutMs?: number;
  /**
   * Stat files the index lists too (default false: the index's size and mtime are trusted, which
   * is what makes an unchanged re-run cheap; pir rewrites a row on every save).
   */
  statListed?: boolean;
}

export interface PiDiscovery {
  /** 'index' when the index was read; 'walk' when discovery walked the folders alone. */
  mode: 'index' | 'walk';
  /** One line for the caller to log when the index could not be used; undefined otherwise. */
  notice?: string;
  /**
   * Filled as `files` is consumed: index_rows, index_files, index_missing_files, index_stale_rows
   * (statListed only), walk_files (found by the walk: unlisted, or no index), discover_unreadable_dirs,
   * discover_vanished.
   */
  counts: Counts;
  files: AsyncGenerator<PiDiscovered>;
}

function expandHome(p: string, home: string): string {
  return p === '~' ? home : p.startsWith('~/') ? join(home, p.slice(2)) : p;
}

/**
 * The sessions root a runtime writes to. pi and pir: `PI_SESSIONS_DIR`, else
 * `PI_CODING_AGENT_DIR/sessions`, else `~/.pi/agent/sessions`; omp: `~/.omp/agent/sessions`.
 */
export function defaultPiRoot(
  env: NodeJS.ProcessEnv = process.env,
  runtime: PiFamily = 'pi',
  home: string = homedir(),
): string {
  if (runtime === 'omp') return join(home, '.omp', 'agent', 'sessions');
  const sessions = env.PI_SESSIONS_DIR?.trim();
  if (sessions) return resolve(expandHome(sessions, home));
  const agent = env.PI_CODING_AGENT_DIR?.trim();
  if (agent) return join(resolve(expandHome(agent, home)), 'sessions');
  return join(home, '.pi', 'agent', 'sessions');
}

interface IndexRow {
  path: string;
  id: string | null;
  size_bytes: number | null;
  last_modified_ms: number | null;
}

type IndexLoad = { rows: IndexRow[] } | { notice: string };

/** Reads every row at once and closes: the index is held open for milliseconds, never while yielding. */
export function loadSessionIndex(dbPath: string, busyTimeoutMs = 2000): IndexLoad {
  if (!existsSync(dbPath)) {
    return { notice: `pi: no ${SESSION_INDEX_FILE} in ${dirname(dbPath)}; discovering sessions by walking the folders` };
  }
  let db: Database.Database | undefined;
  try {
    // Read-only is safe while pir writes (WAL); the timeout is SQLite's busy wait on a lock.
    db = new Database(dbPath, { readonly: true, fileMustExist: true, timeout: busyTimeoutMs });
    const rows = db
      .prepare('SELECT path, id, size_bytes, last_modified_ms FROM sessions')
      .all() as IndexRow[];
    return { rows };
  } catch (err) {
    const e = err as { code?: string; message?: string };
    const code = e.code ?? '';
    const why = code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')
      ? `is locked (${code}, waited ${busyTimeoutMs} ms)`
      : `cannot be read (${code || 'error'}: ${e.message ?? String(err)})`;
    return { notice: `pi: session index ${dbPath} ${why}; discovering sessions by walking the folders` };
  } finally {
    db?.close();
  }
}

/**
 * Starts discovery under `root`. The index is read synchronously here (so `mode` and `notice` are
 * known before the first file); `files` then yields, sorted by path, every listed file that exists,
 * every listed file that is gone (`missing: true`), and every file the walk found that the index
 * does not list. A missing or unreadable root yields nothing.
 */
export function discoverPiSessions(root: string, opts: PiDiscoverOptions = {}): PiDiscovery {
  const absRoot = resolve(root);
  const counts: Counts = {};
  const dbPath = join(absRoot, SESSION_INDEX_FILE);
  let rows: IndexRow[] | undefined;
  let notice: string | undefined;
  // A missing root yields nothing, without a notice: the caller decides what to say.
  if (opts.useIndex !== false && existsSync(absRoot)) {
    const load = loadSessionIndex(dbPath, opts.busyTimeoutMs ?? 2000);
    if ('rows' in load) rows = load.rows;
    else notice = load.notice;
  }
  const files = rows
    ? withIndex(absRoot, rows, counts, opts.statListed === true)
    : walkOnly(absRoot, counts);
  return { mode: rows ? 'index' : 'walk', notice, counts, files };
}

/** Convenience: discovery as one async iterable, the notice handed to `onNotice`. */
export async function* discoverPiSessionFiles(
  root: string,
  opts: PiDiscoverOptions & { onNotice?: (msg: string) => void; counts?: Counts } = {},
): AsyncGenerator<PiDiscovered> {
  const d = discoverPiSessions(root, opts);
  if (d.notice) opts.onNotice?.(d.notice);
  try {
    yield* d.files;
  } finally {
    if (opts.counts) for (const [k, v] of Object.entries(d.counts)) addCount(opts.counts, k, v);
  }
}

const isSessionName = (name: string): boolean => name.endsWith('.jsonl');
const byName = (a: Dirent, b: Dirent): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

async function listDir(dir: string, counts: Counts, missingIsNormal = false): Promise<Dirent[]> {
  try {
    return (await readdir(dir, { withFileTypes: true })).sort(byName);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (!(missingIsNormal && (code === 'ENOENT' || code === 'ENOTDIR'))) {
      addCount(counts, 'discover_unreadable_dirs');
    }
    return [];
  }
}

/** Session files under root: `<root>/*.jsonl` and `<root>/<folder>/*.jsonl`, names only. */
async function listSessionFiles(root: string, counts: Counts): Promise<{ path: string; entry: Dirent }[]> {
  const out: { path: string; entry: Dirent }[] = [];
  for (const e of await listDir(root, counts, true)) {
    if (e.isDirectory()) {
      if (e.name.endsWith('.blobs')) continue;
      const dir = join(root, e.name);
      for (const f of await listDir(dir, counts)) {
        if (isSessionName(f.name) && (f.isFile() || f.isSymbolicLink())) out.push({ path: join(dir, f.name), entry: f });
      }
    } else if (isSessionName(e.name) && (e.isFile() || e.isSymbolicLink())) {
      out.push({ path: join(root, e.name), entry: e });
    }
  }
  return out;
}

/** size and whole-ms mtime; null when not a file or gone (counted `discover_vanished` when `listed`). */
async function statFile(path: string, entry: Dirent | undefined, counts: Counts): Promise<{ size: number; mtimeMs: number } | null> {
  try {
    const st = entry && !entry.isSymbolicLink() ? await lstat(path) : await stat(path);
    if (!st.isFile()) return null;
    return { size: st.size, mtimeMs: Math.trunc(st.mtimeMs) };
  } catch {
    if (entry) addCount(counts, 'discover_vanished');
    return null;
  }
}

async function* walkOnly(root: string, counts: Counts): AsyncGenerator<PiDiscovered> {
  for (const { path, entry } of await listSessionFiles(root, counts)) {
    const st = await statFile(path, entry, counts);
    if (!st) continue;
    addCount(counts, 'walk_files');
    yield { path, ...st, source: 'walk' };
  }
}

async function* withIndex(
  root: string,
  rows: IndexRow[],
  counts: Counts,
  statListed: boolean,
): AsyncGenerator<PiDiscovered> {
  addCount(counts, 'index_rows', rows.length);
  const listed = await listSessionFiles(root, counts);
  const onDisk = new Map(listed.map((f) => [f.path, f.entry]));
  // Folders the walk listed: a row elsewhere (outside root) must be checked with a stat.
  const walkedDirs = new Set<string>([root, ...listed.map((f) => dirname(f.path))]);
  const indexed = new Map<string, IndexRow>();
  for (const r of rows) {
    if (typeof r.path !== 'string' || r.path === '') continue;
    indexed.set(isAbsolute(r.path) ? resolve(r.path) : resolve(root, r.path), r);
  }
  const all = [...new Set([...indexed.keys(), ...onDisk.keys()])].sort();
  for (const path of all) {
    const row = indexed.get(path);
    const entry = onDisk.get(path);
    if (!row) {
      const st = await statFile(path, entry, counts);
      if (!st) continue;
      addCount(counts, 'walk_files');
      yield { path, ...st, source: 'walk' };
      continue;
    }
    const indexId = row.id ?? undefined;
    const known = entry !== undefined;
    if (!known && walkedDirs.has(dirname(path))) {
      // Listed by the index, absent from its folder listing.
      addCount(counts, 'index_missing_files');
      yield { missing: true, path, source: 'index', ...(indexId ? { indexId } : {}) };
      continue;
    }
    const trusted =
      known && !statListed && typeof row.size_bytes === 'number' && typeof row.last_modified_ms === 'number';
    if (trusted) {
      addCount(counts, 'index_files');
      yield { path, size: row.size_bytes!, mtimeMs: Math.trunc(row.last_modified_ms!), source: 'index', ...(indexId ? { indexId } : {}) };
      continue;
    }
    const st = await statFile(path, entry, counts);
    if (!st) {
      addCount(counts, 'index_missing_files');
      yield { missing: true, path, source: 'index', ...(indexId ? { indexId } : {}) };
      continue;
    }
    if (row.size_bytes !== st.size || row.last_modified_ms !== st.mtimeMs) addCount(counts, 'index_stale_rows');
    addCount(counts, 'index_files');
    yield { path, ...st, source: 'index', ...(indexId ? { indexId } : {}) };
  }
}
