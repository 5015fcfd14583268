// The dataset report as one self-contained HTML page: inline CSS and SVG, no scripts, no network.
import { ROLES } from '../../model/sample.ts';
import { SCORE_EDGES, TOKEN_EDGES, TURN_EDGES, type ReportData } from './report-data.ts';
import { barChart, esc, histogram, PALETTE, stackedBarChart } from './svg-charts.ts';
import { examplesSection, minScoreTable, sessionsSection } from './html-tables.ts';
import { compareChart, compareChartData } from './compare-chart.ts';

const OUTCOME_COLORS: Record<string, string> = {
  first_try: '#59a14f',
  closed_after_reopen: '#8cd17d',
  closed_after_release: '#b6992d',
  reopened: '#f28e2b',
  superseded: '#b07aa1',
  duplicate: '#d4a6c8',
  abandoned: '#e15759',
  escalated: '#ff9da7',
  in_progress: '#4e79a7',
  open: '#bab0ac',
};

export const roleOrder = (roles: string[]): string[] =>
  [...roles].sort((a, b) => (ROLES.indexOf(a as never) + 100 * +(ROLES.indexOf(a as never) < 0)) - (ROLES.indexOf(b as never) + 100 * +(ROLES.indexOf(b as never) < 0)) || a.localeCompare(b));

/** A chart with its title shown under it (the SVG's own title is only a tooltip). */
const fig = (svg: string, caption: string): string => `<figure>${svg}<figcaption>${esc(caption)}</figcaption></figure>`;

const pct = (a: number, b: number): number => (b > 0 ? Math.round((a / b) * 1000) / 10 : 0);

function section(title: string, note: string, body: string): string {
  return `<section><h2>${esc(title)}</h2>${note ? `<p class="note">${esc(note)}</p>` : ''}<div class="charts">${body}</div></section>`;
}

