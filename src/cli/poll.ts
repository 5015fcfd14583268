// `harvest poll OWNER/NAME --once`: observe a repository's open PRs now and print what was written.
// The poll is a pr-poll job like any other (same retries, same rate-limit pause); this command
// waits for its result. --inline serves the job in this process when no worker runs.
import { InvalidArgumentError, type Command } from 'commander';
import { QueueEvents } from 'bullmq';
import { loadConfig, type HarvestConfig } from '../config.ts';
import { createLogger, type Logger } from '../log.ts';
import type { PrPollResult } from '../pipeline/pr-poll.ts';
import { WorkerRegistry } from '../state/worker-registry.ts';
import { enqueuePoll, PR_POLL_QUEUE, prPollQueue } from '../../queues/pr-poll.ts';
import { workerConnection } from '../../queues/connection.ts';
import { startPrPollWorker, type PrPollWorkerOptions } from '../../workers/pr-poll.ts';
import { parseDuration } from './duration.ts';
import { opsRedis } from './ops-redis.ts';
import { repoArg } from './repos.ts';

export interface PollOnceOptions {
  numbers?: number[];
  inline?: boolean;
  timeoutMs?: number;
  /** For --inline: options of the in-process worker (tests). */
  worker?: PrPollWorkerOptions;
}

export class NoPollWorkerError extends Error {
  override name = 'NoPollWorkerError';
}

/** Queues one poll of `repo` and waits for its result. */
export async function pollOnce(cfg: HarvestConfig, log: Logger, repo: string, o: PollOnceOptions = {}): Promise<PrPollResult> {
  const ctx = { redisUrl: cfg.redisUrl, prefix: cfg.prefix };
  const redis = await opsRedis(cfg);
  const queue = prPollQueue(ctx, redis);
  const eventsConnection = workerConnection(ctx);
  const events = new QueueEvents(PR_POLL_QUEUE, { connection: eventsConnection, prefix: cfg.prefix });
  const inline = o.inline ? await startPrPollWorker(cfg, log, 1, o.worker) : null;
  try {
    if (!inline) {
      const live = await new WorkerRegistry(redis, cfg.prefix).list();
      if (!live.some((w) => w.queues?.includes(PR_POLL_QUEUE))) {
        throw new NoPollWorkerError(`no worker serves ${PR_POLL_QUEUE}: start one (harvest worker --queues ${PR_POLL_QUEUE}) or poll here with --inline`);
      }
    }
    await events.waitUntilReady();
    const { jobId } = await enqueuePoll(queue, { repo, ...(o.numbers?.length ? { numbers: o.numbers } : {}), reason: 'once' });
    const job = await queue.getJob(jobId);
    if (!job) throw new Error(`job ${jobId} vanished from the queue`);
    return (await job.waitUntilFinished(events, o.timeoutMs ?? 5 * 60_000)) as PrPollResult;
  } finally {
    await inline?.close();
    await events.close();
    eventsConnection.disconnect();
    await queue.close();
    redis.disconnect();
  }
}

export function formatPollResult(r: PrPollResult): string {
  const lines = [
    `${r.repo}: ${r.prs} PR${r.prs === 1 ? '' : 's'} observed at ${new Date(r.observedAt).toISOString()}`,
    `  points written: ${r.observations} pr_observation, ${r.outcomes} outcome`,
    `  GitHub: ${r.requests} GraphQL request${r.requests === 1 ? '' : 's'}, cost ${r.rateLimit.cost}, ${r.rateLimit.remaining} left until ${r.rateLimit.resetAt || '?'}`,
  ];
  if (r.left.length) lines.push(`  left the open set since the last poll: #${r.left.join(', #')} (queued for a last look)`);
  if (r.recheck.length) lines.push(`  mergeability not computed yet: #${r.recheck.join(', #')} (queued for another look)`);
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
      const r = await pollOnce(cfg, createLogger(), repo, { numbers: o.prs, inline: o.inline, timeoutMs: o.timeout });
      process.stdout.write((o.json ? JSON.stringify(r) : formatPollResult(r)) + '\n');
    });
}
