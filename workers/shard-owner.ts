// What every worker that owns shard files does around its jobs: a heartbeat (so others know it is
// alive), the dedupe ledger rebuilt when Redis lost it, the open shards of dead workers sealed, its
// own idle shards sealed, and its registration removed on the way out.
import { hostname } from 'node:os';
import type { Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from '../src/log.ts';
import type { RecordLedger } from '../src/state/record-ledger.ts';
import { WorkerRegistry } from '../src/state/worker-registry.ts';
import type { ShardWriter } from '../src/sinks/shards/shard-writer.ts';
import { recoverOpenShards } from '../src/sinks/shards/shard-files.ts';
import { rebuildLedgerIfLost } from '../src/sinks/shards/ledger-rebuild.ts';

export interface ShardOwnerOptions {
  state: Redis;
  prefix: string;
  /** Identity in shard file names and in the registry. */
  workerId: string;
  queue: string;
  /** Folder of this worker's shards (`<out>/samples`, `<out>/events`, ...). */
  root: string;
  writer: ShardWriter;
  log: Logger;
  /** Rebuilt from the shard manifests under `root` when Redis holds none of it. */
  ledger?: RecordLedger;
  /** Seal own shards idle this long (never when undefined: the worker seals per job). */
  sealIdleMs?: number;
  tickMs: number;
  /** Extra work each tick (draining a spool, ...). */
  onTick?: () => Promise<void>;
}

export interface ShardOwner {
  /** Stops the ticks; deregisters. Call after the Worker closed and the writer sealed. */
  stop(): Promise<void>;
}

export async function startShardOwner(o: ShardOwnerOptions): Promise<ShardOwner> {
  const registry = new WorkerRegistry(o.state, o.prefix);
  const beat = () => registry.beat(o.workerId, { host: hostname(), queues: [o.queue], pid: process.pid });
  await beat();
  if (o.ledger) {
    const rebuilt = await rebuildLedgerIfLost(o.ledger, o.root);
    if (rebuilt > 0) o.log.warn({ records: rebuilt, root: o.root }, 'dedupe ledger was empty in Redis; rebuilt it from shard manifests');
  }
  const recover = async () => {
    const sealed = await recoverOpenShards(o.root, (id) => (id === o.workerId ? Promise.resolve(true) : registry.isAlive(id)));
    for (const m of sealed) o.log.info({ shard: m.shard, records: m.records }, 'sealed a shard left open by a stopped worker');
  };
  await recover();
  const fail = (what: string) => (err: unknown) => o.log.error({ err, root: o.root }, `${what} failed`);
  const timer = setInterval(() => {
    void beat().catch(() => undefined);
    if (o.sealIdleMs !== undefined) void o.writer.sealIdle(o.sealIdleMs).catch(fail('sealing idle shards'));
    void recover().catch(fail('recovering open shards'));
    if (o.onTick) void o.onTick().catch(fail('the worker tick'));
  }, o.tickMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await registry.remove(o.workerId).catch(() => undefined);
    },
  };
}

/** True when BullMQ will not try this job again (its last attempt, or an unrecoverable error). */
export function isFinalFailure(job: Job, err: Error): boolean {
  return err.name === 'UnrecoverableError' || job.attemptsMade >= (job.opts.attempts ?? 1);
}
