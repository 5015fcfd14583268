// Session backfill benchmark: a generated pir corpus through Redis with 2 worker processes, against
// a baseline that only reads the same files and JSON.parses every line in one process.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { generatePirCorpus, generateHugePirSession } from '../scripts/generate-pir-corpus.ts';
import { discoverSessionFiles } from '../src/sources/discover-all.ts';
import { SESSION_FILE_QUEUE } from '../queues/session-file.ts';
import { REDIS_URL, REPO, cpuMs, forEachJsonLine, mb, peakRss, ratio, runHarvest, runNode, secs, startHarvest, stop } from './support.ts';
import { dropPrefix } from '../test/support/redis.ts';
import { STAGES, stageTimes } from './breakdown.ts';

async function listFiles(root: string): Promise<{ path: string; size: number }[]> {
  const out = [];
  for await (const f of discoverSessionFiles({ pir: [root] }, { notices: [], missing: [] })) out.push({ path: f.path, size: f.size });
  return out;
}

/** The baseline: read every file and JSON.parse every line, nothing else, one process. */
async function baseline(files: { path: string }[]): Promise<number> {
  const t0 = performance.now();
  let parsed = 0;
  for (const f of files) await forEachJsonLine(f.path, () => parsed++);
  if (parsed === 0) throw new Error('baseline parsed nothing');
  return performance.now() - t0;
}

