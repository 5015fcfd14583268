// `harvest repos add|remove|list`: which GitHub repositories are polled, and how often. One BullMQ
// Job Scheduler per repository, kept in Redis: it survives restarts, re-adding changes its interval,
// and however many workers run, each tick makes one poll.
import { InvalidArgumentError, type Command } from 'commander';
import type { Queue } from 'bullmq';
import { loadConfig } from '../config.ts';
import { listRepositorySchedules, prPollQueue, REPO_RE, scheduleRepository, unscheduleRepository, type PrPollJob, type RepositorySchedule } from '../../queues/pr-poll.ts';
import { parseDuration } from './duration.ts';
import { opsRedis } from './ops-redis.ts';

export function repoArg(v: string): string {
  const r = v.trim();
  if (!REPO_RE.test(r)) throw new InvalidArgumentError(`not a repository: '${v}' (expected OWNER/NAME)`);
  return r;
}

export function formatDuration(ms: number): string {
  for (const [unit, size] of [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1000]] as const) {
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

export function formatSchedules(list: RepositorySchedule[], now = Date.now()): string {
  if (list.length === 0) return 'no repositories are polled (add one: harvest repos add OWNER/NAME --every 15m)';
  const w = Math.max(...list.map((s) => s.repo.length), 'repository'.length);
  const lines = [`${'repository'.padEnd(w)}  every  next poll`];
  for (const s of list) {
    const next = s.next ? `${new Date(s.next).toISOString()} (in ${Math.max(0, Math.round((s.next - now) / 1000))} s)` : '-';
    lines.push(`${s.repo.padEnd(w)}  ${formatDuration(s.everyMs).padEnd(5)}  ${next}`);
  }
  return lines.join('\n');
}

async function withQueue<T>(fn: (q: Queue<PrPollJob>) => Promise<T>): Promise<T> {
  const cfg = loadConfig();
  const redis = await opsRedis(cfg);
  const queue = prPollQueue({ redisUrl: cfg.redisUrl, prefix: cfg.prefix }, redis);
  try {
    return await fn(queue);
  } finally {
    await queue.close();
    redis.disconnect();
  }
}

/** `out`: where results go (tests capture them); default stdout. */
export function registerReposCommand(program: Command, out: { write(s: string): unknown } = process.stdout): void {
  const repos = program.command('repos').description('GitHub repositories whose pull requests are polled on a schedule (pr-poll queue)');
  repos
    .command('add')
    .argument('<repo>', 'OWNER/NAME', repoArg)
    .description('poll a repository every interval (adding it again changes the interval)')
    .option('--every <duration>', 'how often: 15m, 1h, ...', parseDuration, 15 * 60_000)
    .action(async (repo: string, o: { every: number }) => {
      if (o.every < 1000) throw new InvalidArgumentError('--every must be at least 1s');
      const s = await withQueue((q) => scheduleRepository(q, repo, o.every));
      out.write(`${s.repo}: polled every ${formatDuration(s.everyMs)}${s.next ? `, next at ${new Date(s.next).toISOString()}` : ''}\n`);
    });
  repos
    .command('remove')
    .argument('<repo>', 'OWNER/NAME', repoArg)
    .description('stop polling a repository')
    .action(async (repo: string) => {
      const removed = await withQueue((q) => unscheduleRepository(q, repo));
      out.write(removed ? `${repo}: no longer polled\n` : `${repo} was not polled\n`);
      if (!removed) process.exitCode = 1;
    });
  repos
    .command('list')
    .description('the polled repositories, their intervals and next polls')
    .option('--json', 'print them as JSON')
    .action(async (o: { json?: boolean }) => {
      const list = await withQueue((q) => listRepositorySchedules(q));
      out.write((o.json ? JSON.stringify(list) : formatSchedules(list)) + '\n');
    });
}
