// Discovers session files under every configured root, with the runtime each root implies. The
// format of each file is decided later from its content; a file that holds many sessions (an
// OpenCode store) is discovered once per session (`sessionKey`).
import type { Runtime } from '../model/session.ts';
import { discoverClaudeSessions } from './claude/discover.ts';
import { discoverCodexSessions } from './codex/discover.ts';
import { discoverGeminiSessions } from './gemini/discover.ts';
import { discoverOpenCodeSessions } from './opencode/discover.ts';
import { discoverPiSessionFiles } from './pi/discover.ts';

export interface SessionRoots {
  claude?: string[];
  pir?: string[];
  omp?: string[];
  codex?: string[];
  gemini?: string[];
  opencode?: string[];
}

/** Every kind of root, with the runtime its sessions get (the order roots are walked in). */
export const ROOT_KINDS: readonly { key: keyof SessionRoots; runtime: Runtime }[] = [
  { key: 'claude', runtime: 'claude-code' },
  { key: 'pir', runtime: 'pir' },
  { key: 'omp', runtime: 'omp' },
  { key: 'codex', runtime: 'codex' },
  { key: 'gemini', runtime: 'gemini' },
  { key: 'opencode', runtime: 'opencode' },
];

export interface DiscoveredFile {
  path: string;
  root: string;
  runtime: Runtime;
  size: number;
  mtimeMs: number;
  /** One session of a file that holds many: its id. */
  sessionKey?: string;
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
  for (const root of roots.codex ?? []) {
    for await (const f of discoverCodexSessions(root)) yield { ...f, root, runtime: 'codex' };
  }
  for (const root of roots.gemini ?? []) {
    for await (const f of discoverGeminiSessions(root)) yield { ...f, root, runtime: 'gemini' };
  }
  for (const root of roots.opencode ?? []) {
    for await (const f of discoverOpenCodeSessions(root, { onNotice: (n) => notes.notices.push(n) })) {
      yield { ...f, root, runtime: 'opencode' };
    }
  }
}
