// Writes a stream of JSON values as JSONL with backpressure (memory stays flat): to stdout, or to a
// file that appears whole (written beside it, fsynced, renamed into place) or not at all.
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Writable } from 'node:stream';
import { fsyncDir } from './shards/shard-files.ts';

const FLUSH_BYTES = 256 * 1024;

async function pump(out: Writable, rows: AsyncIterable<unknown>): Promise<number> {
  let n = 0;
  let buf = '';
  for await (const row of rows) {
    buf += JSON.stringify(row) + '\n';
    n++;
    if (buf.length >= FLUSH_BYTES) {
      if (!out.write(buf)) await once(out, 'drain');
      buf = '';
    }
  }
  if (buf && !out.write(buf)) await once(out, 'drain');
  return n;
}

/** Returns the number of rows written. `path` '-' (or undefined) is stdout. */
export async function writeJsonl(path: string | undefined, rows: AsyncIterable<unknown>): Promise<number> {
  if (path === undefined || path === '-') return pump(process.stdout, rows);
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  const ws = createWriteStream(tmp);
  try {
    const n = await pump(ws, rows);
    ws.end();
    await once(ws, 'finish');
    const fh = await open(tmp, 'r+');
    await fh.sync();
    await fh.close();
    await rename(tmp, path);
    await fsyncDir(dirname(path));
    return n;
  } catch (e) {
    ws.destroy();
    await rm(tmp, { force: true });
    throw e;
  }
}
