// A time-series point with its free text scrubbed: string fields (a PR title, an event's reason or
// detail) judged with their field name, and tag values. The same point comes back when nothing changed.
import type { PointRecord } from '../model/point.ts';
import type { Counts } from '../model/session.ts';
import { scrubberFor, type ScrubOptions, type Scrubber } from './scrub.ts';

export function scrubPoint(p: PointRecord, counts: Counts, options?: ScrubOptions | Scrubber): PointRecord {
  const s = scrubberFor(options);
  let fields: PointRecord['fields'] | undefined;
  for (const [k, v] of Object.entries(p.fields)) {
    if (typeof v !== 'string') continue;
    const out = s.value(v, k, counts);
    if (out !== v) (fields ??= { ...p.fields })[k] = out;
  }
  let tags: PointRecord['tags'] | undefined;
  for (const [k, v] of Object.entries(p.tags)) {
    const out = s.text(v, counts);
    if (out !== v) (tags ??= { ...p.tags })[k] = out;
  }
  return fields || tags ? { ...p, fields: fields ?? p.fields, tags: tags ?? p.tags } : p;
}
