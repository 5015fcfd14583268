// The `events` queue: orchestrator events (actions, outcomes) and agent tool signals, one job each.
// The job id is the event id, derived from the idempotency key or the event's content, so a
// retried send never queues an event twice.
import { Queue, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import type { QueueContext } from './connection.ts';
import { eventRecordSchema, type EventRecord } from '../src/model/event.ts';

export const EVENTS_QUEUE = 'events';
export const EVENTS_DESCRIPTION = 'Orchestrator events (actions, outcomes, tool signals) -> InfluxDB and event shards';

export const eventJobSchema = eventRecordSchema;
export type EventJob = EventRecord;

export const eventJobOptions: JobsOptions = {
  attempts: 10,
  backoff: { type: 'exponential', delay: 1000 },
  // Job ids guard against doubles while the job exists; the worker's ledger does after that.
  removeOnComplete: { age: 7 * 24 * 3600, count: 100_000 },
  removeOnFail: { age: 30 * 24 * 3600, count: 10_000 },
};

export const eventJobId = (e: Pick<EventRecord, 'id'>): string => e.id;

export function eventsQueue(ctx: QueueContext, connection: Redis): Queue<EventJob> {
  return new Queue<EventJob>(EVENTS_QUEUE, { connection, prefix: ctx.prefix, defaultJobOptions: eventJobOptions });
}

/** Queues the events (validated again here: the queue is a trust boundary); returns their ids. */
export async function enqueueEvents(queue: Queue<EventJob>, events: readonly EventRecord[]): Promise<string[]> {
  if (events.length === 0) return [];
  const data = events.map((e) => eventJobSchema.parse(e));
  await queue.addBulk(data.map((d) => ({ name: d.type, data: d, opts: { jobId: eventJobId(d) } })));
  return data.map((d) => d.id);
}
