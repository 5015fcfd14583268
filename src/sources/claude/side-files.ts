// Files Claude Code keeps beside a transcript: outputs too large for the transcript
// (`<session>/tool-results/<name>`, named by the `<persisted-output>` preview that stands in for
// them) and a subagent's `agent-<id>.meta.json`. Read by their logical path, bounded.
import { existsSync } from 'node:fs';
import { open, readFile, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { addCount, type Counts } from '../../model/session.ts';
import { CappedText, omittedMarker } from '../capped-text.ts';
import { isObj, str } from '../json-values.ts';
import type { ClaudeNode } from './entries.ts';
import { withSideFile } from '../checked-file.ts';

/** The saved output in this machine's `tool-results/` folder, for a path written on any machine. */
export function persistedOutputPath(toolResultsDir: string, saved: string): string {
  const name = saved.split(/[\\/]/).pop() ?? saved;
  return join(toolResultsDir, name);
}

/** The file's text, at most `maxChars` (head + marker + tail), read without loading a large file whole. */
async function readCapped(path: string, maxChars: number): Promise<string> {
  const size = (await stat(path)).size;
  const window = maxChars * 4;
  if (size <= window) {
    const t = new CappedText(maxChars);
    t.append(await readFile(path, 'utf8'));
    return t.toString();
  }
  const fh = await open(path, 'r');
  try {
    const half = Math.floor(maxChars / 2);
    const head = Buffer.alloc(half * 4);
    const tail = Buffer.alloc(half * 4);
    const h = await fh.read(head, 0, head.length, 0);
    const t = await fh.read(tail, 0, tail.length, size - tail.length);
    // Whole characters only at the cuts (a read window may split a UTF-8 sequence).
    const headText = head.subarray(0, h.bytesRead).toString('utf8').replace(/\uFFFD+$/, '').slice(0, half);
    const tailText = tail.subarray(0, t.bytesRead).toString('utf8').replace(/^\uFFFD+/, '');
    const tailKept = tailText.slice(Math.max(0, tailText.length - (maxChars - half)));
    return headText + omittedMarker(Math.max(0, size - Buffer.byteLength(headText) - Buffer.byteLength(tailKept))) + tailKept;
  } finally {
    await fh.close();
  }
}

/**
 * Replaces each `<persisted-output>` preview in the nodes' tool results by the saved output in
 * `toolResultsDir` (and nowhere else), capped at `maxChars`, where the file exists. Counts persisted_outputs_inlined and
 * persisted_outputs_missing.
 */
export async function inlinePersistedOutputs(nodes: ClaudeNode[], toolResultsDir: string, maxChars: number, counts: Counts, roots?: readonly string[]): Promise<void> {
  for (const n of nodes) {
    if (n.item?.k !== 'user') continue;
    for (const p of n.item.pieces) {
      if (p.k !== 'result' || !p.persistedPath) continue;
      const file = persistedOutputPath(toolResultsDir, p.persistedPath);
      try {
        // A saved output outside the roots (a link out of the session folder) is not read.
        const text = await withSideFile(file, roots, (readFrom) => readCapped(readFrom, maxChars));
        if (text === null) throw new Error('outside the roots');
        p.content = text;
        addCount(counts, 'persisted_outputs_inlined');
      } catch {
        addCount(counts, 'persisted_outputs_missing');
      }
    }
  }
}

export interface SubagentMeta {
  agentType?: string;
  description?: string;
  toolUseId?: string;
}

/** `agent-<id>.meta.json` beside a subagent transcript, when there (small, or ignored). */
export async function readSubagentMeta(agentPath: string, roots?: readonly string[]): Promise<SubagentMeta | undefined> {
  const metaPath = join(dirname(agentPath), `${basename(agentPath, '.jsonl')}.meta.json`);
  if (!existsSync(metaPath)) return undefined;
  try {
    const text = await withSideFile(metaPath, roots, async (readFrom) => ((await stat(readFrom)).size > 256 * 1024 ? null : readFile(readFrom, 'utf8')));
    if (text === null) return undefined;
    const v = JSON.parse(text) as unknown;
    if (!isObj(v)) return undefined;
    const meta: SubagentMeta = {};
    const type = str(v.agentType) ?? str(v.subagentType) ?? str(v.subagent_type);
    if (type) meta.agentType = type;
    if (str(v.description)) meta.description = (v.description as string).slice(0, 200);
    const tool = str(v.toolUseId) ?? str(v.toolUseID);
    if (tool) meta.toolUseId = tool;
    return meta;
  } catch {
    return undefined;
  }
}
