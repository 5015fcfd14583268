// The `events` queue: orchestrator events (actions, outcomes) and agent tool signals, one job per
// batch (a request's events, up to MAX_EVENTS_PER_JOB). Each event keeps its own id, derived from
// its idempotency key or its content, and the worker's ledger records each id once: a retried
// request (same batch, same job id) is not queued twice while its job exists, and an event sent
// again in another batch is not recorded twice.
import { createHash } from 'node:crypto';
import { Queue, type JobsOptions } from 'bullmq';
import { z } from 'zod';
import type { Redis } from 'ioredis';
import type { QueueContext } from './connection.ts';
import { eventRecordSchema, type EventRecord } from '../src/model/event.ts';

export const EVENTS_QUEUE = 'events';
export const EVENTS_DESCRIPTION = 'Orchestrator events (actions, outcomes, tool signals) -> InfluxDB and event shards';

/** Events per job: a request's batch, split so no job payload grows large. */
export const MAX_EVENTS_PER_JOB = 500;

export const eventJobSchema = z.object({ events: z.array(eventRecordSchema).min(1).max(MAX_EVENTS_PER_JOB) });
export type EventJob = z.infer<typeof eventJobSchema>;

/** The events a job carries: a batch, or one event as jobs before batching held it. */
export function eventsOfJob(data: unknown): { ok: true; events: EventRecord[] } | { ok: false; error: string } {
  const batch = eventJobSchema.safeParse(data);
  if (batch.success) return { ok: true, events: batch.data.events };
  const single = eventRecordSchema.safeParse(data);
  if (single.success) return { ok: true, events: [single.data] };
  return { ok: false, error: batch.error.issues[0]?.message ?? 'not an event batch' };
}

export const eventJobOptions: JobsOptions = {
  attempts: 10,
  backoff: { type: 'exponential', delay: 1000 },
  // Job ids guard against doubles while the job exists; the worker's ledger does after that.
  removeOnComplete: { age: 7 * 24 * 3600, count: 100_000 },
  removeOnFail: { age: 30 * 24 * 3600, count: 10_000 },
};

/** The same events (in any order), the same job id. */
export const eventJobId = (events: readonly Pick<EventRecord, 'id'>[]): string =>
  events.length === 1 ? events[0].id : `batch-${createHash('sha256').update(events.map((e) => e.id).sort().join('\n')).digest('hex').slice(0, 32)}`;

export function eventsQueue(ctx: QueueContext, connection: Redis): Queue<EventJob> {
  return new Queue<EventJob>(EVENTS_QUEUE, { connection, prefix: ctx.prefix, defaultJobOptions: eventJobOptions });
}

/**
 * Queues the events in batches; returns their ids. The records come typed from the parsers that
 * checked them (HTTP, CLI, client, spool); the worker checks each job again.
 */
export async function enqueueEvents(queue: Queue<EventJob>, events: readonly EventRecord[]): Promise<string[]> {
  if (events.length === 0) return [];
  const data = events;
  const jobs = [];
  for (let i = 0; i < data.length; i += MAX_EVENTS_PER_JOB) {
    const batch = data.slice(i, i + MAX_EVENTS_PER_JOB);
    jobs.push({ name: batch.length === 1 ? batch[0].type : 'batch', data: { events: batch }, opts: { jobId: eventJobId(batch) } });
  }
  await (jobs.length === 1 ? queue.add(jobs[0].name, jobs[0].data, jobs[0].opts) : queue.addBulk(jobs));
  return data.map((d) => d.id);
}
