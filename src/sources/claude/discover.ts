// Finds Claude Code transcripts under a projects root (`~/.claude/projects`), one folder at a time:
//   <root>/<project>/<session>.jsonl                       kind 'session'
//   <root>/<project>/<session>/subagents/agent-<id>.jsonl  kind 'subagent' (2.1.x)
//   <root>/<project>/agent-<id>.jsonl                      kind 'subagent' (older sibling layout)
// Directory symlinks are never followed (no loops); file symlinks are followed to a regular file.
import { readdir } from 'node:fs/promises';
import type { Dirent } from 'node:fs';
import { statListed } from '../walk-files.ts';
import { join, resolve } from 'node:path';
import { addCount, type Counts } from '../../model/session.ts';

export type ClaudeFileKind = 'session' | 'subagent';

export interface ClaudeSessionFile {
  /** Absolute path. */
  path: string;
  size: number;
  mtimeMs: number;
  kind: ClaudeFileKind;
}

export interface DiscoverOptions {
  /** Gets `discover_unreadable_dirs` and `discover_vanished` (a file gone between list and stat). */
  counts?: Counts;
}

const AGENT_FILE = /^agent-.+\.jsonl$/;

/** True for a Claude subagent transcript file name (`agent-<id>.jsonl`). */
export function isAgentFileName(name: string): boolean {
  return AGENT_FILE.test(name);
}

/**
 * Yields every transcript under `root` in a stable order (names sorted per folder). A missing or
 * unreadable root yields nothing: the caller decides what to say.
 */
export async function* discoverClaudeSessions(
  root: string,
  opts: DiscoverOptions = {},
): AsyncGenerator<ClaudeSessionFile> {
  const counts = opts.counts ?? {};
  const top = await listDir(resolve(root), counts, true);
  for (const project of top) {
    if (!project.isDirectory()) continue; // files at the root and dir symlinks are not projects
    const projectDir = join(resolve(root), project.name);
    const entries = await listDir(projectDir, counts);
    // Sessions and sibling agent files first, then the subagent folders, each sorted by name.
    for (const e of entries) {
      if (!e.name.endsWith('.jsonl')) continue;
      const kind: ClaudeFileKind = isAgentFileName(e.name) ? 'subagent' : 'session';
      const found = await fileEntry(join(projectDir, e.name), e, kind, counts);
      if (found) yield found;
    }
    for (const e of entries) {
      if (!e.isDirectory()) continue;
      const subDir = join(projectDir, e.name, 'subagents');
      for (const s of await listDir(subDir, counts, true)) {
        if (!isAgentFileName(s.name)) continue;
        const found = await fileEntry(join(subDir, s.name), s, 'subagent', counts);
        if (found) yield found;
      }
    }
  }
}

async function listDir(dir: string, counts: Counts, missingIsNormal = false): Promise<Dirent[]> {
  try {
    const entries = await readdir(dir, { withFileTypes: true });
    return entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (!(missingIsNormal && (code === 'ENOENT' || code === 'ENOTDIR'))) {
      addCount(counts, 'discover_unreadable_dirs');
    }
    return [];
  }
}

async function fileEntry(
  path: string,
  entry: Dirent,
  kind: ClaudeFileKind,
  counts: Counts,
): Promise<ClaudeSessionFile | null> {
  const found = await statListed(path, entry, counts);
  return found ? { ...found, kind } : null;
}
