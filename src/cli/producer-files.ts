// What a producer (backfill, watch) checks before enqueueing a session file: whether the dataset
// the work goes to already holds it, unchanged. The file ledger is per dataset, so the producer must
// know which one:
// - an inline backfill writes into its own --out: that folder's dataset (created if new);
// - any other producer (a fleet's, with no folder of its own) asks the live session-file workers
//   which datasets they write (their heartbeats say) and skips a file any of them holds. With no
//   worker alive it skips nothing, and each worker skips an unchanged file of its own dataset
//   without opening it.
// The job id names the dataset(s) too: a completed job of another dataset never blocks a file from
// being enqueued for a new or emptied folder.
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { HarvestConfig } from '../config.ts';
import { ensureDatasetIdentity } from '../sinks/shards/dataset-identity.ts';
import { datasetNamespace } from '../state/dataset-namespace.ts';
import { FileLedger, processedInAny, type FileVersion } from '../state/file-ledger.ts';
import { WorkerRegistry } from '../state/worker-registry.ts';
import { SESSION_FILE_QUEUE } from '../../queues/session-file.ts';

export interface ProducerFiles {
  /** The datasets checked (ids). */
  datasets: string[];
  processed(files: FileVersion[]): Promise<boolean[]>;
  /** Goes into every job id (see sessionFileJobId). */
  jobSalt: string;
}

export async function producerFiles(redis: Redis, cfg: HarvestConfig, opts: { inline: boolean }): Promise<ProducerFiles> {
  let datasets: string[];
  if (opts.inline) {
    datasets = [(await ensureDatasetIdentity(cfg.outDir)).id];
  } else {
    const live = await new WorkerRegistry(redis, cfg.prefix).list();
    datasets = [...new Set(live.filter((w) => w.queues.includes(SESSION_FILE_QUEUE) && w.dataset).map((w) => w.dataset!))].sort();
  }
  const ledgers = datasets.map((id) => new FileLedger(redis, datasetNamespace(cfg.prefix, id)));
  return {
    datasets,
    processed: processedInAny(ledgers),
    jobSalt: datasets.length ? createHash('sha256').update(datasets.join(',')).digest('hex').slice(0, 12) : '',
  };
}
