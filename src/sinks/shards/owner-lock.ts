// Ownership of files by the operating system, not by Redis: a lock file created with O_EXCL names
// the process that holds it (host, boot, pid namespace, pid and the pid's start time). On the same
// machine a lock is free exactly when that process is gone: no timing, no Redis. A lock of another
// machine (or container) cannot be checked by pid; its holder touches it every few seconds, and it
// is free once untouched for LOCK_STALE_MS and the holder's heartbeat in Redis is gone too.
// (flock is not in Node's core; a lock file also works on the network file systems a fleet shares.)
import { randomBytes } from 'node:crypto';
import { readFileSync, readlinkSync } from 'node:fs';
import { link, open, readFile, rename, rm, stat, utimes } from 'node:fs/promises';
import { hostname } from 'node:os';

export interface LockHolder {
  host: string;
  /** Kernel boot id: a pid is only meaningful within one boot. */
  boot: string;
  /** PID namespace: pids of two containers on one kernel are not comparable. */
  pidns: string;
  pid: number;
  /** The pid's start time (clock ticks since boot): a reused pid is another process. */
  start: string;
  worker: string;
  nonce: string;
  at: string;
}

/** A lock of another machine untouched this long may be taken (holders touch theirs every 10 s). */
export const LOCK_STALE_MS = 120_000;

function readOr(path: string, fallback: string): string {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return fallback;
  }
}

function linkOr(path: string, fallback: string): string {
  try {
    return readlinkSync(path);
  } catch {
    return fallback;
  }
}

/** Start time of `pid` from /proc/<pid>/stat (field 22), or null when there is no such process. */
export function processStart(pid: number): string | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // The command name (field 2) may hold spaces and parentheses: fields are counted after its ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return fields[19] ?? null;
}

const BOOT = readOr('/proc/sys/kernel/random/boot_id', 'unknown-boot');
const PIDNS = linkOr('/proc/self/ns/pid', 'unknown-pidns');
const HAS_PROC = processStart(process.pid) !== null;

export function thisHolder(worker: string): LockHolder {
  return {
    host: hostname(), boot: BOOT, pidns: PIDNS, pid: process.pid, start: processStart(process.pid) ?? '',
    worker, nonce: randomBytes(8).toString('hex'), at: new Date().toISOString(),
  };
}

/** Whether the holder is a process of this machine, boot and pid namespace (checkable by pid). */
export function isLocal(h: LockHolder): boolean {
  return h.host === hostname() && h.boot === BOOT && h.pidns === PIDNS;
}

/** A local holder's process is still running (the same process, not a reuse of its pid). */
export function localHolderAlive(h: LockHolder): boolean {
  if (!HAS_PROC) {
    try {
      process.kill(h.pid, 0);
      return true;
    } catch (e) {
      return (e as NodeJS.ErrnoException).code === 'EPERM';
    }
  }
  const start = processStart(h.pid);
  return start !== null && start === h.start;
}

/** Creates the lock file if it does not exist (O_EXCL); false when it does. */
export async function createLock(path: string, holder: LockHolder): Promise<boolean> {
  let fh;
  try {
    fh = await open(path, 'wx');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  }
  try {
    await fh.writeFile(JSON.stringify(holder) + '\n');
    await fh.sync();
  } catch (e) {
    // A full disk can leave an empty lock: take it back rather than leave a lock nobody can read.
    await fh.close().catch(() => undefined);
    await rm(path, { force: true }).catch(() => undefined);
    throw e;
  } finally {
    await fh.close().catch(() => undefined);
  }
  return true;
}

/** The holder named in the lock file; null when there is no lock file. A lock that cannot be parsed
 *  (cut short by a crash while it was written) has no holder that could still be alive. */
export async function readLock(path: string): Promise<LockHolder | 'unreadable' | null> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
  try {
    const h = JSON.parse(text) as LockHolder;
    return typeof h.pid === 'number' && typeof h.host === 'string' ? h : 'unreadable';
  } catch {
    return 'unreadable';
  }
}

