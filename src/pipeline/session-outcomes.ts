// Outcome-linked quality for one session's samples, between `sessionToSamples` and the shard
// write: links the session to beads and to pull requests (lifecycles from lookups), scores their
// outcomes, combines them with the heuristic score, applies the outcome threshold, and carries the
// preference material of abandoned branches (pi) on the active sample at the branch point.
import type { BeadLink } from '../model/bead.ts';
import type { PrCandidates, PrLink, PrLookup } from '../model/pr.ts';
import type { Sample } from '../model/sample.ts';
import { addCount, mergeCounts, type Counts, type Session } from '../model/session.ts';
import { beadCandidates, linkSessionToBeads, type BeadCandidates, type BeadLinkOptions, type BeadLookup } from '../transforms/bead-links.ts';
import { branchPreferences, type Continuation } from '../transforms/branch-preference.ts';
import {
  applyOutcomeThreshold, combineScores, outcomeScore, prOutcomeScore, sessionOutcome, sessionPrOutcome,
  type OutcomeScore, type OutcomeThreshold, type PrOutcomeScore,
} from '../transforms/outcome-score.ts';
import { lifecycleSummary } from '../transforms/pr-lifecycle.ts';
import { linkSessionToPrs, prCandidates, type PrLinkOptions } from '../transforms/pr-links.ts';
import type { ThinkingMode } from '../transforms/step-messages.ts';
import { SessionToolSpecs } from '../transforms/tool-specs.ts';

/** Where lifecycles come from: `RedisBeadLookup` in workers, an in-memory one in tests. */
export interface BeadLookupSource {
  snapshot(candidates: BeadCandidates): Promise<BeadLookup>;
}

/** Where PR lifecycles come from: `RedisPrLookup` in workers, a memory one in tests. */
export interface PrLookupSource {
  snapshot(candidates: PrCandidates): Promise<PrLookup>;
}

const NO_PRS: PrLookup = { get: () => undefined, byBranch: () => [], bySha: () => [] };

export interface SessionOutcomeOptions extends BeadLinkOptions {
  /** PR lifecycles for PR outcome scores; without it links still come from the session itself. */
  prs?: PrLookupSource | null;
  prLinks?: PrLinkOptions;
  /** Drop or downweight samples whose combined score falls below a threshold (default off). */
  outcomeThreshold?: OutcomeThreshold;
  thinking?: ThinkingMode;
  /** Prepare abandoned-branch preference material (default true). */
  branchPreferences?: boolean;
  continuation?: Continuation;
}

/** A link as it lands in `metadata.beads`: the link plus what became of that work. */
export interface SampleBeadLink extends BeadLink {
  outcome_score: number | null;
  outcome_components: Record<string, number> | null;
  attempt_end: string | null;
  outcome_reason: string | null;
  bead_outcome: string | null;
}

/** A link as it lands in `metadata.prs`: how it was found, and what became of the PR and this work. */
export interface SamplePrLink extends PrLink {
  /** open, merged or closed when the sample was written (null: the PR's lifecycle is unknown). */
  pr_state: string | null;
  /** merged_first_try, merged_after_fixes, closed, open. */
  pr_outcome: string | null;
  review_fix_rounds: number | null;
  time_to_merge_hours: number | null;
  /** The PR outcome score of this session's work (authors only), its parts, and why. */
  outcome_score: number | null;
  outcome_components: Record<string, number> | null;
  work_end: string | null;
  outcome_reason: string | null;
}

export interface SessionOutcomeResult {
  samples: Sample[];
  links: SampleBeadLink[];
  prLinks: SamplePrLink[];
  counts: Counts;
}

/** What the whole session used: every token the runtime recorded (input, output, cache) and its cost. */
export function sessionUsage(session: Session): { tokens: number; cost_usd: number | null } {
  let tokens = 0;
  let cost: number | null = null;
  for (const t of session.turns) {
    if (!t.usage) continue;
    tokens += t.usage.input + t.usage.output + t.usage.cacheRead + t.usage.cacheWrite;
    if (typeof t.usage.cost === 'number') cost = (cost ?? 0) + t.usage.cost;
  }
  return { tokens, cost_usd: cost === null ? null : Math.round(cost * 1e6) / 1e6 };
}

/** When the session's work ended (its last turn), in ms. */
function sessionEndMs(session: Session): number | null {
  const t = session.endedAt ?? [...session.turns].reverse().find((x) => x.timestamp)?.timestamp;
  const ms = t ? Date.parse(t) : Number.NaN;
  return Number.isFinite(ms) ? ms : null;
}

/** Links the session to PRs and scores what became of the work on each. */
export async function sessionPrLinks(session: Session, source: PrLookupSource | null | undefined, opts: PrLinkOptions = {}): Promise<{
  links: SamplePrLink[];
  outcome: { score: number; confidence: number } | null;
}> {
  const lookup = source ? await source.snapshot(prCandidates(session, opts)) : NO_PRS;
  const end = sessionEndMs(session);
  const scored = linkSessionToPrs(session, lookup, opts).map((link) => {
    const lc = lookup.get(link.repo, link.number);
    const outcome: PrOutcomeScore | null = lc && link.relation === 'author' ? prOutcomeScore(lc, end) : null;
    const summary = lc ? lifecycleSummary(lc) : null;
    const out: SamplePrLink = {
      ...link,
      pr_state: lc?.state ?? null,
      pr_outcome: summary?.outcome ?? null,
      review_fix_rounds: summary?.review_fix_rounds ?? null,
      time_to_merge_hours: summary?.time_to_merge_hours ?? null,
      outcome_score: outcome?.score ?? null,
      outcome_components: outcome?.components ?? null,
      work_end: outcome?.work_end ?? null,
      outcome_reason: outcome?.reason ?? null,
    };
    return { link: out, outcome };
  });
  return { links: scored.map((x) => x.link), outcome: sessionPrOutcome(scored) };
}

