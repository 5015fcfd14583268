// The `beads` queue: one job per beads export (an issues file and its event log).
import { createHash } from 'node:crypto';
import { Queue, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { QueueContext } from './connection.ts';

export const BEADS_QUEUE = 'beads';
export const BEADS_DESCRIPTION = 'Beads exports (issues + events) -> bead lifecycles, bead_outcome points, link indexes';

export const beadsJobSchema = z.object({
  issuesPath: z.string().min(1),
  eventsPath: z.string().min(1).nullable().optional(),
  dependenciesPath: z.string().min(1).nullable().optional(),
  labelsPath: z.string().min(1).nullable().optional(),
  /** Name of the export (rig or file stem): a folder name under `<out>/beads/`. */
  source: z.string().regex(/^[A-Za-z0-9._-]+$/),
  issuesSize: z.number().int().nonnegative(),
  issuesMtimeMs: z.number().nonnegative(),
  eventsSize: z.number().int().nonnegative().default(0),
  eventsMtimeMs: z.number().nonnegative().default(0),
  runId: z.string().optional(),
});
export type BeadsJob = z.infer<typeof beadsJobSchema>;

export const beadsJobOptions: JobsOptions = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 2000 },
  removeOnComplete: { age: 7 * 24 * 3600, count: 1000 },
  removeOnFail: { age: 30 * 24 * 3600, count: 1000 },
};

/** Same files at the same sizes and mtimes -> same id: an unchanged export is not enqueued twice. */
export function beadsJobId(j: Pick<BeadsJob, 'issuesPath' | 'issuesSize' | 'issuesMtimeMs' | 'eventsSize' | 'eventsMtimeMs'>): string {
  const h = createHash('sha256')
    .update(`${j.issuesPath}\0${j.issuesSize}\0${Math.trunc(j.issuesMtimeMs)}\0${j.eventsSize}\0${Math.trunc(j.eventsMtimeMs)}`)
    .digest('hex');
  return `bd-${h.slice(0, 32)}`;
}

export function beadsQueue(ctx: QueueContext, connection: Redis): Queue<BeadsJob> {
  return new Queue<BeadsJob>(BEADS_QUEUE, { connection, prefix: ctx.prefix, defaultJobOptions: beadsJobOptions });
}

/**
 * Adds one job per export (validated); returns the ids added and those already queued or done.
 * `force` redoes exports whose job already completed (e.g. into a new dataset folder).
 */
export async function enqueueBeadsExports(queue: Queue<BeadsJob>, jobs: BeadsJob[], opts: { force?: boolean } = {}): Promise<{ added: string[]; existing: string[] }> {
  const added: string[] = [];
  const existing: string[] = [];
  for (const j of jobs) {
    const data = beadsJobSchema.parse(j);
    const id = beadsJobId(data);
    const prev = await queue.getJob(id);
    if (prev) {
      const state = await prev.getState();
      // A finished job of the same files is done (unless forced); a failed one is retried by a fresh add.
      if (state === 'active' || state === 'waiting' || state === 'delayed' || state === 'prioritized' || (state !== 'failed' && !opts.force)) {
        existing.push(id);
        continue;
      }
      await prev.remove();
    }
    await queue.add(BEADS_QUEUE, data, { jobId: id });
    added.push(id);
  }
  return { added, existing };
}
