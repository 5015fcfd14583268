// The `pr-poll` queue: observe a repository's open pull requests (or chosen ones) on GitHub and
// write `pr_observation` and `outcome` points. Fed by one Job Scheduler per repository (in
// Redis: it survives restarts and fires once per tick however many workers run), by webhooks and
// by the worker itself (mergeability not computed yet, PRs that left the open set, PRs observed
// incompletely). Job data never holds the token: workers bring their own.
import { randomUUID } from 'node:crypto';
import { Queue, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { QueueContext } from './connection.ts';

export const PR_POLL_QUEUE = 'pr-poll';
export const PR_POLL_DESCRIPTION = 'GitHub pull requests (schedules, webhooks) -> pr_observation and outcome points';

export const PR_POLL_REASONS = ['schedule', 'once', 'webhook', 'unknown-mergeable', 'left-open-set', 'incomplete'] as const;
export type PrPollReason = (typeof PR_POLL_REASONS)[number];

/** OWNER/NAME, as GitHub allows them. */
export const REPO_RE = /^[A-Za-z0-9-]+\/[A-Za-z0-9._-]+$/;

export const prPollJobSchema = z.object({
  repo: z.string().regex(REPO_RE, 'expected OWNER/NAME'),
  /** Just these PRs (open or not); absent: every open PR of the repository. */
  numbers: z.array(z.number().int().positive()).min(1).max(1000).optional(),
  reason: z.enum(PR_POLL_REASONS),
  /**
   * Queued by a process that serves it itself and then exits (`harvest poll --once --inline`): its
   * worker queues no delayed follow-up, which would otherwise run in whatever process comes next.
   */
  inline: z.boolean().optional(),
});
export type PrPollJob = z.infer<typeof prPollJobSchema>;

export const prPollJobOptions: JobsOptions = {
  // 5 s, 10 s, ... about 10 minutes in all: an InfluxDB or GitHub outage of that long is ridden out.
  attempts: 8,
  backoff: { type: 'exponential', delay: 5000 },
  removeOnComplete: { age: 3 * 24 * 3600, count: 2000 },
  removeOnFail: { age: 30 * 24 * 3600, count: 5000 },
};

/** A poll a person waits for at a terminal: a few quick attempts, then the reason, in seconds. */
export const prPollOnceJobOptions: JobsOptions = { attempts: 3, backoff: { type: 'fixed', delay: 1000 } };

export function prPollQueue(ctx: QueueContext, connection: Redis): Queue<PrPollJob> {
  return new Queue<PrPollJob>(PR_POLL_QUEUE, { connection, prefix: ctx.prefix, defaultJobOptions: prPollJobOptions });
}

// ---------- schedules: one Job Scheduler per repository ----------

/** GitHub names are case-insensitive: `Acme/Widgets` and `acme/widgets` share one schedule. */
export function repoSchedulerId(repo: string): string {
  return `repo:${repo.toLowerCase()}`;
}

export interface RepositorySchedule {
  repo: string;
  everyMs: number;
  /** When the next poll is due (epoch ms), if known. */
  next?: number;
}

/** Creates the repository's schedule, or updates its interval: never a second one. */
export async function scheduleRepository(queue: Queue<PrPollJob>, repo: string, everyMs: number): Promise<RepositorySchedule> {
  const data = prPollJobSchema.parse({ repo, reason: 'schedule' });
  if (!Number.isInteger(everyMs) || everyMs < 1000) throw new RangeError(`a schedule needs an interval of at least 1 s, got ${everyMs} ms`);
  const job = await queue.upsertJobScheduler(repoSchedulerId(repo), { every: everyMs }, {
    name: 'schedule',
    data,
    opts: prPollJobOptions,
  });
  return { repo: data.repo, everyMs, next: job ? job.timestamp + (job.delay ?? 0) : undefined };
}

/**
 * Rewrites a repository's schedule under the name GitHub spells it (`nameWithOwner`), keeping its
 * interval, when it was added in another case. False when there is no schedule or nothing to change.
 */
export async function canonicalizeSchedule(queue: Queue<PrPollJob>, canonical: string): Promise<boolean> {
  const id = repoSchedulerId(canonical);
  const s = await queue.getJobScheduler(id);
  const data = s?.template?.data as PrPollJob | undefined;
  if (!s || !data || data.repo === canonical || !s.every) return false;
  await queue.upsertJobScheduler(id, { every: Number(s.every) }, { name: 'schedule', data: { ...data, repo: canonical }, opts: prPollJobOptions });
  return true;
}

/** True when there was a schedule to remove. Its already-queued next poll goes too. */
export async function unscheduleRepository(queue: Queue<PrPollJob>, repo: string): Promise<boolean> {
  return queue.removeJobScheduler(repoSchedulerId(repo));
}

export async function listRepositorySchedules(queue: Queue<PrPollJob>): Promise<RepositorySchedule[]> {
  const all = await queue.getJobSchedulers(0, -1, true);
  return all
    .filter((s) => (s.id ?? s.key).startsWith('repo:'))
    .map((s) => ({
      repo: (s.template?.data as PrPollJob | undefined)?.repo ?? (s.id ?? s.key).slice('repo:'.length),
      everyMs: Number(s.every),
      next: s.next,
    }))
    .sort((a, b) => a.repo.localeCompare(b.repo));
}

// ---------- one-off polls ----------

export interface EnqueuePollOptions {
  /** Run no earlier than this from now. */
  delayMs?: number;
  /**
   * Merge with a pending poll of the same repository and PRs (webhook bursts, rechecks): while
   * one waits, more add nothing; while one runs, one more is kept to run after it (so a change
   * seen during a poll is not lost). Default: on for webhook and unknown-mergeable polls.
   */
  deduplicate?: boolean;
  /** A fixed job id: adding it again while the job is kept adds nothing. */
  jobId?: string;
  /** Overrides of the queue's default options (tests: short backoff). */
  jobOptions?: JobsOptions;
}

/** Same repository (any case) and same set of PRs -> same id. */
export function pollDeduplicationId(repo: string, numbers?: readonly number[]): string {
  const nums = numbers?.length ? `#${[...new Set(numbers)].sort((a, b) => a - b).join(',')}` : '';
  return `${repo.toLowerCase()}${nums}`;
}

export interface EnqueuedPoll {
  jobId: string;
  /** False when the poll was merged into one already pending (or running). A repeated fixed
   *  `jobId` reads as added. */
  added: boolean;
}

export async function enqueuePoll(queue: Queue<PrPollJob>, job: PrPollJob, opts: EnqueuePollOptions = {}): Promise<EnqueuedPoll> {
  const data = prPollJobSchema.parse(job);
  const dedupe = opts.deduplicate ?? (data.reason === 'webhook' || data.reason === 'unknown-mergeable');
  // Our own id tells whether BullMQ merged the job: a merged add answers with the other job's id.
  const jobId = opts.jobId ?? `${data.reason}-${randomUUID()}`;
  const added = await queue.add(data.reason, data, {
    ...opts.jobOptions,
    jobId,
    ...(opts.delayMs ? { delay: opts.delayMs } : {}),
    ...(dedupe ? { deduplication: { id: pollDeduplicationId(data.repo, data.numbers), keepLastIfActive: true } } : {}),
  });
  return { jobId: added.id ?? jobId, added: added.id === jobId };
}
