// Streams a JSONL file line by line in bounded memory: each complete line is checked and parsed
// (stream-json's per-line JSONL parser), bad lines are counted and skipped, never fatal.
import { createReadStream } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { isUtf8 } from 'node:buffer';
import { jsonlParser } from 'stream-json/jsonl/parser.js';
import { addCount, type Counts } from '../model/session.ts';

export const DEFAULT_MAX_LINE_BYTES = 32 * 1024 * 1024;

export interface JsonLinesOptions {
  /** A line longer than this is skipped without being buffered whole. */
  maxLineBytes?: number;
  /** Read buffer size; larger is faster, smaller bounds memory. */
  chunkBytes?: number;
  /** Read only the first `endByte` bytes (a shard's committed prefix). */
  endByte?: number;
  /**
   * Where the bytes are read from when not `path` itself: `/proc/self/fd/<n>` of a descriptor that
   * was checked against the allowed roots (it reopens that same file, whatever the name points to now).
   */
  readFrom?: string;
}

/** Called once per parsed line, in file order; `lineNo` is 1-based. */
export type LineHandler = (value: unknown, lineNo: number) => void;

const NEWLINE = 0x0a;
/** A UTF-8 byte order mark: some editors and Windows tools put one before the first line. */
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/**
 * Reads `path` and calls `onLine` for each line that is valid UTF-8 JSON. Counts (added to
 * `counts`): lines, empty_lines, malformed_json, invalid_utf8, oversize_line, truncated_last_line.
 * Rejects only when the file itself cannot be read (missing, unreadable, a directory).
 */
export async function readJsonLines(
  path: string,
  onLine: LineHandler,
  counts: Counts,
  opts: JsonLinesOptions = {},
): Promise<{ bytes: number; lines: number }> {
  const total = { bytes: 0, lines: 0 };
  for await (const batch of jsonLineBatches(path, counts, opts, total)) for (const l of batch) onLine(l.value, l.lineNo);
  return total;
}

export interface JsonLine {
  value: unknown;
  lineNo: number;
}

/**
 * The same reading as an async generator of batches (the lines of one read buffer), for callers
 * that must await between lines without holding a whole file: the dataset reader.
 */
export async function* jsonLineBatches(
  /** A path, or a file already open (the stream closes it). */
  path: string | FileHandle,
  counts: Counts,
  opts: JsonLinesOptions = {},
  total: { bytes: number; lines: number } = { bytes: 0, lines: 0 },
): AsyncGenerator<JsonLine[]> {
  let out: JsonLine[] = [];
  const onLine: LineHandler = (value, lineNo) => out.push({ value, lineNo });
  const maxLine = opts.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  let lastLine = false;
  const parse = jsonlParser({
    errorIndicator: () => {
      addCount(counts, lastLine ? 'truncated_last_line' : 'malformed_json');
      return undefined;
    },
  }) as (s: string) => { key: number; value: unknown } | symbol;

  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let oversize = false;
  let lineNo = 0;
  let bytes = 0;

  const emit = (buf: Buffer): void => {
    lineNo++;
    addCount(counts, 'lines');
    if (lineNo === 1 && buf.subarray(0, 3).equals(BOM)) buf = buf.subarray(3);
    if (buf.length === 0 || (buf.length === 1 && buf[0] === 0x0d)) {
      addCount(counts, 'empty_lines');
      return;
    }
    if (!isUtf8(buf)) {
      addCount(counts, 'invalid_utf8');
      return;
    }
    const text = buf.toString('utf8');
    if (text.trim() === '') {
      addCount(counts, 'empty_lines');
      return;
    }
    const r = parse(text);
    if (typeof r === 'object' && r !== null) onLine(r.value, lineNo);
  };

  const streamOpts = {
    highWaterMark: opts.chunkBytes ?? 1024 * 1024,
    ...(opts.endByte !== undefined ? { end: opts.endByte - 1 } : {}),
  };
  const stream = typeof path === 'string' ? createReadStream(opts.readFrom ?? path, streamOpts) : path.createReadStream(streamOpts);
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    bytes += chunk.length;
    let start = 0;
    while (start < chunk.length) {
      const nl = chunk.indexOf(NEWLINE, start);
      const end = nl === -1 ? chunk.length : nl;
      if (!oversize) {
        pendingBytes += end - start;
        if (pendingBytes > maxLine) {
          // Drop what we hold and ignore the rest of this line as it streams past.
          oversize = true;
          pending = [];
        } else if (end > start) {
          pending.push(chunk.subarray(start, end));
        }
      }
      if (nl === -1) break;
      if (oversize) {
        lineNo++;
        addCount(counts, 'lines');
        addCount(counts, 'oversize_line');
      } else {
        emit(pending.length === 1 ? pending[0] : Buffer.concat(pending, pendingBytes));
      }
      pending = [];
      pendingBytes = 0;
      oversize = false;
      start = nl + 1;
    }
    // Subarrays pin the whole read buffer; copy a short tail so the buffer can be freed.
    if (pending.length && pendingBytes < chunk.length / 4) {
      pending = [Buffer.from(Buffer.concat(pending, pendingBytes))];
    }
    if (out.length) {
      yield out;
      out = [];
    }
  }
  // A last line without a newline: a session still being written, or a file cut short.
  if (oversize) {
    lineNo++;
    addCount(counts, 'lines');
    addCount(counts, 'oversize_line');
  } else if (pendingBytes > 0) {
    lastLine = true;
    emit(Buffer.concat(pending, pendingBytes));
  }
  total.bytes = bytes;
  total.lines = lineNo;
  if (out.length) yield out;
}
