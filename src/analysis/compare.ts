// `harvest compare`: how sessions' work turned out, per model, runtime, role or harness (the A/B
// step). Sessions come from the dataset's samples (their `metadata.prs` and `metadata.beads` links),
// PR outcomes from the lifecycles the recorded history gives, bead outcomes from the beads folder
// (else the sample's own link). Per group:
//
//   sessions                 distinct sessions (started since --since, when given)
//   PRs opened               distinct PRs the group's sessions wrote (links with relation author,
//                            confidence >= 0.5); one PR written by two groups counts in each
//   merge rate               merged / ended (merged + closed); open PRs are not in the rate
//   first-try merge rate     merged with no fix round / ended
//   hours to merge           median, opened to merged
//   review-fix rounds / PR   mean over the PRs opened (GitHub's changes-requested reviews, or
//                            the orchestrator's review-fix requests if more)
//   bead first-try close     beads closed first try / beads the group worked on that ended
//   tokens, cost / merged PR everything the group's PR-writing sessions used (input, output and
//                            cache tokens; the cost the runtime recorded), over its merged PRs
//
// Each rate carries a Wilson 95% interval. Pure over its inputs; the caller streams them in.
import type { BeadLifecycle } from '../model/bead.ts';
import { prKey, type PrLifecycle } from '../model/pr.ts';
import { prOutcome, reviewFixRounds, timeToMergeHours } from '../transforms/pr-lifecycle.ts';
import { median } from './action-stats.ts';

export const COMPARE_DIMENSIONS = ['model', 'runtime', 'role', 'harness'] as const;
export type CompareDimension = (typeof COMPARE_DIMENSIONS)[number];

/** Which harness family a runtime belongs to, when samples do not name their format: pir and omp are pi's. */
const HARNESS_OF: Record<string, string> = { 'claude-code': 'claude', pi: 'pi', pir: 'pi', omp: 'pi', codex: 'codex', gemini: 'gemini', opencode: 'opencode' };

const MIN_CONFIDENCE = 0.5;
const BEAD_WORK = new Set(['close', 'done', 'claim', 'hook', 'hooked', 'assigned', 'update', 'release', 'comment', 'reopen']);
const ENDED_BEAD = new Set(['first_try', 'closed_after_reopen', 'closed_after_release', 'reopened', 'superseded', 'duplicate', 'abandoned', 'escalated']);

export interface Rate {
  /** Successes and trials. */
  k: number;
  n: number;
  /** k / n, and the Wilson 95% interval; null when n is 0. */
  rate: number | null;
  low: number | null;
  high: number | null;
}

/** The Wilson score interval at 95% (z = 1.96). */
export function wilson(k: number, n: number, z = 1.96): Rate {
  if (n <= 0) return { k, n, rate: null, low: null, high: null };
  const p = k / n;
  const z2 = z * z;
  const denom = 1 + z2 / n;
  const center = (p + z2 / (2 * n)) / denom;
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / denom;
  const r = (x: number) => Math.round(x * 10_000) / 10_000;
  return { k, n, rate: r(p), low: r(Math.max(0, center - half)), high: r(Math.min(1, center + half)) };
}

/** One session as compare sees it, gathered from its samples. */
export interface CompareSession {
  sessionId: string;
  model: string | null;
  runtime: string;
  /** The session file's format (claude, pi, codex, ...): the harness family. */
  format: string | null;
  role: string;
  startedAt: number | null;
  tokens: number;
  cost: number | null;
  /** Author links: `{repo, number}`, with what the sample knew when written. */
  prs: { repo: string; number: number; pr_state?: string | null; pr_outcome?: string | null; review_fix_rounds?: number | null; time_to_merge_hours?: number | null }[];
  beads: { bead_id: string; bead_outcome?: string | null }[];
}

export interface CompareGroup {
  key: string;
  sessions: number;
  prs: { opened: number; merged: number; merged_first_try: number; closed: number; open: number };
  merge_rate: Rate;
  first_try_merge_rate: Rate;
  median_hours_to_merge: number | null;
  review_fix_rounds_per_pr: number | null;
  beads: { worked: number; ended: number; first_try: number };
  bead_first_try_close_rate: Rate;
  tokens: number;
  cost: number | null;
  tokens_per_merged_pr: number | null;
  cost_per_merged_pr: number | null;
}

export interface CompareReport {
  by: CompareDimension;
  since: string | null;
  groups: CompareGroup[];
}

/** Accumulates sessions from sample metadata: tokens summed over a session's samples. */
export class CompareSessions {
  private readonly sessions = new Map<string, CompareSession>();
  private readonly usageSeen = new Set<string>();

