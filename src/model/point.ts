// A time-series point as the pipeline carries it (JSON-safe, so it can ride in a job), and the
// one interface every point sink implements. Wire formats live in src/sinks/.
import { z } from 'zod';

/** An integer field. Plain numbers are floats: InfluxDB keeps a field's type per shard, so a
 *  field must be an integer always or never. */
export interface IntValue {
  int: number;
}

export type FieldValue = number | boolean | string | IntValue;

export interface PointRecord {
  measurement: string;
  tags: Record<string, string>;
  fields: Record<string, FieldValue>;
  /** Milliseconds since the epoch. */
  timestamp: number;
}

export function int(n: number): IntValue {
  return { int: Math.trunc(n) };
}

export function isIntValue(v: FieldValue): v is IntValue {
  return typeof v === 'object' && v !== null && typeof (v as IntValue).int === 'number';
}

export const pointRecordSchema = z.object({
  measurement: z.string().min(1),
  tags: z.record(z.string(), z.string()),
  fields: z.record(
    z.string(),
    z.union([z.number(), z.boolean(), z.string(), z.object({ int: z.number().int() })]),
  ),
  timestamp: z.number().int(),
});

/** Where points go: InfluxDB (v2 or v1 write API), line-protocol files, or a batcher over one. */
export interface PointSink {
  /** Resolves once the points are durable at the destination; rejects with the reason they are not. */
  write(points: PointRecord[]): Promise<void>;
  close(): Promise<void>;
}
