// One event's work: scrub its free text, then write it to the point sink, the PR's action list in
// Redis and the event shards, and mark it recorded. The ledger makes it record once: a retry of a
// recorded event (or the same idempotency key sent again later) writes nothing.
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
  /** Records an action in the PR's action list (for `attemptsBefore`) and its lifecycle. */
  recordAction: (r: Extract<EventRecord, { type: 'action_taken' }>) => Promise<void>;
  /** What scrubbing redacts beyond secrets (config `privacy`). */
  privacy?: ScrubOptions;
  /** Folds a recorded outcome into the PR's lifecycle. */
  recordOutcome?: (r: Extract<EventRecord, { type: 'outcome' }>) => Promise<void>;
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

export async function processEvent(record: EventRecord, sinks: EventSinks): Promise<EventResult> {
  const counts: Counts = {};
  const entry = ledgerEntry(record.id);
  const [decision] = await sinks.ledger.claim([entry]);
  if (decision !== 'write') {
    counts.events_repeated = 1;
    return { written: false, counts };
  }
  const r = scrubEvent(record, counts, sinks.privacy);
  // Points first: InfluxDB overwrites a point with the same series and time, so a retry is harmless.
  let refused: PermanentWriteError | null = null;
  try {
    await sinks.points.write([eventToPoint(r)]);
  } catch (e) {
    if (!(e instanceof PermanentWriteError)) throw e;
    refused = e;
  }
  if (r.type === 'action_taken') await sinks.recordAction(r);
  if (r.type === 'outcome') await sinks.recordOutcome?.(r);
  // The writer (built with the same ledger) records the event once its line is durable.
  await sinks.writer.append(r.type, [{ json: JSON.stringify(r), entry }]);
  counts[`events_${r.type}`] = 1;
  if (refused) throw new PointRefusedError(`event ${r.id} is in the shards but ${refused.message}`);
  return { written: true, counts };
}
