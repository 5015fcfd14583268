// What each kind of action led to. An outcome has no action of its own: it is joined to the
// actions taken on its PR before it (and after the PR's previous outcome, if it had one). For each
// action type and each PR episode (a PR up to one outcome) it was taken in, the episode counts
// once: its result, and the hours from the first such action to the outcome.
import { OUTCOME_RESULTS, type OutcomeResult } from '../model/event.ts';
import type { PointRecord } from '../model/point.ts';
import { prOf, type ActionRow, type OutcomeRow } from './history.ts';

const HOUR_MS = 3_600_000;

export interface ActionStats {
  action: string;
  /** PR episodes the action was taken in (a PR with one outcome is one episode). */
  prs: number;
  /** ...of which ended with an outcome. */
  resolved: number;
  /** ...of which have no outcome yet. */
  pending: number;
  /** Share of the resolved ones per result, 0..1. */
  share: Record<OutcomeResult, number>;
  count: Record<OutcomeResult, number>;
  /** Hours from the first such action to the outcome. */
  mean_hours: number | null;
  median_hours: number | null;
}

export interface StatsReport {
  actions: ActionStats[];
  prs_with_actions: number;
  outcomes: Record<OutcomeResult, number>;
  /** Outcomes of PRs with no action recorded before them. */
  outcomes_without_actions: number;
}

const prKey = (repo: string, pr: number): string => `${repo}#${pr}`;

export function median(xs: number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

const round = (n: number | null, d = 3): number | null => (n === null ? null : Math.round(n * 10 ** d) / 10 ** d);
const zeroCounts = (): Record<OutcomeResult, number> => Object.fromEntries(OUTCOME_RESULTS.map((r) => [r, 0])) as Record<OutcomeResult, number>;

/** Joins outcomes to the actions before them; see the header. */
export async function computeActionStats(actions: AsyncIterable<ActionRow>, outcomes: AsyncIterable<OutcomeRow>): Promise<StatsReport> {
  const byPr = new Map<string, { actions: ActionRow[]; outcomes: OutcomeRow[] }>();
  const slot = (repo: string, pr: number) => {
    const k = prKey(repo, pr);
    let s = byPr.get(k);
    if (!s) byPr.set(k, (s = { actions: [], outcomes: [] }));
    return s;
  };
  for await (const a of actions) slot(a.repo, a.pr).actions.push(a);
  for await (const o of outcomes) slot(o.repo, o.pr).outcomes.push(o);

  const acc = new Map<string, { prs: number; pending: number; count: Record<OutcomeResult, number>; hours: number[] }>();
  const totals = zeroCounts();
  let prsWithActions = 0;
  let outcomesWithoutActions = 0;
  for (const { actions: as, outcomes: os } of byPr.values()) {
    as.sort((a, b) => a.atMs - b.atMs);
    os.sort((a, b) => a.atMs - b.atMs);
    if (as.length) prsWithActions++;
    // Episodes: the actions up to (and at) each outcome's time, then the rest pending.
    let i = 0;
    const episodes: { outcome: OutcomeRow | null; actions: ActionRow[] }[] = [];
    for (const o of os) {
      totals[o.result]++;
      const ep: ActionRow[] = [];
      while (i < as.length && as[i].atMs <= o.atMs) ep.push(as[i++]);
      if (ep.length === 0) outcomesWithoutActions++;
      else episodes.push({ outcome: o, actions: ep });
    }
    if (i < as.length) episodes.push({ outcome: null, actions: as.slice(i) });
    for (const ep of episodes) {
      const first = new Map<string, number>();
      for (const a of ep.actions) if (!first.has(a.action)) first.set(a.action, a.atMs);
      for (const [action, at] of first) {
        let s = acc.get(action);
        if (!s) acc.set(action, (s = { prs: 0, pending: 0, count: zeroCounts(), hours: [] }));
        s.prs++;
        if (!ep.outcome) {
          s.pending++;
          continue;
        }
        s.count[ep.outcome.result]++;
        s.hours.push((ep.outcome.atMs - at) / HOUR_MS);
      }
    }
  }
  const out: ActionStats[] = [...acc.entries()].map(([action, s]) => {
    const resolved = s.prs - s.pending;
    const share = Object.fromEntries(OUTCOME_RESULTS.map((r) => [r, resolved ? round(s.count[r] / resolved, 4)! : 0])) as Record<OutcomeResult, number>;
    const mean = s.hours.length ? s.hours.reduce((a, b) => a + b, 0) / s.hours.length : null;
    return { action, prs: s.prs, resolved, pending: s.pending, share, count: s.count, mean_hours: round(mean), median_hours: round(median(s.hours)) };
  });
  out.sort((a, b) => b.prs - a.prs || a.action.localeCompare(b.action));
  return { actions: out, prs_with_actions: prsWithActions, outcomes: totals, outcomes_without_actions: outcomesWithoutActions };
}

export interface ObservationRange {
  repo: string;
  observations: number;
  prs: number;
  first: string;
  last: string;
}

/** Observation counts per repository, with the time range they cover. Memory: one set of PR numbers per repo. */
export async function observationRanges(points: AsyncIterable<PointRecord>): Promise<ObservationRange[]> {
  const acc = new Map<string, { n: number; prs: Set<number>; first: number; last: number }>();
  for await (const p of points) {
    const repo = p.tags.repo ?? '(no repo)';
    let a = acc.get(repo);
    if (!a) acc.set(repo, (a = { n: 0, prs: new Set(), first: p.timestamp, last: p.timestamp }));
    a.n++;
    const pr = prOf(p);
    if (pr !== undefined) a.prs.add(pr);
    if (p.timestamp < a.first) a.first = p.timestamp;
    if (p.timestamp > a.last) a.last = p.timestamp;
  }
  return [...acc.entries()]
    .map(([repo, a]) => ({ repo, observations: a.n, prs: a.prs.size, first: new Date(a.first).toISOString(), last: new Date(a.last).toISOString() }))
    .sort((a, b) => a.repo.localeCompare(b.repo));
}

const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;
const num = (x: number | null): string => (x === null ? '-' : x.toFixed(2));

function table(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ')).join('\n');
}

export function formatStats(report: StatsReport, ranges: ObservationRange[], header: string): string {
  const lines = [header, ''];
  if (report.actions.length === 0) lines.push('no actions recorded');
  else {
    lines.push(table([
      ['action', 'prs', 'resolved', 'pending', 'success', 'escalated', 'failed', 'mean h', 'median h'],
      ...report.actions.map((a) => [
        a.action, String(a.prs), String(a.resolved), String(a.pending),
        pct(a.share.success), pct(a.share.escalated), pct(a.share.failed), num(a.mean_hours), num(a.median_hours),
      ]),
    ]));
  }
  lines.push('', `PRs with actions: ${report.prs_with_actions}; outcomes: ${OUTCOME_RESULTS.map((r) => `${r} ${report.outcomes[r]}`).join(', ')}` +
    (report.outcomes_without_actions ? ` (${report.outcomes_without_actions} with no action before them)` : ''));
  lines.push('', 'observations (pr_observation):');
  if (ranges.length === 0) lines.push('  none');
  else lines.push(table([['repo', 'observations', 'prs', 'first', 'last'], ...ranges.map((r) => [r.repo, String(r.observations), String(r.prs), r.first, r.last])]).replace(/^/gm, '  '));
  return lines.join('\n');
}
