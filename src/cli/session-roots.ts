// Which session roots a command reads: the flags given, else every default root that exists,
// else the bundled sample data.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { resolve } from 'node:path';
import { defaultRoots, expandHome } from '../config.ts';
import type { SessionRoots } from '../sources/discover-all.ts';

export interface RootFlags {
  claude?: string[];
  pir?: string[];
  omp?: string[];
}

export const FIXTURE_ROOTS: SessionRoots = {
  claude: [resolve('fixtures/claude/projects')],
  pir: [resolve('fixtures/pi/sessions')],
};

export function chooseRoots(flags: RootFlags, env: NodeJS.ProcessEnv = process.env): { roots: SessionRoots; origin: 'flags' | 'defaults' | 'fixtures' } {
  const abs = (l?: string[]) => l?.map((p) => resolve(expandHome(p)));
  if (flags.claude?.length || flags.pir?.length || flags.omp?.length) {
    return { roots: { claude: abs(flags.claude), pir: abs(flags.pir), omp: abs(flags.omp) }, origin: 'flags' };
  }
  const d = defaultRoots(env);
  const roots: SessionRoots = {
    claude: holdsSessions(d.claude) ? [d.claude] : [],
    pir: holdsSessions(d.pir) ? [d.pir] : [],
    omp: holdsSessions(d.omp) ? [d.omp] : [],
  };
  if (roots.claude!.length + roots.pir!.length + roots.omp!.length > 0) return { roots, origin: 'defaults' };
  return { roots: FIXTURE_ROOTS, origin: 'fixtures' };
}

export function allRoots(r: SessionRoots): string[] {
  return [...(r.claude ?? []), ...(r.pir ?? []), ...(r.omp ?? [])];
}

/** True when `root` has a session file at most two folders down (an empty tool folder does not count). */
export function holdsSessions(root: string, depth = 2): boolean {
  if (!existsSync(root)) return false;
  let entries;
  try {
    entries = readdirSync(root, { withFileTypes: true });
  } catch {
    return false;
  }
  for (const e of entries) if (e.isFile() && e.name.endsWith('.jsonl')) return true;
  if (depth === 0) return false;
  return entries.some((e) => e.isDirectory() && holdsSessions(join(root, e.name), depth - 1));
}
