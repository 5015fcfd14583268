// Finds Gemini CLI chat recordings under its temp root (`~/.gemini/tmp`, `$GEMINI_CLI_HOME/.gemini/tmp`):
//   <root>/<project>/chats/session-<time>-<id8>.jsonl   current recordings
//   <root>/<project>/chats/session-<time>-<id8>.json    older single-object recordings
//   <root>/<project>/chats/<parent id>/<id>.jsonl       subagents
// A `.json` whose `.jsonl` twin exists is skipped: Gemini migrated it on resume (`discover_superseded`).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { addCount, type Counts } from '../../model/session.ts';
import { walkFiles, type FoundFile } from '../walk-files.ts';

const RECORDING = /^session-.+\.jsonl?$/;

export function discoverGeminiSessions(root: string, counts: Counts = {}): AsyncGenerator<FoundFile> {
  return walkFiles(root, {
    maxDepth: 3,
    counts,
    accept: (name, relDir, dir) => {
      const parts = relDir.split('/');
      const inChats = parts.length === 2 && parts[1] === 'chats';
      const inSubagents = parts.length === 3 && parts[1] === 'chats';
      if (inSubagents) return name.endsWith('.jsonl');
      if (!inChats || !RECORDING.test(name)) return false;
      if (name.endsWith('.json') && existsSync(join(dir, `${name}l`))) {
        addCount(counts, 'discover_superseded');
        return false;
      }
      return true;
    },
  });
}
