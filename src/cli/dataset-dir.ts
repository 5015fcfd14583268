// The dataset folder a reading command (validate, report) was pointed at: it must exist and hold a
// dataset, else the person gets one line saying where one is or how to make one (exit 2).
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { samplesRootOf } from '../sinks/shards/samples-root.ts';
import { UserError } from '../user-error.ts';

/** The parts of a dataset folder any writer of harvest leaves behind. */
const PARTS = ['samples', 'beads', 'runs', 'events', 'dataset.json'];

export function holdsDataset(dir: string): boolean {
  if (samplesRootOf(dir)) return true;
  return PARTS.some((p) => existsSync(join(dir, p)));
}

const show = (p: string): string => {
  const rel = relative(process.cwd(), p);
  return rel && !rel.startsWith('..') ? rel : p;
};

/** Throws a UserError unless `dir` holds a dataset; `flag` is how the command names the folder. */
export function requireDataset(dir: string, flag: string): void {
  const make = 'make one with `harvest backfill --inline --out DIR` (or `npm start`, which writes ./data)';
  if (!existsSync(dir)) throw new UserError(`${flag}${show(dir)}: no such folder`, 2, make);
  if (!statSync(dir).isDirectory()) throw new UserError(`${flag}${show(dir)}: not a folder`, 2, 'name the dataset folder (the --out of a backfill)');
  if (holdsDataset(dir)) return;
  let below: string[] = [];
  try {
    below = readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isDirectory() && holdsDataset(join(dir, e.name)))
      .map((e) => join(dir, e.name))
      .slice(0, 3);
  } catch {
    below = [];
  }
  if (below.length) {
    const name = (d: string) => (flag.trim() ? `${flag}${show(d)}` : show(d));
    throw new UserError(`${flag}${show(dir)} holds no dataset itself, but ${below.map(show).join(', ')} ${below.length > 1 ? 'do' : 'does'}`, 2, `run with ${below.map(name).join(' or ')}`);
  }
  throw new UserError(`${flag}${show(dir)} holds no dataset (no samples/, beads/ or runs/ in it)`, 2, make);
}
