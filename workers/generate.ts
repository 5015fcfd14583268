// Wires the `generate` queue to the generate pipeline: one BullMQ Worker (concurrency per process,
// a rate limit across the queue), its own shard writer under `<out>/samples`, and the shared ledgers.
// A job names its command only as one of the templates this worker was configured with
// (HARVEST_GENERATOR, or the --command of an inline `harvest generate`): Redis is not a way to run
// arbitrary programs on a worker's host.
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Worker, UnrecoverableError, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from '../src/log.ts';
import { PermanentJobError } from '../src/pipeline/session-file.ts';
import { runGenerateJob } from '../src/pipeline/generate-job.ts';
import { generatedSessionsRoot, generatorConfig, programExists, type GeneratorConfig } from '../src/pipeline/generate-config.ts';
import { misplacedRoles } from '../src/pipeline/generate-sandbox.ts';
import { systemPromptFor } from '../src/transforms/role-prompts.ts';
import { scrubberFor } from '../src/transforms/scrub.ts';
import { processPrivacy, type HarvestConfig } from '../src/config.ts';
import { RecordLedger } from '../src/state/record-ledger.ts';
import { FileLedger } from '../src/state/file-ledger.ts';
import { RunStats } from '../src/state/run-stats.ts';
import { ShardWriter } from '../src/sinks/shards/shard-writer.ts';
import { WorkerMetrics } from '../src/state/worker-metrics.ts';
import { observeJobMetrics } from './job-metrics.ts';
import { isFinalFailure, sealOnExit, startShardOwner } from './shard-owner.ts';
import { datasetNamespace } from '../src/state/dataset-namespace.ts';
import { ensureDatasetIdentity } from '../src/sinks/shards/dataset-identity.ts';
import { folderLedgerSource } from '../src/sinks/shards/ledger-rebuild.ts';
import { WorkerUnavailableError } from './unavailable.ts';
import { GENERATE_LIMITER, GENERATE_QUEUE, generateJobSchema, type GenerateJob } from '../queues/generate.ts';
import { WORKER_LOCKS, workerConnection, clientConnection } from '../queues/connection.ts';

export interface GenerateWorkerOptions {
  env?: NodeJS.ProcessEnv;
  /** Settings to use instead of those from the environment (tests). */
  generator?: GeneratorConfig;
  /** Templates jobs may name besides the configured one (an inline run's --command). */
  extraCommands?: string[][];
}

export interface RunningGenerateWorker {
  worker: Worker;
  writer: ShardWriter;
  generator: GeneratorConfig;
  close(): Promise<void>;
}

const sameArgv = (a: readonly string[], b: readonly string[]): boolean => a.length === b.length && a.every((x, i) => x === b[i]);

