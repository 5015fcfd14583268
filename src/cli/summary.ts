// Turns a run's flat counters into the backfill summary (JSON and human text).
import type { Counts } from '../model/session.ts';

const SKIP_KEYS = new Set(['malformed_json', 'invalid_utf8', 'oversize_line', 'truncated_last_line', 'empty_lines']);

export interface RunSummary {
  run_id: string;
  out: string;
  files: { found: number; enqueued: number; unchanged: number; processed: number; failed: number; empty: number };
  sessions: number;
  turns: number;
  tool_calls: number;
  samples_written: number;
  samples: Record<string, Record<string, number>>;
  skipped_lines: Record<string, number>;
  rejected: Record<string, number>;
  redacted: Record<string, number>;
  duplicates_dropped: number;
  unchanged_records: number;
  elapsed_s: number;
}

export function buildSummary(runId: string, out: string, c: Counts, found: number, enqueued: number, elapsedMs: number): RunSummary {
  const samples: Record<string, Record<string, number>> = { train: {}, val: {} };
  const skipped: Record<string, number> = {};
  const rejected: Record<string, number> = {};
  const redacted: Record<string, number> = {};
  for (const [k, v] of Object.entries(c)) {
    if (k.startsWith('samples.')) {
      const [, split, role] = k.split('.');
      (samples[split] ??= {})[role] = v;
    } else if (k.startsWith('redacted_')) redacted[k.slice(9)] = v;
    else if (k.startsWith('rejected_')) rejected[k.slice(9)] = v;
    else if (SKIP_KEYS.has(k) || k.startsWith('skipped_')) skipped[k] = v;
  }
  return {
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
    skipped_lines: skipped,
    rejected,
    redacted,
    duplicates_dropped: c.duplicates_dropped ?? 0,
    unchanged_records: c.unchanged_skipped ?? 0,
    elapsed_s: Math.round(elapsedMs / 100) / 10,
  };
}

const line = (o: Record<string, number>): string =>
  Object.entries(o).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `${k}=${v}`).join(' ') || '-';

export function formatSummary(s: RunSummary): string {
  return [
    `run ${s.run_id} -> ${s.out} (${s.elapsed_s}s)`,
    `files: found ${s.files.found}, enqueued ${s.files.enqueued}, unchanged ${s.files.unchanged}, processed ${s.files.processed}, failed ${s.files.failed}, empty ${s.files.empty}`,
    `sessions ${s.sessions}, turns ${s.turns}, tool calls ${s.tool_calls}, samples written ${s.samples_written}`,
    `samples train: ${line(s.samples.train ?? {})}`,
    `samples val:   ${line(s.samples.val ?? {})}`,
    `lines skipped: ${line(s.skipped_lines)}`,
    `rejected:      ${line(s.rejected)}`,
    `redacted:      ${line(s.redacted)}`,
    `duplicates dropped ${s.duplicates_dropped}, unchanged records ${s.unchanged_records}`,
  ].join('\n');
}
