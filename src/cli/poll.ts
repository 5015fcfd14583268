// `harvest poll OWNER/NAME --once`: observe a repository's open PRs now and print what was written.
// The poll is a pr-poll job like any other (same rate-limit pause), with a few quick attempts: a
// person waiting at a terminal learns within seconds that GitHub is unreachable, sees each failed
// attempt as it happens, and gets one line naming the cause and the fix. --inline serves the job in
// this process when no worker runs, and leaves nothing queued behind for another process to run.
import { InvalidArgumentError, type Command } from 'commander';
import { QueueEvents, type Queue } from 'bullmq';
import { loadConfig, type HarvestConfig } from '../config.ts';
import { createLogger, type Logger } from '../log.ts';
import type { PrPollResult } from '../pipeline/pr-poll.ts';
import { WorkerRegistry } from '../state/worker-registry.ts';
import { UserError } from '../user-error.ts';
import { enqueuePoll, PR_POLL_QUEUE, prPollOnceJobOptions, prPollQueue, type PrPollJob } from '../../queues/pr-poll.ts';
import { workerConnection } from '../../queues/connection.ts';
import { startPrPollWorker, type PrPollProgress, type PrPollWorkerOptions } from '../../workers/pr-poll.ts';
import { parseDuration } from './duration.ts';
import { opsRedis } from './ops-redis.ts';
import { repoArg } from './repos.ts';

export interface PollOnceOptions {
  numbers?: number[];
  inline?: boolean;
  timeoutMs?: number;
  /** For --inline: options of the in-process worker (tests). */
  worker?: PrPollWorkerOptions;
  /** Told each failed attempt while the poll goes on (the command prints it to stderr). */
  onRetry?: (failure: NonNullable<PrPollProgress['failure']>) => void;
}

export class NoPollWorkerError extends UserError {
  override name = 'NoPollWorkerError';
}

const FOLLOW_UP_DEPTH = 3;

/** Waits for one job's result; its failure (or the wait running out) becomes one line for a person. */
async function resultOf(queue: Queue<PrPollJob>, events: QueueEvents, repo: string, jobId: string, timeoutMs: number): Promise<PrPollResult> {
  const job = await queue.getJob(jobId);
  if (!job) throw new UserError(`the poll of ${repo} (job ${jobId}) vanished from the queue`, 1, 'see harvest status');
  try {
    return (await job.waitUntilFinished(events, timeoutMs)) as PrPollResult;
  } catch (e) {
    const message = (e as Error).message;
    if (/timed out before finishing/.test(message)) {
      const state = await queue.getJobState(jobId).catch(() => 'unknown');
      throw new UserError(`no result for the poll of ${repo} after ${Math.round(timeoutMs / 1000)} s (job ${jobId} is ${state})`, 1,
        'see harvest status, or wait longer with --timeout');
    }
    throw new UserError(`the poll of ${repo} failed: ${message}`, 1);
  }
}

/** Queues one poll of `repo` and waits for its result. */
export async function pollOnce(cfg: HarvestConfig, log: Logger, repo: string, o: PollOnceOptions = {}): Promise<PrPollResult> {
  const ctx = { redisUrl: cfg.redisUrl, prefix: cfg.prefix };
  const redis = await opsRedis(cfg);
  const queue = prPollQueue(ctx, redis);
  const eventsConnection = workerConnection(ctx);
  const events = new QueueEvents(PR_POLL_QUEUE, { connection: eventsConnection, prefix: cfg.prefix });
  const inline = o.inline ? await startPrPollWorker(cfg, log, 1, o.worker) : null;
  const timeoutMs = o.timeoutMs ?? 5 * 60_000;
  try {
    if (!inline) {
      const live = await new WorkerRegistry(redis, cfg.prefix).list();
      if (!live.some((w) => w.queues?.includes(PR_POLL_QUEUE))) {
        throw new NoPollWorkerError(`no worker serves ${PR_POLL_QUEUE}`, 2, `start one (harvest worker --queues ${PR_POLL_QUEUE}) or poll here with --inline`);
      }
    }
    await events.waitUntilReady();
    const { jobId } = await enqueuePoll(
      queue,
      { repo, ...(o.numbers?.length ? { numbers: o.numbers } : {}), reason: 'once', ...(inline ? { inline: true } : {}) },
      { jobOptions: prPollOnceJobOptions },
    );
    const onProgress = ({ jobId: id, data }: { jobId: string; data: unknown }) => {
      const failure = (data as PrPollProgress | null)?.failure;
      if (id === jobId && failure) o.onRetry?.(failure);
    };
    events.on('progress', onProgress);
    const result = await resultOf(queue, events, repo, jobId, timeoutMs);
    events.off('progress', onProgress);
    // Served here: its follow-ups (a last look at PRs that left the open set) run here too.
    if (inline) await waitForFollowUps(queue, events, repo, result, timeoutMs, FOLLOW_UP_DEPTH);
    return result;
  } finally {
    await inline?.close();
    await events.close();
    eventsConnection.disconnect();
    await queue.close();
    redis.disconnect();
  }
}

