// What every worker that owns shard files does around its jobs: it takes its worker id's lock in the
// folder (a second process with the same id is refused), heartbeats (so producers know which
// datasets are served, and other machines know it is alive), makes sure the ledger is whole before
// the first job, seals the shards of owners that are gone (by their locks), seals its own idle
// shards, touches its locks, and lets go of all of it on the way out.
import { mkdir } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from '../src/log.ts';
import type { RecordLedger } from '../src/state/record-ledger.ts';
import { WorkerRegistry } from '../src/state/worker-registry.ts';
import type { ShardWriter } from '../src/sinks/shards/shard-writer.ts';
import { lockPath, recoverOpenShards } from '../src/sinks/shards/shard-files.ts';
import { seqInOpenShards } from '../src/sinks/shards/ledger-rebuild.ts';
import { acquireLock, createLock, describeHolder, lockState, refreshLock, releaseLock, thisHolder } from '../src/sinks/shards/owner-lock.ts';
import { UserError } from '../src/user-error.ts';

export interface ShardOwnerOptions {
  state: Redis;
  prefix: string;
  /** Identity in shard file names, in its lock and in the registry. */
  workerId: string;
  queue: string;
  /** Folder of this worker's shards (`<out>/samples`, `<out>/events`, ...). */
  root: string;
  /** The dataset the folder is (its id goes into the heartbeat). */
  datasetId: () => string;
  /** The writer and ledger of the current dataset (they change if the folder is emptied under it). */
  writer: () => ShardWriter;
  ledger?: () => RecordLedger;
  log: Logger;
  /** Seal own shards idle this long (never when undefined: the worker seals per job). */
  sealIdleMs?: number;
  tickMs: number;
  /** Extra work each tick (draining a spool, ...). */
  onTick?: () => Promise<void>;
}

export interface ShardOwner {
  /** Stops the ticks; deregisters and releases the worker lock. Call after the Worker closed and the writer sealed. */
  stop(): Promise<void>;
  /** Seals the shards of owners that are gone, now. */
  recover(): Promise<void>;
}

/** The lock that says a worker id is in use in this folder. */
export const workerLockPath = (root: string, workerId: string): string => join(root, '.locks', `${workerId}.lock`);

export async function startShardOwner(o: ShardOwnerOptions): Promise<ShardOwner> {
  const registry = new WorkerRegistry(o.state, o.prefix);
  const holder = thisHolder(o.workerId);
  const ownLock = workerLockPath(o.root, o.workerId);
  await mkdir(join(o.root, '.locks'), { recursive: true });
  const heartbeatAlive = (w: string) => registry.isAlive(w);
  const got = await acquireLock(ownLock, holder, { heartbeatAlive });
  if (!got.ok) {
    throw new UserError(
      `worker id ${o.workerId} is in use by ${describeHolder(got.holder)} for ${o.root} (lock ${ownLock})`,
      2,
      'give each worker process its own HARVEST_WORKER_ID (or leave it unset), or stop the other one',
    );
  }
  const beat = () => registry.beat(o.workerId, { host: hostname(), queues: [o.queue], pid: process.pid, dataset: o.datasetId() });
  try {
    await beat();
    const ledger = o.ledger?.();
    if (ledger) {
      // What the folder saw of the ledger: a Redis behind that lost state, even if this process is new.
      ledger.noteSeen(await seqInOpenShards(o.root));
      await ledger.ready();
    }
  } catch (e) {
    await releaseLock(ownLock, holder).catch(() => undefined);
    throw e;
  }
  const recover = async () => {
    const sealed = await recoverOpenShards(o.root, {
      ownerGone: async (final) => (await lockState(lockPath(final), { heartbeatAlive })).free,
      keeper: o.ledger?.(),
    });
    for (const m of sealed) {
      o.log.info({ shard: m.shard, worker: m.worker_id, records: m.records, dropped: m.dropped }, 'sealed a shard left open by a worker that is gone');
    }
  };
  await recover();
  const fail = (what: string) => (err: unknown) => o.log.error({ err, root: o.root }, `${what} failed`);
  let lostWarned = false;
  const keepLock = async () => {
    if (await refreshLock(ownLock, holder)) return;
    // Gone with an emptied folder: take it again. Held by another process: say so, once.
    await mkdir(join(o.root, '.locks'), { recursive: true });
    if (await createLock(ownLock, holder)) return;
    if (!lostWarned) {
      lostWarned = true;
      o.log.error({ lock: ownLock }, `another process took worker id ${o.workerId}'s lock: two processes share this id; stop one`);
    }
  };
  // One tick at a time, and stop() waits for the one under way: nothing is cut off half done at exit.
  let ticking: Promise<unknown> | null = null;
  const tick = () => Promise.all([
    beat().catch(() => undefined),
    keepLock().catch(() => undefined),
    o.writer().refreshLocks().catch(() => undefined),
    o.sealIdleMs !== undefined ? o.writer().sealIdle(o.sealIdleMs).catch(fail('sealing idle shards')) : undefined,
    recover().catch(fail('recovering open shards')),
    o.onTick?.().catch(fail('the worker tick')),
  ]);
  const timer = setInterval(() => {
    ticking ??= tick().finally(() => {
      ticking = null;
    });
  }, o.tickMs);
  timer.unref();
  return {
    recover,
    async stop() {
      clearInterval(timer);
      await ticking;
      await registry.remove(o.workerId).catch(() => undefined);
      await releaseLock(ownLock, holder).catch(() => undefined);
    },
  };
}

/**
 * Seals what it can at exit; shards it cannot seal now (Redis away, a full disk) keep their files
 * and lose their locks, so any worker (or `harvest shards recover`) seals them later.
 */
export async function sealOnExit(writer: ShardWriter, log: Logger): Promise<void> {
  try {
    await writer.sealAll();
  } catch (err) {
    const left = await writer.releaseUnsealed();
    log.warn({ err, shards: left }, 'could not seal every shard at exit; they stay open for another worker or `harvest shards recover`');
  }
}

/** True when BullMQ will not try this job again (its last attempt, or an unrecoverable error). */
export function isFinalFailure(job: Job, err: Error): boolean {
  return err.name === 'UnrecoverableError' || job.attemptsMade >= (job.opts.attempts ?? 1);
}
