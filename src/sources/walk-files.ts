// Finds session files under a root by name, a bounded number of folders down, in a stable order
// (names sorted per folder). Directory symlinks are never followed (no loops); file symlinks are
// followed to a regular file. A missing root yields nothing: the caller decides what to say.
import { readdir, stat, lstat } from 'node:fs/promises';
import type { Dirent, Stats } from 'node:fs';
import { join, resolve } from 'node:path';
import { addCount, type Counts } from '../model/session.ts';

export interface FoundFile {
  /** Absolute path. */
  path: string;
  size: number;
  /** Whole milliseconds. */
  mtimeMs: number;
}

export interface WalkOptions {
  /** How many folders below the root a file may sit (0: the root's own files). */
  maxDepth: number;
  /** Whether a file name (in `dir`, its folder path below the root `/`-joined) is a session file. */
  accept: (name: string, relDir: string, dir: string) => boolean;
  /** Folders (by name) never entered. */
  skipDir?: (name: string, relDir: string) => boolean;
  /** Gets `discover_unreadable_dirs` and `discover_vanished`. */
  counts?: Counts;
}

const byName = (a: Dirent, b: Dirent): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

async function listDir(dir: string, counts: Counts, missingIsNormal: boolean): Promise<Dirent[]> {
  try {
    return (await readdir(dir, { withFileTypes: true })).sort(byName);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (!(missingIsNormal && (code === 'ENOENT' || code === 'ENOTDIR'))) addCount(counts, 'discover_unreadable_dirs');
    return [];
  }
}

/** size and whole-ms mtime of a listed regular file; null when not one (or gone: `discover_vanished`). */
export async function statListed(path: string, entry: Dirent, counts: Counts): Promise<FoundFile | null> {
  if (!entry.isFile() && !entry.isSymbolicLink()) return null;
  let st: Stats;
  try {
    st = entry.isSymbolicLink() ? await stat(path) : await lstat(path);
  } catch {
    addCount(counts, 'discover_vanished');
    return null;
  }
  if (!st.isFile()) return null;
  return { path, size: st.size, mtimeMs: Math.trunc(st.mtimeMs) };
}

export async function* walkFiles(root: string, opts: WalkOptions): AsyncGenerator<FoundFile> {
  const counts = opts.counts ?? {};
  async function* walk(dir: string, relDir: string, depth: number): AsyncGenerator<FoundFile> {
    const entries = await listDir(dir, counts, depth === 0);
    for (const e of entries) {
      if (e.isDirectory() || !opts.accept(e.name, relDir, dir)) continue;
      const found = await statListed(join(dir, e.name), e, counts);
      if (found) yield found;
    }
    if (depth >= opts.maxDepth) return;
    for (const e of entries) {
      if (!e.isDirectory()) continue;
      const rel = relDir === '' ? e.name : `${relDir}/${e.name}`;
      if (opts.skipDir?.(e.name, relDir)) continue;
      yield* walk(join(dir, e.name), rel, depth + 1);
    }
  }
  yield* walk(resolve(root), '', 0);
}
