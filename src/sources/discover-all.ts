// Discovers session files under every configured root, with the runtime each root implies.
// The format of each file is decided later from its content.
import type { Runtime } from '../model/session.ts';
import { discoverClaudeSessions } from './claude/discover.ts';
import { discoverPiSessionFiles } from './pi/discover.ts';

export interface SessionRoots {
  claude?: string[];
  pir?: string[];
  omp?: string[];
}

export interface DiscoveredFile {
  path: string;
  root: string;
  runtime: Runtime;
  size: number;
  mtimeMs: number;
}

export interface DiscoveryNotes {
  /** One-line notices worth showing once (no index, a missing root, ...). */
  notices: string[];
  /** Index rows whose file is gone. */
  missing: string[];
}

export async function* discoverSessionFiles(roots: SessionRoots, notes: DiscoveryNotes): AsyncGenerator<DiscoveredFile> {
  for (const root of roots.claude ?? []) {
    for await (const f of discoverClaudeSessions(root)) {
      yield { path: f.path, root, runtime: 'claude-code', size: f.size, mtimeMs: f.mtimeMs };
    }
  }
  for (const [runtime, list] of [['pir', roots.pir], ['omp', roots.omp]] as const) {
    for (const root of list ?? []) {
      for await (const f of discoverPiSessionFiles(root, { onNotice: (n) => notes.notices.push(n) })) {
        if ('missing' in f) {
          notes.missing.push(f.path);
          continue;
        }
        yield { path: f.path, root, runtime, size: f.size, mtimeMs: f.mtimeMs };
      }
    }
  }
}