/**
 * Annotates `samples` (all from `session`) in place and returns the ones to keep. With no lookup
 * source only the branch preferences are prepared.
 */
export async function attachSessionOutcomes(
  session: Session,
  samples: Sample[],
  source: BeadLookupSource | null | undefined,
  opts: SessionOutcomeOptions = {},
): Promise<SessionOutcomeResult> {
  const counts: Counts = {};
  let links: SampleBeadLink[] = [];
  let kept = samples;
  const role = samples[0]?.metadata.role ?? 'unknown';
  let beadOutcome: { score: number; confidence: number } | null = null;

  if (source && samples.length) {
    const lookup = await source.snapshot(beadCandidates(session, opts));
    const raw = linkSessionToBeads(session, lookup, opts);
    const scored = raw.map((link) => {
      const lc = lookup.get(link.bead_id);
      const outcome: OutcomeScore | null = lc ? outcomeScore(lc, link.attempt, role, { typicalMs: lookup.typicalDurationMs(role) }) : null;
      return { link, outcome, lc };
    });
    links = scored.map(({ link, outcome, lc }) => ({
      ...link,
      outcome_score: outcome?.score ?? null,
      outcome_components: outcome?.components ?? null,
      attempt_end: outcome?.attempt_end ?? null,
      outcome_reason: outcome?.reason ?? null,
      bead_outcome: lc?.outcome ?? null,
    }));
    if (links.length) {
      addCount(counts, 'sessions_linked');
      addCount(counts, 'bead_links', links.length);
      for (const l of links) addCount(counts, `bead_links.${l.method}`);
    }
    beadOutcome = sessionOutcome(scored);
    if (beadOutcome) addCount(counts, 'sessions_outcome_scored');
  }

  // PR links come from the session itself too (pr-link lines, gh and git output): made even without lifecycles.
  const pr = samples.length ? await sessionPrLinks(session, opts.prs, opts.prLinks) : { links: [], outcome: null };
  if (pr.links.length) {
    addCount(counts, 'sessions_pr_linked');
    addCount(counts, 'pr_links', pr.links.length);
    for (const l of pr.links) addCount(counts, `pr_links.${l.method}`);
  }
  if (pr.outcome) addCount(counts, 'sessions_pr_outcome_scored');

  // Per merged PR, `harvest compare` divides the whole session's spend, not one sample's steps.
  // Pairing places a session's work before or after a PR's fix requests by when the session ended.
  const usage = sessionUsage(session);
  const ended = sessionEndMs(session);
  for (const s of samples) {
    s.metadata.session_usage = usage;
    s.metadata.session_ended_at = ended === null ? null : new Date(ended).toISOString();
  }

  if ((source || pr.links.length) && samples.length) {
    kept = [];
    for (const s of samples) {
      const m = s.metadata;
      if (source) m.beads = links;
      if (pr.links.length) m.prs = pr.links;
      const heuristic = m.quality_score;
      const combined = combineScores(heuristic, beadOutcome, pr.outcome);
      m.heuristic_score = heuristic;
      m.outcome_score = beadOutcome?.score ?? null;
      m.outcome_confidence = beadOutcome?.confidence ?? null;
      m.pr_outcome_score = pr.outcome?.score ?? null;
      m.pr_outcome_confidence = pr.outcome?.confidence ?? null;
      if (beadOutcome || pr.outcome) {
        m.quality_score = combined.score;
        m.quality_components = {
          ...m.quality_components,
          ...(beadOutcome ? { outcome: beadOutcome.score, outcome_weight: combined.components.outcome_weight } : {}),
          ...(pr.outcome ? { pr_outcome: pr.outcome.score, pr_weight: combined.components.pr_weight } : {}),
        };
        addCount(counts, 'samples_outcome_scored');
      }
      const t = applyOutcomeThreshold(m.quality_score, opts.outcomeThreshold);
      if (!t.keep) {
        addCount(counts, 'rejected_low_outcome');
        continue;
      }
      if (t.weight < 1) {
        m.weight = t.weight;
        addCount(counts, 'samples_downweighted');
      }
      kept.push(s);
    }
  }

  if (opts.branchPreferences !== false && session.abandoned.length && kept.length) {
    const first = kept[0].messages[0];
    const system = first?.role === 'system' ? first.content : '';
    const prefs = branchPreferences(session, { systemPrompt: system, thinking: opts.thinking, continuation: opts.continuation, specs: new SessionToolSpecs(session) });
    mergeCounts(counts, prefs.counts);
    for (const p of prefs.preferences) {
      // The active sample that trains the kept reply after the branch point.
      const host = kept
        .filter((s) => s.metadata.branch === 'active' && typeof s.metadata.turn_start === 'number' && typeof s.metadata.turn_end === 'number'
          && (s.metadata.turn_start as number) <= p.turn_index && (s.metadata.turn_end as number) > p.turn_index)
        .sort((a, b) => (b.metadata.turn_start as number) - (a.metadata.turn_start as number))[0]
        ?? kept.find((s) => s.metadata.branch === 'abandoned' && s.metadata.branch_point === p.branch_point)
        ?? kept.find((s) => s.metadata.branch === 'active');
      if (!host) {
        addCount(counts, 'branch_pairs_unattached');
        continue;
      }
      const list = (host.metadata.preferences as unknown[] | undefined) ?? [];
      list.push(p);
      host.metadata.preferences = list;
    }
  }
  return { samples: kept, links, prLinks: pr.links, counts };
}
