// `harvest backfill`: discover session files, enqueue them (backpressure, dedupe by job id and by
// the processed-files ledger), and with --inline run workers here until this run's jobs are done.
import { randomBytes } from 'node:crypto';
import type { HarvestConfig } from '../config.ts';
import type { Logger } from '../log.ts';
import { discoverSessionFiles, type DiscoveryNotes } from '../sources/discover-all.ts';
import { RunStats } from '../state/run-stats.ts';
import { clientConnection } from '../../queues/connection.ts';
import { enqueueSessionFiles, sessionFileQueue, type SessionFileJob } from '../../queues/session-file.ts';
import { allRoots, chooseRoots, type RootFlags } from './session-roots.ts';
import { producerFiles } from './producer-files.ts';
import { buildSummary, formatSummary, type RunSummary } from './summary.ts';
import { writeRunSummary } from '../pipeline/run-summary.ts';
import type { Counts } from '../model/session.ts';
import { createProgress, progressMode, type ProgressState } from './progress.ts';
import { verbosity } from './verbosity.ts';

/** How often the run's counters are read back for the progress display. */
const TICK_MS = 200;

export interface BackfillOptions extends RootFlags {
  inline?: boolean;
  json?: boolean;
  concurrency?: number;
}

export async function backfill(cfg: HarvestConfig, opts: BackfillOptions, log: Logger): Promise<RunSummary | null> {
  const started = Date.now();
  const { roots, origin } = chooseRoots(opts);
  if (origin === 'fixtures') log.info('no default session folders here; backfilling the bundled sample data in fixtures/');
  // Roots named for this run are roots this run's inline workers may read.
  const runCfg: HarvestConfig = { ...cfg, roots: [...new Set([...cfg.roots, ...allRoots(roots)])] };

  const ctx = { redisUrl: cfg.redisUrl, prefix: cfg.prefix };
  const redis = clientConnection(ctx);
  const queue = sessionFileQueue(ctx, redis);
  // The dataset(s) the jobs go to: an inline run's own --out, else those the live workers write.
  const files = await producerFiles(redis, cfg, { inline: !!opts.inline });
  const runs = new RunStats(redis, cfg.prefix);
  const runId = `${new Date().toISOString().replace(/[-:.TZ]/g, '').slice(0, 14)}-${randomBytes(3).toString('hex')}`;
  // Only an inline run that has work needs the worker's code: it starts with the first job enqueued,
  // so a plain backfill (a producer) and a re-run over unchanged files never load it.
  type InlineWorker = Awaited<ReturnType<typeof import('../../workers/session-file.ts')['startSessionFileWorker']>>;
  let starting: Promise<InlineWorker> | null = null;
  const startWorker = (): Promise<InlineWorker> => (starting ??= import('../../workers/session-file.ts')
    .then((m) => m.startSessionFileWorker(runCfg, log, opts.concurrency ?? cfg.concurrency)));
  const stopWorker = async (): Promise<void> => {
    const pending = starting as Promise<InlineWorker> | null;
    starting = null;
    if (pending) await (await pending).close();
  };

  const notes: DiscoveryNotes = { notices: [], missing: [] };
  const progress = createProgress(opts.inline ? progressMode({ tty: process.stderr.isTTY === true, quiet: verbosity() === 'quiet', json: opts.json === true }) : 'none', log);
  const state: ProgressState = { discovered: 0, enqueuing: true, enqueued: 0, unchanged: 0, processed: 0, failed: 0, samples: 0, warnings: 0 };
  async function* jobs(): AsyncGenerator<SessionFileJob> {
    for await (const f of discoverSessionFiles(roots, notes)) {
      state.discovered++;
      yield { ...f, runId };
    }
  }
  // The run's counters, read from Redis while it goes (the workers may be elsewhere).
  const refresh = async (): Promise<Counts> => {
    const c = await runs.get(runId);
    state.processed = c.files ?? 0;
    state.failed = c.files_failed ?? 0;
    state.samples = c.samples_written ?? 0;
    state.warnings = c.warnings ?? 0;
    progress.update(state);
    return c;
  };
  let ticking = opts.inline === true;
  const ticker = (async () => {
    while (ticking) {
      await refresh().catch(() => undefined);
      await new Promise((r) => setTimeout(r, TICK_MS));
    }
  })();
  try {
    const res = await enqueueSessionFiles(queue, redis, jobs(), {
      highWater: cfg.highWater,
      lowWater: cfg.lowWater,
      onPause: (w) => log.info({ waiting: w }, 'queue above high-water mark; pausing the producer'),
    }, {
      alreadyDone: (b) => files.processed(b),
      jobSalt: files.jobSalt,
      onAdded: (n) => {
        state.enqueued += n;
        // Its failure is reported where the run awaits it, below.
        if (opts.inline && n > 0) startWorker().catch(() => undefined);
      },
    });
    state.enqueuing = false;
    state.unchanged = res.skipped;
    for (const n of new Set(notes.notices)) log.info(n);
    if (notes.missing.length) log.warn({ count: notes.missing.length, first: notes.missing[0] }, 'index rows whose session file is gone');
    log.info({ run: runId, found: res.submitted, enqueued: res.added, unchanged: res.skipped }, 'enqueued session files');
    if (res.submitted === 0) log.warn({ roots: allRoots(roots) }, `no session files under ${allRoots(roots).join(', ')}`);

    if (opts.inline && res.added > 0) await startWorker();
    if (!opts.inline) {
      if (opts.json) process.stdout.write(JSON.stringify({ run_id: runId, files: { found: res.submitted, enqueued: res.added, unchanged: res.skipped } }) + '\n');
      else process.stdout.write(`enqueued ${res.added} of ${res.submitted} session files (run ${runId}); workers will process them\n`);
      return null;
    }
    let counts = await refresh();
    while ((counts.files ?? 0) + (counts.files_failed ?? 0) < res.added) {
      await new Promise((r) => setTimeout(r, TICK_MS));
      counts = await refresh();
    }
    ticking = false;
    await ticker;
    progress.stop();
    await stopWorker();
    const warnings = await runs.warnings(runId);
    const summary = buildSummary(runId, cfg.outDir, counts, res.submitted, res.added, Date.now() - started, warnings);
    // A re-run that found nothing new leaves no run file: there is nothing to tell about it.
    const runFile = res.added > 0 ? await writeRunSummary(summary, counts, warnings) : undefined;
    if (!opts.json) process.stdout.write(formatSummary(summary, runFile) + '\n');
    else process.stdout.write(JSON.stringify(runFile ? { ...summary, run_file: runFile } : summary) + '\n');
    return summary;
  } finally {
    ticking = false;
    await ticker;
    progress.stop();
    await stopWorker().catch(() => undefined);
    await queue.close();
    redis.disconnect();
  }
}