async function drained(prefix: string, expected: number, workers: number[], peaks: Map<number, number>): Promise<void> {
  const conn = new Redis(REDIS_URL);
  const q = new Queue(SESSION_FILE_QUEUE, { connection: conn, prefix });
  try {
    for (;;) {
      for (const pid of workers) peaks.set(pid, Math.max(peaks.get(pid) ?? 0, peakRss(pid)));
      const c = await q.getJobCounts('completed', 'failed');
      if ((c.completed ?? 0) + (c.failed ?? 0) >= expected) return;
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    await q.close();
    conn.disconnect();
  }
}

/**
 * The floor on `workers` processes (bench/floor.ts): files dealt largest first to the least loaded
 * process; the time of the slowest, start-up excluded.
 */
async function floor(files: { path: string; size: number }[], workers: number): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'hbench-floor-'));
  try {
    const shares = Array.from({ length: workers }, () => ({ bytes: 0, paths: [] as string[] }));
    for (const f of [...files].sort((a, b) => b.size - a.size)) {
      const least = shares.reduce((m, s) => (s.bytes < m.bytes ? s : m));
      least.bytes += f.size;
      least.paths.push(f.path);
    }
    const times = await Promise.all(shares.map(async (s, i) => {
      const list = join(dir, `files-${i}.json`);
      writeFileSync(list, JSON.stringify(s.paths));
      const r = await runNode(['--import', 'tsx', join(REPO, 'bench', 'floor.ts'), list, join(dir, `out-${i}`)]);
      if (r.code !== 0) throw new Error(`floor process failed: ${r.stderr.slice(-2000)}`);
      return (JSON.parse(r.stdout) as { ms: number }).ms;
    }));
    return Math.max(...times);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

interface PipelineRun { wallMs: number; rerunMs: number; peaks: number[]; cpu: number[]; samples: number; sessions: number }

/** Backfill `root` through Redis with `workers` worker processes; then an unchanged re-run. */
async function pipeline(root: string, files: number, workers: number): Promise<PipelineRun> {
  const prefix = `hbench-${Date.now().toString(36)}`;
  const out = mkdtempSync(join(tmpdir(), 'hbench-out-'));
  const env = { REDIS_URL, HARVEST_PREFIX: prefix, HARVEST_OUT: out, HARVEST_ROOTS: root, HARVEST_CONCURRENCY: process.env.BENCH_CONCURRENCY ?? '2' };
  const procs = await Promise.all(Array.from({ length: workers }, (_, i) => startHarvest(['worker'], { ...env, HARVEST_WORKER_ID: `bench-${i}` })));
  const peaks = new Map<number, number>();
  try {
    const cpu0 = procs.map((p) => cpuMs(p.pid!));
    const t0 = performance.now();
    const r = await runHarvest(['backfill', '--pir', root], env);
    if (r.code !== 0) throw new Error(`backfill failed: ${r.stderr}`);
    await drained(prefix, files, procs.map((p) => p.pid!), peaks);
    const wallMs = performance.now() - t0;
    const cpu = procs.map((p) => cpuMs(p.pid!) - cpu0[procs.indexOf(p)]);
    const t1 = performance.now();
    const again = await runHarvest(['backfill', '--pir', root, '--inline', '--json'], env);
    const rerunMs = performance.now() - t1;
    const summary = JSON.parse(again.stdout.trim().split('\n').pop() ?? '{}');
    if (summary.files?.enqueued !== 0) throw new Error(`re-run enqueued ${summary.files?.enqueued}`);
    const v = await runHarvest(['validate', out, '--json'], env);
    if (!v.stdout.trim()) throw new Error(`validate printed nothing (exit ${v.code}): ${v.stderr.slice(-2000)}`);
    const stats = JSON.parse(v.stdout).stats;
    return { wallMs, rerunMs, peaks: [...peaks.values()], cpu, samples: stats.samples, sessions: files };
  } finally {
    await Promise.all(procs.map(stop));
    await dropPrefix(prefix);
    rmSync(out, { recursive: true, force: true });
  }
}

export async function benchSessions(opts: { sessions: number; scales: number[]; hugeMb: number }): Promise<string[]> {
  const lines: string[] = [];
  for (const scale of opts.scales) {
    const n = opts.sessions * scale;
    const dir = mkdtempSync(join(tmpdir(), 'hbench-corpus-'));
    try {
      const gen = await generatePirCorpus({ out: dir, sessions: n, seed: scale });
      const files = await listFiles(dir);
      const bytes = files.reduce((a, f) => a + f.size, 0);
      const base = await baseline(files);
      const least = await floor(files, 2);
      const run = await pipeline(dir, files.length, 2);
      lines.push(
        `sessions x${scale}: ${files.length} files (${gen.sessions.length} generated), ${mb(bytes)} MB`,
        `  baseline (read + JSON.parse, 1 process): ${secs(base)} s, ${(files.length / (base / 1000)).toFixed(1)} sessions/s, ${(bytes / 1048576 / (base / 1000)).toFixed(1)} MB/s`,
        `  pipeline (Redis, 2 worker processes):    ${secs(run.wallMs)} s, ${(files.length / (run.wallMs / 1000)).toFixed(1)} sessions/s, ${(bytes / 1048576 / (run.wallMs / 1000)).toFixed(1)} MB/s, ${run.samples} samples`,
        `  floor (parse, secret scan, serialize, hash, write; 2 processes): ${secs(least)} s, ratio ${ratio(least, base)}`,
        `  ratio pipeline/baseline wall time: ${ratio(run.wallMs, base)} (target <= 2.0)`,
        `  ratio pipeline/floor wall time: ${ratio(run.wallMs, least)} (target <= 1.2)`,
        `  CPU time per worker: ${run.cpu.map((c) => secs(c) + ' s').join(', ')}`,
        `  peak RSS per worker: ${run.peaks.map((p) => mb(p) + ' MB').join(', ')} (target < 256 MB)`,
        `  unchanged re-run: ${secs(run.rerunMs)} s = ${((run.rerunMs / run.wallMs) * 100).toFixed(1)}% of the first run (target < 5%)`,
      );
      if (scale === opts.scales[0]) {
        // Where the time goes: each stage of the workers' work, timed alone in this process.
        const stages = await stageTimes(files);
        const sum = STAGES.reduce((a, k) => a + stages[k], 0);
        const cpu = run.cpu.reduce((a, b) => a + b, 0);
        const rest = Math.max(0, cpu - sum);
        const pct = (x: number) => `${((x / cpu) * 100).toFixed(0)}%`;
        lines.push(`  where the time goes (CPU s, of ${secs(cpu)} s on the workers): ${STAGES.map((k) => `${k} ${secs(stages[k])} (${pct(stages[k])})`).join(', ')}, queue and frame ${secs(rest)} (${pct(rest)})`);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  if (opts.hugeMb > 0) {
    const dir = mkdtempSync(join(tmpdir(), 'hbench-huge-'));
    try {
      const huge = generateHugePirSession({ out: dir, mb: opts.hugeMb });
      const files = await listFiles(dir);
      const base = await baseline(files);
      const run = await pipeline(dir, files.length, 1);
      lines.push(
        `one huge session: ${mb(huge.bytes)} MB`,
        `  baseline ${secs(base)} s; pipeline (1 worker) ${secs(run.wallMs)} s, ratio ${ratio(run.wallMs, base)}`,
        `  peak worker RSS: ${mb(run.peaks[0] ?? 0)} MB (target < 256 MB)`,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return lines;
}
