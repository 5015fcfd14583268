// Preference pairs from pull requests: two sessions (same role) whose work on the same PR, or on the
// same bead through different PRs, ended differently: one's work merged, the other's was closed
// unmerged or sent back for fixes. Pure: it reads sample metadata (`metadata.prs`, `metadata.beads`)
// and, when given, the freshest PR lifecycles (a PR that merged after the sample was written is
// judged as merged); `dpoPairs` makes the pair from the two samples' messages.
//
//   source `pr`       same PR: the session whose work merged against one whose work was sent back
//                     (or whose PR was closed: a PR reopened and finished by another session)
//   source `pr_bead`  same bead, different PRs: the session whose PR merged against one whose PR
//                     was closed without merging (superseded)
//
// Every pair records its source, both sides' PR outcome scores and why each side qualified.
import type { PrLifecycle } from '../model/pr.ts';
import { prKey } from '../model/pr.ts';
import { prOutcomeScore, type PrWorkEnd } from './outcome-score.ts';

/** A PR link as `metadata.prs` stores it (the fields pairing reads). */
export interface StoredPrLink {
  repo: string;
  number: number;
  confidence: number;
  relation?: string;
  outcome_score?: number | null;
  work_end?: string | null;
  outcome_reason?: string | null;
}

/** One session, as its first sample's metadata describes it. */
export interface PairSide {
  recordId: string;
  sessionId: string;
  role: string;
  runtime: string;
  model: string | null;
  /** The sample's quality score (for ordering ties and the record). */
  quality: number;
  /** When the session's work ended (ms), to place it before or after the PR's fix requests. */
  endMs: number | null;
  prs: StoredPrLink[];
  beads: { bead_id: string; confidence: number; actions?: string[] }[];
}

export interface PrPairOptions {
  /** Least link confidence for a session to count as the PR's (or bead's) author (default 0.5). */
  minLinkConfidence?: number;
  /** Least outcome-score gap between the two sides (default 0.2). */
  minMargin?: number;
  /** Most pairs per PR (or bead) and role (default 4). */
  maxPairsPerGroup?: number;
}

export interface JudgedWork {
  repo: string;
  number: number;
  score: number;
  end: PrWorkEnd;
  reason: string;
}

export interface PlannedPrPair {
  source: 'pr' | 'pr_bead';
  /** `repo#number` for a PR pair, the bead id for a bead pair. */
  group: string;
  role: string;
  chosen: PairSide & { work: JudgedWork };
  rejected: PairSide & { work: JudgedWork };
  why: string;
}

/** A side from a sample's metadata; null when it has no session or record id. */
export function pairSideOf(m: Record<string, unknown>): PairSide | null {
  if (typeof m.record_id !== 'string' || typeof m.session_id !== 'string') return null;
  const endIso = typeof m.session_ended_at === 'string' ? m.session_ended_at : m.ended_at;
  const end = typeof endIso === 'string' ? Date.parse(endIso) : Number.NaN;
  return {
    recordId: m.record_id,
    sessionId: m.session_id,
    role: String(m.role ?? 'unknown'),
    runtime: String(m.runtime ?? m.source ?? ''),
    model: typeof m.model === 'string' ? m.model : null,
    quality: Number(m.quality_score ?? 0),
    endMs: Number.isFinite(end) ? end : null,
    prs: Array.isArray(m.prs) ? (m.prs as StoredPrLink[]).filter((l) => l && typeof l.repo === 'string' && Number.isSafeInteger(l.number)) : [],
    beads: Array.isArray(m.beads) ? (m.beads as PairSide['beads']).filter((b) => b && typeof b.bead_id === 'string') : [],
  };
}

/** What became of this session's work on the PR: from the freshest lifecycle, else from the sample. */
export function judgePrWork(link: StoredPrLink, side: PairSide, lc: PrLifecycle | undefined): JudgedWork | null {
  if (lc) {
    const o = prOutcomeScore(lc, side.endMs);
    return o ? { repo: lc.repo, number: lc.number, score: o.score, end: o.work_end, reason: o.reason } : null;
  }
  if (typeof link.outcome_score !== 'number' || !link.work_end || link.work_end === 'open') return null;
  return { repo: link.repo, number: link.number, score: link.outcome_score, end: link.work_end as PrWorkEnd, reason: link.outcome_reason ?? link.work_end };
}

