// Wires the `events` queue to the event pipeline: the point sink (InfluxDB or line-protocol files,
// group commit), event shards under `<out>/events/<type>/`, the events ledger and the PRs' action
// lists in Redis. It also drains this host's spool (events saved while Redis was unreachable).
import { join } from 'node:path';
import { Worker, UnrecoverableError, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { HarvestConfig } from '../src/config.ts';
import type { Logger } from '../src/log.ts';
import { processEvents, PointRefusedError } from '../src/pipeline/events.ts';
import { RecordLedger } from '../src/state/record-ledger.ts';
import { datasetNamespace } from '../src/state/dataset-namespace.ts';
import { ensureDatasetIdentity } from '../src/sinks/shards/dataset-identity.ts';
import { folderLedgerSource } from '../src/sinks/shards/ledger-rebuild.ts';
import { recordPrActions } from '../src/state/pr-actions.ts';
import { PrLifecycleStore } from '../src/state/pr-lifecycles.ts';
import { ShardWriter } from '../src/sinks/shards/shard-writer.ts';
import { createPointSink } from '../src/sinks/influx/create-point-sink.ts';
import { drainSpool, resolveSpoolPath, spoolPending } from '../src/sinks/event-spool.ts';
import { influxSettingsFromEnv } from '../src/sources/influx/settings.ts';
import { atMs } from '../src/model/event.ts';
import type { PointSink } from '../src/model/point.ts';
import { EVENTS_QUEUE, enqueueEvents, eventsOfJob, eventsQueue, type EventJob } from '../queues/events.ts';
import { WORKER_LOCKS, workerConnection, clientConnection } from '../queues/connection.ts';
import { isFinalFailure, sealOnExit, startShardOwner } from './shard-owner.ts';

/** The events ledger lives apart from the samples ledger, in the same dataset's namespace. */
export const eventsLedgerNamespace = (prefix: string, datasetId: string): string => `${datasetNamespace(prefix, datasetId)}:events`;
export const eventsRoot = (outDir: string): string => join(outDir, 'events');

export interface EventsWorkerOptions {
  env?: NodeJS.ProcessEnv;
  /** A sink to use instead of the configured one (tests). */
  points?: PointSink;
}

export interface RunningEventsWorker {
  worker: Worker;
  writer: ShardWriter;
  /** Drains the spool now (also done at start and every few seconds). */
  drain(): Promise<void>;
  close(): Promise<void>;
}

export async function startEventsWorker(cfg: HarvestConfig, log: Logger, concurrency = cfg.concurrency, opts: EventsWorkerOptions = {}): Promise<RunningEventsWorker> {
  const env = opts.env ?? process.env;
  const ctx = { redisUrl: cfg.redisUrl, prefix: cfg.prefix };
  const state: Redis = clientConnection(ctx, { maxRetriesPerRequest: null });
  const root = eventsRoot(cfg.outDir);
  // Its own identity for shard and point files and liveness: the session worker of this process
  // deregisters on its own schedule, and must not make these open shards look abandoned.
  const workerId = `${cfg.workerId}-events`;
  const dataset = await ensureDatasetIdentity(cfg.outDir);
  const ledger = new RecordLedger(state, eventsLedgerNamespace(cfg.prefix, dataset.id), {
    source: folderLedgerSource(root, dataset.id),
    onRebuilt: (r) => log.warn({ ...r, root }, 'Redis had lost the events ledger; rebuilt it from the event shards'),
  });
  const lifecycles = new PrLifecycleStore(state, cfg.prefix);
  const writer = new ShardWriter({ root, workerId, maxBytes: cfg.shardMaxBytes, ledger, dataset: dataset.id });
  const points: PointSink = opts.points ?? (await createPointSink({ ...influxSettingsFromEnv(env), outDir: cfg.outDir, writerId: workerId, privacy: cfg.privacy }));
  const queue = eventsQueue(ctx, state);
  const spool = resolveSpoolPath(env, cfg.outDir);
  let draining: Promise<void> | null = null;
  const drain = (): Promise<void> => {
    draining ??= (async () => {
      if (!(await spoolPending(spool))) return;
      const r = await drainSpool(spool, async (records) => void (await enqueueEvents(queue, records)));
      if (r.events || r.rejected) log.info({ spool, ...r }, 'drained the event spool');
      if (r.rejected) log.warn({ file: `${spool}.rejected`, lines: r.rejected }, 'spool lines that are not events were set aside');
    })().finally(() => {
      draining = null;
    });
    return draining;
  };

  // Before the Worker takes jobs: the ledger must be whole first.
  const owner = await startShardOwner({
    state, prefix: cfg.prefix, workerId, queue: EVENTS_QUEUE, root, log,
    datasetId: () => dataset.id, writer: () => writer, ledger: () => ledger,
    sealIdleMs: cfg.sealIdleMs, tickMs: Math.min(5_000, cfg.sealIdleMs), onTick: drain,
  });

  const processor = async (job: Job<EventJob>) => {
    const parsed = eventsOfJob(job.data);
    if (!parsed.ok) throw new UnrecoverableError(`invalid event job: ${parsed.error}`);
    try {
      const res = await processEvents(parsed.events, {
        writer,
        points,
        ledger,
        recordActions: async (rs) => {
          await recordPrActions(state, cfg.prefix, rs.map((r) => ({ repo: r.repo, pr: r.pr, entry: { id: r.id, action: r.action, atMs: atMs(r) } })));
          await lifecycles.applyEvents(rs.map((r) => ({ kind: 'action' as const, id: r.id, repo: r.repo, pr: r.pr, atMs: atMs(r), action: r.action, session: r.session })));
        },
        recordOutcomes: async (rs) => void (await lifecycles.applyEvents(rs.map((r) => ({ kind: 'outcome' as const, id: r.id, repo: r.repo, pr: r.pr, atMs: atMs(r), result: r.result })))),
        privacy: cfg.privacy,
      });
      return { written: res.written };
    } catch (e) {
      if (e instanceof PointRefusedError) throw new UnrecoverableError(e.message);
      throw e;
    }
  };

  // BullMQ leaves a connection it was given open on close(): this one is closed below.
  const workerConn = workerConnection(ctx);
  const worker = new Worker<EventJob>(EVENTS_QUEUE, processor, {
    connection: workerConn,
    prefix: cfg.prefix,
    concurrency,
    ...WORKER_LOCKS,
  });
  worker.on('failed', (job, err) => {
    if (!job) return;
    const final = isFinalFailure(job, err);
    const events = eventsOfJob(job.data);
    log.warn({ job: job.id, events: events.ok ? events.events.length : 0, attempt: job.attemptsMade, final }, `events job failed: ${err.message}`);
  });
  worker.on('error', (err) => log.error({ err }, 'events worker error'));

  await drain().catch((err) => log.error({ err, spool }, 'draining the event spool failed'));

  let closing: Promise<void> | null = null;
  return {
    worker,
    writer,
    drain,
    close() {
      closing ??= (async () => {
        await owner.stop();
        await draining?.catch(() => undefined);
        await worker.close();
        workerConn.disconnect();
        await lifecycles.close();
        await points.close();
        await sealOnExit(writer, log);
        await queue.close();
        state.disconnect();
      })();
      return closing;
    },
  };
}
