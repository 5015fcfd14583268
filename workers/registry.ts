// Every queue a worker process can serve, by name: `harvest worker --queues a,b` picks from here.
import type { HarvestConfig } from '../src/config.ts';
import type { Logger } from '../src/log.ts';
import { SESSION_FILE_QUEUE } from '../queues/session-file.ts';
import { EVENTS_QUEUE } from '../queues/events.ts';
import { BEADS_QUEUE } from '../queues/beads.ts';
import { PR_POLL_QUEUE } from '../queues/pr-poll.ts';
import { GENERATE_QUEUE } from '../queues/generate.ts';

export interface ServingWorker {
  close(): Promise<void>;
}

/** Starts a queue's worker; throws WorkerUnavailableError (./unavailable.ts) when this host's
 *  configuration cannot serve the queue (a missing token), which `harvest worker` without
 *  --queues skips with a warning. */
export type StartWorker = (cfg: HarvestConfig, log: Logger, concurrency: number) => Promise<ServingWorker>;

/**
 * Jobs at once per queue when not given: events are tiny and wait on group commits, so many run at
 * once; session files are CPU-bound and follow HARVEST_CONCURRENCY.
 */
export const DEFAULT_CONCURRENCY: Record<string, number> = {
  [EVENTS_QUEUE]: 256,
  [PR_POLL_QUEUE]: 4,
  // A generator is a whole agent run: one at a time per process unless asked for more.
  [GENERATE_QUEUE]: 1,
};

// Loaded when started: a process serving only session files never loads the GitHub client or the
// InfluxDB sinks.
export const WORKERS: Record<string, StartWorker> = {
  [SESSION_FILE_QUEUE]: async (...a) => (await import('./session-file.ts')).startSessionFileWorker(...a),
  [EVENTS_QUEUE]: async (...a) => (await import('./events.ts')).startEventsWorker(...a),
  [BEADS_QUEUE]: async (...a) => (await import('./beads.ts')).startBeadsWorker(...a),
  [PR_POLL_QUEUE]: async (...a) => (await import('./pr-poll.ts')).startPrPollWorker(...a),
  [GENERATE_QUEUE]: async (...a) => (await import('./generate.ts')).startGenerateWorker(...a),
};
