// A worker process: serves the chosen queues until SIGTERM/SIGINT, then lets active jobs finish,
// seals its shards and exits. Run as `harvest worker` or `node --import tsx workers/main.ts`.
import type { HarvestConfig } from '../src/config.ts';
import type { Logger } from '../src/log.ts';
import { DEFAULT_CONCURRENCY, WORKERS, type ServingWorker } from './registry.ts';
import { WorkerUnavailableError } from './unavailable.ts';
import { UserError } from '../src/user-error.ts';

export interface WorkerProcessOptions {
  queues?: string[];
  /** Per-queue concurrency (`session-file=4`), else the default. */
  concurrency?: Record<string, number>;
}

export async function runWorkerProcess(cfg: HarvestConfig, log: Logger, opts: WorkerProcessOptions = {}): Promise<void> {
  const names = opts.queues?.length ? opts.queues : Object.keys(WORKERS);
  const unknown = names.filter((n) => !WORKERS[n]);
  if (unknown.length) throw new UserError(`unknown queue(s): ${unknown.join(', ')}`, 2, `name one of ${Object.keys(WORKERS).join(', ')} in --queues, or leave it out to serve all`);
  const running: ServingWorker[] = [];
  const serving: string[] = [];
  for (const n of names) {
    try {
      running.push(await WORKERS[n](cfg, log, opts.concurrency?.[n] ?? DEFAULT_CONCURRENCY[n] ?? cfg.concurrency));
      serving.push(n);
    } catch (e) {
      // Asked for by name it must run; among "all queues" it is skipped until configured.
      if (!(e instanceof WorkerUnavailableError) || opts.queues?.length) {
        await Promise.all(running.map((w) => w.close().catch(() => undefined)));
        throw e;
      }
      log.warn({ queue: n }, `not serving ${n}: ${e.message}`);
    }
  }
  if (running.length === 0) throw new UserError('no queue can be served here', 2, 'see the warnings above for the setting each queue needs');
  log.info({ worker: cfg.workerId, queues: serving, out: cfg.outDir }, 'worker started');
  await new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (sig: string) => {
      if (stopping) return;
      stopping = true;
      log.info({ signal: sig }, 'stopping: finishing active jobs');
      Promise.all(running.map((w) => w.close())).then(() => resolve(), (err) => {
        log.error({ err }, 'error while stopping');
        resolve();
      });
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
  log.info('worker stopped');
}