  add(m: Record<string, unknown>): void {
    const id = typeof m.session_id === 'string' ? m.session_id : null;
    if (!id) return;
    const started = typeof m.started_at === 'string' ? Date.parse(m.started_at) : Number.NaN;
    let s = this.sessions.get(id);
    if (!s) {
      s = {
        sessionId: id,
        model: typeof m.model === 'string' ? m.model : null,
        runtime: String(m.runtime ?? m.source ?? 'unknown'),
        format: typeof m.format === 'string' ? m.format : null,
        role: String(m.role ?? 'unknown'),
        startedAt: null,
        tokens: 0,
        cost: null,
        prs: [],
        beads: [],
      };
      this.sessions.set(id, s);
    }
    // The session started when its earliest sample did.
    if (Number.isFinite(started) && (s.startedAt === null || started < s.startedAt)) s.startedAt = started;
    // The session's whole usage rides on each of its samples (once counted); older samples carry their own steps'.
    const usage = m.session_usage as { tokens?: number; cost_usd?: number | null } | undefined;
    if (usage && typeof usage.tokens === 'number') {
      if (!this.usageSeen.has(id)) {
        this.usageSeen.add(id);
        s.tokens = usage.tokens;
        s.cost = typeof usage.cost_usd === 'number' ? usage.cost_usd : null;
      }
    } else if (!this.usageSeen.has(id)) {
      const t = m.tokens as Record<string, number> | undefined;
      if (t) s.tokens += (t.input ?? 0) + (t.output ?? 0) + (t.cache_read ?? 0) + (t.cache_write ?? 0);
    }
    for (const l of (Array.isArray(m.prs) ? m.prs : []) as CompareSession['prs'] & { relation?: string; confidence?: number }[]) {
      if (l.relation !== 'author' || (l.confidence ?? 0) < MIN_CONFIDENCE) continue;
      if (!s.prs.some((p) => prKey(p.repo, p.number) === prKey(l.repo, l.number))) s.prs.push(l);
    }
    for (const b of (Array.isArray(m.beads) ? m.beads : []) as { bead_id: string; confidence?: number; actions?: string[]; bead_outcome?: string | null }[]) {
      if ((b.confidence ?? 0) < MIN_CONFIDENCE || (b.actions && !b.actions.some((a) => BEAD_WORK.has(a)))) continue;
      if (!s.beads.some((x) => x.bead_id === b.bead_id)) s.beads.push({ bead_id: b.bead_id, bead_outcome: b.bead_outcome ?? null });
    }
  }

  list(): CompareSession[] {
    return [...this.sessions.values()];
  }
}

export function groupKey(s: CompareSession, by: CompareDimension): string {
  switch (by) {
    case 'model':
      return s.model ?? '(unknown)';
    case 'runtime':
      return s.runtime;
    case 'role':
      return s.role;
    case 'harness':
      return s.format ?? HARNESS_OF[s.runtime] ?? s.runtime;
  }
}

export interface CompareInputs {
  sessions: CompareSession[];
  /** PR lifecycles by `prKey`; a PR without one is judged by what its samples knew. */
  prs: Map<string, PrLifecycle>;
  /** Bead lifecycles by id; a bead without one is judged by its links' `bead_outcome`. */
  beads?: Map<string, BeadLifecycle>;
}

const round = (x: number | null, d = 3): number | null => (x === null ? null : Math.round(x * 10 ** d) / 10 ** d);

