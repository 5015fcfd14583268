// Sends line-protocol files (as LineProtocolFileSink writes them) to an InfluxDB later. Safe to
// run again: InfluxDB overwrites a point with the same measurement, tags and timestamp.
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { splitLineProtocol } from './encode.ts';

/** A sink that takes ready line-protocol records (millisecond precision). */
export interface LineProtocolWriter {
  writeLines(lines: readonly string[]): Promise<void>;
}

export interface ReplayOptions {
  /** Records per request; default 5000. */
  batchLines?: number;
  /** Called after each file has been sent whole. */
  onFile?: (file: string, records: number) => void | Promise<void>;
}

export interface ReplayResult {
  files: number;
  records: number;
  /** Unterminated last records (a writer died mid-append; never acknowledged), skipped. */
  partialSkipped: number;
}

/**
 * Replays every `*.lp` file in `dir` (or in `dir/points` when that exists: an output root works
 * too), in name order, which is each writer's write order. Stops at the first failed request
 * with its error; running it again resends from the start, which is harmless.
 */
export async function replayLineProtocolFiles(
  dir: string,
  writer: LineProtocolWriter,
  opts: ReplayOptions = {},
): Promise<ReplayResult> {
  const root = await isDir(join(dir, 'points')) ? join(dir, 'points') : dir;
  const names = (await readdir(root)).filter((n) => n.endsWith('.lp')).sort();
  const batch = opts.batchLines ?? 5000;
  const result: ReplayResult = { files: 0, records: 0, partialSkipped: 0 };
  for (const name of names) {
    const file = join(root, name);
    const { records, partial } = splitLineProtocol(await readFile(file, 'utf8'));
    if (partial !== null) result.partialSkipped++;
    for (let i = 0; i < records.length; i += batch) await writer.writeLines(records.slice(i, i + batch));
    result.files++;
    result.records += records.length;
    await opts.onFile?.(file, records.length);
  }
  return result;
}

async function isDir(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isDirectory();
  } catch {
    return false;
  }
}
