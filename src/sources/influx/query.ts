// Reads points back out of InfluxDB, streaming: InfluxQL on 1.x (`/query?chunked=true`, one JSON
// object per chunk), Flux on 2.x (the client's row iterator, pivoted to one row per point).
import { InfluxDB } from '@influxdata/influxdb-client';
import type { FieldValue, PointRecord } from '../../model/point.ts';
import { displayUrl } from '../../sinks/influx/errors.ts';
import { influxKind, type InfluxSettings } from './settings.ts';

export class InfluxQueryError extends Error {
  override name = 'InfluxQueryError';
}

export interface PointQuery {
  measurement: string;
  sinceMs?: number;
  /** Only points with these tag values. */
  tags?: Record<string, string>;
}

/** Points of one measurement, whichever InfluxDB the settings name. */
export function queryPoints(s: InfluxSettings, q: PointQuery): AsyncGenerator<PointRecord> {
  const kind = influxKind(s);
  if (kind === 'influx-v1') return queryPointsV1(s, q);
  if (kind === 'influx-v2') return queryPointsV2(s, q);
  throw new InfluxQueryError('no InfluxDB is configured (INFLUX_URL with INFLUX_DB, or INFLUX_TOKEN, INFLUX_ORG and INFLUX_BUCKET)');
}

const ident = (s: string): string => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
const literal = (s: string): string => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

interface V1Series {
  name: string;
  tags?: Record<string, string>;
  columns: string[];
  values: unknown[][];
}
interface V1Chunk {
  error?: string;
  results?: { statement_id?: number; error?: string; series?: V1Series[]; partial?: boolean }[];
}

/** Rows of an InfluxQL query (1.x): column -> value, series tags merged in, `time` in epoch ms. */
export async function* influxqlRows(s: InfluxSettings, query: string, chunkSize = 10_000): AsyncGenerator<Record<string, unknown>> {
  const u = new URL('query', s.influxUrl!.endsWith('/') ? s.influxUrl! : `${s.influxUrl}/`);
  u.searchParams.set('db', s.influxDb!);
  if (s.influxRp) u.searchParams.set('rp', s.influxRp);
  u.searchParams.set('epoch', 'ms');
  u.searchParams.set('chunked', 'true');
  u.searchParams.set('chunk_size', String(chunkSize));
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  if (s.influxUser) headers.authorization = `Basic ${Buffer.from(`${s.influxUser}:${s.influxPassword ?? ''}`).toString('base64')}`;
  const target = `${displayUrl(s.influxUrl!)} db=${s.influxDb}`;
  let res: Response;
  try {
    res = await fetch(u, { method: 'POST', headers, body: new URLSearchParams({ q: query }) });
  } catch (e) {
    throw new InfluxQueryError(`InfluxDB at ${target} is not reachable: ${(e as Error).message}`);
  }
  if (!res.ok || !res.body) {
    const body = await res.text().catch(() => '');
    throw new InfluxQueryError(`InfluxDB at ${target} refused the query (HTTP ${res.status}): ${body.slice(0, 500)}`);
  }
  const decoder = new TextDecoder();
  let buf = '';
  const handle = function* (line: string): Generator<Record<string, unknown>> {
    if (!line.trim()) return;
    const chunk = JSON.parse(line) as V1Chunk;
    if (chunk.error) throw new InfluxQueryError(`InfluxQL on ${target}: ${chunk.error}`);
    for (const r of chunk.results ?? []) {
      if (r.error) throw new InfluxQueryError(`InfluxQL on ${target}: ${r.error}`);
      for (const series of r.series ?? []) {
        for (const v of series.values ?? []) {
          const row: Record<string, unknown> = { ...(series.tags ?? {}) };
          series.columns.forEach((c, i) => (row[c] = v[i]));
          yield row;
        }
      }
    }
  };
  for await (const part of res.body as AsyncIterable<Uint8Array>) {
    buf += decoder.decode(part, { stream: true });
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      yield* handle(line);
    }
  }
  buf += decoder.decode();
  yield* handle(buf);
}

async function* queryPointsV1(s: InfluxSettings, q: PointQuery): AsyncGenerator<PointRecord> {
  // `SELECT *` returns tags and fields alike as columns; the tag keys tell them apart.
  const tagKeys = new Set<string>();
  for await (const row of influxqlRows(s, `SHOW TAG KEYS FROM ${ident(q.measurement)}`)) {
    if (typeof row.tagKey === 'string') tagKeys.add(row.tagKey);
  }
  const where: string[] = [];
  if (q.sinceMs !== undefined) where.push(`time >= ${Math.trunc(q.sinceMs)}ms`);
  for (const [k, v] of Object.entries(q.tags ?? {})) where.push(`${ident(k)} = ${literal(v)}`);
  const sql = `SELECT * FROM ${ident(q.measurement)}${where.length ? ` WHERE ${where.join(' AND ')}` : ''}`;
  for await (const row of influxqlRows(s, sql)) {
    const p: PointRecord = { measurement: q.measurement, tags: {}, fields: {}, timestamp: Number(row.time) };
    for (const [k, v] of Object.entries(row)) {
      if (k === 'time' || v === null || v === undefined) continue;
      if (tagKeys.has(k)) p.tags[k] = String(v);
      else if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') p.fields[k] = v as FieldValue;
    }
    yield p;
  }
}

const fluxString = (s: string): string => JSON.stringify(s);

async function* queryPointsV2(s: InfluxSettings, q: PointQuery): AsyncGenerator<PointRecord> {
  const api = new InfluxDB({ url: s.influxUrl!, token: s.influxToken! }).getQueryApi(s.influxOrg!);
  const start = q.sinceMs !== undefined ? new Date(q.sinceMs).toISOString() : '0';
  const filters = [`r._measurement == ${fluxString(q.measurement)}`, ...Object.entries(q.tags ?? {}).map(([k, v]) => `r[${fluxString(k)}] == ${fluxString(v)}`)];
  const flux = `from(bucket: ${fluxString(s.influxBucket!)})
  |> range(start: ${start})
  |> filter(fn: (r) => ${filters.join(' and ')})
  |> pivot(rowKey: ["_time"], columnKey: ["_field"], valueColumn: "_value")`;
  for await (const { values, tableMeta } of api.iterateRows(flux)) {
    const o = tableMeta.toObject(values);
    const p: PointRecord = { measurement: q.measurement, tags: {}, fields: {}, timestamp: Date.parse(String(o._time)) };
    for (const col of tableMeta.columns) {
      const k = col.label;
      const v = o[k];
      if (k.startsWith('_') || k === 'result' || k === 'table' || v === null || v === undefined || v === '') continue;
      // After the pivot the group key is the series key: its columns are the tags.
      if (col.group) p.tags[k] = String(v);
      else if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') p.fields[k] = v as FieldValue;
    }
    yield p;
  }
}
