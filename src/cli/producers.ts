// What enqueues work on a running deployment (session watchers, repository schedules): append one
// entry each. `harvest run` starts them all next to the workers and the board.
import type { HarvestConfig } from '../config.ts';
import type { Logger } from '../log.ts';
import { existsSync } from 'node:fs';
import { defaultRoots } from '../config.ts';
import { startWatch } from './watch.ts';
import { ROOT_KINDS, type SessionRoots } from '../sources/discover-all.ts';

export interface RunningProducer {
  /** Stops enqueueing; resolves once it has let go of its resources. */
  stop(): Promise<void>;
}

export interface Producer {
  name: string;
  start(cfg: HarvestConfig, log: Logger): Promise<RunningProducer>;
}

/** Watches the default session folders that exist on this host (repository schedules need no producer: BullMQ's schedulers fire inside the workers). */
const sessionWatcher: Producer = {
  name: 'watch',
  async start(cfg, log) {
    const d = defaultRoots();
    const roots: SessionRoots = {};
    for (const { key } of ROOT_KINDS) roots[key] = [d[key]].filter(existsSync);
    if (ROOT_KINDS.every(({ key }) => roots[key]!.length === 0)) {
      log.info('no session folders on this host; not watching');
      return { stop: async () => undefined };
    }
    return startWatch(cfg, { roots, settleMs: 120_000, rescanMs: 60_000 }, log);
  },
};

export const PRODUCERS: Producer[] = [sessionWatcher];
