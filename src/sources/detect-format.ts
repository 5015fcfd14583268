// Decides a session file's format from its first bytes, not from the folder it sits in:
//   pi               a `{"type":"session",...}` header within the first lines (omp may open with a
//                    `{"type":"title",...}` line first)
//   codex            `{timestamp, type: session_meta|response_item|..., payload}` lines, or the
//                    oldest rollouts' bare `{id, timestamp, instructions}` first line
//   gemini           a first line with `sessionId` and `projectHash` (the .jsonl recordings)
//   gemini-json      one JSON document with `sessionId`, `projectHash` and `messages` (older .json)
//   opencode-store   an SQLite database (OpenCode's `opencode.db`)
//   opencode-export  one JSON document `{info, messages}` (`opencode export`)
//   opencode-storage one session info document `{id: "ses_...", projectID, directory, ...}`
//   claude           any other JSON-lines content (Claude Code: its reader counts what it skips)
//   unknown          a JSON document of none of the shapes above
//   empty            nothing but whitespace
import { open } from 'node:fs/promises';

export type DetectedFormat =
  | 'pi'
  | 'claude'
  | 'codex'
  | 'gemini'
  | 'gemini-json'
  | 'opencode-store'
  | 'opencode-export'
  | 'opencode-storage'
  | 'unknown'
  | 'empty';

/** How much of the file is read at most; every header is far smaller. */
export const DETECT_WINDOW_BYTES = 64 * 1024;
/** How many leading lines may hold the pi header. */
const HEADER_SEARCH_LINES = 5;
const SQLITE_MAGIC = 'SQLite format 3\u0000';
const CODEX_TYPES = new Set(['session_meta', 'response_item', 'event_msg', 'turn_context', 'compacted']);

type Json = Record<string, unknown>;

function parseLine(line: string): Json | undefined {
  try {
    const v = JSON.parse(line) as unknown;
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : undefined;
  } catch {
    return undefined;
  }
}

/** The format one parsed first line says, when it says one. */
function formatOfFirstLine(v: Json): DetectedFormat | undefined {
  if (typeof v.type === 'string' && CODEX_TYPES.has(v.type) && v.payload !== null && typeof v.payload === 'object') return 'codex';
  if (v.type === undefined && typeof v.id === 'string' && (typeof v.timestamp === 'string' || 'instructions' in v)) return 'codex';
  if (typeof v.sessionId === 'string' && typeof v.projectHash === 'string') return Array.isArray(v.messages) ? 'gemini-json' : 'gemini';
  if (v.info !== null && typeof v.info === 'object' && Array.isArray(v.messages)) return 'opencode-export';
  if (typeof v.id === 'string' && v.id.startsWith('ses_') && typeof v.directory === 'string' && v.type === undefined) return 'opencode-storage';
  return undefined;
}

/** The format of a JSON document whose first line is not a whole value (pretty-printed). */
function formatOfDocument(head: string): DetectedFormat {
  if (/^\{\s*"info"\s*:\s*\{/.test(head)) return 'opencode-export';
  if (/"sessionId"\s*:/.test(head) && /"projectHash"\s*:/.test(head)) return 'gemini-json';
  if (/^\{\s*"id"\s*:\s*"ses_/.test(head) && /"directory"\s*:/.test(head)) return 'opencode-storage';
  return 'unknown';
}

/**
 * Reads at most the first 64 KiB of `path` and decides. Rejects when the file cannot be read.
 */
export async function detectFormat(path: string): Promise<DetectedFormat> {
  let buf: Buffer;
  let windowFull = false;
  const fh = await open(path, 'r').catch((err: Error) => {
    throw new Error(`cannot read ${path}: ${err.message}`, { cause: err });
  });
  try {
    const b = Buffer.alloc(DETECT_WINDOW_BYTES);
    const { bytesRead } = await fh.read(b, 0, b.length, 0);
    buf = b.subarray(0, bytesRead);
    windowFull = bytesRead === b.length;
  } finally {
    await fh.close();
  }
  if (buf.subarray(0, SQLITE_MAGIC.length).toString('latin1') === SQLITE_MAGIC) return 'opencode-store';
  const head = buf.toString('utf8').replace(/^\uFEFF/, '').replace(/^\s+/, '');
  if (head === '') return 'empty';
  // Only complete lines of the window are looked at.
  const lines = head.split('\n');
  if (windowFull || !head.endsWith('\n')) lines.pop();
  // A single line with no newline (a one-line file) is checked whole.
  if (lines.length === 0 && !windowFull) lines.push(head);
  const first = lines.length ? parseLine(lines[0]) : undefined;
  // The pi header belongs first, but a pi file whose header slipped down (a bad first line, omp's
  // title line) is still pi: its reader counts header_not_first.
  for (const line of lines.slice(0, HEADER_SEARCH_LINES)) {
    if (parseLine(line)?.type === 'session') return 'pi';
  }
  if (first) return formatOfFirstLine(first) ?? 'claude';
  if (head.startsWith('{')) {
    const doc = formatOfDocument(head);
    if (doc !== 'unknown') return doc;
    // A pretty-printed document of no known shape; JSON lines with a bad first line stay Claude's.
    if (lines[0]?.trim() === '{') return 'unknown';
  }
  return 'claude';
}
