// Scrub throughput on the real corpus (../shared/corpus): every line of every session file is
// JSON.parsed first (not timed), then scrubDeep runs over each entry (timed). Prints MB/s and the
// redactions per MB of each kind. Not a test and not the bench: a figure to compare two versions.
//   node --import tsx scripts/scrub-throughput.ts [corpus dir] [scrub module]
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL, fileURLToPath } from 'node:url';

const corpus = resolve(process.argv[2] ?? fileURLToPath(new URL('../../shared/corpus', import.meta.url)));
const modulePath = resolve(process.argv[3] ?? fileURLToPath(new URL('../src/transforms/scrub.ts', import.meta.url)));
const { scrubDeep } = (await import(pathToFileURL(modulePath).href)) as { scrubDeep: <T>(v: T, c: Record<string, number>, ...rest: unknown[]) => T };
const options = process.env.SCRUB_OPTIONS ? JSON.parse(process.env.SCRUB_OPTIONS) : undefined;

function files(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) files(p, out);
    else if (/\.jsonl?$/.test(name)) out.push(p);
  }
  return out;
}

const entries: unknown[] = [];
let bytes = 0;
for (const f of files(corpus)) {
  const text = readFileSync(f, 'utf8');
  bytes += Buffer.byteLength(text);
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      entries.push(JSON.parse(line));
    } catch {
      entries.push(line);
    }
  }
}
const mb = bytes / 1e6;
const rounds = Number(process.env.ROUNDS ?? 5);
let counts: Record<string, number> = {};
const times: number[] = [];
for (let r = 0; r < rounds; r++) {
  counts = {};
  // CPU time, not wall time: the machine may be shared, and waiting for a core is not scrubbing.
  const c0 = process.cpuUsage();
  for (const e of entries) scrubDeep(e, counts, options);
  const c = process.cpuUsage(c0);
  times.push((c.user + c.system) / 1000);
}
times.sort((a, b) => a - b);
const best = times[0] / 1000;
const perMb = Object.fromEntries(Object.entries(counts).sort().map(([k, v]) => [k, Number((v / mb).toFixed(2))]));
console.log(JSON.stringify({ corpus_mb: Number(mb.toFixed(2)), entries: entries.length, best_cpu_s: Number(best.toFixed(3)), mb_per_s: Number((mb / best).toFixed(1)), counts, per_mb: perMb }));
