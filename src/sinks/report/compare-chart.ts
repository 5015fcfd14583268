// The report's comparison chart: per group (model, by default), the merge rate, the first-try merge
// rate and the bead first-try close rate as bars on one 0-100% scale, each with its Wilson 95%
// interval as a whisker and the count it was measured over. Its data comes from `harvest compare`'s
// report; drawing is inline SVG like the other charts.
import type { CompareReport, Rate } from '../../analysis/compare.ts';
import { esc, PALETTE } from './svg-charts.ts';

export interface CompareChartRow {
  key: string;
  sessions: number;
  rates: { label: string; rate: Rate }[];
}

export interface CompareChartData {
  by: string;
  rows: CompareChartRow[];
}

const RATES = [
  ['merge rate', (g: CompareReport['groups'][number]) => g.merge_rate],
  ['first-try merge rate', (g: CompareReport['groups'][number]) => g.first_try_merge_rate],
  ['bead first-try close rate', (g: CompareReport['groups'][number]) => g.bead_first_try_close_rate],
] as const;

/** The chart's rows: groups with anything measured (a PR or a bead that ended). */
export function compareChartData(r: CompareReport): CompareChartData {
  return {
    by: r.by,
    rows: r.groups
      .map((g) => ({ key: g.key, sessions: g.sessions, rates: RATES.map(([label, of]) => ({ label, rate: of(g) })) }))
      .filter((row) => row.rates.some((x) => x.rate.n > 0)),
  };
}

const pct = (x: number): string => `${Math.round(x * 100)}%`;

export function compareChart(id: string, title: string, d: CompareChartData, opts: { width?: number } = {}): string {
  const width = opts.width ?? 760;
  const labelW = 190;
  const bar = 14;
  const groupGap = 14;
  const plotW = width - labelW - 110;
  const legendH = 22;
  const rowsH = d.rows.length * (RATES.length * (bar + 4) + groupGap);
  const height = Math.max(60, legendH + rowsH + 24);
  const x = (v: number) => labelW + v * plotW;
  let body = '';
  RATES.forEach(([label], i) => {
    body += `<rect x="${labelW + i * 190}" y="4" width="12" height="12" fill="${PALETTE[i]}"/><text x="${labelW + i * 190 + 16}" y="14" font-size="11">${esc(label)}</text>`;
  });
  if (d.rows.length === 0) {
    body += `<text class="empty" x="10" y="${legendH + 24}" font-size="13" fill="#777">no PR or bead outcomes yet (poll repositories: harvest repos add OWNER/NAME)</text>`;
  }
  let y = legendH + 6;
  for (const row of d.rows) {
    body += `<text x="${labelW - 8}" y="${y + 12}" font-size="12" text-anchor="end">${esc(row.key)}</text>`;
    body += `<text x="${labelW - 8}" y="${y + 26}" font-size="10" fill="#777" text-anchor="end">${row.sessions} session${row.sessions === 1 ? '' : 's'}</text>`;
    row.rates.forEach(({ label, rate }, i) => {
      const by = y + i * (bar + 4);
      if (rate.rate === null) {
        body += `<text x="${labelW + 4}" y="${by + 11}" font-size="10" fill="#999">${esc(label)}: nothing ended yet</text>`;
        return;
      }
      const tip = `${row.key}, ${label}: ${pct(rate.rate)} (${rate.k} of ${rate.n}), 95% interval ${pct(rate.low!)}-${pct(rate.high!)}`;
      body += `<rect class="mark" x="${labelW}" y="${by}" width="${Math.max(1, rate.rate * plotW).toFixed(1)}" height="${bar}" fill="${PALETTE[i]}" fill-opacity="0.8"><title>${esc(tip)}</title></rect>`;
      const mid = by + bar / 2;
      body += `<path class="interval" d="M${x(rate.low!).toFixed(1)} ${mid}H${x(rate.high!).toFixed(1)}M${x(rate.low!).toFixed(1)} ${by + 2}V${by + bar - 2}M${x(rate.high!).toFixed(1)} ${by + 2}V${by + bar - 2}" stroke="#222" stroke-width="1.2" fill="none"/>`;
      body += `<text x="${(x(1) + 6).toFixed(1)}" y="${by + 11}" font-size="10" fill="#333">${pct(rate.rate)} (${rate.n})</text>`;
    });
    y += RATES.length * (bar + 4) + groupGap;
  }
  for (const v of [0, 0.5, 1]) body += `<text x="${x(v).toFixed(1)}" y="${height - 6}" font-size="10" fill="#777" text-anchor="middle">${pct(v)}</text>`;
  return `<svg class="chart" id="${esc(id)}" role="img" aria-label="${esc(title)}" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}"><title>${esc(title)}</title>${body}</svg>`;
}
