// The dataset report as one self-contained HTML page: inline CSS and SVG, no scripts, no network.
import { ROLES } from '../../model/sample.ts';
import { SCORE_EDGES, TOKEN_EDGES, TURN_EDGES, type ReportData } from './report-data.ts';
import { barChart, esc, histogram, PALETTE, stackedBarChart } from './svg-charts.ts';
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

const roleOrder = (roles: string[]): string[] =>
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
  const tokenChart = fig(histogram('chart-tokens', 'Estimated tokens per sample (chars / 4)', d.tokenHist, TOKEN_EDGES, { width: 420 }), 'Estimated tokens per sample (chars / 4)');
  const turnChart = fig(histogram('chart-turns', 'Turns per sample', d.turnHist, TURN_EDGES, { width: 420, color: PALETTE[1] }), 'Turns per sample');
  const rateRoles = roleOrder(Object.keys(d.rates));
  const toolChart = barChart('chart-tool-rate', 'Share of assistant messages with a tool call', rateRoles.map((r) => ({ label: r, value: pct(d.rates[r].gptWithToolCall, d.rates[r].gptMessages) })), { unit: '%' });
  const errorChart = barChart('chart-error-rate', 'Share of tool results that are errors', rateRoles.map((r) => ({ label: r, value: pct(d.rates[r].toolErrors, d.rates[r].toolResults), color: '#e15759' })), { unit: '%' });
  const outcomeChart = barChart('chart-bead-outcomes', 'Bead outcome mix',
    Object.entries(d.beadOutcomes).sort((a, b) => b[1] - a[1]).map(([k, v]) => ({ label: k, value: v, color: OUTCOME_COLORS[k] })));
  const linkedChart = barChart('chart-linked', 'Samples linked to a bead, per role',
    roleOrder(Object.keys(d.linkedSamples)).map((r) => ({ label: r, value: d.linkedSamples[r] })));
  const pairsChart = barChart('chart-pairs', 'Preference pairs per source', Object.entries(d.pairsBySource).map(([k, v]) => ({ label: k, value: v })));
  const droppedEntries = Object.entries(d.dropped).sort((a, b) => b[1] - a[1]).slice(0, 30);
  const droppedChart = barChart('chart-dropped', 'Dropped or skipped, by reason', droppedEntries.map(([k, v]) => ({ label: k, value: v, color: '#9c755f' })), { width: 760 });
  const totalLinked = Object.values(d.linkedSamples).reduce((a, b) => a + b, 0);
  const totalPairs = Object.values(d.pairsBySource).reduce((a, b) => a + b, 0);
  const summary = [
    ['samples', d.samples],
    ['train', d.bySplit.train ?? 0],
    ['val', d.bySplit.val ?? 0],
    ['roles', roles.length],
    ['linked to beads', totalLinked],
    ['beads', d.beads],
    ['preference pairs', totalPairs],
  ].map(([k, v]) => `<div class="stat"><b>${esc(String(v))}</b><span>${esc(String(k))}</span></div>`).join('');

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
.note, .meta { color: #666; font-size: 13px; }
.stats { display: flex; flex-wrap: wrap; gap: 12px; margin: 16px 0; }
.stat { background: #f5f6f8; border-radius: 6px; padding: 8px 14px; min-width: 90px; }
.stat b { display: block; font-size: 20px; }
.stat span { color: #666; font-size: 12px; }
.charts { display: flex; flex-wrap: wrap; gap: 18px; align-items: flex-start; }
figure { margin: 0; }
figcaption { text-align: center; font-size: 12px; color: #555; }
svg.chart text { font-family: inherit; fill: #333; }
</style>
</head>
<body>
<h1>harvest dataset report</h1>
<p class="meta">${esc(d.dataset)} · generated ${esc(d.generatedAt)}${d.runFiles.length ? ` · run files: ${esc(d.runFiles.join(', '))}` : ''}</p>
<div class="stats">${summary}</div>
${section('Samples per role and source', 'Abandoned pi branches are counted apart: they feed preference pairs, not the training files.', fig(samplesChart, 'Samples per role (bars) and source (colours)'))}
${section('Quality score per role', 'Combined score: the text heuristic, and the bead outcome where a session is linked to a bead.', scoreCharts || barChart('chart-score-none', 'Quality score', []))}
${section('Size of a sample', '', tokenChart + turnChart)}
${section('Tool calls and errors', '', fig(toolChart, 'Share of assistant messages with a tool call') + fig(errorChart, 'Share of tool results that are errors'))}
${section('Bead outcomes', `${d.beads} beads; ${totalLinked} samples linked to one.`, fig(outcomeChart, 'Bead outcome mix (beads)') + fig(linkedChart, 'Samples linked to a bead, per role'))}
${section('Preference pairs', 'Pairs a `harvest export dpo` would write now.', fig(pairsChart, 'Preference pairs per source'))}
${d.compare ? section('Models compared', 'How the work of each model\'s sessions turned out (harvest compare --by model): bars are rates over PRs or beads that ended, whiskers their Wilson 95% intervals.', fig(compareChart('chart-compare', 'Merge, first-try merge and bead first-try close rates per model', compareChartData(d.compare)), 'Rates per model, with 95% intervals')) : ''}
${section('What was dropped, and why', d.runFiles.length ? 'From the run files in runs/ and from reading the dataset.' : 'No run files in runs/: from reading the dataset only.', fig(droppedChart, 'Dropped or skipped, by reason (top 30)'))}
</body>
</html>
`;
}
