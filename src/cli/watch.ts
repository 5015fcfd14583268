// `harvest watch`: a long-running producer. File-system events (and a periodic rescan as a safety
// net, which also reads pir's index) mark session files as changed; a file is enqueued once it has
// been quiet for the settle time, and again whenever it grows. Restarting re-enqueues nothing
// already processed (the processed-files ledger and deterministic job ids).
import { randomBytes } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { sep } from 'node:path';
import { watch as watchFs, type FSWatcher } from 'chokidar';
import type { HarvestConfig } from '../config.ts';
import type { Logger } from '../log.ts';
import type { Runtime } from '../model/session.ts';
import { discoverSessionFiles, ROOT_KINDS, type DiscoveredFile, type DiscoveryNotes, type SessionRoots } from '../sources/discover-all.ts';
import { producerFiles } from './producer-files.ts';
import { clientConnection } from '../../queues/connection.ts';
import { enqueueSessionFiles, sessionFileQueue, type SessionFileJob } from '../../queues/session-file.ts';

export interface WatchOptions {
  roots: SessionRoots;
  settleMs: number;
  rescanMs: number;
}

export interface RunningWatch {
  /** Resolves after each completed rescan (for tests and logs). */
  scans: number;
  stop(): Promise<void>;
}

function rootOf(path: string, roots: SessionRoots): { root: string; runtime: Runtime } | null {
  for (const { key, runtime } of ROOT_KINDS) for (const root of roots[key] ?? []) if (path.startsWith(root + sep)) return { root, runtime };
  return null;
}

/** File names whose change may be a session's (the worker decides from content what they hold). */
const isSessionName = (p: string): boolean => p.endsWith('.jsonl') || p.endsWith('.json');

/** A changed file that discovery would find: Gemini's JSON files count only inside `chats/`. */
function isSessionFile(p: string, runtime: Runtime): boolean {
  if (runtime === 'gemini') return isSessionName(p) && p.includes(`${sep}chats${sep}`);
  return p.endsWith('.jsonl');
}

export async function startWatch(cfg: HarvestConfig, opts: WatchOptions, log: Logger): Promise<RunningWatch> {
  const ctx = { redisUrl: cfg.redisUrl, prefix: cfg.prefix };
  const redis = clientConnection(ctx);
  const queue = sessionFileQueue(ctx, redis);
  const runId = `watch-${randomBytes(3).toString('hex')}`;
  /** Changed files waiting to be quiet: path -> where it was found. */
  const pending = new Map<string, { root: string; runtime: Runtime }>();
  let stopped = false;
  let busy: Promise<void> = Promise.resolve();
  const state: RunningWatch = { scans: 0, stop: async () => undefined };

  const enqueue = async (batch: DiscoveredFile[]) => {
    if (batch.length === 0) return;
    // Asked each time: the datasets the live workers write may have changed since.
    const files = await producerFiles(redis, cfg, { inline: false });
    const res = await enqueueSessionFiles(queue, redis, batch.map((f): SessionFileJob => ({ ...f, runId })), {
      highWater: cfg.highWater, lowWater: cfg.lowWater,
    }, { alreadyDone: (b) => files.processed(b), jobSalt: files.jobSalt });
    if (res.added) log.info({ added: res.added }, 'enqueued changed session files');
  };

  /** Enqueues pending files that have been quiet for the settle time; keeps the others. */
  const flushSettled = async () => {
    const now = Date.now();
    const ready: DiscoveredFile[] = [];
    for (const [path, where] of pending) {
      try {
        const st = await stat(path);
        if (now - st.mtimeMs < opts.settleMs) continue;
        ready.push({ path, ...where, size: st.size, mtimeMs: Math.trunc(st.mtimeMs) });
      } catch {
        // Gone before it settled: nothing to capture.
      }
      pending.delete(path);
    }
    await enqueue(ready);
  };

  const rescan = async () => {
    const notes: DiscoveryNotes = { notices: [], missing: [] };
    const now = Date.now();
    const ready: DiscoveredFile[] = [];
    for await (const f of discoverSessionFiles(opts.roots, notes)) {
      if (now - f.mtimeMs >= opts.settleMs) ready.push(f);
      // One session of a store: no file event names it; a later rescan enqueues it once quiet.
      else if (f.sessionKey === undefined) pending.set(f.path, { root: f.root, runtime: f.runtime });
    }
    for (const n of new Set(notes.notices)) if (state.scans === 0) log.info(n);
    await enqueue(ready);
    state.scans++;
  };

  const serial = (fn: () => Promise<void>) => {
    busy = busy.then(fn).catch((err) => log.error({ err }, 'watch step failed'));
    return busy;
  };

  // OpenCode keeps its sessions in a database (and its data folder holds snapshot repositories):
  // the rescan covers it, file events would not.
  const watched = ROOT_KINDS.filter(({ key }) => key !== 'opencode').flatMap(({ key }) => opts.roots[key] ?? []);
  const allRoots = ROOT_KINDS.flatMap(({ key }) => opts.roots[key] ?? []);
  const watcher: FSWatcher = watchFs(watched, {
    ignoreInitial: true,
    ignored: (p, st) => !!st?.isFile() && !isSessionName(p),
    awaitWriteFinish: false,
  });
  const onChange = (p: string) => {
    const where = rootOf(p, opts.roots);
    if (where && isSessionFile(p, where.runtime)) pending.set(p, where);
  };
  watcher.on('add', onChange).on('change', onChange).on('error', (err) => log.warn({ err }, 'file watcher error; the rescan still runs'));

  await serial(rescan);
  const tick = setInterval(() => void serial(flushSettled), Math.min(1000, opts.settleMs));
  const rescanTimer = setInterval(() => void serial(rescan), opts.rescanMs);
  log.info({ roots: allRoots, settleMs: opts.settleMs }, 'watching session folders');

  state.stop = async () => {
    if (stopped) return;
    stopped = true;
    clearInterval(tick);
    clearInterval(rescanTimer);
    await watcher.close();
    await busy;
    await queue.close();
    redis.disconnect();
  };
  return state;
}
