// The gate before publishing: every file under the given paths (dataset folders, export files, raw
// session folders) read as text lines, each line asked whether scrubbing would still change it
// (a line that parses as JSON is walked as JSON, its keys giving context), and each file asked of
// secretlint's recommended preset as a second, independent judge. Findings carry a kind and a
// place, never the value.
import { createReadStream } from 'node:fs';
import { open, readdir, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { createInterface } from 'node:readline';
import type { Counts } from '../model/session.ts';
import { scrubberFor, type ScrubOptions } from '../transforms/scrub.ts';
import { secretlintFindings } from '../transforms/secrets/secretlint.ts';

export interface ScanFinding {
  kind: string;
  file: string;
  line: number;
  /** How many in that line. */
  count: number;
  /** Who found it: harvest's scrubber or secretlint. */
  by: 'harvest' | 'secretlint';
}

export interface ScanResult {
  findings: ScanFinding[];
  /** Findings per kind. */
  kinds: Record<string, number>;
  files: number;
  lines: number;
  bytes: number;
  /** Files not read as text (binary), with why. */
  skipped: { file: string; reason: string }[];
}

export class ScanPathError extends Error {}

// Folders no dataset or session lives in.
const SKIP_DIRS = new Set(['.git', 'node_modules']);
// secretlint reads a file in pieces of about this size, so a 64 MiB shard is never one string.
const SECRETLINT_CHUNK_CHARS = 4 * 1024 * 1024;

async function* filesUnder(path: string): AsyncGenerator<string> {
  const st = await stat(path).catch(() => null);
  if (!st) throw new ScanPathError(`${path}: no such file or folder`);
  if (st.isFile()) {
    yield path;
    return;
  }
  if (!st.isDirectory()) return;
  for (const e of (await readdir(path, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
    if (e.isDirectory() && SKIP_DIRS.has(e.name)) continue;
    const p = join(path, e.name);
    if (e.isDirectory()) yield* filesUnder(p);
    else if (e.isFile()) yield p;
  }
}

async function isBinary(file: string): Promise<boolean> {
  const fh = await open(file, 'r');
  try {
    const buf = Buffer.alloc(8192);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    return buf.subarray(0, bytesRead).includes(0);
  } finally {
    await fh.close();
  }
}

function lineFindings(line: string, scrub: ReturnType<typeof scrubberFor>): Counts {
  const counts: Counts = {};
  const t = line.trimStart();
  if (t.startsWith('{') || t.startsWith('[')) {
    try {
      scrub.deep(JSON.parse(line), counts);
      return counts;
    } catch {
      // Not JSON after all: read as text.
    }
  }
  scrub.text(line, counts);
  return counts;
}

export async function scanPaths(paths: string[], options: { privacy?: ScrubOptions; secretlint?: boolean; base?: string } = {}): Promise<ScanResult> {
  const scrub = scrubberFor(options.privacy);
  const res: ScanResult = { findings: [], kinds: {}, files: 0, lines: 0, bytes: 0, skipped: [] };
  const add = (f: ScanFinding) => {
    res.findings.push(f);
    res.kinds[f.kind] = (res.kinds[f.kind] ?? 0) + f.count;
  };
  for (const path of paths) {
    for await (const file of filesUnder(path)) {
      const name = options.base ? relative(options.base, file) || file : file;
      if (await isBinary(file)) {
        res.skipped.push({ file: name, reason: 'binary' });
        continue;
      }
      res.files++;
      let n = 0;
      let chunk: string[] = [];
      let chunkChars = 0;
      let chunkStart = 1;
      const judge = async () => {
        if (options.secretlint === false || chunk.length === 0) return;
        for (const f of await secretlintFindings(chunk.join('\n'), file)) add({ kind: `secretlint:${f.kind}`, file: name, line: chunkStart + f.line - 1, count: 1, by: 'secretlint' });
      };
      const lines = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
      for await (const line of lines) {
        n++;
        res.bytes += Buffer.byteLength(line) + 1;
        for (const [key, count] of Object.entries(lineFindings(line, scrub))) add({ kind: key.replace(/^redacted_/, ''), file: name, line: n, count, by: 'harvest' });
        chunk.push(line);
        chunkChars += line.length + 1;
        if (chunkChars >= SECRETLINT_CHUNK_CHARS) {
          await judge();
          chunk = [];
          chunkChars = 0;
          chunkStart = n + 1;
        }
      }
      await judge();
      res.lines += n;
    }
  }
  res.findings.sort((a, b) => a.kind.localeCompare(b.kind) || a.file.localeCompare(b.file) || a.line - b.line);
  return res;
}
