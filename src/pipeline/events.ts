// A batch of events' work (one job carries the events of one request): claim them in the ledger,
// scrub their free text, then write them to the point sink, the PRs' action lists and lifecycles in
// Redis and the event shards, and mark them recorded. The ledger makes each event record once: a
// retry of a recorded event (or the same idempotency key sent again later, in any batch) writes
// nothing. Every step takes the whole batch at once: one ledger call, one point write, one
// pipelined round of PR state, one shard append per event type.
import { createHash } from 'node:crypto';
import type { Counts } from '../model/session.ts';
import { eventToPoint, type EventRecord } from '../model/event.ts';
import type { PointSink } from '../model/point.ts';
import { PermanentWriteError } from '../sinks/influx/errors.ts';
import type { ShardWriter } from '../sinks/shards/shard-writer.ts';
import type { LedgerEntry, RecordLedger } from '../state/record-ledger.ts';
import { scrubberFor, type ScrubOptions } from '../transforms/scrub.ts';

export interface EventSinks {
  writer: ShardWriter;
  points: PointSink;
  /** The events ledger (its own key prefix, apart from the samples ledger). */
  ledger: RecordLedger;
  /** Records actions in their PRs' action lists (for `attemptsBefore`) and lifecycles. */
  recordActions: (rs: Extract<EventRecord, { type: 'action_taken' }>[]) => Promise<void>;
  /** What scrubbing redacts beyond secrets (config `privacy`). */
  privacy?: ScrubOptions;
  /** Folds recorded outcomes into their PRs' lifecycles. */
  recordOutcomes?: (rs: Extract<EventRecord, { type: 'outcome' }>[]) => Promise<void>;
}

/** InfluxDB refused the point for good; the event is in the shards, the job should not retry. */
export class PointRefusedError extends Error {
  override name = 'PointRefusedError';
}

export interface EventResult {
  written: boolean;
  counts: Counts;
}

/** Free text an orchestrator or agent wrote may carry a secret. */
export function scrubEvent(r: EventRecord, counts: Counts, privacy?: ScrubOptions): EventRecord {
  const s = scrubberFor(privacy);
  if (r.type === 'action_taken') return { ...r, reason: s.text(r.reason, counts) };
  if (r.type === 'outcome') return { ...r, detail: s.text(r.detail, counts) };
  return r.cwd !== undefined ? { ...r, cwd: s.text(r.cwd, counts) } : r;
}

const ledgerEntry = (id: string): LedgerEntry => {
  // The id stands for content, version and hash: a recorded id is never written again.
  const h = createHash('sha256').update(id).digest('hex').slice(0, 32);
  return { recordId: id, version: 1, gptHash: h, sampleHash: h };
};

export async function processEvents(records: readonly EventRecord[], sinks: EventSinks): Promise<EventResult> {
  const counts: Counts = {};
  // An id repeated within the batch is a repeat of its first.
  const seen = new Set<string>();
  const unique = records.filter((r) => {
    if (seen.has(r.id)) {
      counts.events_repeated = (counts.events_repeated ?? 0) + 1;
      return false;
    }
    seen.add(r.id);
    return true;
  });
  const entries = unique.map((r) => ledgerEntry(r.id));
  const decisions = await sinks.ledger.claim(entries);
  const fresh: { record: EventRecord; entry: LedgerEntry }[] = [];
  decisions.forEach((d, i) => {
    if (d === 'write') fresh.push({ record: scrubEvent(unique[i], counts, sinks.privacy), entry: entries[i] });
    else counts.events_repeated = (counts.events_repeated ?? 0) + 1;
  });
  if (fresh.length === 0) return { written: false, counts };
  // Points first: InfluxDB overwrites a point with the same series and time, so a retry is harmless.
  const refused = await writePoints(fresh.map((f) => f.record), sinks.points);
  const actions = fresh.flatMap((f) => (f.record.type === 'action_taken' ? [f.record] : []));
  const outcomes = fresh.flatMap((f) => (f.record.type === 'outcome' ? [f.record] : []));
  if (actions.length) await sinks.recordActions(actions);
  if (outcomes.length) await sinks.recordOutcomes?.(outcomes);
  // The writer (built with the same ledger) records each event once its line is durable.
  const byType = new Map<string, { json: string; entry: LedgerEntry }[]>();
  for (const f of fresh) {
    const lines = byType.get(f.record.type) ?? [];
    lines.push({ json: JSON.stringify(f.record), entry: f.entry });
    byType.set(f.record.type, lines);
    counts[`events_${f.record.type}`] = (counts[`events_${f.record.type}`] ?? 0) + 1;
  }
  for (const [type, lines] of byType) await sinks.writer.append(type, lines);
  if (refused.length) {
    counts.points_refused = refused.length;
    throw new PointRefusedError(`${refused.length} event(s) are in the shards but InfluxDB refused their points (${refused.slice(0, 3).map((r) => `${r.id}: ${r.reason}`).join('; ')})`);
  }
  return { written: true, counts };
}

/** One event (a batch of one). */
export function processEvent(record: EventRecord, sinks: EventSinks): Promise<EventResult> {
  return processEvents([record], sinks);
}

/**
 * Writes the events' points in one call. When InfluxDB refuses the batch for good, each point is
 * written alone, so only the refused ones are left out; returns those.
 */
async function writePoints(records: readonly EventRecord[], sink: PointSink): Promise<{ id: string; reason: string }[]> {
  const points = records.map(eventToPoint);
  try {
    await sink.write(points);
    return [];
  } catch (e) {
    if (!(e instanceof PermanentWriteError)) throw e;
    if (points.length === 1) return [{ id: records[0].id, reason: e.message }];
  }
  const refused: { id: string; reason: string }[] = [];
  for (let i = 0; i < points.length; i++) {
    try {
      await sink.write([points[i]]);
    } catch (e) {
      if (!(e instanceof PermanentWriteError)) throw e;
      refused.push({ id: records[i].id, reason: e.message });
    }
  }
  return refused;
}
