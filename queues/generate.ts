// The `generate` queue: one job per generator run (a role, a scenario's prompt), whose session
// becomes synthetic samples. Retried with exponential backoff; a worker starts at most
// GENERATE_LIMITER's runs per window across every worker of the queue (BullMQ's rate limiter).
import { createHash } from 'node:crypto';
import { Queue, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { GENERATABLE_ROLES } from '../src/pipeline/generate-sandbox.ts';
import type { QueueContext } from './connection.ts';

export const GENERATE_QUEUE = 'generate';
export const GENERATE_DESCRIPTION = 'Generator runs (pir print mode) for under-represented roles -> synthetic sessions -> samples';

const MAX_TEXT = 32_000;

export const generateJobSchema = z.object({
  role: z.enum(GENERATABLE_ROLES),
  prompt: z.string().min(1).max(MAX_TEXT),
  /** The role's system prompt when absent. */
  system: z.string().max(MAX_TEXT).optional(),
  /** Scenario name (from a scenarios file) or kind (from the dataset's episodes). */
  scenario: z.string().max(200).optional(),
  /** Repeats of one scenario share it (see scenarioKey). */
  scenarioKey: z.string().regex(/^[0-9a-f]{16,64}$/),
  /** An argv template; the worker runs it only if it is one it was configured with. */
  command: z.array(z.string().max(MAX_TEXT)).min(1).max(64).optional(),
  /** The `harvest generate` run that enqueued it, for its summary counters. */
  runId: z.string().max(100).optional(),
});
export type GenerateJob = z.infer<typeof generateJobSchema>;

export const generateJobOptions: JobsOptions = {
  attempts: 3,
  backoff: { type: 'exponential', delay: 30_000 },
  removeOnComplete: { age: 7 * 24 * 3600, count: 10_000 },
  removeOnFail: { age: 30 * 24 * 3600, count: 10_000 },
};

/** Runs started per window across the queue's workers (HARVEST_GENERATE_RATE overrides `max`). */
export const GENERATE_LIMITER = { max: 10, duration: 60_000 } as const;

/** The key repeats of a scenario share: same role, same system prompt, same task. */
export function scenarioKey(role: string, system: string, prompt: string): string {
  return createHash('sha256').update(JSON.stringify([role, system, prompt])).digest('hex').slice(0, 24);
}

export function generateQueue(ctx: QueueContext, connection: Redis): Queue<GenerateJob> {
  return new Queue<GenerateJob>(GENERATE_QUEUE, { connection, prefix: ctx.prefix, defaultJobOptions: generateJobOptions });
}

export interface RetryOptions {
  attempts?: number;
  /** First backoff delay; it doubles each attempt. */
  backoffMs?: number;
}

/** Adds one job per run (validated), ids `gen-<run>-<n>`; returns the ids. */
export async function enqueueGenerateJobs(queue: Queue<GenerateJob>, runId: string, jobs: GenerateJob[], retry: RetryOptions = {}): Promise<string[]> {
  const data = jobs.map((j) => generateJobSchema.parse({ ...j, runId }));
  const opts: JobsOptions = {
    ...(retry.attempts !== undefined ? { attempts: retry.attempts } : {}),
    ...(retry.backoffMs !== undefined ? { backoff: { type: 'exponential', delay: retry.backoffMs } } : {}),
  };
  const ids = data.map((_, i) => `gen-${runId}-${i + 1}`);
  await queue.addBulk(data.map((d, i) => ({ name: GENERATE_QUEUE, data: d, opts: { ...opts, jobId: ids[i] } })));
  return ids;
}