export async function startGenerateWorker(cfg: HarvestConfig, log: Logger, concurrency = 1, opts: GenerateWorkerOptions = {}): Promise<RunningGenerateWorker> {
  const gen = opts.generator ?? generatorConfig(cfg, opts.env ?? process.env);
  const allowed = [gen.command, ...(opts.extraCommands ?? [])];
  if (!opts.extraCommands?.length && !programExists(gen.command[0], gen.env)) {
    throw new WorkerUnavailableError(GENERATE_QUEUE, `the ${GENERATE_QUEUE} worker needs its generator: ${gen.command[0]} is not on PATH; install pir or set HARVEST_GENERATOR`);
  }
  const misplaced = misplacedRoles(gen.generateDir, cfg.townRoot);
  if (misplaced.length) {
    throw new WorkerUnavailableError(GENERATE_QUEUE, `the sandbox town under ${gen.generateDir} would not read as ${misplaced.join(', ')} (is it inside the town root ${cfg.townRoot}?); set HARVEST_GENERATE_DIR elsewhere`);
  }
  const ctx = { redisUrl: cfg.redisUrl, prefix: cfg.prefix };
  const state: Redis = clientConnection(ctx, { maxRetriesPerRequest: null });
  const samplesRoot = join(cfg.outDir, 'samples');
  const workerId = `${cfg.workerId}-generate`;
  // The same dataset as the session workers writing this folder: the same namespaced ledgers.
  const dataset = await ensureDatasetIdentity(cfg.outDir);
  const ns = datasetNamespace(cfg.prefix, dataset.id);
  const ledger = new RecordLedger(state, ns, {
    source: folderLedgerSource(samplesRoot, dataset.id),
    onRebuilt: (r) => log.warn({ ...r, root: samplesRoot, dataset: dataset.id }, 'Redis had lost the dedupe ledger; rebuilt it from the shard manifests and commit logs'),
  });
  const files = new FileLedger(state, ns);
  const runs = new RunStats(state, cfg.prefix);
  const writer = new ShardWriter({ root: samplesRoot, workerId, maxBytes: cfg.shardMaxBytes, ledger, dataset: dataset.id });
  const owner = await startShardOwner({
    state, prefix: cfg.prefix, workerId, queue: GENERATE_QUEUE, root: samplesRoot, log,
    datasetId: () => dataset.id, writer: () => writer, ledger: () => ledger,
    sealIdleMs: cfg.sealIdleMs, tickMs: Math.min(10_000, cfg.sealIdleMs),
  });
  const sessionOpts = { ...cfg, roots: [...cfg.roots, generatedSessionsRoot(gen)] };
  // Aborted on close: running generators are stopped and their jobs retried later.
  const stopping = new AbortController();

  const processor = async (job: Job<GenerateJob>) => {
    const parsed = generateJobSchema.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`invalid generate job: ${parsed.error.issues[0]?.message}`);
    const data = parsed.data;
    const template = data.command ?? gen.command;
    if (!allowed.some((c) => sameArgv(c, template))) {
      throw new UnrecoverableError(`refused: the job's command is not the generator this worker runs (${gen.command[0]}); give workers HARVEST_GENERATOR, or run harvest generate --inline`);
    }
    const jobId = job.id ?? `gen-${data.scenarioKey}`;
    try {
      const res = await runGenerateJob(
        { jobId, role: data.role, prompt: data.prompt, system: data.system ?? systemPromptFor(data.role), scenario: data.scenario ?? null, scenarioKey: data.scenarioKey, template },
        gen, sessionOpts, { ledger, writer }, stopping.signal,
      );
      const st = await stat(res.sessionPath);
      // A backfill over the sandbox sessions folder must not read them again as unmarked sessions.
      await files.markProcessed({ path: res.sessionPath, size: st.size, mtimeMs: st.mtimeMs });
      if (data.runId) await runs.addOnce(data.runId, jobId, { ...res.counts, generated: 1 });
      return { session: res.sessionId, path: res.sessionPath, via: res.via, samples: res.counts.samples_written ?? 0 };
    } catch (e) {
      if (e instanceof PermanentJobError) throw new UnrecoverableError(e.message);
      throw e;
    }
  };

  const blocking = workerConnection(ctx);
  const worker = new Worker<GenerateJob>(GENERATE_QUEUE, processor, {
    connection: blocking,
    prefix: cfg.prefix,
    concurrency,
    limiter: { max: gen.ratePerMinute ?? GENERATE_LIMITER.max, duration: GENERATE_LIMITER.duration },
    ...WORKER_LOCKS,
  });
  worker.on('failed', (job, err) => {
    if (!job) return;
    const final = isFinalFailure(job, err);
    log.warn({ job: job.id, role: job.data.role, attempt: job.attemptsMade, final }, `generate job failed: ${scrubberFor(processPrivacy()).text(err.message, {})}`);
    if (final && job.data.runId) void runs.addOnce(job.data.runId, job.id ?? '', { generate_failed: 1 }).catch(() => undefined);
  });
  worker.on('error', (err) => log.error({ err }, 'generate worker error'));
  observeJobMetrics(worker, new WorkerMetrics(state, cfg.prefix), writer);

  let closing: Promise<void> | null = null;
  return {
    worker,
    writer,
    generator: gen,
    close() {
      closing ??= (async () => {
        stopping.abort();
        await worker.close();
        await sealOnExit(writer, log);
        await owner.stop();
        state.disconnect();
        blocking.disconnect();
      })();
      return closing;
    },
  };
}
