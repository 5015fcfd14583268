// The local spool: where an event goes when Redis cannot be reached, so none is lost. Appends are
// fsynced JSON lines; a drain claims the whole file by renaming it, submits its events (which is
// idempotent: each carries its id), then deletes it. A claimed file left by a drain that died is
// picked up by the next drain.
import { randomBytes } from 'node:crypto';
import { appendFile, mkdir, open, readdir, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import {
  eventInputSchema, eventRecordSchema, toEventRecord, type EventRecord,
} from '../model/event.ts';

/** `HARVEST_SPOOL`, else `<out>/spool/events.jsonl`. */
export function resolveSpoolPath(env: NodeJS.ProcessEnv, outDir: string): string {
  return env.HARVEST_SPOOL ? resolve(env.HARVEST_SPOOL) : join(outDir, 'spool', 'events.jsonl');
}

/** Appends tried on the spool itself before the lines go to a file of their own. */
const APPEND_TRIES = 5;

/**
 * Appends lines (one JSON value each) durably. If a drain claimed the file while this append was
 * under way, the lines may have missed the drain, so they are appended again to the new file
 * (a repeat is harmless: events are deduplicated by id). Drains that keep claiming the file could
 * starve an append, so after a few tries the lines go to a file of their own, named as a claimed
 * file: the next drain takes it like one a dead drain left.
 */
export async function appendToSpool(path: string, values: readonly unknown[], opts: { tries?: number } = {}): Promise<void> {
  if (values.length === 0) return;
  const text = values.map((v) => JSON.stringify(v) + '\n').join('');
  await mkdir(dirname(path), { recursive: true });
  for (let attempt = 0; attempt < (opts.tries ?? APPEND_TRIES); attempt++) {
    if (attempt > 0) await new Promise((r) => setTimeout(r, attempt));
    const fh = await open(path, 'a', 0o600);
    try {
      await fh.appendFile(text);
      const ino = (await fh.stat()).ino;
      const now = await stat(path).catch(() => null);
      // Synced whether or not a drain took the file: a drain that did may be reading these lines.
      await fh.datasync();
      if (now && now.ino === ino) return;
    } finally {
      await fh.close();
    }
  }
  await spill(path, text);
}

/** Writes `text` to a new claimed-named file (tmp + fsync + rename), for the next drain. */
async function spill(path: string, text: string): Promise<void> {
  const id = `${process.pid}-${randomBytes(6).toString('hex')}`;
  const tmp = join(dirname(path), `.${basename(path)}.spill-${id}.tmp`);
  const fh = await open(tmp, 'wx', 0o600);
  try {
    await fh.writeFile(text);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, join(dirname(path), `${claimedPrefix(path)}spill-${id}`));
}

export interface DrainResult {
  files: number;
  events: number;
  /** Lines that are not events (a torn last line, a hand edit); moved to `<spool>.rejected`. */
  rejected: number;
}

export interface DrainOptions {
  batchSize?: number;
  now?: () => number;
}

const claimedPrefix = (path: string): string => `${basename(path)}.claimed-`;

/**
 * Claims the spool and submits its events in batches. `submit` must be idempotent by event id
 * (enqueueing with the id as job id is). On a failed submit the claimed file is kept for the next
 * drain and the error is thrown.
 */
export async function drainSpool(path: string, submit: (records: EventRecord[]) => Promise<void>, opts: DrainOptions = {}): Promise<DrainResult> {
  const dir = dirname(path);
  const result: DrainResult = { files: 0, events: 0, rejected: 0 };
  const mine = join(dir, `${claimedPrefix(path)}${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    await rename(path, mine);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => n.startsWith(claimedPrefix(path))).sort();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return result;
    throw e;
  }
  for (const name of names) {
    const file = join(dir, name);
    const r = await drainFile(file, `${path}.rejected`, submit, opts);
    if (r === null) continue; // another drain took it
    result.files++;
    result.events += r.events;
    result.rejected += r.rejected;
  }
  return result;
}

async function drainFile(
  file: string, rejectedPath: string, submit: (records: EventRecord[]) => Promise<void>, opts: DrainOptions,
): Promise<{ events: number; rejected: number } | null> {
  const batchSize = opts.batchSize ?? 500;
  let events = 0;
  const rejectedLines: string[] = [];
  let batch: EventRecord[] = [];
  let stream;
  try {
    const fh = await open(file, 'r');
    stream = fh.createReadStream({ encoding: 'utf8' });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  for await (const line of lines) {
    if (!line.trim()) continue;
    const rec = spoolLineToRecord(line, opts.now?.() ?? Date.now());
    if (!rec) {
      rejectedLines.push(line);
      continue;
    }
    batch.push(rec);
    if (batch.length >= batchSize) {
      await submit(batch);
      events += batch.length;
      batch = [];
    }
  }
  if (batch.length) {
    await submit(batch);
    events += batch.length;
  }
  if (rejectedLines.length) await appendFile(rejectedPath, rejectedLines.map((l) => l + '\n').join(''));
  await unlink(file).catch((e: NodeJS.ErrnoException) => {
    if (e.code !== 'ENOENT') throw e;
  });
  return { events, rejected: rejectedLines.length };
}

/** A spool line is a full record (CLI, client) or an input (the pi extension). */
export function spoolLineToRecord(line: string, now: number): EventRecord | null {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return null;
  }
  const asRecord = eventRecordSchema.safeParse(v);
  if (asRecord.success) return asRecord.data;
  const asInput = eventInputSchema.safeParse(v);
  return asInput.success ? toEventRecord(asInput.data, 'spool', now) : null;
}

/** Whether there is anything to drain (cheap: two stats and a listing). */
export async function spoolPending(path: string): Promise<boolean> {
  if (await stat(path).then(() => true, () => false)) return true;
  try {
    return (await readdir(dirname(path))).some((n) => n.startsWith(claimedPrefix(path)));
  } catch {
    return false;
  }
}
