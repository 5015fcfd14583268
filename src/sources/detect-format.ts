// Decides a session file's format from its first line, not from the folder it sits in: pi and pir
// open with a `{"type":"session",...}` header; anything else with content is Claude Code.
import { open } from 'node:fs/promises';

export type DetectedFormat = 'pi' | 'claude' | 'empty';

/** How much of the file is read at most; a pi header is far smaller. */
export const DETECT_WINDOW_BYTES = 64 * 1024;
/** How many leading lines may hold the pi header. */
const HEADER_SEARCH_LINES = 5;

/**
 * Reads at most the first 64 KiB of `path` and looks at its first non-blank line.
 * 'empty' when that window holds only whitespace. Rejects when the file cannot be read.
 */
export async function detectFormat(path: string): Promise<DetectedFormat> {
  let head: string;
  let windowFull = false;
  const fh = await open(path, 'r').catch((err: Error) => {
    throw new Error(`cannot read ${path}: ${err.message}`, { cause: err });
  });
  try {
    const buf = Buffer.alloc(DETECT_WINDOW_BYTES);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    head = buf.subarray(0, bytesRead).toString('utf8');
    windowFull = bytesRead === buf.length;
  } finally {
    await fh.close();
  }
  head = head.replace(/^\uFEFF/, '').replace(/^\s+/, '');
  if (head === '') return 'empty';
  // The header belongs first, but a pi file whose header slipped down (a bad first line) is still
  // pi: its reader counts header_not_first. Only complete lines of the window are looked at.
  const lines = head.split('\n');
  if (windowFull || !head.endsWith('\n')) lines.pop();
  for (const line of lines.slice(0, HEADER_SEARCH_LINES)) {
    try {
      const v = JSON.parse(line) as unknown;
      if (v !== null && typeof v === 'object' && (v as { type?: unknown }).type === 'session') return 'pi';
    } catch {
      // Not JSON: its reader counts the bad line.
    }
  }
  // A single line with no newline (a one-line file) is checked whole.
  if (lines.length === 0 && !windowFull) {
    try {
      if ((JSON.parse(head) as { type?: unknown })?.type === 'session') return 'pi';
    } catch {
      // as above
    }
  }
  return 'claude';
}
