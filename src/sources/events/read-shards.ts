// Streams recorded events back out of the event shards (`<out>/events/<type>/`): sealed shards and
// the committed prefix of open ones, each event once (a worker that died between writing a line
// and recording it leaves a repeat that its retry wrote again).
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Counts } from '../../model/session.ts';
import { atMs, eventRecordSchema, type EventRecord, type EventType } from '../../model/event.ts';
import { listShards, openShardData } from '../../sinks/shards/dataset-reader.ts';

export interface ReadEventsOptions {
  types?: readonly EventType[];
  /** Only events at or after this time (ms). */
  sinceMs?: number;
  repo?: string;
}

const bump = (c: Counts, k: string): void => {
  c[k] = (c[k] ?? 0) + 1;
};

export async function* readEventShards(eventsRoot: string, counts: Counts = {}, opts: ReadEventsOptions = {}): AsyncGenerator<EventRecord> {
  const types = opts.types ?? (['action_taken', 'outcome', 'tool_signal'] as const);
  const seen = new Set<string>();
  for (const type of types) {
    for (const shard of await listShards(join(eventsRoot, type))) {
      if (shard.end === 0) continue;
      const lines = createInterface({ input: (await openShardData(shard)).createReadStream({ end: shard.end - 1, encoding: 'utf8' }), crlfDelay: Infinity });
      for await (const line of lines) {
        if (!line) continue;
        let rec: EventRecord;
        try {
          const r = eventRecordSchema.safeParse(JSON.parse(line));
          if (!r.success) throw new Error(r.error.issues[0]?.message);
          rec = r.data;
        } catch {
          bump(counts, 'event_lines_invalid');
          continue;
        }
        if (seen.has(rec.id)) {
          bump(counts, 'events_repeated');
          continue;
        }
        seen.add(rec.id);
        if (opts.sinceMs !== undefined && atMs(rec) < opts.sinceMs) continue;
        if (opts.repo !== undefined && rec.repo !== opts.repo) continue;
        bump(counts, `events_${rec.type}`);
        yield rec;
      }
    }
  }
}
