// A backfill's summary as text for the terminal (the JSON form is the RunSummary itself).
import type { RunSummary } from '../pipeline/run-summary.ts';

export { buildSummary, type RunSummary } from '../pipeline/run-summary.ts';

const line = (o: Record<string, number>): string =>
  Object.entries(o).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `${k}=${v}`).join(' ') || '-';

export function formatSummary(s: RunSummary, runFile?: string): string {
  const out = [
    `run ${s.run_id} -> ${s.out} (${s.elapsed_s}s)`,
    `files: found ${s.files.found}, enqueued ${s.files.enqueued}, unchanged ${s.files.unchanged}, processed ${s.files.processed}, failed ${s.files.failed}, empty ${s.files.empty}`,
    `sessions ${s.sessions}, turns ${s.turns}, tool calls ${s.tool_calls}, samples written ${s.samples_written}`,
    `samples train: ${line(s.samples.train ?? {})}`,
    `samples val:   ${line(s.samples.val ?? {})}`,
    `lines skipped: ${line(s.skipped_lines)}`,
    `rejected:      ${line(s.rejected)}`,
    `dropped:       ${line(s.dropped)}`,
    `truncated:     ${line(s.truncated)}`,
    `redacted:      ${line(s.redacted)}`,
    `duplicates dropped ${s.duplicates_dropped}, unchanged records ${s.unchanged_records}`,
  ];
  if (s.warnings.total > 0) {
    out.push(`warnings ${s.warnings.total}${runFile ? ` (every one in ${runFile})` : ''}:`);
    const shown = s.warnings.by_kind.slice(0, 8);
    for (const g of shown) {
      out.push(`  ${String(g.count).padStart(6)}  ${g.kind}`);
      for (const p of g.first) out.push(`          ${p}`);
      if (g.count > g.first.length) out.push(`          ... ${g.count - g.first.length} more`);
    }
    if (s.warnings.by_kind.length > shown.length) out.push(`          ... and ${s.warnings.by_kind.length - shown.length} more kinds`);
  }
  return out.join('\n');
}
