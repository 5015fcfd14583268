// Session roots a person named on the command line, checked before anything is enqueued: a folder
// that does not exist is an error naming it; a folder whose sessions sit a level or two further
// down (or up) says where they are. Generic over the harness: it asks the same discovery the
// backfill uses, so a new root flag needs no code here.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { defaultRoots } from '../config.ts';
import { discoverSessionFiles, type SessionRoots } from '../sources/discover-all.ts';
import { UserError } from '../user-error.ts';

/** True when discovery finds at least one session file under `root` read as `kind`. */
export async function rootYieldsSessions(kind: keyof SessionRoots, root: string): Promise<boolean> {
  for await (const _ of discoverSessionFiles({ [kind]: [root] } as SessionRoots, { notices: [], missing: [] })) return true;
  return false;
}

function subfolders(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
      .map((e) => join(dir, e.name))
      .sort();
  } catch {
    return [];
  }
}

function holdsJsonl(dir: string): boolean {
  try {
    return readdirSync(dir).some((n) => n.endsWith('.jsonl'));
  } catch {
    return false;
  }
}

/**
 * Where the sessions of a root that yields none are: folders one or two levels down that do (the
 * first few), else the parent when it does (a project folder named instead of the projects root).
 */
export async function whereSessionsAre(kind: keyof SessionRoots, root: string, max = 3): Promise<string[]> {
  // Discovery does not look at content, so any folder of JSONL files can pass: a folder named as the
  // harness names its own root (`projects`, `sessions`) is the better guess when there is one.
  const usualName = basename(defaultRoots()[kind]);
  let level = [root];
  for (let depth = 0; depth < 2; depth++) {
    // Wide folders (a home directory) are not searched through: the hint is for near misses.
    const next = level.flatMap(subfolders).slice(0, 200);
    const found: string[] = [];
    for (const d of next) if (await rootYieldsSessions(kind, d)) found.push(d);
    const named = found.filter((d) => basename(d) === usualName);
    if (found.length) return (named.length ? named : found).slice(0, max);
    level = next;
  }
  // Session files right here: a project folder named instead of the folder of projects.
  if (holdsJsonl(root) && dirname(root) !== root && (await rootYieldsSessions(kind, dirname(root)))) return [dirname(root)];
  return [];
}

export interface RootProblem {
  flag: string;
  root: string;
  /** Folders that do hold sessions, when the root itself holds none. */
  elsewhere: string[];
  missing: boolean;
}

const show = (p: string): string => {
  const rel = relative(process.cwd(), p);
  return rel && !rel.startsWith('..') ? rel : p;
};

/**
 * Checks every root named by a flag. Returns the roots that exist but hold no sessions anywhere
 * near (a fresh install: worth a notice, not an error); throws a UserError (exit 2) for a root that
 * does not exist or whose sessions are elsewhere.
 */
export async function checkNamedRoots(roots: SessionRoots): Promise<string[]> {
  const empty: string[] = [];
  for (const [kind, list] of Object.entries(roots) as [keyof SessionRoots, string[] | undefined][]) {
    for (const root of list ?? []) {
      const flag = `--${kind}`;
      if (!existsSync(root)) throw new UserError(`${flag} ${show(root)}: no such folder`, 2, `check the path, or leave out ${flag} to use the default folders`);
      if (!statSync(root).isDirectory()) throw new UserError(`${flag} ${show(root)}: not a folder`, 2, 'name the folder that holds the session files');
      if (await rootYieldsSessions(kind, root)) continue;
      const elsewhere = await whereSessionsAre(kind, root);
      if (elsewhere.length) {
        throw new UserError(
          `${flag} ${show(root)} holds no sessions itself, but ${elsewhere.map(show).join(', ')} ${elsewhere.length > 1 ? 'do' : 'does'}`,
          2,
          `run with ${elsewhere.map((e) => `${flag} ${show(e)}`).join(' ')}`,
        );
      }
      empty.push(root);
    }
  }
  return empty;
}
