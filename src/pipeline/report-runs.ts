// The run files under `<out>/runs/`: session runs (`harvest backfill --inline`, RunSummary) give
// what was dropped, truncated and redacted by reason; other runs (beads ingests) give the counters
// whose names say something was left out.
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RunReasons } from '../sinks/report/report-data.ts';
import { RUN_FILE_KIND, type RunSummary } from './run-summary.ts';

export const DROP_KEY = /reject|skip|drop|duplicate|malformed|invalid|oversize|truncated|orphan|unknown|not_json|superseded|repeated|failed|without|incomplete|bad_time|below/;

const add = (into: Record<string, number>, key: string, n: number | undefined) => {
  if (n && n > 0) into[key] = (into[key] ?? 0) + n;
};

/** Numeric leaves of a run file whose names say something was left out. */
function dropCounts(value: unknown, path: string, into: Record<string, number>): void {
  // Outcome tallies are what became of work, not input that was left out.
  if (/(^|\.)outcomes?(\.|$)/.test(path)) return;
  if (typeof value === 'number') {
    if (DROP_KEY.test(path)) add(into, path, value);
    return;
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) return;
  for (const [k, v] of Object.entries(value)) dropCounts(v, path ? `${path}.${k}` : k, into);
}

function addSessionRun(s: RunSummary, r: RunReasons): void {
  r.sessionRuns++;
  for (const [k, v] of Object.entries(s.skipped_lines ?? {})) add(r.dropped, k, v);
  for (const [k, v] of Object.entries(s.rejected ?? {})) add(r.dropped, `rejected_${k}`, v);
  for (const [k, v] of Object.entries(s.dropped ?? {})) add(r.dropped, k, v);
  add(r.dropped, 'duplicate samples', s.duplicates_dropped);
  add(r.dropped, 'files failed', s.files?.failed);
  for (const [k, v] of Object.entries(s.truncated ?? {})) add(r.truncated, k, v);
  for (const [k, v] of Object.entries(s.redacted ?? {})) add(r.redacted, k, v);
  for (const g of s.warnings?.by_kind ?? []) add(r.warnings, g.kind, g.count);
}

export async function readRunFiles(dir: string): Promise<{ files: string[]; reasons: RunReasons }> {
  const reasons: RunReasons = { sessionRuns: 0, dropped: {}, truncated: {}, redacted: {}, warnings: {} };
  const files: string[] = [];
  if (!existsSync(dir)) return { files, reasons };
  for (const name of (await readdir(dir)).sort()) {
    if (!name.endsWith('.json')) continue;
    let v: Record<string, unknown>;
    try {
      v = JSON.parse(await readFile(join(dir, name), 'utf8')) as Record<string, unknown>;
    } catch {
      add(reasons.dropped, 'report: unreadable run files', 1);
      continue;
    }
    files.push(name);
    if (v.kind === RUN_FILE_KIND) {
      addSessionRun(v as unknown as RunSummary, reasons);
      continue;
    }
    // Keep the interesting parts: counters, rejected/skipped maps; not per-file lists.
    const kind = typeof v.kind === 'string' ? v.kind : 'run';
    const { counts, ...rest } = v as { counts?: unknown };
    dropCounts(counts ?? {}, kind, reasons.dropped);
    for (const [k, val] of Object.entries(rest)) if (typeof val === 'number' || (val && typeof val === 'object')) dropCounts(val, `${kind}.${k}`, reasons.dropped);
  }
  return { files, reasons };
}