async function waitForFollowUps(queue: Queue<PrPollJob>, events: QueueEvents, repo: string, r: PrPollResult, timeoutMs: number, depth: number): Promise<void> {
  if (depth <= 0) return;
  for (const f of r.followUps ?? []) {
    if (!f.jobId) continue;
    const next = await resultOf(queue, events, repo, f.jobId, timeoutMs);
    await waitForFollowUps(queue, events, repo, next, timeoutMs, depth - 1);
  }
}

const seconds = (ms: number | null): string => (ms === null ? '' : ms < 1000 ? `${ms} ms` : `${Math.round(ms / 1000)} s`);

/** One stderr line per failed attempt. */
export function formatRetry(repo: string, f: NonNullable<PrPollProgress['failure']>): string {
  return `harvest: poll ${repo}: attempt ${f.attempt} of ${f.of} failed: ${f.message}${f.retryInMs !== null ? `; retrying in ${seconds(f.retryInMs)}` : ''}`;
}

export function formatPollResult(r: PrPollResult): string {
  const lines = [
    `${r.repo}: ${r.prs} PR${r.prs === 1 ? '' : 's'} observed at ${new Date(r.observedAt).toISOString()}`,
    `  points written: ${r.observations} pr_observation, ${r.outcomes} outcome`,
    `  GitHub: ${r.requests} GraphQL request${r.requests === 1 ? '' : 's'}, cost ${r.rateLimit.cost}, ${r.rateLimit.remaining} left until ${r.rateLimit.resetAt || '?'}`,
  ];
  const queued = (reason: string) => (r.followUps ?? []).find((f) => f.reason === reason);
  if (r.left.length) lines.push(`  left the open set since the last poll: #${r.left.join(', #')} (queued for a last look)`);
  if (r.recheck.length) {
    const q = queued('unknown-mergeable');
    lines.push(`  mergeability not computed yet: #${r.recheck.join(', #')} ${q && !q.jobId
      ? `(poll again in a minute: harvest poll ${r.repo} --once --prs ${r.recheck.join(',')})`
      : '(queued for another look)'}`);
  }
  if (r.incomplete?.length) {
    const q = queued('incomplete');
    const what = r.incomplete.map((p) => `#${p.number} (${p.parts.join(', ')})`).join(', ');
    lines.push(`  incomplete, written flagged: ${what} ${q && !q.jobId ? `(poll again: harvest poll ${r.repo} --once --prs ${r.incomplete.map((p) => p.number).join(',')})` : '(queued for another look)'}`);
    for (const g of r.gaps.filter((x) => x.part !== 'compare')) lines.push(`    #${g.number} ${g.part}: ${g.message}`);
  }
  const uncompared = (r.gaps ?? []).filter((g) => g.part === 'compare').length;
  if (uncompared) lines.push(`  ahead/behind unknown for ${uncompared} PR${uncompared === 1 ? '' : 's'}: ${(r.gaps ?? []).find((g) => g.part === 'compare')!.message}`);
  if (r.missing.length) lines.push(`  not found: #${r.missing.join(', #')}`);
  return lines.join('\n');
}

const numberList = (v: string): number[] => {
  const nums = v.split(',').map((s) => s.trim().replace(/^#/, '')).filter(Boolean).map(Number);
  if (nums.length === 0 || nums.some((n) => !Number.isSafeInteger(n) || n <= 0)) throw new InvalidArgumentError(`not a list of PR numbers: ${v}`);
  return nums;
};

export function registerPollCommand(program: Command): void {
  program
    .command('poll')
    .argument('<repo>', 'OWNER/NAME', repoArg)
    .description('observe a repository\'s open pull requests now (a pr-poll job) and print what was written')
    .option('--once', 'poll once, now (the only mode; schedules: harvest repos add)')
    .option('--prs <numbers>', 'just these PRs (comma-separated), open or not', numberList)
    .option('--inline', 'serve the job in this process (needs GITHUB_TOKEN here) instead of a running worker')
    .option('--timeout <duration>', 'how long to wait for the result', parseDuration, 5 * 60_000)
    .option('--json', 'print the result as one JSON object')
    .action(async (repo: string, o: { prs?: number[]; inline?: boolean; timeout: number; json?: boolean }) => {
      const cfg = loadConfig();
      // Each failed attempt is printed as one line below; the worker's own log stays quiet unless asked.
      const r = await pollOnce(cfg, createLogger(process.env.HARVEST_LOG_LEVEL ?? 'error'), repo, {
        numbers: o.prs,
        inline: o.inline,
        timeoutMs: o.timeout,
        onRetry: (f) => process.stderr.write(formatRetry(repo, f) + '\n'),
      });
      process.stdout.write((o.json ? JSON.stringify(r) : formatPollResult(r)) + '\n');
    });
}
