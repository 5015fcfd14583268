// Every queue a worker process can serve, by name: `harvest worker --queues a,b` picks from here.
import type { HarvestConfig } from '../src/config.ts';
import type { Logger } from '../src/log.ts';
import { SESSION_FILE_QUEUE } from '../queues/session-file.ts';
import { startSessionFileWorker } from './session-file.ts';
import { EVENTS_QUEUE } from '../queues/events.ts';
import { startEventsWorker } from './events.ts';
import { BEADS_QUEUE } from '../queues/beads.ts';
import { startBeadsWorker } from './beads.ts';

export interface ServingWorker {
  close(): Promise<void>;
}

export type StartWorker = (cfg: HarvestConfig, log: Logger, concurrency: number) => Promise<ServingWorker>;

export const WORKERS: Record<string, StartWorker> = {
  [SESSION_FILE_QUEUE]: startSessionFileWorker,
  [EVENTS_QUEUE]: startEventsWorker,
  [BEADS_QUEUE]: startBeadsWorker,
};