const isChosen = (w: JudgedWork): boolean => w.end === 'merged' && w.score >= 0.6;
const isRejected = (w: JudgedWork): boolean => w.end === 'closed' || w.end === 'sent_back' || w.score <= 0.4;
/** Links that say a session did work on a bead (dispatching or looking at it is not doing it). */
const BEAD_WORK = new Set(['close', 'done', 'claim', 'hook', 'hooked', 'assigned', 'update', 'release', 'comment', 'reopen']);

type Judged = PairSide & { work: JudgedWork };

function pairUp(groups: Map<string, Judged[]>, source: PlannedPrPair['source'], opts: Required<PrPairOptions>, taken: Set<string>): PlannedPrPair[] {
  const out: PlannedPrPair[] = [];
  for (const [key, list] of groups) {
    const [group, role] = key.split('\0');
    const chosen = list.filter((j) => isChosen(j.work)).sort((a, b) => b.work.score - a.work.score || b.quality - a.quality || a.sessionId.localeCompare(b.sessionId));
    const rejected = list.filter((j) => isRejected(j.work)).sort((a, b) => a.work.score - b.work.score || a.sessionId.localeCompare(b.sessionId));
    let n = 0;
    for (const c of chosen) {
      for (const r of rejected) {
        if (n >= opts.maxPairsPerGroup) break;
        if (c.sessionId === r.sessionId) continue;
        if (source === 'pr_bead' && prKey(c.work.repo, c.work.number) === prKey(r.work.repo, r.work.number)) continue;
        const pairKey = [c.sessionId, r.sessionId].join('\0');
        if (taken.has(pairKey) || c.work.score - r.work.score < opts.minMargin) continue;
        taken.add(pairKey);
        const where = source === 'pr' ? `same PR ${c.work.repo}#${c.work.number}` : `same bead ${group}, PRs ${c.work.repo}#${c.work.number} and ${r.work.repo}#${r.work.number}`;
        out.push({
          source,
          group,
          role,
          chosen: c,
          rejected: r,
          why: `${where}, same role ${role}: chosen ${c.work.reason} (${c.work.score}), rejected ${r.work.reason} (${r.work.score})`,
        });
        n++;
      }
    }
  }
  return out;
}

/** The pairs the sides make; `lifecycle` gives the freshest lifecycle of a PR, when known. */
export function selectPrPairs(
  sides: readonly PairSide[],
  lifecycle: (repo: string, number: number) => PrLifecycle | undefined = () => undefined,
  options: PrPairOptions = {},
): PlannedPrPair[] {
  const opts = { minLinkConfidence: options.minLinkConfidence ?? 0.5, minMargin: options.minMargin ?? 0.2, maxPairsPerGroup: options.maxPairsPerGroup ?? 4 };
  const byPr = new Map<string, Judged[]>();
  const byBead = new Map<string, Judged[]>();
  const push = (m: Map<string, Judged[]>, key: string, j: Judged) => {
    const list = m.get(key) ?? [];
    if (!list.some((x) => x.sessionId === j.sessionId)) list.push(j);
    m.set(key, list);
  };
  for (const side of sides) {
    let best: JudgedWork | null = null;
    for (const link of side.prs) {
      if (link.relation !== 'author' || link.confidence < opts.minLinkConfidence) continue;
      const work = judgePrWork(link, side, lifecycle(link.repo, link.number));
      if (!work) continue;
      push(byPr, `${prKey(work.repo, work.number)}\0${side.role}`, { ...side, work });
      if (!best || work.score > best.score) best = work;
    }
    if (!best) continue;
    for (const b of side.beads) {
      if (b.confidence < opts.minLinkConfidence || (b.actions && !b.actions.some((a) => BEAD_WORK.has(a)))) continue;
      push(byBead, `${b.bead_id}\0${side.role}`, { ...side, work: best });
    }
  }
  const taken = new Set<string>();
  return [...pairUp(byPr, 'pr', opts, taken), ...pairUp(byBead, 'pr_bead', opts, taken)];
}
