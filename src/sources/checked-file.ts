// Opens a file once and checks where that open descriptor really is, so that what is read is what
// was checked: a path checked by name and then reopened by name can be swapped in between (a
// symlink flipped to a file outside the allowed folders). Readers read `readFrom`, the descriptor
// reopened through /proc/self/fd (the same file, whatever the name points to by then).
import { constants, existsSync } from 'node:fs';
import { open, readlink, realpath, type FileHandle } from 'node:fs/promises';
import { sep } from 'node:path';

export class OutsideRootsError extends Error {
  override name = 'OutsideRootsError';
}

export class NotRegularFileError extends Error {
  override name = 'NotRegularFileError';
}

export interface CheckedFile {
  /** The name asked for (for ids, names and messages). */
  path: string;
  /** Where readers read the bytes from: `/proc/self/fd/<n>` of the checked descriptor. */
  readFrom: string;
  /** The file's real path, as the kernel resolved it when it was opened. */
  realPath: string;
  size: number;
  mtimeMs: number;
  close(): Promise<void>;
}

const FD_DIR = '/proc/self/fd';
/** Without /proc (not Linux) the check falls back to the path's realpath, and reads by name. */
const HAS_PROC_FD = existsSync(FD_DIR);

// Roots are resolved once a few seconds, not once a file; the file itself always afresh.
const ROOT_TTL_MS = 5000;
const realRootCache = new Map<string, { at: number; real: Promise<string | null> }>();

export function realRootOf(root: string): Promise<string | null> {
  const now = Date.now();
  const hit = realRootCache.get(root);
  if (hit && now - hit.at < ROOT_TTL_MS) return hit.real;
  const real = realpath(root).catch(() => null);
  realRootCache.set(root, { at: now, real });
  return real;
}

export const isInside = (real: string, realRoot: string): boolean => real === realRoot || real.startsWith(realRoot + sep);

/**
 * Opens `path` for reading (never blocking on a FIFO, never becoming a terminal), refuses anything
 * but a regular file, and refuses a file whose real location is not inside one of `roots`.
 * Throws ENOENT / EACCES as the file system reports them, OutsideRootsError, NotRegularFileError.
 */
export async function openInsideRoots(path: string, roots: readonly string[]): Promise<CheckedFile> {
  const fh: FileHandle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw new NotRegularFileError(`${path}: not a regular file`);
    const readFrom = HAS_PROC_FD ? `${FD_DIR}/${fh.fd}` : path;
    const realPath = HAS_PROC_FD ? await readlink(readFrom) : await realpath(path);
    const realRoots = (await Promise.all(roots.map(realRootOf))).filter((r): r is string => r !== null);
    if (!realRoots.some((r) => isInside(realPath, r))) {
      throw new OutsideRootsError(`${path}: refused, outside the configured roots (${roots.join(', ')})`);
    }
    return { path, readFrom, realPath, size: st.size, mtimeMs: st.mtimeMs, close: () => fh.close() };
  } catch (e) {
    await fh.close();
    throw e;
  }
}

/**
 * A file a reader opens beside the one it reads (a Claude parent session, a pi parent header, a
 * blob): checked against `roots` when they are given, then handed to `use` as the path to read.
 * Outside the roots it is treated as absent (`use` is not called; null). Without roots (a reader
 * called directly, not by a worker) the path is used as it is.
 */
export async function withSideFile<T>(path: string, roots: readonly string[] | undefined, use: (readFrom: string) => Promise<T>): Promise<T | null> {
  if (!roots) return use(path);
  let f: CheckedFile;
  try {
    f = await openInsideRoots(path, roots);
  } catch (e) {
    if (e instanceof OutsideRootsError) return null;
    throw e;
  }
  try {
    return await use(f.readFrom);
  } finally {
    await f.close();
  }
}
