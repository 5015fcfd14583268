// Finds OpenCode sessions under its data folder (`$XDG_DATA_HOME/opencode`, default
// `~/.local/share/opencode`), or under any folder of `opencode export` files:
//   <root>/opencode*.db                         the SQLite store: one entry per session in it
//   <root>/storage/session/<project>/<id>.json  the older JSON storage: one entry per session
//   <root>/*.json, <root>/<folder>/*.json       export files (their format is decided from content)
// A store entry carries the session's id (`sessionKey`), its last change as the mtime and its
// part count as the size; a storage session that the store also holds is skipped
// (`discover_in_store`: OpenCode copied it there on upgrade).
import { join, resolve } from 'node:path';
import { addCount, type Counts } from '../../model/session.ts';
import { walkFiles, type FoundFile } from '../walk-files.ts';
import { listStoreSessions, openStore } from './store.ts';

export interface OpenCodeFound extends FoundFile {
  /** The session's id within a store holding many. */
  sessionKey?: string;
}

const STORE = /^opencode.*\.db$/;
/** Folders of the data dir that hold no sessions (or hold credentials): never entered for exports. */
const NOT_EXPORTS = new Set(['storage', 'log', 'bin', 'snapshot', 'tool-output', 'worktree']);

export interface OpenCodeDiscoverOptions {
  counts?: Counts;
  /** One line for the caller to show when a store cannot be read. */
  onNotice?: (msg: string) => void;
}

export async function* discoverOpenCodeSessions(root: string, opts: OpenCodeDiscoverOptions = {}): AsyncGenerator<OpenCodeFound> {
  const counts = opts.counts ?? {};
  const inStore = new Set<string>();
  for await (const f of walkFiles(root, { maxDepth: 0, accept: (n) => STORE.test(n), counts })) {
    let rows;
    let db;
    try {
      db = openStore(f.path);
      rows = listStoreSessions(db);
    } catch (err) {
      addCount(counts, 'discover_unreadable_stores');
      opts.onNotice?.(`opencode: store ${f.path} cannot be read (${(err as Error).message}); its sessions are skipped this time`);
      continue;
    } finally {
      db?.close();
    }
    for (const r of rows) {
      inStore.add(r.id);
      addCount(counts, 'store_sessions');
      yield { path: f.path, size: r.parts, mtimeMs: Math.trunc(r.updatedMs), sessionKey: r.id };
    }
  }
  const storage = join(resolve(root), 'storage', 'session');
  for await (const f of walkFiles(storage, { maxDepth: 1, accept: (n, rel) => rel !== '' && n.endsWith('.json'), counts })) {
    const id = f.path.slice(f.path.lastIndexOf('/') + 1).replace(/\.json$/, '');
    if (inStore.has(id)) {
      addCount(counts, 'discover_in_store');
      continue;
    }
    yield f;
  }
  yield* walkFiles(root, {
    maxDepth: 1,
    counts,
    accept: (n) => n.endsWith('.json') && !/auth/i.test(n),
    skipDir: (n) => NOT_EXPORTS.has(n) || n.startsWith('.'),
  });
}
