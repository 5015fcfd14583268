// Outcome-linked quality for one session's samples, between `sessionToSamples` and the shard
// write: links the session to beads (lifecycles from a lookup), scores their outcomes, combines
// that with the heuristic score, applies the outcome threshold, and carries the preference
// material of abandoned branches (pi) on the active sample at the branch point.
import type { BeadLink } from '../model/bead.ts';
import type { Sample } from '../model/sample.ts';
import { addCount, mergeCounts, type Counts, type Session } from '../model/session.ts';
import { beadCandidates, linkSessionToBeads, type BeadCandidates, type BeadLinkOptions, type BeadLookup } from '../transforms/bead-links.ts';
import { branchPreferences, type Continuation } from '../transforms/branch-preference.ts';
import {
  applyOutcomeThreshold, combineScores, outcomeScore, sessionOutcome,
  type OutcomeScore, type OutcomeThreshold,
} from '../transforms/outcome-score.ts';
import type { ThinkingMode } from '../transforms/step-messages.ts';
import { SessionToolSpecs } from '../transforms/tool-specs.ts';

/** Where lifecycles come from: `RedisBeadLookup` in workers, an in-memory one in tests. */
export interface BeadLookupSource {
  snapshot(candidates: BeadCandidates): Promise<BeadLookup>;
}

export interface SessionOutcomeOptions extends BeadLinkOptions {
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

export interface SessionOutcomeResult {
  samples: Sample[];
  links: SampleBeadLink[];
  counts: Counts;
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
    const outcome = sessionOutcome(scored);
    if (outcome) addCount(counts, 'sessions_outcome_scored');
    kept = [];
    for (const s of samples) {
      const m = s.metadata;
      m.beads = links;
      const heuristic = m.quality_score;
      const combined = combineScores(heuristic, outcome);
      m.heuristic_score = heuristic;
      m.outcome_score = outcome?.score ?? null;
      m.outcome_confidence = outcome?.confidence ?? null;
      if (outcome) {
        m.quality_score = combined.score;
        m.quality_components = { ...m.quality_components, outcome: outcome.score, outcome_weight: combined.components.outcome_weight };
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
  return { samples: kept, links, counts };
}