/** The comparison (figures in the header), groups ordered by sessions, then name. */
export function compareGroups(input: CompareInputs, by: CompareDimension, opts: { sinceMs?: number; repo?: string } = {}): CompareReport {
  const groups = new Map<string, CompareSession[]>();
  for (const s of input.sessions) {
    if (opts.sinceMs !== undefined && (s.startedAt === null || s.startedAt < opts.sinceMs)) continue;
    const k = groupKey(s, by);
    groups.set(k, [...(groups.get(k) ?? []), s]);
  }
  const out: CompareGroup[] = [];
  for (const [key, sessions] of groups) {
    const prs = new Map<string, { outcome: string; rounds: number | null; hours: number | null }>();
    let spendTokens = 0;
    let spendCost: number | null = null;
    for (const s of sessions) {
      const mine = s.prs.filter((p) => opts.repo === undefined || p.repo.toLowerCase() === opts.repo.toLowerCase());
      if (mine.length) {
        spendTokens += s.tokens;
        if (s.cost !== null) spendCost = (spendCost ?? 0) + s.cost;
      }
      for (const p of mine) {
        const k = prKey(p.repo, p.number);
        if (prs.has(k)) continue;
        const lc = input.prs.get(k);
        prs.set(k, lc
          ? { outcome: prOutcome(lc), rounds: reviewFixRounds(lc), hours: timeToMergeHours(lc) }
          : { outcome: p.pr_outcome ?? 'open', rounds: p.review_fix_rounds ?? null, hours: p.time_to_merge_hours ?? null });
      }
    }
    const list = [...prs.values()];
    const merged = list.filter((p) => p.outcome === 'merged_first_try' || p.outcome === 'merged_after_fixes');
    const firstTry = list.filter((p) => p.outcome === 'merged_first_try').length;
    const closed = list.filter((p) => p.outcome === 'closed').length;
    const ended = merged.length + closed;
    const rounds = list.map((p) => p.rounds).filter((r): r is number => r !== null);
    const hours = merged.map((p) => p.hours).filter((h): h is number => h !== null);

    const beads = new Map<string, string | null>();
    for (const s of sessions) {
      for (const b of s.beads) if (!beads.has(b.bead_id)) beads.set(b.bead_id, input.beads?.get(b.bead_id)?.outcome ?? b.bead_outcome ?? null);
    }
    const beadOutcomes = [...beads.values()];
    const beadEnded = beadOutcomes.filter((o) => o !== null && ENDED_BEAD.has(o)).length;
    const beadFirst = beadOutcomes.filter((o) => o === 'first_try').length;

    out.push({
      key,
      sessions: sessions.length,
      prs: { opened: list.length, merged: merged.length, merged_first_try: firstTry, closed, open: list.length - ended },
      merge_rate: wilson(merged.length, ended),
      first_try_merge_rate: wilson(firstTry, ended),
      median_hours_to_merge: round(median(hours)),
      review_fix_rounds_per_pr: rounds.length ? round(rounds.reduce((a, b) => a + b, 0) / rounds.length) : null,
      beads: { worked: beads.size, ended: beadEnded, first_try: beadFirst },
      bead_first_try_close_rate: wilson(beadFirst, beadEnded),
      tokens: spendTokens,
      cost: round(spendCost, 4),
      tokens_per_merged_pr: merged.length ? Math.round(spendTokens / merged.length) : null,
      cost_per_merged_pr: merged.length && spendCost !== null ? round(spendCost / merged.length, 4) : null,
    });
  }
  out.sort((a, b) => b.sessions - a.sessions || a.key.localeCompare(b.key));
  return { by, since: opts.sinceMs !== undefined ? new Date(opts.sinceMs).toISOString() : null, groups: out };
}

const pct = (x: number | null): string => (x === null ? '-' : `${Math.round(x * 100)}%`);
/** `67% [21-94] (3)`: the rate, its interval and how many it was measured over. */
export function formatRate(r: Rate): string {
  return r.rate === null ? '- (0)' : `${pct(r.rate)} [${Math.round(r.low! * 100)}-${Math.round(r.high! * 100)}] (${r.n})`;
}
const num = (x: number | null, d = 1): string => (x === null ? '-' : x.toFixed(d));
const tokens = (x: number | null): string => (x === null ? '-' : x >= 1e6 ? `${(x / 1e6).toFixed(2)}M` : x >= 1e3 ? `${(x / 1e3).toFixed(1)}k` : String(x));

/** The comparison as a table, one row per group. */
export function formatCompare(r: CompareReport, source: string): string {
  const head = [r.by, 'sessions', 'PRs', 'merged', 'merge rate', 'first-try merge', 'h to merge', 'fix rounds/PR', 'bead first-try', 'tokens/merged PR', 'cost/merged PR'];
  const rows = r.groups.map((g) => [
    g.key, String(g.sessions), String(g.prs.opened), String(g.prs.merged), formatRate(g.merge_rate), formatRate(g.first_try_merge_rate),
    num(g.median_hours_to_merge), num(g.review_fix_rounds_per_pr, 2), formatRate(g.bead_first_try_close_rate),
    tokens(g.tokens_per_merged_pr), g.cost_per_merged_pr === null ? '-' : `$${g.cost_per_merged_pr.toFixed(2)}`,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  const title = `sessions by ${r.by}${r.since ? ` since ${r.since}` : ''} (PR history: ${source}); rates with Wilson 95% intervals, over ended PRs or beads`;
  if (rows.length === 0) return `${title}\n  no sessions${r.since ? ' in that time' : ''}: run a backfill first (harvest backfill --inline)`;
  return [title, line(head), ...rows.map(line)].join('\n');
}
