// What every session reader takes besides the file's path. A reader keeps the signature
// `(path, opts)`: `path` is the logical path (ids, names and side files come from it), the bytes
// are read from `opts.readFrom ?? path` (a descriptor link the caller checked against its roots).
import type { Runtime } from '../model/session.ts';

export interface ReaderOptions {
  /** Runtime the caller decided (from the root the file was found under); readers may refine it. */
  runtime?: Runtime;
  /** A longer line is skipped (counted `oversize_line`) without being buffered whole. */
  maxLineBytes?: number;
  /** Longest kept text field (turn text, thinking, one tool result, a string in a tool input). */
  maxFieldChars?: number;
  /** Where the file's bytes are read from; `path` when absent. */
  readFrom?: string;
  /** Folders the side files a reader opens (a parent session, saved outputs) must be inside
   *  (checked through checked-file.ts `withSideFile`); unchecked when absent. */
  roots?: readonly string[];
  /** One session of a store that holds many (OpenCode's SQLite): its id. All sessions when absent. */
  sessionKey?: string;
}

export const DEFAULT_MAX_FIELD_CHARS = 65536;

/** The field cap a reader applies (never below 16 chars, so head + tail stay meaningful). */
export function maxFieldOf(opts: ReaderOptions): number {
  return Math.max(16, opts.maxFieldChars ?? DEFAULT_MAX_FIELD_CHARS);
}

/** The file a reader opens for its bytes. */
export function bytesPath(path: string, opts: ReaderOptions): string {
  return opts.readFrom ?? path;
}
