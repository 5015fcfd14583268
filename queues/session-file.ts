// The `session-file` queue: one job per session file on disk (Claude Code, pi, pir, omp, Codex,
// Gemini CLI, OpenCode), or per session of a file that holds many (an OpenCode store).
import { createHash } from 'node:crypto';
import { Queue, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { QueueContext } from './connection.ts';

export const SESSION_FILE_QUEUE = 'session-file';
export const SESSION_FILE_DESCRIPTION = 'Session transcripts on disk -> ShareGPT training shards';

export const sessionFileJobSchema = z.object({
  path: z.string().min(1),
  /** The configured root the file was found under; the worker re-checks it against its own roots. */
  root: z.string().min(1),
  /** Runtime decided from the root it was found under; the format is decided from content. */
  runtime: z.enum(['claude-code', 'pi', 'pir', 'omp', 'codex', 'gemini', 'opencode']),
  size: z.number().int().nonnegative(),
  mtimeMs: z.number().nonnegative(),
  /** One session of a file that holds many (an OpenCode store): its id. Absent: the whole file. */
  sessionKey: z.string().min(1).max(200).optional(),
  /** The backfill/watch run that enqueued it, for its summary counters. */
  runId: z.string().optional(),
});
export type SessionFileJob = z.infer<typeof sessionFileJobSchema>;

export const sessionFileJobOptions: JobsOptions = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 2000 },
  // Bounded history so Redis memory stays flat on long runs; failed jobs stay longer for triage.
  removeOnComplete: { age: 7 * 24 * 3600, count: 10_000 },
  removeOnFail: { age: 30 * 24 * 3600, count: 10_000 },
};

/**
 * Same path (and session), size and mtime, and target datasets (`salt`) -> same id, so an unchanged
 * file is never enqueued twice for the same dataset; a new or emptied dataset folder gets new ids.
 */
export function sessionFileJobId(j: Pick<SessionFileJob, 'path' | 'size' | 'mtimeMs' | 'sessionKey'>, salt = ''): string {
  const key = j.sessionKey === undefined ? '' : `\0${j.sessionKey}`;
  const h = createHash('sha256').update(`${j.path}\0${j.size}\0${Math.trunc(j.mtimeMs)}${key}${salt ? `\0${salt}` : ''}`).digest('hex');
  return `sf-${h.slice(0, 32)}`;
}

export function sessionFileQueue(ctx: QueueContext, connection: Redis): Queue<SessionFileJob> {
  return new Queue<SessionFileJob>(SESSION_FILE_QUEUE, { connection, prefix: ctx.prefix, defaultJobOptions: sessionFileJobOptions });
}

export interface Backpressure {
  highWater: number;
  lowWater: number;
  pollMs?: number;
  /** Called once each time the producer starts waiting. */
  onPause?: (waiting: number) => void;
}

async function waitingCount(queue: Queue): Promise<number> {
  const c = await queue.getJobCounts('waiting', 'prioritized');
  return (c.waiting ?? 0) + (c.prioritized ?? 0);
}

async function ownJobs(queue: Queue<SessionFileJob>, client: Redis, ids: string[], runId: string): Promise<number> {
  const pipe = client.pipeline();
  for (const id of ids) pipe.hget(queue.toKey(id), 'data');
  const got = (await pipe.exec()) ?? [];
  return got.filter(([, data]) => typeof data === 'string' && (JSON.parse(data) as SessionFileJob).runId === runId).length;
}

/**
 * Adds jobs in `addBulk` chunks. Stops adding while the queue's waiting count is above the high-water
 * mark and resumes once it falls below the low one. Jobs whose id is already in the queue, or that
 * `alreadyDone` reports as processed, are not added. Returns the jobs this call added.
 */
export async function enqueueSessionFiles(
  queue: Queue<SessionFileJob>,
  client: Redis,
  jobs: AsyncIterable<SessionFileJob> | Iterable<SessionFileJob>,
  bp: Backpressure,
  opts: { chunkSize?: number; alreadyDone?: (batch: SessionFileJob[]) => Promise<boolean[]>; onAdded?: (n: number) => void; jobSalt?: string } = {},
): Promise<{ submitted: number; added: number; skipped: number }> {
  const chunkSize = opts.chunkSize ?? 500;
  let batch: SessionFileJob[] = [];
  let submitted = 0;
  let added = 0;
  const flush = async (): Promise<void> => {
    if (batch.length === 0) return;
    const data = batch.map((d) => sessionFileJobSchema.parse(d));
    batch = [];
    submitted += data.length;
    const done = opts.alreadyDone ? await opts.alreadyDone(data) : data.map(() => false);
    const pipe = client.pipeline();
    for (const d of data) pipe.exists(queue.toKey(sessionFileJobId(d, opts.jobSalt)));
    const exists = (await pipe.exec()) ?? [];
    const fresh = data.filter((_, i) => !done[i] && exists[i]?.[1] !== 1);
    if (fresh.length === 0) return;
    let waiting = await waitingCount(queue);
    if (waiting > bp.highWater) {
      bp.onPause?.(waiting);
      while (waiting > bp.lowWater) {
        await new Promise((r) => setTimeout(r, bp.pollMs ?? 250));
        waiting = await waitingCount(queue);
      }
    }
    // Largest first: the longest jobs start early, so what is left at the end of a backfill is short
    // and the workers finish together (a 7 MB session last would keep one busy alone for ~0.4 s).
    fresh.sort((a, b) => b.size - a.size);
    const ids = fresh.map((d) => sessionFileJobId(d, opts.jobSalt));
    await queue.addBulk(fresh.map((d, i) => ({ name: SESSION_FILE_QUEUE, data: d, opts: { jobId: ids[i] } })));
    // Two producers may both have seen an id free: only one job was made, with the other's data. What
    // this call added is what holds its own run id (a run waits for its jobs by that id).
    const mine = fresh[0]?.runId === undefined ? fresh.length : await ownJobs(queue, client, ids, fresh[0].runId);
    added += mine;
    if (mine > 0) opts.onAdded?.(mine);
  };
  for await (const j of jobs) {
    batch.push(j);
    if (batch.length >= chunkSize) await flush();
  }
  await flush();
  return { submitted, added, skipped: submitted - added };
}