export function renderReportHtml(d: ReportData): string {
  const roles = roleOrder(Object.keys(d.byRoleSource));
  const samplesChart = stackedBarChart('chart-samples-role-source', 'Samples per role and source', roles.map((r) => ({ label: r, parts: d.byRoleSource[r] })));
  const scoreCharts = roleOrder(Object.keys(d.scoreHist))
    .map((r, i) => `<figure>${histogram(`chart-score-${r}`, `Quality score, ${r}`, d.scoreHist[r], SCORE_EDGES.map((e) => Math.min(1, e)), { color: PALETTE[i % PALETTE.length] })}<figcaption>${esc(r)}</figcaption></figure>`)
    .join('');
  const tokenTitle = 'Tokens per sample (by its tokenizer; chars / 4 for schema-1 lines)';
  const tokenChart = fig(histogram('chart-tokens', tokenTitle, d.tokenHist, TOKEN_EDGES, { width: 420 }), tokenTitle);
  const turnChart = fig(histogram('chart-turns', 'Turns per sample', d.turnHist, TURN_EDGES, { width: 420, color: PALETTE[1] }), 'Turns per sample');
  const rateRoles = roleOrder(Object.keys(d.rates));
  const toolChart = barChart('chart-tool-rate', 'Share of assistant messages with a tool call', rateRoles.map((r) => ({ label: r, value: pct(d.rates[r].gptWithToolCall, d.rates[r].gptMessages) })), { unit: '%' });
  const errorChart = barChart('chart-error-rate', 'Share of tool results that are errors', rateRoles.map((r) => ({ label: r, value: pct(d.rates[r].toolErrors, d.rates[r].toolResults), color: '#e15759' })), { unit: '%' });
  // The outcome mix of the beads this folder keeps; without them, of the beads the samples link to.
  const fromLifecycles = d.beads > 0;
  const outcomes = fromLifecycles ? d.beadOutcomes : d.linkedBeadOutcomes;
  const outcomeChart = barChart('chart-bead-outcomes', 'Bead outcome mix',
    Object.entries(outcomes).sort((a, b) => b[1] - a[1]).map(([k, v]) => ({ label: k, value: v, color: OUTCOME_COLORS[k] })));
  const linkedChart = barChart('chart-linked', 'Samples linked to a bead, per role',
    roleOrder(Object.keys(d.linkedSamples)).map((r) => ({ label: r, value: d.linkedSamples[r] })));
  const pairsChart = barChart('chart-pairs', 'Preference pairs per source', Object.entries(d.pairsBySource).map(([k, v]) => ({ label: k, value: v })));
  const droppedEntries = Object.entries(d.dropped).sort((a, b) => b[1] - a[1]).slice(0, 30);
  const droppedChart = barChart('chart-dropped', 'Dropped or skipped, by reason', droppedEntries.map(([k, v]) => ({ label: k, value: v, color: '#9c755f' })), { width: 760 });
  // Only run files know these: with none, or nothing cut, a line says so (no empty chart).
  const reasonChart = (id: string, title: string, o: Record<string, number>, color: string, none: string) => {
    const bars = Object.entries(o).sort((a, b) => b[1] - a[1]).map(([k, v]) => ({ label: k, value: v, color }));
    return bars.length ? fig(barChart(id, title, bars, { width: 520 }), title) : `<p class="note" id="${id}-none">${esc(none)}</p>`;
  };
  const truncatedChart = reasonChart('chart-truncated', 'Truncated, by what was cut', d.runReasons.truncated, '#76b7b2', 'Nothing truncated in the session runs.');
  const redactedChart = reasonChart('chart-redacted', 'Secrets redacted, by kind', d.runReasons.redacted, '#b07aa1', 'No secret redacted in the session runs.');
  const warningRows = Object.entries(d.runReasons.warnings).sort((a, b) => b[1] - a[1]).slice(0, 20)
    .map(([k, v]) => `<tr><td class="num">${v}</td><td>${esc(k)}</td></tr>`).join('');
  const totalLinked = Object.values(d.linkedSamples).reduce((a, b) => a + b, 0);
  const totalPairs = Object.values(d.pairsBySource).reduce((a, b) => a + b, 0);
  const card = (value: number | string, label: string, title = '') =>
    `<div class="stat"${title ? ` title="${esc(title)}"` : ''}><b>${esc(String(value))}</b><span>${esc(label)}</span></div>`;
  const summary = [
    card(d.samples, 'samples'),
    card(d.bySplit.train ?? 0, 'train'),
    card(d.bySplit.val ?? 0, 'val'),
    card(d.sessions, 'sessions'),
    card(roles.length, 'roles'),
    card(totalLinked, `samples linked to ${d.linkedBeads} bead${d.linkedBeads === 1 ? '' : 's'}`),
    card(d.beads, 'bead lifecycles in this folder', 'written by `harvest beads ingest DIR --out` this folder'),
    card(totalPairs, 'preference pairs'),
    ...(d.coverage
      ? [card(`${Math.round(d.coverage.ratio * 1000) / 10}%`, `of ${d.coverage.assistantMessages} assistant messages are targets`,
        `every assistant message is the target of one sample, or counted: ${Object.entries(d.coverage.explained).map(([k, v]) => `${k} ${v}`).join(', ') || 'no exceptions'}; trained twice: ${d.overlappingTargets ?? 0}`)]
      : []),
  ].join('');
  const coverageNote = d.coverage
    ? `<p class="note" id="coverage">Coverage: ${d.coverage.targets} of ${d.coverage.assistantMessages} assistant messages are the training target of a sample (${Math.round(d.coverage.ratio * 1000) / 10}%); with the counted exceptions ${Math.round(d.coverage.accounted * 1000) / 10}%${Object.keys(d.coverage.explained).length ? ` (${esc(Object.entries(d.coverage.explained).map(([k, v]) => `${k.replace(/_/g, ' ')} ${v}`).join(', '))})` : ''}. Targets trained by two samples: ${d.overlappingTargets ?? 0}.</p>`
    : '';
  const beadNote = fromLifecycles
    ? `${d.beads} bead lifecycles in ${d.dataset}/beads; ${totalLinked} samples link to ${d.linkedBeads} beads.`
    : d.linkedBeads > 0
      ? `${totalLinked} samples link to ${d.linkedBeads} beads (linked through Redis); the outcome mix is of those beads, from the links. This folder keeps no bead lifecycles: \`harvest beads ingest DIR --out ${d.dataset}\` writes them here.`
      : 'No sample links to a bead: ingest the beads exports (`harvest beads ingest DIR`) before the sessions are backfilled.';
  const runNote = d.runReasons.sessionRuns
    ? `From ${d.runReasons.sessionRuns} session run file${d.runReasons.sessionRuns === 1 ? '' : 's'} in runs/ (each \`harvest backfill --inline\` writes one), other run files, and reading the dataset.`
    : 'No session run files in runs/ (a `harvest backfill --inline` writes one per run): from reading the dataset only.';

  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>harvest dataset report</title>
<style>
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 24px auto; max-width: 1100px; color: #222; padding: 0 16px; }
h1 { font-size: 22px; margin-bottom: 4px; }
h2 { font-size: 17px; margin: 28px 0 6px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
h3 { font-size: 15px; margin: 16px 0 6px; }
.note, .meta { color: #666; font-size: 13px; }
.stats { display: flex; flex-wrap: wrap; gap: 12px; margin: 16px 0; }
.stat { background: #f5f6f8; border-radius: 6px; padding: 8px 14px; min-width: 90px; }
.stat b { display: block; font-size: 20px; }
.stat span { color: #666; font-size: 12px; }
.charts { display: flex; flex-wrap: wrap; gap: 18px; align-items: flex-start; }
figure { margin: 0; }
figcaption { text-align: center; font-size: 12px; color: #555; }
svg.chart text { font-family: inherit; fill: #333; }
table { border-collapse: collapse; font-size: 13px; }
th, td { border-bottom: 1px solid #e4e4e4; padding: 3px 8px; text-align: left; vertical-align: top; }
th { background: #f5f6f8; font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
td .share { color: #888; font-size: 11px; margin-left: 4px; }
details { margin: 6px 0; border: 1px solid #e4e4e4; border-radius: 6px; padding: 4px 10px; }
summary { cursor: pointer; }
.msg { margin: 6px 0; padding: 6px 10px; border-left: 4px solid #bbb; background: #fafafa; white-space: pre-wrap; word-break: break-word; font-size: 12.5px; }
.msg .who { display: block; font-weight: 600; font-size: 11px; text-transform: uppercase; color: #555; margin-bottom: 2px; }
.msg.system { border-color: #bab0ac; } .msg.user { border-color: #4e79a7; } .msg.assistant { border-color: #59a14f; } .msg.tool { border-color: #f28e2b; } .msg.tool.error { border-color: #e15759; }
.msg code, .call { font-family: ui-monospace, "SFMono-Regular", Menlo, monospace; font-size: 12px; }
.call { display: block; background: #eef3f8; padding: 3px 6px; margin-top: 4px; border-radius: 4px; }
.reasoning { display: block; color: #777; font-style: italic; margin-bottom: 4px; }
.omitted { color: #888; font-style: italic; margin: 6px 0; }
.charts > .examples, .charts > .sessions { flex: 1 1 100%; min-width: 0; }
tr.total td { font-weight: 600; }
</style>
</head>
<body>
<h1>harvest dataset report</h1>
<p class="meta">${esc(d.dataset)} · generated ${esc(d.generatedAt)}${d.runFiles.length ? ` · ${d.runFiles.length} run file${d.runFiles.length === 1 ? '' : 's'}` : ''}</p>
<div class="stats" id="cards">${summary}</div>
${coverageNote}
${section('Samples per role and source', 'Abandoned pi branches are counted apart: they feed preference pairs, not the training files.', fig(samplesChart, 'Samples per role (bars) and source (colours)'))}
${section('Choosing --min-score', 'Samples each HARVEST_MIN_SCORE would keep (score at least the threshold), per role. The dataset holds what scored at least the threshold it was built with.', minScoreTable(d, roleOrder(Object.keys(d.scoreHist))))}
${section('Quality score per role', 'Combined score: the text heuristic, and the bead outcome where a session is linked to a bead.', scoreCharts || barChart('chart-score-none', 'Quality score', []))}
${section('Example samples per role', 'The two best-scoring samples of each role and its lowest-scoring one (what a higher --min-score drops first), long messages cut in the middle, secrets scrubbed.', examplesSection(d, roleOrder(Object.keys(d.examples))))}
${section('Size of a sample', '', tokenChart + turnChart)}
${section('Tool calls and errors', '', fig(toolChart, 'Share of assistant messages with a tool call') + fig(errorChart, 'Share of tool results that are errors'))}
${section('Bead outcomes', beadNote, fig(outcomeChart, fromLifecycles ? 'Bead outcome mix (bead lifecycles in this folder)' : 'Bead outcome mix (beads the samples link to)') + fig(linkedChart, 'Samples linked to a bead, per role'))}
${section('Preference pairs', 'Pairs a `harvest export dpo` would write now.', fig(pairsChart, 'Preference pairs per source'))}
${d.compare ? section('Models compared', 'How the work of each model\'s sessions turned out (harvest compare --by model): bars are rates over PRs or beads that ended, whiskers their Wilson 95% intervals.', fig(compareChart('chart-compare', 'Merge, first-try merge and bead first-try close rates per model', compareChartData(d.compare)), 'Rates per model, with 95% intervals')) : ''}
${section('Largest sessions', `The ${d.largestSessions.length} largest of ${d.sessions} sessions (by characters), with their samples.`, sessionsSection(d))}
${section('What was dropped, truncated and redacted, and why', runNote,
    fig(droppedChart, 'Dropped or skipped, by reason (top 30)') + truncatedChart + redactedChart +
    (warningRows ? `<figure><table id="table-warnings"><thead><tr><th class="num">files</th><th>warning</th></tr></thead><tbody>${warningRows}</tbody></table><figcaption>Per-file warnings of the runs, by kind (every one is listed in its run file)</figcaption></figure>` : ''))}
</body>
</html>
`;
}
