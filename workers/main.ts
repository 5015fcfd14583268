// A worker process: serves the chosen queues until SIGTERM/SIGINT, then lets active jobs finish,
// seals its shards and exits. Run as `harvest worker` or `node --import tsx workers/main.ts`.
import type { HarvestConfig } from '../src/config.ts';
import type { Logger } from '../src/log.ts';
import { WORKERS, type ServingWorker } from './registry.ts';

export interface WorkerProcessOptions {
  queues?: string[];
  /** Per-queue concurrency (`session-file=4`), else the default. */
  concurrency?: Record<string, number>;
}

export async function runWorkerProcess(cfg: HarvestConfig, log: Logger, opts: WorkerProcessOptions = {}): Promise<void> {
  const names = opts.queues?.length ? opts.queues : Object.keys(WORKERS);
  const unknown = names.filter((n) => !WORKERS[n]);
  if (unknown.length) throw new Error(`unknown queue(s): ${unknown.join(', ')}; known: ${Object.keys(WORKERS).join(', ')}`);
  const running: ServingWorker[] = [];
  for (const n of names) running.push(await WORKERS[n](cfg, log, opts.concurrency?.[n] ?? cfg.concurrency));
  log.info({ worker: cfg.workerId, queues: names, out: cfg.outDir }, 'worker started');
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
