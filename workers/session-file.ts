// Wires the `session-file` queue to the session pipeline: one BullMQ Worker, the process's shard
// writer, and the shared ledgers in Redis.
import { join } from 'node:path';
import { Worker, UnrecoverableError, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { HarvestConfig } from '../src/config.ts';
import type { Logger } from '../src/log.ts';
import { processSessionFile, PermanentJobError } from '../src/pipeline/session-file.ts';
import { RecordLedger } from '../src/state/record-ledger.ts';
import { FileLedger } from '../src/state/file-ledger.ts';
import { datasetNamespace } from '../src/state/dataset-namespace.ts';
import { DatasetFolder, type DatasetIdentity } from '../src/sinks/shards/dataset-identity.ts';
import { folderLedgerSource } from '../src/sinks/shards/ledger-rebuild.ts';
import { RunStats } from '../src/state/run-stats.ts';
import { ShardWriter } from '../src/sinks/shards/shard-writer.ts';
import { RedisBeadLookup } from '../src/state/bead-store.ts';
import { RedisPrLookup } from '../src/state/pr-lifecycles.ts';
import { WorkerMetrics } from '../src/state/worker-metrics.ts';
import { observeJobMetrics } from './job-metrics.ts';
import { isFinalFailure, sealOnExit, startShardOwner } from './shard-owner.ts';
import { tuneHeapForWorkers } from './heap.ts';
import { WarningLog } from './warning-log.ts';
import { toRunWarning } from '../src/model/run-warning.ts';
import { SESSION_FILE_QUEUE, sessionFileJobSchema, type SessionFileJob } from '../queues/session-file.ts';
import { workerLocks, workerConnection, clientConnection } from '../queues/connection.ts';

export interface RunningWorker {
  worker: Worker;
  writer: ShardWriter;
  /** Finishes active jobs, seals shards, closes connections. */
  close(): Promise<void>;
}

/** The current dataset of the folder, with its ledgers and the writer of its shards. */
interface DatasetSink {
  identity: DatasetIdentity;
  ledger: RecordLedger;
  files: FileLedger;
  writer: ShardWriter;
}

export async function startSessionFileWorker(cfg: HarvestConfig, log: Logger, concurrency = cfg.concurrency): Promise<RunningWorker> {
  // Here, not in the process entry: `backfill --inline` and `run` start this worker too.
  tuneHeapForWorkers();
  const ctx = { redisUrl: cfg.redisUrl, prefix: cfg.prefix };
  const state: Redis = clientConnection(ctx, { maxRetriesPerRequest: null });
  const samplesRoot = join(cfg.outDir, 'samples');
  const folder = new DatasetFolder(cfg.outDir);
  const runs = new RunStats(state, cfg.prefix);
  const beads = new RedisBeadLookup(state, cfg.prefix);
  const prs = new RedisPrLookup(state, cfg.prefix);
  const sinkFor = (identity: DatasetIdentity): DatasetSink => {
    const ns = datasetNamespace(cfg.prefix, identity.id);
    const ledger = new RecordLedger(state, ns, {
      source: folderLedgerSource(samplesRoot, identity.id),
      onRebuilt: (r) => log.warn({ ...r, root: samplesRoot, dataset: identity.id }, 'Redis had lost the dedupe ledger; rebuilt it from the shard manifests and commit logs'),
    });
    return {
      identity,
      ledger,
      files: new FileLedger(state, ns),
      writer: new ShardWriter({ root: samplesRoot, workerId: cfg.workerId, maxBytes: cfg.shardMaxBytes, ledger, dataset: identity.id }),
    };
  };
  let sink = sinkFor(await folder.current());
  /** Output of writers replaced since (their folder was emptied): totals only grow. */
  const retired = { bytesWritten: 0, recordsWritten: 0 };
  /** The folder's dataset now: a folder emptied under a running worker is a new dataset. */
  let switching: Promise<DatasetSink> | null = null;
  const current = async (): Promise<DatasetSink> => {
    const identity = await folder.current();
    if (identity.id === sink.identity.id) return sink;
    switching ??= (async () => {
      if (identity.id === sink.identity.id) return sink;
      log.error({ out: cfg.outDir, was: sink.identity.id, now: identity.id }, 'the dataset folder was emptied or replaced under this worker: writing a new dataset there');
      const old = sink;
      retired.bytesWritten += old.writer.bytesWritten;
      retired.recordsWritten += old.writer.recordsWritten;
      const next = sinkFor(identity);
      await next.ledger.ready();
      sink = next;
      await old.writer.abandon();
      return sink;
    })().finally(() => {
      switching = null;
    });
    return switching;
  };

  const owner = await startShardOwner({
    state, prefix: cfg.prefix, workerId: cfg.workerId, queue: SESSION_FILE_QUEUE, root: samplesRoot, log,
    datasetId: () => sink.identity.id, writer: () => sink.writer, ledger: () => sink.ledger,
    sealIdleMs: cfg.sealIdleMs, tickMs: Math.min(10_000, cfg.sealIdleMs),
    // Each tick too, so the heartbeat names the folder's dataset as it is now (producers read it).
    onTick: async () => void (await current()),
  });

  const warningLog = new WarningLog(log);
  const processor = async (job: Job<SessionFileJob>) => {
    const parsed = sessionFileJobSchema.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`invalid job data: ${parsed.error.issues[0]?.message}`);
    const data = parsed.data;
    const s = await current();
    // The producer may not have known this dataset (no live worker when it looked): an unchanged
    // file is still skipped here, unopened.
    if ((await s.files.processed([data]))[0]) {
      if (data.runId) await runs.addOnce(data.runId, job.id ?? data.path, { files: 1, files_unchanged: 1 });
      return { session: null, samples: 0, unchanged: true };
    }
    try {
      const res = await processSessionFile(data, cfg, { ledger: s.ledger, writer: s.writer, beads, prs });
      const warnings = res.warnings.map((w) => toRunWarning(data.path, w));
      for (const w of warnings) warningLog.warn(w);
      await s.files.markProcessed(data);
      if (data.runId) await runs.addOnce(data.runId, job.id ?? data.path, { ...res.counts, files: 1 }, warnings);
      return { session: res.sessionId, samples: res.counts.samples_written ?? 0 };
    } catch (e) {
      if (e instanceof PermanentJobError) throw new UnrecoverableError(e.message);
      throw e;
    }
  };

  // BullMQ never closes a connection it is handed: this one is ours to close.
  const blocking = workerConnection(ctx);
  const worker = new Worker<SessionFileJob>(SESSION_FILE_QUEUE, processor, {
    connection: blocking,
    prefix: cfg.prefix,
    concurrency,
    // A dead worker's jobs come back after the lock expires; keep that short for fast takeover.
    ...workerLocks(cfg.jobLockMs),
  });
  worker.on('failed', (job, err) => {
    if (!job) return;
    const final = isFinalFailure(job, err);
    log.warn({ path: job.data.path, attempt: job.attemptsMade, final }, `session file failed: ${err.message}`);
    const warning = toRunWarning(job.data.path, `failed: ${err.message.replace(`${job.data.path}: `, '')}`);
    if (final && job.data.runId) void runs.addOnce(job.data.runId, job.id ?? job.data.path, { files_failed: 1 }, [warning]).catch(() => undefined);
  });
  worker.on('error', (err) => log.error({ err }, 'worker error'));
  const jobMetrics = observeJobMetrics(worker, new WorkerMetrics(state, cfg.prefix), {
    get bytesWritten() { return retired.bytesWritten + sink.writer.bytesWritten; },
    get recordsWritten() { return retired.recordsWritten + sink.writer.recordsWritten; },
  });

  let closing: Promise<void> | null = null;
  return {
    worker,
    get writer() {
      return sink.writer;
    },
    close() {
      closing ??= (async () => {
        await worker.close();
        await jobMetrics.flush();
        await sealOnExit(sink.writer, log);
        await owner.stop();
        state.disconnect();
        blocking.disconnect();
      })();
      return closing;
    },
  };
}
