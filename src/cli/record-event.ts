// What `record-action` and `record-outcome` share: the common flags, exit codes, and sending an
// event to the queue or, when Redis is unreachable, to the local spool.
//   exit 0: queued   exit 2: bad arguments   exit 3: Redis unreachable, the event is spooled
import { Command, InvalidArgumentError } from 'commander';
import { Queue } from 'bullmq';
import { loadConfig } from '../config.ts';
import { clientConnection } from '../../queues/connection.ts';
import { eventsQueue, type EventJob } from '../../queues/events.ts';
import { InvalidEventError, submitOrSpool, toRecords, type RecordResult } from '../client.ts';
import type { EventInput } from '../model/event.ts';
import { resolveSpoolPath } from '../sinks/event-spool.ts';
import { redisAnswers, safeUrl } from './ensure-redis.ts';

export const EXIT_BAD_ARGUMENTS = 2;
export const EXIT_SPOOLED = 3;

export const positiveInt = (v: string): number => {
  if (!/^[1-9]\d*$/.test(v)) throw new InvalidArgumentError('expected a positive whole number');
  return Number(v);
};

export const nonNegativeNumber = (v: string): number => {
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || n < 0) throw new InvalidArgumentError('expected a number of hours, 0 or more');
  return n;
};

/** `2025-01-02T03:04:05Z`, any Date.parse-able text, or epoch milliseconds. */
export const timeArg = (v: string): string => {
  const ms = /^\d{10,}$/.test(v) ? Number(v) : Date.parse(v);
  if (!Number.isFinite(ms)) throw new InvalidArgumentError('expected an ISO 8601 time (2025-01-02T03:04:05Z) or epoch milliseconds');
  return new Date(ms).toISOString();
};

/** Bad arguments exit 2 (commander's own parse errors included); help exits 0. */
export function exitTwoOnBadArguments(cmd: Command): Command {
  return cmd.exitOverride((err) => {
    process.exit(err.exitCode === 0 ? 0 : EXIT_BAD_ARGUMENTS);
  });
}

export function addCommonEventOptions(cmd: Command): Command {
  return cmd
    .requiredOption('--repo <owner/name>', 'the repository, OWNER/NAME')
    .requiredOption('--pr <n>', 'the pull request number', positiveInt)
    .option('--at <time>', 'when it happened (ISO 8601 or epoch ms; default now)', timeArg)
    .option('--session <id>', 'the agent session id')
    .option('--bead <id>', 'the bead id')
    .option('--key <key>', 'idempotency key: the same key records once, however often sent')
    .option('--json', 'print {"ids": [...], "status": "queued"|"spooled"} on stdout');
}

export interface CommonEventFlags {
  repo: string;
  pr: number;
  at?: string;
  session?: string;
  bead?: string;
  key?: string;
  json?: boolean;
}

export function commonFields(o: CommonEventFlags): { repo: string; pr: number; at?: string; session?: string; bead?: string; key?: string } {
  return {
    repo: o.repo,
    pr: o.pr,
    ...(o.at !== undefined ? { at: o.at } : {}),
    ...(o.session !== undefined ? { session: o.session } : {}),
    ...(o.bead !== undefined ? { bead: o.bead } : {}),
    ...(o.key !== undefined ? { key: o.key } : {}),
  };
}

/** Validates, sends (or spools) and reports one event; sets the exit code. */
export async function sendEventFromCli(input: EventInput, json: boolean | undefined, env: NodeJS.ProcessEnv = process.env): Promise<RecordResult | null> {
  let records;
  try {
    records = toRecords([input], 'cli');
  } catch (e) {
    if (!(e instanceof InvalidEventError)) throw e;
    process.stderr.write(`harvest: ${e.message}\n`);
    process.exitCode = EXIT_BAD_ARGUMENTS;
    return null;
  }
  const cfg = loadConfig(env);
  const spool = resolveSpoolPath(env, cfg.outDir);
  const ctx = { redisUrl: cfg.redisUrl, prefix: cfg.prefix };
  let queue: Queue<EventJob> | null = null;
  let conn = null;
  if (await redisAnswers(cfg.redisUrl)) {
    conn = clientConnection(ctx, { maxRetriesPerRequest: 1 });
    conn.on('error', () => undefined);
    queue = eventsQueue(ctx, conn);
    queue.on('error', () => undefined);
  }
  try {
    const res = await submitOrSpool(records, queue, spool, 5000);
    if (json) process.stdout.write(JSON.stringify(res) + '\n');
    else if (res.status === 'queued') process.stdout.write(`queued ${res.ids.join(' ')}\n`);
    if (res.status === 'spooled') {
      process.stderr.write(
        `harvest: Redis is not reachable at ${safeUrl(cfg.redisUrl)} (${res.reason}); the event is saved in ${spool} ` +
          'and will be queued by the next successful record command or by any worker.\n',
      );
      process.exitCode = EXIT_SPOOLED;
    }
    return res;
  } finally {
    await queue?.close().catch(() => undefined);
    conn?.disconnect();
  }
}
