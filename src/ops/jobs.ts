// Hands on the queues: retry failed jobs, clean old ones, pause, resume, drain. Used by
// `harvest jobs ...`; the board offers the same through its own API.
import type { Queue } from 'bullmq';

export type CleanState = 'completed' | 'failed' | 'delayed' | 'wait' | 'prioritized';
export const CLEAN_STATES: CleanState[] = ['completed', 'failed', 'delayed', 'wait', 'prioritized'];

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** `7d`, `12h`, `30m`, `45s`, `500ms`, `2w` (or a bare number of ms) -> milliseconds. */
export function parseDuration(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)?$/.exec(text.trim());
  if (!m) throw new RangeError(`"${text}" is not a duration: use a number with ms, s, m, h, d or w (e.g. 7d)`);
  return Math.round(Number(m[1]) * UNITS[m[2] ?? 'ms']);
}

/** Moves every failed job back to waiting; returns how many were failed before. */
export async function retryFailed(queue: Queue): Promise<{ retried: number }> {
  const before = (await queue.getJobCounts('failed')).failed ?? 0;
  if (before > 0) await queue.retryJobs({ state: 'failed', count: 1000 });
  const after = (await queue.getJobCounts('failed')).failed ?? 0;
  return { retried: Math.max(0, before - after) };
}

/** Removes jobs in `states` that finished (or were created) more than `olderThanMs` ago. */
export async function cleanJobs(queue: Queue, olderThanMs: number, states: CleanState[]): Promise<Record<string, number>> {
  const batch = 1000;
  const out: Record<string, number> = {};
  for (const s of states) {
    let removed = 0;
    for (;;) {
      const ids = await queue.clean(olderThanMs, batch, s);
      removed += ids.length;
      if (ids.length < batch) break;
    }
    out[s] = removed;
  }
  return out;
}

/** Removes every waiting job (and delayed ones with `delayed`); active jobs finish. */
export async function drainQueue(queue: Queue, delayed: boolean): Promise<{ removed: number }> {
  const states = delayed ? (['waiting', 'prioritized', 'delayed'] as const) : (['waiting', 'prioritized'] as const);
  const count = async () => Object.values(await queue.getJobCounts(...states)).reduce((a, b) => a + b, 0);
  const before = await count();
  await queue.drain(delayed);
  return { removed: Math.max(0, before - (await count())) };
}
