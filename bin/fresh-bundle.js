// Whether the bundle from `npm run build` (dist/) can stand in for the TypeScript sources: it must
// be newer than every file under src/, queues/ and workers/ and than the lockfile.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function newestMtime(dir) {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

/** The bundle's entry under `root`, or null when it is missing, stale, or HARVEST_TSX=1. */
export function freshBundle(root, env = process.env) {
  if (env.HARVEST_TSX === '1') return null;
  try {
    const built = statSync(join(root, 'dist', 'BUILT')).mtimeMs;
    const sources = Math.max(
      ...['src', 'queues', 'workers'].map((d) => newestMtime(join(root, d))),
      statSync(join(root, 'package-lock.json')).mtimeMs,
    );
    return built >= sources ? join(root, 'dist', 'harvest.mjs') : null;
  } catch {
    return null;
  }
}
