// A session run's summary (a backfill): its flat counters sorted into what was written, dropped,
// truncated and redacted, and its per-file warnings grouped by kind. Written to
// `<out>/runs/<run>.json` with the full list of warnings; `harvest report` reads it back.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Counts } from '../model/session.ts';
import { groupWarnings, type RunWarning, type WarningGroup } from '../model/run-warning.ts';
import { writeFileAtomic } from '../sinks/shards/shard-files.ts';

export const RUN_FILE_KIND = 'sessions';

/** Samples the pipeline built and did not write (counted `skipped_*` like lines, but not lines). */
const SAMPLE_SKIPS = new Set(['skipped_below_min_score', 'skipped_invalid', 'skipped_without_split']);
const LINE_SKIPS = new Set(['malformed_json', 'invalid_utf8', 'oversize_line', 'truncated_last_line', 'empty_lines']);

/** Counters sorted by what became of the input they count. */
export interface CountsByReason {
  /** Whole lines of a session file that were not read. */
  skipped_lines: Record<string, number>;
  /** Samples, or training targets, not written because of a rule (score, size, outcome, no task...). */
  rejected: Record<string, number>;
  /** Other input left out (images, empty files, sessions with no turns...). */
  dropped: Record<string, number>;
  /** Kept, but cut to a size (tool results, long fields, chunks). */
  truncated: Record<string, number>;
  /** Secrets replaced, by kind. */
  redacted: Record<string, number>;
}

export function countsByReason(c: Counts): CountsByReason {
  const r: CountsByReason = { skipped_lines: {}, rejected: {}, dropped: {}, truncated: {}, redacted: {} };
  for (const [k, v] of Object.entries(c)) {
    if (!v) continue;
    if (k.startsWith('redacted_')) r.redacted[k.slice(9)] = v;
    else if (k.startsWith('rejected_')) r.rejected[k.slice(9)] = v;
    else if (SAMPLE_SKIPS.has(k)) r.rejected[k.slice(8)] = v;
    // Assistant messages that are no sample's target, by reason.
    else if (k.startsWith('uncovered.')) r.rejected[`target_${k.slice(10)}`] = v;
    else if (LINE_SKIPS.has(k) || k.startsWith('skipped_')) r.skipped_lines[k] = v;
    else if (/truncat|capped/.test(k)) r.truncated[k] = v;
    else if (/_dropped$|^empty_files$|^sessions_empty$|^files_failed$|_missing$|_unmatched$|_orphaned$|_unanswered$|_without_|collisions$/.test(k)) r.dropped[k] = v;
  }
  return r;
}

export interface RunSummary extends CountsByReason {
  kind: typeof RUN_FILE_KIND;
  run_id: string;
  out: string;
  files: { found: number; enqueued: number; unchanged: number; processed: number; failed: number; empty: number };
  sessions: number;
  turns: number;
  tool_calls: number;
  samples_written: number;
  samples: Record<string, Record<string, number>>;
  duplicates_dropped: number;
  unchanged_records: number;
  warnings: { total: number; not_listed: number; by_kind: WarningGroup[] };
  elapsed_s: number;
}

export function buildSummary(runId: string, out: string, c: Counts, found: number, enqueued: number, elapsedMs: number, warnings: RunWarning[] = []): RunSummary {
  const samples: Record<string, Record<string, number>> = { train: {}, val: {} };
  for (const [k, v] of Object.entries(c)) {
    if (!k.startsWith('samples.')) continue;
    const [, split, role] = k.split('.');
    (samples[split] ??= {})[role] = v;
  }
  const reasons = countsByReason(c);
  // Shown on a line of its own.
  delete reasons.dropped.duplicates_dropped;
  return {
    kind: RUN_FILE_KIND,
    run_id: runId,
    out,
    files: {
      found,
      enqueued,
      unchanged: found - enqueued,
      processed: c.files ?? 0,
      failed: c.files_failed ?? 0,
      empty: c.empty_files ?? 0,
    },
    sessions: c.sessions ?? 0,
    turns: c.turns ?? 0,
    tool_calls: c.tool_calls ?? 0,
    samples_written: c.samples_written ?? 0,
    samples,
    ...reasons,
    duplicates_dropped: c.duplicates_dropped ?? 0,
    unchanged_records: c.unchanged_skipped ?? 0,
    warnings: { total: c.warnings ?? warnings.length, not_listed: c.warnings_not_listed ?? 0, by_kind: groupWarnings(warnings) },
    elapsed_s: Math.round(elapsedMs / 100) / 10,
  };
}

/** The run file: the summary, every counter, and every listed warning. Returns its path. */
export async function writeRunSummary(summary: RunSummary, counts: Counts, warnings: RunWarning[]): Promise<string> {
  const dir = join(summary.out, 'runs');
  await mkdir(dir, { recursive: true });
  const path = join(dir, `${summary.run_id}.json`);
  await writeFileAtomic(path, JSON.stringify({ ...summary, finished_at: new Date().toISOString(), counts, warning_list: warnings }, null, 2) + '\n');
  return path;
}
