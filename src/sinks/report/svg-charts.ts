// Small inline SVG charts (no scripts, no external assets): horizontal bars, stacked bars and
// histograms. Every drawn datum is a `<rect class="mark">` with a `<title>` tooltip.

export const PALETTE = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#76b7b2', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];

export const esc = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const fmt = (v: number): string => (Number.isInteger(v) ? String(v) : v >= 100 ? v.toFixed(0) : v.toFixed(2));

function frame(id: string, title: string, width: number, height: number, body: string): string {
  return `<svg class="chart" id="${esc(id)}" role="img" aria-label="${esc(title)}" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">` +
    `<title>${esc(title)}</title>${body}</svg>`;
}

function empty(id: string, title: string): string {
  return frame(id, title, 480, 60, `<text class="empty" x="10" y="35" font-size="13" fill="#777">no data</text>`);
}

export interface Bar {
  label: string;
  value: number;
  color?: string;
}

/** One bar per label, longest first as given. */
export function barChart(id: string, title: string, bars: Bar[], opts: { width?: number; unit?: string } = {}): string {
  if (bars.length === 0) return empty(id, title);
  const width = opts.width ?? 560;
  // Long reasons get room on a wide chart; the bars keep at least half of it.
  const labelW = Math.min(Math.max(220, Math.round(width * 0.45)), 12 + Math.max(...bars.map((b) => b.label.length)) * 7);
  const row = 22;
  const height = bars.length * row + 16;
  const max = Math.max(...bars.map((b) => b.value), 1e-9);
  const plotW = width - labelW - 70;
  let body = '';
  bars.forEach((b, i) => {
    const y = 8 + i * row;
    const w = Math.max(1, (b.value / max) * plotW);
    const fits = Math.floor((labelW - 12) / 7);
    const label = b.label.length > fits ? `${b.label.slice(0, fits - 1)}…` : b.label;
    body += `<text x="${labelW - 6}" y="${y + 14}" font-size="12" text-anchor="end">${esc(label)}</text>`;
    body += `<rect class="mark" x="${labelW}" y="${y + 2}" width="${w.toFixed(1)}" height="${row - 6}" fill="${b.color ?? PALETTE[i % PALETTE.length]}"><title>${esc(b.label)}: ${fmt(b.value)}${opts.unit ?? ''}</title></rect>`;
    body += `<text x="${(labelW + w + 4).toFixed(1)}" y="${y + 14}" font-size="11" fill="#333">${fmt(b.value)}${esc(opts.unit ?? '')}</text>`;
  });
  return frame(id, title, width, height, body);
}

/** Rows of stacked segments (e.g. samples per role, split by source), with a legend. */
export function stackedBarChart(id: string, title: string, rows: { label: string; parts: Record<string, number> }[], opts: { width?: number } = {}): string {
  const keys = [...new Set(rows.flatMap((r) => Object.keys(r.parts)))].sort();
  if (rows.length === 0 || keys.length === 0) return empty(id, title);
  const width = opts.width ?? 560;
  const labelW = Math.min(200, 12 + Math.max(...rows.map((r) => r.label.length)) * 7);
  const row = 22;
  // As many legend entries a row as fit their longest label.
  const perRow = Math.max(1, Math.min(4, Math.floor((width - 20) / (24 + Math.max(...keys.map((k) => k.length)) * 6.5))));
  const legendH = 20 * Math.ceil(keys.length / perRow);
  const height = rows.length * row + 16 + legendH;
  const totals = rows.map((r) => Object.values(r.parts).reduce((a, b) => a + b, 0));
  const max = Math.max(...totals, 1e-9);
  const plotW = width - labelW - 60;
  const color = (k: string) => PALETTE[keys.indexOf(k) % PALETTE.length];
  let body = '';
  rows.forEach((r, i) => {
    const y = 8 + i * row;
    let x = labelW;
    body += `<text x="${labelW - 6}" y="${y + 14}" font-size="12" text-anchor="end">${esc(r.label)}</text>`;
    for (const k of keys) {
      const v = r.parts[k] ?? 0;
      if (v <= 0) continue;
      const w = Math.max(1, (v / max) * plotW);
      body += `<rect class="mark" x="${x.toFixed(1)}" y="${y + 2}" width="${w.toFixed(1)}" height="${row - 6}" fill="${color(k)}"><title>${esc(r.label)} / ${esc(k)}: ${fmt(v)}</title></rect>`;
      x += w;
    }
    body += `<text x="${(x + 4).toFixed(1)}" y="${y + 14}" font-size="11" fill="#333">${fmt(totals[i])}</text>`;
  });
  keys.forEach((k, i) => {
    const lx = 10 + (i % perRow) * ((width - 20) / perRow);
    const ly = rows.length * row + 16 + Math.floor(i / perRow) * 20;
    body += `<rect x="${lx.toFixed(1)}" y="${ly}" width="12" height="12" fill="${color(k)}"/><text x="${(lx + 16).toFixed(1)}" y="${ly + 11}" font-size="11">${esc(k)}</text>`;
  });
  return frame(id, title, width, height, body);
}

/** Vertical bins with edge labels. `bins[i]` counts values in [edges[i], edges[i+1]). */
export function histogram(id: string, title: string, bins: number[], edges: number[], opts: { width?: number; height?: number; color?: string } = {}): string {
  const label = (e: number): string => (e === Infinity ? '∞' : fmt(e));
  if (bins.length === 0 || bins.every((b) => b === 0)) return empty(id, title);
  const width = opts.width ?? 280;
  const height = opts.height ?? 150;
  const pad = { l: 34, r: 8, t: 8, b: 26 };
  const plotW = width - pad.l - pad.r;
  const plotH = height - pad.t - pad.b;
  const max = Math.max(...bins, 1);
  const bw = plotW / bins.length;
  let body = `<line x1="${pad.l}" y1="${pad.t + plotH}" x2="${width - pad.r}" y2="${pad.t + plotH}" stroke="#999"/>`;
  body += `<text x="${pad.l - 4}" y="${pad.t + 10}" font-size="10" text-anchor="end">${max}</text>`;
  bins.forEach((b, i) => {
    const h = (b / max) * plotH;
    const x = pad.l + i * bw;
    if (b > 0) {
      body += `<rect class="mark" x="${(x + 1).toFixed(1)}" y="${(pad.t + plotH - h).toFixed(1)}" width="${Math.max(1, bw - 2).toFixed(1)}" height="${Math.max(1, h).toFixed(1)}" fill="${opts.color ?? PALETTE[0]}"><title>${label(edges[i])}–${label(edges[i + 1])}: ${b}</title></rect>`;
    }
  });
  const ticks = [0, Math.floor(bins.length / 2), bins.length];
  for (const t of ticks) body += `<text x="${(pad.l + t * bw).toFixed(1)}" y="${height - 8}" font-size="10" text-anchor="middle">${label(edges[t])}</text>`;
  return frame(id, title, width, height, body);
}
