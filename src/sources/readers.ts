// The session readers, by detected format: one place that says which reader reads what, so a new
// harness adds a folder and a line here, not branches in the pipeline. Every reader keeps the
// signature `(path, opts)` and returns one ReadResult per session the file holds (an OpenCode
// store holds many; an older Claude Code file holds its subagents' conversations inline).
import { addCount, type ReadResult, type Runtime } from '../model/session.ts';
import { readClaudeInlineSidechains, readClaudeSession } from './claude/read.ts';
import { readCodexSession } from './codex/read.ts';
import { detectFormat, type DetectedFormat } from './detect-format.ts';
import { readGeminiSession } from './gemini/read.ts';
import { readOpenCodeExport, readOpenCodeStorageSession, readOpenCodeStore } from './opencode/read.ts';
import { readPiSession } from './pi/read.ts';
import { bytesPath, type ReaderOptions } from './reader-options.ts';

export type ReadableFormat = Exclude<DetectedFormat, 'empty' | 'unknown'>;

export type SessionReader = (path: string, opts: ReaderOptions) => Promise<ReadResult[]>;

const one = (read: (path: string, opts: ReaderOptions) => Promise<ReadResult>): SessionReader => async (path, opts) => [await read(path, opts)];

/** Older Claude Code kept subagent conversations inside the main file: sessions of their own. */
const readClaudeFile: SessionReader = async (path, opts) => {
  const o = { ...opts, runtime: 'claude-code' as const };
  const main = await readClaudeSession(path, o);
  const out = [main];
  if ((main.counts.skipped_sidechain ?? 0) > 0) {
    for (const side of await readClaudeInlineSidechains(path, o)) {
      // Their lines are the main read's lines: counted there once, not again here.
      addCount(main.counts, 'inline_sidechain_sessions');
      out.push({ session: side.session, counts: {}, warnings: side.warnings });
    }
  }
  return out;
};

/** A pi-format file found under a root of another runtime is read as plain pi. */
function piRuntime(r: Runtime | undefined): 'pi' | 'pir' | 'omp' {
  return r === 'pir' || r === 'omp' ? r : 'pi';
}

export const READERS: Record<ReadableFormat, SessionReader> = {
  claude: readClaudeFile,
  pi: one((path, opts) => readPiSession(path, { ...opts, runtime: piRuntime(opts.runtime) })),
  codex: one(readCodexSession),
  gemini: one(readGeminiSession),
  'gemini-json': one(readGeminiSession),
  'opencode-store': readOpenCodeStore,
  'opencode-export': one(readOpenCodeExport),
  'opencode-storage': one(readOpenCodeStorageSession),
};

export interface SessionFileRead {
  format: DetectedFormat;
  results: ReadResult[];
  /**
   * What orders two reads of the same session, when the file's size does not (one session of a
   * store: its last change).
   */
  version?: number;
}

/** Detects the file's format from its bytes and reads it with that format's reader. */
export async function readSessionFile(path: string, opts: ReaderOptions = {}): Promise<SessionFileRead> {
  const format = await detectFormat(bytesPath(path, opts));
  if (format === 'empty') return { format, results: [{ session: null, counts: { empty_files: 1 }, warnings: [] }] };
  if (format === 'unknown') {
    return { format, results: [{ session: null, counts: { unknown_format: 1 }, warnings: [`${path}: not a session file of any known format; skipped`] }] };
  }
  const results = await READERS[format](path, opts);
  const updated = format === 'opencode-store' && opts.sessionKey ? results[0]?.session?.extra.storeUpdatedMs : undefined;
  return { format, results, ...(typeof updated === 'number' ? { version: updated } : {}) };
}
