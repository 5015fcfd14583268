// The dataset folder: writable, and the free space on its file system.
import { accessSync, constants, existsSync, statfsSync } from 'node:fs';
import { dirname } from 'node:path';
import { check, type CheckResult } from './check.ts';

const GIB = 1024 ** 3;
export const LOW_DISK_BYTES = GIB;
export const FULL_DISK_BYTES = 100 * 1024 ** 2;

function nearestExisting(path: string): string {
  let p = path;
  while (!existsSync(p) && dirname(p) !== p) p = dirname(p);
  return p;
}

const human = (b: number): string => (b >= GIB ? `${(b / GIB).toFixed(1)} GiB` : `${Math.round(b / 1024 ** 2)} MiB`);

export function checkDisk(outDir: string): CheckResult[] {
  const at = nearestExisting(outDir);
  const where = at === outDir ? outDir : `${outDir} (not made yet; ${at} is)`;
  try {
    accessSync(at, constants.W_OK);
  } catch {
    return [check('disk', 'fail', `${where} is not writable`, 'choose another --out (HARVEST_OUT), or fix the folder\'s owner and mode')];
  }
  const fs = statfsSync(at);
  const free = fs.bavail * fs.bsize;
  const data = { path: outDir, free_bytes: free };
  if (free < FULL_DISK_BYTES) return [check('disk', 'fail', `${where}: ${human(free)} free`, 'free space there, or choose another --out', data)];
  if (free < LOW_DISK_BYTES) return [check('disk', 'warn', `${where}: ${human(free)} free; a large backfill writes about its sessions' size again`, 'free space there, or choose another --out', data)];
  return [check('disk', 'ok', `${where}: ${human(free)} free`, undefined, data)];
}
