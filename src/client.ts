// The harvest client for orchestrators written in Node: records actions and outcomes straight into
// the `events` queue in Redis. When Redis cannot be reached, the events go to the local spool
// (a worker or the next successful send queues them), so a call never loses one.
//
//   import { HarvestClient } from 'harvest/client';
//   const harvest = new HarvestClient({ redisUrl: process.env.REDIS_URL });
//   await harvest.recordAction({ repo: 'o/r', pr: 12, action: 'wait', reason: 'checks running' });
//   await harvest.recordOutcome({ repo: 'o/r', pr: 12, result: 'success', resolution_hours: 0.5 });
//   await harvest.close();
import { resolve } from 'node:path';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { clientConnection } from '../queues/connection.ts';
import { enqueueEvents, eventsQueue, type EventJob } from '../queues/events.ts';
import { DEFAULT_REDIS_URL } from './config.ts';
import {
  eventInputSchema, fieldIssues, toEventRecord,
  type ActionInput, type EventInput, type EventRecord, type EventSource, type OutcomeInput, type ToolSignalInput,
} from './model/event.ts';
import { appendToSpool, drainSpool, resolveSpoolPath, spoolPending } from './sinks/event-spool.ts';

export type { ActionInput, OutcomeInput, ToolSignalInput, EventInput, EventRecord };
export { attemptsBefore } from './state/pr-actions.ts';

export interface HarvestClientOptions {
  /** Default REDIS_URL, else redis://127.0.0.1:6379. */
  redisUrl?: string;
  /** Default HARVEST_PREFIX, else `harvest`. */
  prefix?: string;
  /** Where events wait while Redis is unreachable; default HARVEST_SPOOL, else
   *  `<HARVEST_OUT or ./data>/spool/events.jsonl`. `false`: throw instead of spooling. */
  spool?: string | false;
  /** How long a send may wait for Redis before the events are spooled; default 5000 ms. */
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
}

export interface RecordResult {
  ids: string[];
  /** `queued`: in Redis; `spooled`: in the local spool until Redis is back. */
  status: 'queued' | 'spooled';
  /** Why the events were spooled. */
  reason?: string;
}

export class InvalidEventError extends Error {
  override name = 'InvalidEventError';
  constructor(readonly issues: { path: string; message: string }[]) {
    super(`invalid event: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`);
  }
}

/** Validates inputs into records (throws InvalidEventError naming the fields). */
export function toRecords(inputs: readonly unknown[], source: EventSource, now = Date.now()): EventRecord[] {
  return inputs.map((input, i) => {
    const r = eventInputSchema.safeParse(input);
    if (!r.success) {
      throw new InvalidEventError(fieldIssues(r.error).map((x) => ({ ...x, path: inputs.length > 1 ? `${i}.${x.path}` : x.path })));
    }
    // The sender's clock fixes `at`, so a resend of this record is the same event.
    return toEventRecord({ ...r.data, at: r.data.at ?? new Date(now).toISOString() }, source, now);
  });
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let t: NodeJS.Timeout;
  return Promise.race([
    p.finally(() => clearTimeout(t)),
    new Promise<never>((_, reject) => {
      t = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
    }),
  ]);
}

/**
 * Queues the records, or spools them when the queue cannot be reached. After a successful send
 * the spool is drained too. Used by the client and the `record-*` commands.
 */
export async function submitOrSpool(
  records: EventRecord[],
  queue: Queue<EventJob> | null,
  spool: string | false,
  timeoutMs: number,
): Promise<RecordResult> {
  const ids = records.map((r) => r.id);
  try {
    if (!queue) throw new Error('Redis is not reachable');
    await withTimeout(enqueueEvents(queue, records), timeoutMs, 'queueing the events');
  } catch (e) {
    if (spool === false) throw e;
    await appendToSpool(spool, records);
    return { ids, status: 'spooled', reason: (e as Error).message };
  }
  if (spool !== false && (await spoolPending(spool))) {
    await withTimeout(drainSpool(spool, async (rs) => void (await enqueueEvents(queue, rs))), timeoutMs * 4, 'draining the spool').catch(() => undefined);
  }
  return { ids, status: 'queued' };
}

export class HarvestClient {
  private readonly connection: Redis;
  private readonly queue: Queue<EventJob>;
  private readonly spool: string | false;
  private readonly timeoutMs: number;

  constructor(opts: HarvestClientOptions = {}) {
    const env = opts.env ?? process.env;
    const ctx = { redisUrl: opts.redisUrl ?? env.REDIS_URL ?? DEFAULT_REDIS_URL, prefix: opts.prefix ?? env.HARVEST_PREFIX ?? 'harvest' };
    this.timeoutMs = opts.timeoutMs ?? 5000;
    this.connection = clientConnection(ctx, { maxRetriesPerRequest: 1, connectTimeout: Math.min(this.timeoutMs, 5000) });
    // Connection errors surface as failed sends (and spooled events), not as unhandled events.
    this.connection.on('error', () => undefined);
    this.queue = eventsQueue(ctx, this.connection);
    this.queue.on('error', () => undefined);
    this.spool = opts.spool === undefined ? resolveSpoolPath(env, resolve(env.HARVEST_OUT ?? './data')) : opts.spool;
  }

  recordAction(e: Omit<ActionInput, 'type'>): Promise<RecordResult> {
    return this.record([{ ...e, type: 'action_taken' }]);
  }

  recordOutcome(e: Omit<OutcomeInput, 'type'>): Promise<RecordResult> {
    return this.record([{ ...e, type: 'outcome' }]);
  }

  recordToolSignal(e: Omit<ToolSignalInput, 'type'>): Promise<RecordResult> {
    return this.record([{ ...e, type: 'tool_signal' }]);
  }

  /** Records events of any type; invalid input throws InvalidEventError before anything is sent. */
  async record(events: readonly EventInput[]): Promise<RecordResult> {
    const records = toRecords(events, 'client');
    return submitOrSpool(records, this.queue, this.spool, this.timeoutMs);
  }

  async close(): Promise<void> {
    await this.queue.close().catch(() => undefined);
    this.connection.disconnect();
  }
}

/** One-shot: connects, records one action, disconnects. Keep a HarvestClient for many. */
export async function recordAction(e: Omit<ActionInput, 'type'>, opts: HarvestClientOptions = {}): Promise<RecordResult> {
  const c = new HarvestClient(opts);
  try {
    return await c.recordAction(e);
  } finally {
    await c.close();
  }
}

/** One-shot: connects, records one outcome, disconnects. */
export async function recordOutcome(e: Omit<OutcomeInput, 'type'>, opts: HarvestClientOptions = {}): Promise<RecordResult> {
  const c = new HarvestClient(opts);
  try {
    return await c.recordOutcome(e);
  } finally {
    await c.close();
  }
}
