// Streams points back out of line-protocol files (as LineProtocolFileSink writes them, millisecond
// precision) in bounded memory: the file is read in chunks, records are split on newlines outside
// quoted string fields, and each record is parsed to a PointRecord. An unterminated last record
// (a writer died mid-append; never acknowledged) and unparseable lines are counted, not fatal.
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import type { Counts } from '../../model/session.ts';
import type { FieldValue, PointRecord } from '../../model/point.ts';
import { splitLineProtocol } from '../../sinks/line-protocol/encode.ts';

const bump = (c: Counts, k: string): void => {
  c[k] = (c[k] ?? 0) + 1;
};

/** The `.lp` files of an output root (`<out>/points/`) or of a folder, in name order. */
export async function lineProtocolFiles(dir: string): Promise<string[]> {
  const points = join(dir, 'points');
  const root = (await stat(points).then((s) => s.isDirectory(), () => false)) ? points : dir;
  let names: string[];
  try {
    names = await readdir(root);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  return names.filter((n) => n.endsWith('.lp')).sort().map((n) => join(root, n));
}

export interface ReadPointsOptions {
  /** Only these measurements (checked before the rest of the line is parsed). */
  measurements?: readonly string[];
  /** Only points at or after this time (ms). */
  sinceMs?: number;
  /** Read buffer size (bounds memory). */
  chunkBytes?: number;
}

/** Every point of every file under `dir`, file by file. */
export async function* readLineProtocolDir(dir: string, counts: Counts = {}, opts: ReadPointsOptions = {}): AsyncGenerator<PointRecord> {
  for (const f of await lineProtocolFiles(dir)) yield* readLineProtocolFile(f, counts, opts);
}

export async function* readLineProtocolFile(path: string, counts: Counts = {}, opts: ReadPointsOptions = {}): AsyncGenerator<PointRecord> {
  const decoder = new StringDecoder('utf8');
  let carry = '';
  const want = opts.measurements ? new Set(opts.measurements) : null;
  const emit = function* (records: string[]): Generator<PointRecord> {
    for (const rec of records) {
      if (want && !want.has(measurementOf(rec))) continue;
      const p = parseLineProtocol(rec);
      if (!p) {
        bump(counts, 'lp_unparseable');
        continue;
      }
      if (opts.sinceMs !== undefined && p.timestamp < opts.sinceMs) continue;
      bump(counts, 'lp_points');
      yield p;
    }
  };
  for await (const chunk of createReadStream(path, { highWaterMark: opts.chunkBytes ?? 256 * 1024 })) {
    carry += decoder.write(chunk as Buffer);
    // Split only up to the last newline: what follows is an unfinished record (or the middle of a
    // quoted string), carried to the next chunk.
    const nl = carry.lastIndexOf('\n');
    if (nl < 0) continue;
    const { records, partial } = splitLineProtocol(carry.slice(0, nl + 1));
    carry = (partial ?? '') + carry.slice(nl + 1);
    yield* emit(records);
  }
  carry += decoder.end();
  if (carry.trim() !== '') {
    const { records, partial } = splitLineProtocol(carry);
    yield* emit(records);
    if (partial !== null && !partial.startsWith('#')) bump(counts, 'lp_partial_last_record');
  }
}

/** The unescaped measurement name of a record (for a cheap filter). */
export function measurementOf(rec: string): string {
  let out = '';
  for (let i = 0; i < rec.length; i++) {
    const c = rec[i];
    if (c === '\\' && i + 1 < rec.length && (rec[i + 1] === ',' || rec[i + 1] === ' ')) {
      out += rec[++i];
      continue;
    }
    if (c === ',' || c === ' ') break;
    out += c;
  }
  return out;
}

// Scans from `i` to the first unescaped character in `stops`; a backslash escapes the next
// character. Returns the raw text and the index of the stop (or the end).
function scan(s: string, i: number, stops: string): [string, number] {
  const start = i;
  while (i < s.length) {
    const c = s[i];
    if (c === '\\') {
      i += 2;
      continue;
    }
    if (stops.includes(c)) break;
    i++;
  }
  return [s.slice(start, Math.min(i, s.length)), Math.min(i, s.length)];
}

// As InfluxDB unescapes names and tag values: only `\,`, `\=` and `\ ` (a lone backslash stays).
const unescapeKey = (raw: string): string => raw.replace(/\\([,= ])/g, '$1');
const unescapeString = (raw: string): string => raw.replace(/\\(["\\])/g, '$1');

function parseFieldValue(raw: string): FieldValue | undefined {
  if (raw.startsWith('"')) return raw.length >= 2 && raw.endsWith('"') ? unescapeString(raw.slice(1, -1)) : undefined;
  if (/^[-+]?\d+i$/.test(raw) || /^\d+u$/.test(raw)) {
    const n = Number(raw.slice(0, -1));
    return Number.isSafeInteger(n) ? { int: n } : undefined;
  }
  if (/^(t|T|true|True|TRUE)$/.test(raw)) return true;
  if (/^(f|F|false|False|FALSE)$/.test(raw)) return false;
  const n = Number(raw);
  return raw !== '' && Number.isFinite(n) ? n : undefined;
}

/** One line-protocol record -> a point (timestamps taken as milliseconds); null if malformed. */
export function parseLineProtocol(rec: string): PointRecord | null {
  let [raw, i] = scan(rec, 0, ', ');
  const measurement = raw.replace(/\\([, ])/g, '$1');
  if (!measurement) return null;
  const tags: Record<string, string> = {};
  while (rec[i] === ',') {
    let k: string;
    let v: string;
    [k, i] = scan(rec, i + 1, '=, ');
    if (rec[i] !== '=') return null;
    [v, i] = scan(rec, i + 1, ', ');
    tags[unescapeKey(k)] = unescapeKey(v);
  }
  if (rec[i] !== ' ') return null;
  i++;
  const fields: Record<string, FieldValue> = {};
  for (;;) {
    let k: string;
    [k, i] = scan(rec, i, '=, ');
    if (rec[i] !== '=' || !k) return null;
    i++;
    let vraw: string;
    if (rec[i] === '"') {
      let j = i + 1;
      while (j < rec.length && rec[j] !== '"') j += rec[j] === '\\' ? 2 : 1;
      if (j >= rec.length) return null;
      vraw = rec.slice(i, j + 1);
      i = j + 1;
    } else {
      [vraw, i] = scan(rec, i, ', ');
    }
    const v = parseFieldValue(vraw);
    if (v === undefined) return null;
    fields[unescapeKey(k)] = v;
    if (rec[i] === ',') {
      i++;
      continue;
    }
    break;
  }
  let timestamp: number;
  const rest = rec.slice(i).trim();
  if (rest === '') return null; // the file sink always writes a time; a point without one is not ours
  if (!/^-?\d+$/.test(rest)) return null;
  timestamp = Number(rest);
  if (!Number.isSafeInteger(timestamp)) return null;
  return { measurement, tags, fields, timestamp };
}
