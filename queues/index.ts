// Every harvest queue, for the faces that list them (board, metrics, status, `jobs`): append one
// entry per queue module. A test checks that every queue a worker serves is listed here.
import type { JobsOptions } from 'bullmq';
import { SESSION_FILE_QUEUE, SESSION_FILE_DESCRIPTION, sessionFileJobOptions } from './session-file.ts';
import { EVENTS_QUEUE, EVENTS_DESCRIPTION, eventJobOptions } from './events.ts';
import { BEADS_QUEUE, BEADS_DESCRIPTION, beadsJobOptions } from './beads.ts';
import { PR_POLL_QUEUE, PR_POLL_DESCRIPTION, prPollJobOptions } from './pr-poll.ts';
import { GENERATE_QUEUE, GENERATE_DESCRIPTION, generateJobOptions } from './generate.ts';

export interface QueueInfo {
  name: string;
  /** One line, shown on the board and in `harvest status`. */
  description: string;
  /** The module's default job options; `removeOnComplete`/`removeOnFail` keep Redis memory flat. */
  jobOptions: JobsOptions;
}

export const QUEUES: QueueInfo[] = [
  { name: SESSION_FILE_QUEUE, description: SESSION_FILE_DESCRIPTION, jobOptions: sessionFileJobOptions },
  { name: EVENTS_QUEUE, description: EVENTS_DESCRIPTION, jobOptions: eventJobOptions },
  { name: BEADS_QUEUE, description: BEADS_DESCRIPTION, jobOptions: beadsJobOptions },
  { name: PR_POLL_QUEUE, description: PR_POLL_DESCRIPTION, jobOptions: prPollJobOptions },
  { name: GENERATE_QUEUE, description: GENERATE_DESCRIPTION, jobOptions: generateJobOptions },
];

/** The queue called `name`, or an error naming the known ones. */
export function queueInfo(name: string): QueueInfo {
  const q = QUEUES.find((x) => x.name === name);
  if (!q) throw new UnknownQueueError(`unknown queue "${name}"; known: ${QUEUES.map((x) => x.name).join(', ')}`);
  return q;
}

export class UnknownQueueError extends Error {
  override name = 'UnknownQueueError';
}
