// `harvest jobs retry-failed|clean|pause|resume|drain --queue Q`: hands on the queues.
import { InvalidArgumentError, type Command } from 'commander';
import { loadConfig } from '../config.ts';
import type { QueueInfo } from '../../queues/index.ts';
import { QueueSet } from '../ops/snapshot.ts';
import { cleanJobs, drainQueue, parseDuration, retryFailed, CLEAN_STATES, type CleanState } from '../ops/jobs.ts';
import type { Queue } from 'bullmq';
import { chooseQueues, opsRedis } from './ops-redis.ts';

const collect = (v: string, prev: string[] = []): string[] => [...prev, v];

/** Runs `fn` on each chosen queue and prints one line (or one JSON object) per queue. */
async function onQueues(names: string[], json: boolean | undefined, fn: (q: Queue, info: QueueInfo) => Promise<Record<string, unknown>>, line: (name: string, r: Record<string, unknown>) => string): Promise<void> {
  const infos = chooseQueues(names);
  const cfg = loadConfig();
  const redis = await opsRedis(cfg);
  const set = new QueueSet(redis, cfg.prefix, infos);
  try {
    const results: Record<string, Record<string, unknown>> = {};
    for (const { info, queue } of set.queues) results[info.name] = await fn(queue, info);
    if (json) process.stdout.write(JSON.stringify({ queues: results }) + '\n');
    else for (const [n, r] of Object.entries(results)) process.stdout.write(line(n, r) + '\n');
  } finally {
    await set.close();
    redis.disconnect();
  }
}

export function registerJobsCommand(program: Command): void {
  const jobs = program.command('jobs').description('retry, clean, pause, resume or drain a queue\'s jobs');
  const queueOpt = ['--queue <name>', 'queue name (repeatable, comma-separated, or all)', collect] as const;

  jobs
    .command('retry-failed')
    .description('move every failed job back to waiting')
    .requiredOption(...queueOpt)
    .option('--json', 'print one JSON object')
    .action(async (o: { queue: string[]; json?: boolean }) => {
      await onQueues(o.queue, o.json, (q) => retryFailed(q), (n, r) => `${n}: ${r.retried} failed job(s) moved back to waiting`);
    });

  jobs
    .command('clean')
    .description('remove jobs finished longer ago than --older-than (default states: completed and failed)')
    .requiredOption(...queueOpt)
    .requiredOption('--older-than <age>', 'age such as 7d, 12h, 30m')
    .option('--state <state>', `job state to clean (repeatable): ${CLEAN_STATES.join(', ')}`, collect)
    .option('--json', 'print one JSON object')
    .action(async (o: { queue: string[]; olderThan: string; state?: string[]; json?: boolean }) => {
      let ms: number;
      try {
        ms = parseDuration(o.olderThan);
      } catch (e) {
        throw new InvalidArgumentError((e as Error).message);
      }
      const states = (o.state ?? ['completed', 'failed']).flatMap((s) => s.split(',')) as CleanState[];
      const bad = states.filter((s) => !CLEAN_STATES.includes(s));
      if (bad.length) throw new InvalidArgumentError(`unknown state(s) ${bad.join(', ')}; use ${CLEAN_STATES.join(', ')}`);
      await onQueues(o.queue, o.json, async (q) => ({ removed: await cleanJobs(q, ms, states) }), (n, r) =>
        `${n}: removed ${Object.entries(r.removed as Record<string, number>).map(([s, k]) => `${k} ${s}`).join(', ')} (older than ${o.olderThan})`);
    });

  jobs
    .command('pause')
    .description('stop workers everywhere from taking new jobs of the queue (active jobs finish)')
    .requiredOption(...queueOpt)
    .option('--json', 'print one JSON object')
    .action(async (o: { queue: string[]; json?: boolean }) => {
      await onQueues(o.queue, o.json, async (q) => {
        await q.pause();
        return { paused: true };
      }, (n) => `${n}: paused`);
    });

  jobs
    .command('resume')
    .description('let workers take jobs of the queue again')
    .requiredOption(...queueOpt)
    .option('--json', 'print one JSON object')
    .action(async (o: { queue: string[]; json?: boolean }) => {
      await onQueues(o.queue, o.json, async (q) => {
        await q.resume();
        return { paused: false };
      }, (n) => `${n}: resumed`);
    });

  jobs
    .command('drain')
    .description('remove every waiting job of the queue (active jobs finish; --delayed also removes delayed ones)')
    .requiredOption(...queueOpt)
    .option('--delayed', 'also remove delayed jobs')
    .option('--json', 'print one JSON object')
    .action(async (o: { queue: string[]; delayed?: boolean; json?: boolean }) => {
      await onQueues(o.queue, o.json, (q) => drainQueue(q, o.delayed === true), (n, r) => `${n}: removed ${r.removed} waiting job(s)`);
    });
}
