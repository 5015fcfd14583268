// The report's tables and sample views: how many samples each --min-score keeps, example samples
// per role rendered as a conversation, and the largest sessions with their chunks.
import type { ViewMessage } from '../../model/sample-view.ts';
import { MIN_SCORE_STEPS, type ExampleSample, type ReportData } from './report-data.ts';
import { esc } from './svg-charts.ts';

/** Samples of `role` scoring at least each of MIN_SCORE_STEPS (bins are the steps' intervals). */
export function keptAtEachStep(bins: number[]): number[] {
  return MIN_SCORE_STEPS.map((_, i) => bins.slice(i).reduce((a, b) => a + b, 0));
}

export function minScoreTable(d: ReportData, roles: string[]): string {
  if (roles.length === 0) return '<p class="note">No samples.</p>';
  const head = `<tr><th>role</th>${MIN_SCORE_STEPS.map((t) => `<th class="num">≥ ${t.toFixed(1)}</th>`).join('')}</tr>`;
  const row = (label: string, bins: number[], cls = '') => {
    const kept = keptAtEachStep(bins);
    const all = kept[0] || 1;
    return `<tr${cls ? ` class="${cls}"` : ''}><td>${esc(label)}</td>${kept.map((k) => `<td class="num">${k}<span class="share">${Math.round((k / all) * 100)}%</span></td>`).join('')}</tr>`;
  };
  const total = MIN_SCORE_STEPS.map((_, i) => roles.reduce((a, r) => a + (d.scoreHist[r][i] ?? 0), 0));
  return `<table id="table-min-score"><thead>${head}</thead><tbody>${roles.map((r) => row(r, d.scoreHist[r])).join('')}</tbody>` +
    `<tfoot>${row('all roles', total, 'total')}</tfoot></table>`;
}

function messageHtml(m: ViewMessage): string {
  const who = m.role === 'tool' ? `tool result${m.name ? ` (${m.name})` : ''}${m.isError ? ', error' : ''}` : m.role;
  const calls = m.toolCalls.map((c) => `<span class="call">→ ${esc(c.name)} ${esc(c.arguments)}</span>`).join('');
  const reasoning = m.reasoning ? `<span class="reasoning">${esc(m.reasoning)}</span>` : '';
  return `<div class="msg ${m.role}${m.isError ? ' error' : ''}"><span class="who">${esc(who)}</span>${reasoning}${esc(m.content)}${calls}</div>`;
}

function exampleHtml(e: ExampleSample, open: boolean): string {
  const head = e.messages.slice(0, e.omitted ? 6 : e.messages.length);
  const tail = e.omitted ? e.messages.slice(6) : [];
  const middle = e.omitted ? `<p class="omitted">… ${e.omitted} message${e.omitted === 1 ? '' : 's'} left out …</p>` : '';
  return `<details class="example"${open ? ' open' : ''} data-record="${esc(e.record_id)}"><summary>${e.pick === 'best' ? 'best' : 'lowest'} · score ${e.score.toFixed(2)} · ${e.turns} turns · ${esc(e.source)} · <code>${esc(e.record_id)}</code></summary>` +
    `${head.map(messageHtml).join('')}${middle}${tail.map(messageHtml).join('')}</details>`;
}

export function examplesSection(d: ReportData, roles: string[]): string {
  if (roles.length === 0) return '<p class="note">No samples.</p>';
  return `<div class="examples">${roles.map((r) => `<div class="role-examples" id="examples-${esc(r)}"><h3>${esc(r)}</h3>${d.examples[r].map((e, i) => exampleHtml(e, i === 0)).join('')}</div>`).join('')}</div>`;
}

export function sessionsSection(d: ReportData): string {
  if (d.largestSessions.length === 0) return '<p class="note">No sessions.</p>';
  const rows = d.largestSessions.map((s) => {
    const chunks = s.chunks.map((c) => `<tr><td>${esc(c.part)}</td><td><code>${esc(c.record_id)}</code></td><td class="num">${c.score.toFixed(2)}</td><td class="num">${c.turns}</td><td class="num">${Math.round(c.chars / 4)}</td></tr>`).join('');
    return `<details class="session" data-session="${esc(s.session_id)}"><summary><code>${esc(s.session_id)}</code> · ${esc(s.source)} · ${esc(s.roles.join(', '))} · ${s.samples} sample${s.samples === 1 ? '' : 's'} · ~${Math.round(s.chars / 4)} tokens · ${s.turns} turns · mean score ${s.score_mean.toFixed(2)}${s.started_at ? ` · ${esc(s.started_at)}` : ''}</summary>` +
      `<table><thead><tr><th>where</th><th>record</th><th class="num">score</th><th class="num">turns</th><th class="num">~tokens</th></tr></thead><tbody>${chunks}</tbody></table></details>`;
  });
  return `<div class="sessions" id="largest-sessions">${rows.join('')}</div>`;
}
