// Wires the `beads` queue to the beads pipeline: the bead store in Redis, shards under
// `<out>/beads/`, and the point sink (InfluxDB or line-protocol files) for `bead_outcome` points.
// A job may read only under the configured roots or the town root (exports live in the town).
import { realpath, stat } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { Worker, UnrecoverableError, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { HarvestConfig } from '../src/config.ts';
import type { Logger } from '../src/log.ts';
import type { PointSink } from '../src/model/point.ts';
import { processBeadExport } from '../src/pipeline/beads-export.ts';
import { BeadStore } from '../src/state/bead-store.ts';
import { RunStats } from '../src/state/run-stats.ts';
import { ShardWriter } from '../src/sinks/shards/shard-writer.ts';
import { createPointSink } from '../src/sinks/influx/create-point-sink.ts';
import { influxSettingsFromEnv } from '../src/sources/influx/settings.ts';
import { BEADS_QUEUE, beadsJobSchema, type BeadsJob } from '../queues/beads.ts';
import { workerConnection, clientConnection } from '../queues/connection.ts';
import { isFinalFailure, sealOnExit, startShardOwner } from './shard-owner.ts';
import { ensureDatasetIdentity } from '../src/sinks/shards/dataset-identity.ts';

export const beadsRoot = (outDir: string): string => join(outDir, 'beads');

export interface BeadsWorkerOptions {
  env?: NodeJS.ProcessEnv;
  /** A sink to use instead of the configured one (tests). */
  points?: PointSink;
  /** Extra folders this worker may read (an inline `beads ingest DIR`). */
  extraRoots?: string[];
}

export interface RunningBeadsWorker {
  worker: Worker;
  writer: ShardWriter;
  close(): Promise<void>;
}

async function allowed(path: string, roots: string[]): Promise<boolean> {
  const real = await realpath(path).catch(() => null);
  if (!real) return false;
  for (const r of roots) {
    const rr = await realpath(r).catch(() => null);
    if (rr && (real === rr || real.startsWith(rr + sep))) return true;
  }
  return false;
}

export async function startBeadsWorker(cfg: HarvestConfig, log: Logger, concurrency = 1, opts: BeadsWorkerOptions = {}): Promise<RunningBeadsWorker> {
  const env = opts.env ?? process.env;
  const ctx = { redisUrl: cfg.redisUrl, prefix: cfg.prefix };
  const state: Redis = clientConnection(ctx, { maxRetriesPerRequest: null });
  const root = beadsRoot(cfg.outDir);
  const workerId = `${cfg.workerId}-beads`;
  const store = new BeadStore(state, cfg.prefix);
  const runs = new RunStats(state, cfg.prefix);
  const writer = new ShardWriter({ root, workerId, maxBytes: cfg.shardMaxBytes });
  const points: PointSink = opts.points ?? (await createPointSink({ ...influxSettingsFromEnv(env), outDir: cfg.outDir, writerId: workerId, privacy: cfg.privacy }));
  const roots = [...cfg.roots, cfg.townRoot, ...(opts.extraRoots ?? [])];
  // Sealed per job, so no idle sealing; a dead worker's open shard is still sealed by the others.
  const dataset = await ensureDatasetIdentity(cfg.outDir);
  const owner = await startShardOwner({
    state, prefix: cfg.prefix, workerId, queue: BEADS_QUEUE, root, log, datasetId: () => dataset.id, writer: () => writer, tickMs: 10_000,
  });

  const processor = async (job: Job<BeadsJob>) => {
    const parsed = beadsJobSchema.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`invalid beads job: ${parsed.error.issues[0]?.message}`);
    const data = parsed.data;
    for (const p of [data.issuesPath, data.eventsPath, data.dependenciesPath, data.labelsPath]) {
      if (!p) continue;
      const st = await stat(p).catch(() => null);
      if (!st?.isFile()) throw new UnrecoverableError(`${p}: not a readable file`);
      if (!(await allowed(p, roots))) throw new UnrecoverableError(`${p}: refused, outside the configured roots (${roots.join(', ')})`);
    }
    const res = await processBeadExport(data, { maxLineBytes: cfg.maxLineBytes, outDir: cfg.outDir }, { store, writer, points });
    for (const w of res.warnings) log.warn({ source: data.source }, w);
    // Sealed per job: an export is one unit, and readers should see it as soon as it is done.
    await writer.sealAll();
    if (data.runId) await runs.addOnce(data.runId, job.id ?? data.issuesPath, { ...res.counts, exports: 1 });
    return { source: data.source, lifecycles: res.counts.lifecycles ?? 0, written: res.counts.beads_written ?? 0 };
  };

  const connection = workerConnection(ctx);
  const worker = new Worker<BeadsJob>(BEADS_QUEUE, processor, {
    connection,
    prefix: cfg.prefix,
    concurrency,
    lockDuration: 120_000,
    stalledInterval: 30_000,
    maxStalledCount: 3,
  });
  worker.on('failed', (job, err) => {
    if (!job) return;
    const final = isFinalFailure(job, err);
    log.warn({ issues: job.data.issuesPath, attempt: job.attemptsMade, final }, `beads export failed: ${err.message}`);
    if (final && job.data.runId) void runs.addOnce(job.data.runId, job.id ?? job.data.issuesPath, { exports_failed: 1 }).catch(() => undefined);
  });
  worker.on('error', (err) => log.error({ err }, 'beads worker error'));

  let closing: Promise<void> | null = null;
  return {
    worker,
    writer,
    close() {
      closing ??= (async () => {
        await worker.close();
        await points.close();
        await sealOnExit(writer, log);
        await owner.stop();
        // BullMQ leaves a connection it was given open; this process made it, so it closes it.
        connection.disconnect();
        state.disconnect();
      })();
      return closing;
    },
  };
}