export interface LockCheck {
  /** The holder's heartbeat in Redis (for holders of other machines); false when unknown. */
  heartbeatAlive?: (worker: string) => Promise<boolean>;
  now?: number;
}

export type LockState = { free: true; holder: LockHolder | 'unreadable' | null } | { free: false; holder: LockHolder };

/** Whether the lock at `path` is free: absent, or its holder is gone. */
export async function lockState(path: string, check: LockCheck = {}): Promise<LockState> {
  const holder = await readLock(path);
  if (holder === null || holder === 'unreadable') {
    // An unreadable lock is only stale once it is old: it may be being written right now.
    if (holder === 'unreadable' && (await ageMs(path, check.now)) < 5000) return { free: false, holder: unknownHolder() };
    return { free: true, holder };
  }
  if (isLocal(holder)) return localHolderAlive(holder) ? { free: false, holder } : { free: true, holder };
  if ((await ageMs(path, check.now)) < LOCK_STALE_MS) return { free: false, holder };
  if (check.heartbeatAlive && (await check.heartbeatAlive(holder.worker).catch(() => true))) return { free: false, holder };
  return { free: true, holder };
}

function unknownHolder(): LockHolder {
  return { host: '?', boot: '?', pidns: '?', pid: 0, start: '', worker: '?', nonce: '', at: '' };
}

async function ageMs(path: string, now = Date.now()): Promise<number> {
  try {
    return now - (await stat(path)).mtimeMs;
  } catch {
    return Infinity;
  }
}

/** Touches the lock (holders of other machines are judged by its age). False when it is not ours any more. */
export async function refreshLock(path: string, holder: LockHolder): Promise<boolean> {
  const cur = await readLock(path).catch(() => null);
  if (cur === null || cur === 'unreadable' || cur.nonce !== holder.nonce) return false;
  const t = new Date();
  await utimes(path, t, t);
  return true;
}

/** Removes the lock if it is still ours. */
export async function releaseLock(path: string, holder: LockHolder): Promise<void> {
  const cur = await readLock(path).catch(() => null);
  if (cur !== null && cur !== 'unreadable' && cur.nonce === holder.nonce) await rm(path, { force: true });
}

/**
 * Takes the lock at `path` for `holder`: created when absent; taken over when its holder is gone.
 * Taking over moves the stale lock aside first and checks it is the one judged stale, so two
 * processes racing to take one stale lock never both win. Returns the live holder when refused.
 */
export async function acquireLock(path: string, holder: LockHolder, check: LockCheck = {}): Promise<{ ok: true } | { ok: false; holder: LockHolder }> {
  for (let attempt = 0; attempt < 5; attempt++) {
    if (await createLock(path, holder)) return { ok: true };
    const state = await lockState(path, check);
    if (!state.free) return { ok: false, holder: state.holder };
    const aside = `${path}.stale-${holder.nonce}`;
    try {
      await rename(path, aside);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue; // someone else moved it
      throw e;
    }
    const moved = await readLock(aside).catch(() => null);
    const same = (a: typeof moved, b: typeof state.holder) =>
      a === b || (a !== null && b !== null && a !== 'unreadable' && b !== 'unreadable' && a.nonce === b.nonce);
    if (same(moved, state.holder)) {
      await rm(aside, { force: true });
      continue; // free now: create it on the next turn (unless another process is quicker)
    }
    // Moved a lock taken a moment ago by another process: put it back where it was.
    await link(aside, path).catch(() => undefined);
    await rm(aside, { force: true });
  }
  const state = await lockState(path, check);
  return state.free ? { ok: false, holder: unknownHolder() } : { ok: false, holder: state.holder };
}

export function describeHolder(h: LockHolder): string {
  return `pid ${h.pid} on ${h.host}${h.at ? ` (since ${h.at})` : ''}`;
}
