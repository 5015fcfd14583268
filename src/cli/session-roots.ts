// Which session roots a command reads: the flags given, else every default root that exists and
// holds sessions, else the bundled sample data.
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { defaultRoots, expandHome } from '../config.ts';
import { ROOT_KINDS, type SessionRoots } from '../sources/discover-all.ts';

export type RootFlags = SessionRoots;

export const FIXTURE_ROOTS: SessionRoots = {
  claude: [resolve('fixtures/claude/projects')],
  pir: [resolve('fixtures/pi/sessions')],
  omp: [resolve('fixtures/omp/sessions')],
  codex: [resolve('fixtures/codex/sessions')],
  gemini: [resolve('fixtures/gemini/tmp')],
  opencode: [resolve('fixtures/opencode')],
};

/** How deep each harness keeps its session files below its root, and what they are called. */
const LAYOUT: Record<keyof SessionRoots, { depth: number; isSession: (name: string) => boolean }> = {
  claude: { depth: 2, isSession: (n) => n.endsWith('.jsonl') },
  pir: { depth: 2, isSession: (n) => n.endsWith('.jsonl') },
  omp: { depth: 2, isSession: (n) => n.endsWith('.jsonl') },
  codex: { depth: 3, isSession: (n) => n.startsWith('rollout-') && n.endsWith('.jsonl') },
  gemini: { depth: 3, isSession: (n) => n.endsWith('.jsonl') || (n.startsWith('session-') && n.endsWith('.json')) },
  opencode: { depth: 3, isSession: (n) => /^opencode.*\.db$/.test(n) || (n.startsWith('ses_') && n.endsWith('.json')) },
};

export function chooseRoots(flags: RootFlags, env: NodeJS.ProcessEnv = process.env): { roots: SessionRoots; origin: 'flags' | 'defaults' | 'fixtures' } {
  const abs = (l?: string[]) => l?.map((p) => resolve(expandHome(p)));
  if (ROOT_KINDS.some(({ key }) => flags[key]?.length)) {
    const roots: SessionRoots = {};
    for (const { key } of ROOT_KINDS) roots[key] = abs(flags[key]);
    return { roots, origin: 'flags' };
  }
  const d = defaultRoots(env);
  const roots: SessionRoots = {};
  for (const { key } of ROOT_KINDS) roots[key] = holdsSessions(d[key], LAYOUT[key].depth, LAYOUT[key].isSession) ? [d[key]] : [];
  if (allRoots(roots).length > 0) return { roots, origin: 'defaults' };
  return { roots: FIXTURE_ROOTS, origin: 'fixtures' };
}

export function allRoots(r: SessionRoots): string[] {
  return ROOT_KINDS.flatMap(({ key }) => r[key] ?? []);
}

/**
 * True when `root` has a session file at most `depth` folders down (an empty tool folder does not
 * count).
 */
export function holdsSessions(root: string, depth = 2, isSession: (name: string) => boolean = (n) => n.endsWith('.jsonl')): boolean {
  if (!existsSync(root)) return false;
  let entries;
  try {
    entries = readdirSync(root, { withFileTypes: true });
  } catch {
    return false;
  }
  for (const e of entries) if (e.isFile() && isSession(e.name)) return true;
  if (depth === 0) return false;
  return entries.some((e) => e.isDirectory() && holdsSessions(join(root, e.name), depth - 1, isSession));
}
