// The floor of the session pipeline: the work no version of it can skip. It reads each file, JSON.parses
// every line (holding a session's entries, as the tree walk must), scans every string for secrets,
// serializes the result, hashes and writes it. Run as one child process per worker by the session
// bench; prints {"ms": N} for its share of the files.
import { readFileSync, openSync, writeSync, closeSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { scrubDeep } from '../src/transforms/scrub.ts';
import type { Counts } from '../src/model/session.ts';
import { forEachJsonLine } from './support.ts';

const [listFile, outFile] = process.argv.slice(2);
const files = JSON.parse(readFileSync(listFile, 'utf8')) as string[];
const counts: Counts = {};
const t0 = performance.now();
const out = openSync(outFile, 'w');
for (const f of files) {
  const entries: unknown[] = [];
  await forEachJsonLine(f, (v) => entries.push(v));
  const clean = entries.map((e) => scrubDeep(e, counts));
  const bytes = Buffer.from(clean.map((e) => JSON.stringify(e)).join('\n') + '\n');
  createHash('sha256').update(bytes).digest();
  writeSync(out, bytes);
}
closeSync(out);
process.stdout.write(JSON.stringify({ ms: performance.now() - t0 }) + '\n');
