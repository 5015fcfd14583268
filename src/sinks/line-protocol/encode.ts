// PointRecord -> InfluxDB line protocol (millisecond precision), through the client's Point API.
import { Point } from '@influxdata/influxdb-client';
import { isIntValue, type PointRecord } from '../../model/point.ts';

/** Every sink writes timestamps in milliseconds; files say so in their header. */
export const LINE_PROTOCOL_PRECISION = 'ms';

export class InvalidPointError extends Error {
  constructor(
    readonly measurement: string,
    readonly reason: string,
  ) {
    super(`invalid point in measurement '${measurement}': ${reason}`);
    this.name = 'InvalidPointError';
  }
}

// Line protocol cannot end a measurement, tag key, tag value or field key with a backslash: the
// parser reads it as escaping the separator after it. Such trailing backslashes are dropped;
// every other character, backslashes included, round-trips. (Newlines and tabs in those names
// come back as the two characters `\n`, `\t`: the client escapes them and InfluxDB keeps that.)
function trimTrailingBackslashes(s: string): string {
  return s.replace(/\\+$/, '');
}

const keepTime = { convertTime: (v: string | number | Date | undefined) => (v === undefined ? undefined : String(v)) };

export function toLineProtocol(p: PointRecord): string {
  if (!p.measurement) throw new InvalidPointError(p.measurement, 'empty measurement name');
  if (!Number.isSafeInteger(p.timestamp)) {
    throw new InvalidPointError(p.measurement, `timestamp must be integer milliseconds, got ${p.timestamp}`);
  }
  const measurement = trimTrailingBackslashes(p.measurement);
  if (!measurement) throw new InvalidPointError(p.measurement, 'empty measurement name');
  const point = new Point(measurement).timestamp(String(p.timestamp));
  for (const [k, v] of Object.entries(p.tags)) {
    // Empty tag keys and values are not allowed in line protocol: such a tag is left out.
    const key = trimTrailingBackslashes(k);
    const value = trimTrailingBackslashes(v);
    if (key && value) point.tag(key, value);
  }
  let fields = 0;
  for (const [k, v] of Object.entries(p.fields)) {
    const key = trimTrailingBackslashes(k);
    if (!key) throw new InvalidPointError(p.measurement, `empty field key '${k}'`);
    if (typeof v === 'string') point.stringField(key, v);
    else if (typeof v === 'boolean') point.booleanField(key, v);
    else if (typeof v === 'number') {
      if (!Number.isFinite(v)) throw new InvalidPointError(p.measurement, `field '${k}' is not finite: ${v}`);
      point.floatField(key, v);
    } else if (isIntValue(v)) {
      if (!Number.isSafeInteger(v.int)) {
        throw new InvalidPointError(p.measurement, `field '${k}' is not a safe integer: ${v.int}`);
      }
      point.intField(key, v.int);
    } else throw new InvalidPointError(p.measurement, `field '${k}' has an unsupported value`);
    fields++;
  }
  if (fields === 0) throw new InvalidPointError(p.measurement, 'a point needs at least one field');
  const line = point.toLineProtocol(keepTime);
  if (!line) throw new InvalidPointError(p.measurement, 'could not be encoded');
  return line;
}

export function toLineProtocolLines(points: readonly PointRecord[]): string[] {
  return points.map(toLineProtocol);
}

/**
 * Splits line-protocol text into records. A string field may hold a raw newline inside its
 * quotes, so records are split on newlines outside quoted field values only. Blank lines and
 * `#` comments are skipped. A last record without a terminating newline is returned as `partial`
 * (a writer that died mid-append leaves one; it was never acknowledged).
 */
export function splitLineProtocol(text: string): { records: string[]; partial: string | null } {
  const records: string[] = [];
  let start = 0;
  // 0: measurement and tags, 1: fields, 2: timestamp
  let section = 0;
  let inQuotes = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (i === start && c === '#') {
      const nl = text.indexOf('\n', i);
      if (nl < 0) return { records, partial: null };
      start = nl + 1;
      i = nl;
      continue;
    }
    if (c === '\\') {
      i++; // an escaped character never ends anything
      continue;
    }
    if (inQuotes) {
      if (c === '"') inQuotes = false;
      continue;
    }
    if (c === '"' && section === 1) inQuotes = true;
    else if (c === ' ' && section < 2) section++;
    else if (c === '\n') {
      const rec = text.slice(start, i).replace(/\r$/, '');
      if (rec.trim() !== '') records.push(rec);
      start = i + 1;
      section = 0;
    }
  }
  const rest = text.slice(start);
  const partial = rest.trim() === '' ? null : rest;
  return { records, partial };
}
