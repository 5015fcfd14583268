// Training examples of orchestrator decisions: for each recorded action, the PR's latest
// observation before it (the signals), the action and its reason, and the PR's eventual outcome
// (the label). Actions and outcomes are held per PR; observations stream past once, each kept only
// while it is the latest before some action, so memory does not grow with the observations.
import type { Counts } from '../model/session.ts';
import type { PointRecord } from '../model/point.ts';
import { plainField, prOf, type ActionRow, type HistoryFilter, type HistorySource, type OutcomeRow } from './history.ts';

const HOUR_MS = 3_600_000;
/** How far before the first action an observation is looked for. */
export const OBSERVATION_LOOKBACK_MS = 30 * 24 * HOUR_MS;

export interface DecisionExample {
  id: string;
  repo: string;
  pr: number;
  at: string;
  action: string;
  reason: string;
  session?: string;
  bead?: string;
  /** The PR's latest observation before the action: its time, tags and fields; null if none. */
  observation: Record<string, unknown> | null;
  outcome: {
    result: string;
    detail: string;
    resolution_hours?: number;
    at: string;
    /** Hours from this action to the outcome. */
    hours_after_action: number;
  };
}

const prKey = (repo: string, pr: number): string => `${repo}#${pr}`;
const bump = (c: Counts, k: string, n = 1): void => {
  c[k] = (c[k] ?? 0) + n;
};

/** A point as one flat JSON object: `at`, the tags (but repo and pr), then the fields. */
export function observationObject(p: PointRecord, keepIds = false): Record<string, unknown> {
  const o: Record<string, unknown> = { at: new Date(p.timestamp).toISOString() };
  for (const [k, v] of Object.entries(p.tags)) if (keepIds || (k !== 'repo' && k !== 'pr')) o[k] = v;
  for (const [k, v] of Object.entries(p.fields)) if (!(k in o)) o[k] = plainField(v);
  return o;
}

interface Pending {
  a: ActionRow;
  outcome: OutcomeRow;
  best: PointRecord | null;
}

/**
 * The examples, PR by PR, each PR's in time order. Counts: actions, examples,
 * actions_without_outcome, prs_without_outcome, examples_without_observation.
 */
export async function* decisionExamples(h: HistorySource, f: HistoryFilter, counts: Counts = {}): AsyncGenerator<DecisionExample> {
  const actions = new Map<string, ActionRow[]>();
  for await (const a of h.actions(f, counts)) {
    bump(counts, 'actions');
    const k = prKey(a.repo, a.pr);
    (actions.get(k) ?? actions.set(k, []).get(k)!).push(a);
  }
  const outcomes = new Map<string, OutcomeRow[]>();
  for await (const o of h.outcomes(f, counts)) {
    const k = prKey(o.repo, o.pr);
    if (!actions.has(k)) continue;
    (outcomes.get(k) ?? outcomes.set(k, []).get(k)!).push(o);
  }
  // Each action with its eventual outcome: the first one at or after it.
  const pending = new Map<string, Pending[]>();
  let firstAt = Number.POSITIVE_INFINITY;
  for (const [k, as] of actions) {
    as.sort((x, y) => x.atMs - y.atMs || x.id.localeCompare(y.id));
    const os = (outcomes.get(k) ?? []).sort((x, y) => x.atMs - y.atMs);
    const kept: Pending[] = [];
    for (const a of as) {
      const o = os.find((x) => x.atMs >= a.atMs);
      if (!o) continue;
      kept.push({ a, outcome: o, best: null });
      firstAt = Math.min(firstAt, a.atMs);
    }
    const dropped = as.length - kept.length;
    if (dropped) {
      bump(counts, 'actions_without_outcome', dropped);
      if (kept.length === 0) bump(counts, 'prs_without_outcome');
    }
    if (kept.length) pending.set(k, kept);
  }
  actions.clear();
  outcomes.clear();
  if (pending.size === 0) return;

  const since = firstAt - OBSERVATION_LOOKBACK_MS;
  for await (const p of h.observations({ repo: f.repo, sinceMs: since }, counts)) {
    const pr = prOf(p);
    if (pr === undefined || !p.tags.repo) continue;
    const list = pending.get(prKey(p.tags.repo, pr));
    if (!list) continue;
    // The actions after this observation are sorted: find the first, then keep it where it is newer.
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (list[mid].a.atMs > p.timestamp) hi = mid;
      else lo = mid + 1;
    }
    for (let i = lo; i < list.length; i++) {
      const b = list[i].best;
      if (!b || b.timestamp < p.timestamp) list[i].best = p;
    }
  }

  const keys = [...pending.keys()].sort();
  for (const k of keys) {
    for (const { a, outcome: o, best } of pending.get(k)!) {
      if (!best) bump(counts, 'examples_without_observation');
      bump(counts, 'examples');
      yield {
        id: a.id,
        repo: a.repo,
        pr: a.pr,
        at: new Date(a.atMs).toISOString(),
        action: a.action,
        reason: a.reason,
        ...(a.session ? { session: a.session } : {}),
        ...(a.bead ? { bead: a.bead } : {}),
        observation: best ? observationObject(best) : null,
        outcome: {
          result: o.result,
          detail: o.detail,
          ...(o.resolutionHours !== undefined ? { resolution_hours: o.resolutionHours } : {}),
          at: new Date(o.atMs).toISOString(),
          hours_after_action: Math.round(((o.atMs - a.atMs) / HOUR_MS) * 1000) / 1000,
        },
      };
    }
    pending.delete(k);
  }
}

/** The observations as a pivoted time series: one flat object per observation. */
export async function* observationRows(h: HistorySource, f: HistoryFilter, counts: Counts = {}): AsyncGenerator<Record<string, unknown>> {
  for await (const p of h.observations(f, counts)) {
    const pr = prOf(p);
    bump(counts, 'observations');
    yield { ...observationObject(p), repo: p.tags.repo ?? null, pr: pr ?? null };
  }
}
