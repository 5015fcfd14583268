// Preference pairs from a dataset folder, in the lossless pair form (`PreferencePair`: prompt,
// chosen and rejected as sample messages with structured tool calls, the tools they call, metadata);
// `harvest export dpo` renders them per trainer.
//
// Two sources:
//   bead        two sessions (same role) on the same bead: one whose attempt closed it and stuck,
//               one whose attempt was reopened, released, superseded or abandoned. Outcomes are
//               recomputed from the lifecycles under `<data>/beads/` when present (fresher than
//               the ones in sample metadata), else taken from `metadata.beads`.
//   pi_branch   a pi session's active path against an abandoned branch from the same branch point
//               (the material `attachSessionOutcomes` put on the active sample).
//   pr, pr_bead two sessions (same role) on the same PR, or on the same bead through different
//               PRs: one whose work merged, one whose work was sent back for fixes or whose PR was
//               closed (src/transforms/pr-pairs.ts). Judged against the PR lifecycles rebuilt from
//               the history under `<data>/events/` and `<data>/points/` when present (fresher than
//               the sample metadata), else from `metadata.prs`.
// Every pair records its source, both sides' scores and why it qualified; every text is scrubbed.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { BeadLifecycle } from '../model/bead.ts';
import type { PreferencePair, Role, SampleMessage } from '../model/sample.ts';
import type { ToolSpec } from '../model/tool-spec.ts';
import { addCount, type Counts } from '../model/session.ts';
import { readDataset } from '../sinks/shards/dataset-reader.ts';
import { samplesRootOf } from '../sinks/shards/samples-root.ts';
import { outcomeScore } from '../transforms/outcome-score.ts';
import { filesHistory } from '../analysis/history.ts';
import { prKey, type PrLifecycle } from '../model/pr.ts';
import { buildPrLifecycles } from '../transforms/pr-lifecycle.ts';
import { pairSideOf, selectPrPairs, type PairSide } from '../transforms/pr-pairs.ts';
import { scrubDeep, type ScrubOptions } from '../transforms/scrub.ts';
import type { BranchPreference, Continuation } from '../transforms/branch-preference.ts';
import { syntheticRepeatPairs } from './generate-pairs.ts';

export type PairSource = 'bead' | 'pi_branch' | 'pr' | 'pr_bead' | 'synthetic_repeat';

/** A pair as `dpoPairs` yields it. */
export type DpoPair = PreferencePair & { metadata: PreferencePair['metadata'] & { source: PairSource } };

export interface DpoOptions {
  /** `turn` (default): one assistant message a side; `trajectory`: the rest of the first window. */
  continuation?: Continuation;
  /** Least outcome-score gap between the sides of a bead pair (default 0.2). */
  minMargin?: number;
  /** Least link confidence for a session to count as having worked on a bead (default 0.5). */
  minLinkConfidence?: number;
  /** Most pairs per bead and role (default 4). */
  maxPairsPerBead?: number;
  /** What scrubbing redacts beyond secrets: a dataset built without `publish` can be exported with it. */
  privacy?: ScrubOptions;
  /** PR lifecycles by `prKey` (e.g. rebuilt from InfluxDB); default: rebuilt from the folder's files. */
  prLifecycles?: Map<string, PrLifecycle>;
}

/** Messages as a pair carries them: scrubbed again (links and pairs are built from stored samples). */
function scrubbed(msgs: readonly SampleMessage[], counts: Counts, privacy?: ScrubOptions): SampleMessage[] {
  return scrubDeep(msgs as SampleMessage[], counts, privacy);
}

/** The specs of both sides, once each by name. */
function mergeTools(...lists: readonly ToolSpec[][]): ToolSpec[] {
  const seen = new Map<string, ToolSpec>();
  for (const list of lists) for (const t of list) if (!seen.has(t.function.name)) seen.set(t.function.name, t);
  return [...seen.values()];
}

const pairId = (p: Pick<DpoPair, 'prompt' | 'chosen' | 'rejected'>): string =>
  createHash('sha256').update(JSON.stringify([p.prompt, p.chosen, p.rejected])).digest('hex').slice(0, 24);

/** Links that say a session did the work (dispatching or looking at a bead is not doing it). */
const WORK_ACTIONS = new Set(['close', 'done', 'claim', 'hook', 'hooked', 'assigned', 'update', 'release', 'comment', 'reopen']);

interface StoredLink {
  bead_id: string;
  confidence: number;
  attempt: number | null;
  actions?: string[];
  outcome_score?: number | null;
  attempt_end?: string | null;
  outcome_reason?: string | null;
}

interface SessionSide {
  recordId: string;
  sessionId: string;
  role: string;
  runtime: string;
  score: number;
  link: StoredLink;
}

interface Judged extends SessionSide {
  outcome: number;
  end: string;
  reason: string;
}

/** The PR lifecycles the folder's recorded history gives (none when it has no events or points). */
async function loadPrLifecycles(dataDir: string): Promise<Map<string, PrLifecycle>> {
  if (!existsSync(join(dataDir, 'events')) && !existsSync(join(dataDir, 'points'))) return new Map();
  const h = filesHistory(dataDir);
  const counts: Counts = {};
  return buildPrLifecycles({ observations: h.observations({}, counts), actions: h.actions({}, counts), outcomes: h.outcomes({}, counts) });
}

export async function loadBeadLifecycles(beadsRoot: string, ids: Set<string>, counts: Counts): Promise<Map<string, BeadLifecycle>> {
  const out = new Map<string, BeadLifecycle>();
  if (!existsSync(beadsRoot) || ids.size === 0) return out;
  for await (const r of readDataset(beadsRoot, counts)) {
    const lc = (r.value as { bead?: BeadLifecycle }).bead;
    if (!lc || !ids.has(lc.id)) continue;
    const prev = out.get(lc.id);
    if (!prev || prev.version <= lc.version) out.set(lc.id, lc);
  }
  return out;
}

function judge(side: SessionSide, lc: BeadLifecycle | undefined): Judged | null {
  if (lc) {
    const o = outcomeScore(lc, side.link.attempt, side.role as Role);
    if (!o) return null;
    return { ...side, outcome: o.score, end: o.attempt_end, reason: o.reason };
  }
  if (typeof side.link.outcome_score !== 'number') return null;
  return { ...side, outcome: side.link.outcome_score, end: side.link.attempt_end ?? 'bead', reason: side.link.outcome_reason ?? '' };
}

const isChosen = (j: Judged): boolean => j.end === 'closed' && j.outcome >= 0.6;
const isRejected = (j: Judged): boolean => j.end === 'reopened' || j.end === 'released' || j.outcome <= 0.4;

/**
 * Prompt (system + the task) and the side after it, from a sample's messages: the first assistant
 * message (`turn`), or the sample's trained steps to its end (`trajectory`).
 */
function splitFirstTurn(msgs: SampleMessage[], mode: Continuation): { prompt: SampleMessage[]; reply: SampleMessage[] } | null {
  const u = msgs.findIndex((m) => m.role === 'user');
  if (u === -1 || msgs[u + 1]?.role !== 'assistant') return null;
  const prompt = msgs.slice(0, u + 1);
  let reply = mode === 'turn' ? [msgs[u + 1]] : msgs.slice(u + 1).filter((m) => !(m.role === 'assistant' && m.weight === 0));
  while (reply.length && reply[reply.length - 1].role !== 'assistant') reply = reply.slice(0, -1);
  return { prompt, reply };
}

/** Streams the pairs of the dataset under `dataDir` (`<dataDir>/samples`, `<dataDir>/beads`). */
export async function* dpoPairs(dataDir: string, opts: DpoOptions = {}, counts: Counts = {}): AsyncGenerator<DpoPair> {
  const samplesRoot = samplesRootOf(dataDir);
  if (!samplesRoot) return;
  const mode = opts.continuation ?? 'turn';
  const minConf = opts.minLinkConfidence ?? 0.5;
  const margin = opts.minMargin ?? 0.2;
  const maxPerBead = opts.maxPairsPerBead ?? 4;
  const emitted = new Set<string>();
  // Repeats of generated scenarios (src/pipeline/generate-pairs.ts).
  for await (const p of syntheticRepeatPairs(dataDir, { minMargin: opts.minMargin, privacy: opts.privacy }, counts)) yield p as DpoPair;

  // Pass 1: branch material (held until the abandoned sides' scores are known) and linked starts.
  const branchPairs: { pref: BranchPreference; m: Record<string, unknown> }[] = [];
  const abandonedScore = new Map<string, number>();
  const sides: SessionSide[] = [];
  const prSides: PairSide[] = [];
  const readCounts: Counts = {};
  for await (const r of readDataset(samplesRoot, readCounts)) {
    const m = r.value.metadata as Record<string, unknown> | undefined;
    if (!m || !Array.isArray(r.value.messages)) continue;
    const opensSession = m.episode_index === 0 && m.step_start === 0;
    if (m.branch === 'abandoned') {
      const key = `${m.session_id}\0${m.branch_point}`;
      const s = Number(m.quality_score);
      if (!abandonedScore.has(key)) abandonedScore.set(key, s);
    }
    if (Array.isArray(m.preferences)) for (const pref of m.preferences as BranchPreference[]) branchPairs.push({ pref, m });
    if (m.branch === 'active' && opensSession && Array.isArray(m.prs) && m.prs.length) {
      const side = pairSideOf(m);
      if (side) prSides.push(side);
    }
    if (m.branch === 'active' && opensSession && Array.isArray(m.beads)) {
      for (const link of m.beads as StoredLink[]) {
        if (link.confidence < minConf) continue;
        if (link.actions && !link.actions.some((a) => WORK_ACTIONS.has(a))) continue;
        sides.push({
          recordId: String(m.record_id), sessionId: String(m.session_id), role: String(m.role), runtime: String(m.runtime ?? m.source),
          score: Number(m.quality_score), link,
        });
      }
    }
  }

  for (const { pref, m } of branchPairs) {
    const pair: DpoPair = {
      prompt: scrubbed(pref.prompt, counts, opts.privacy),
      chosen: scrubbed(pref.chosen, counts, opts.privacy),
      rejected: scrubbed(pref.rejected, counts, opts.privacy),
      tools: pref.tools ?? [],
      metadata: {
        source: 'pi_branch',
        role: String(m.role),
        runtime: m.runtime ?? m.source,
        session_id: m.session_id,
        record_id: m.record_id,
        branch_point: pref.branch_point,
        branch_key: pref.branch_key,
        continuation: pref.continuation,
        divergence: pref.divergence,
        scores: {
          chosen: Number(m.quality_score),
          rejected: abandonedScore.get(`${m.session_id}\0${pref.branch_point}`) ?? null,
        },
        why: pref.divergence === 'resubmitted'
          ? 'the user sent the same message again from this branch point and kept the second reply'
          : 'the user left this reply for another from the same branch point, and kept the other',
        pair_id: '',
      },
    };
    pair.metadata.pair_id = pairId(pair);
    if (emitted.has(pair.metadata.pair_id)) {
      addCount(counts, 'pairs_repeated');
      continue;
    }
    emitted.add(pair.metadata.pair_id);
    addCount(counts, 'pairs.pi_branch');
    yield pair;
  }

  // Bead pairs: judge every side against the freshest lifecycle, then pair within bead and role.
  const lifecycles = await loadBeadLifecycles(join(dataDir, 'beads'), new Set(sides.map((s) => s.link.bead_id)), {});
  const groups = new Map<string, Judged[]>();
  for (const s of sides) {
    const j = judge(s, lifecycles.get(s.link.bead_id));
    if (!j) {
      addCount(counts, 'bead_sides_without_outcome');
      continue;
    }
    const key = `${s.link.bead_id}\0${s.role}`;
    const list = groups.get(key) ?? [];
    if (!list.some((x) => x.sessionId === j.sessionId)) list.push(j);
    groups.set(key, list);
  }
  const planned: { c: Judged; r: Judged; bead: string }[] = [];
  for (const [key, list] of groups) {
    const bead = key.split('\0')[0];
    const chosen = list.filter(isChosen).sort((a, b) => b.outcome - a.outcome || b.score - a.score);
    const rejected = list.filter(isRejected).sort((a, b) => a.outcome - b.outcome);
    let n = 0;
    for (const c of chosen) {
      for (const r of rejected) {
        if (n >= maxPerBead) break;
        if (c.sessionId === r.sessionId || c.role !== r.role) continue;
        if (c.outcome - r.outcome < margin) {
          addCount(counts, 'bead_pairs_below_margin');
          continue;
        }
        planned.push({ c, r, bead });
        n++;
      }
    }
  }
  const prLifecycles = prSides.length ? (opts.prLifecycles ?? (await loadPrLifecycles(dataDir))) : new Map<string, PrLifecycle>();
  const prPlanned = selectPrPairs(prSides, (repo, n) => prLifecycles.get(prKey(repo, n)), { minMargin: margin, minLinkConfidence: minConf, maxPairsPerGroup: maxPerBead });
  if (planned.length === 0 && prPlanned.length === 0) return;

  // Pass 2: the conversations of the sessions that take part.
  const need = new Set([...planned.flatMap((p) => [p.c.recordId, p.r.recordId]), ...prPlanned.flatMap((p) => [p.chosen.recordId, p.rejected.recordId])]);
  const convs = new Map<string, { messages: SampleMessage[]; tools: ToolSpec[] }>();
  for await (const r of readDataset(samplesRoot, {})) {
    const id = r.value.metadata?.record_id;
    if (typeof id === 'string' && need.has(id)) convs.set(id, { messages: r.value.messages as SampleMessage[], tools: (r.value.tools ?? []) as ToolSpec[] });
  }
  // Both kinds pair two sessions' samples the same way: the chosen one's prompt, each side's reply.
  type PlanMetadata = { source: PairSource; role: string; why: string; scores: { chosen: number | null; rejected: number | null }; [k: string]: unknown };
  const plans: { chosen: string; rejected: string; kind: string; metadata: PlanMetadata }[] = [
    ...planned.map(({ c, r, bead }) => ({
      chosen: c.recordId, rejected: r.recordId, kind: 'bead',
      metadata: {
        source: 'bead' as const, role: c.role, bead_id: bead,
        chosen_session: c.sessionId, rejected_session: r.sessionId, chosen_record: c.recordId, rejected_record: r.recordId, runtime: c.runtime,
        scores: { chosen: c.outcome, rejected: r.outcome }, quality_scores: { chosen: c.score, rejected: r.score },
        why: `same bead ${bead}, same role ${c.role}: chosen ${c.reason || c.end}, rejected ${r.reason || r.end} (${r.end})`,
      },
    })),
    ...prPlanned.map((p) => ({
      chosen: p.chosen.recordId, rejected: p.rejected.recordId, kind: 'pr',
      metadata: {
        source: p.source, role: p.role,
        ...(p.source === 'pr'
          ? { pr: p.group }
          : { bead_id: p.group, prs: { chosen: `${p.chosen.work.repo}#${p.chosen.work.number}`, rejected: `${p.rejected.work.repo}#${p.rejected.work.number}` } }),
        chosen_session: p.chosen.sessionId, rejected_session: p.rejected.sessionId, chosen_record: p.chosen.recordId, rejected_record: p.rejected.recordId,
        runtime: p.chosen.runtime, models: { chosen: p.chosen.model, rejected: p.rejected.model },
        scores: { chosen: p.chosen.work.score, rejected: p.rejected.work.score }, quality_scores: { chosen: p.chosen.quality, rejected: p.rejected.quality },
        work_end: { chosen: p.chosen.work.end, rejected: p.rejected.work.end },
        why: p.why,
      },
    })),
  ];
  for (const plan of plans) {
    const cs = convs.get(plan.chosen);
    const rs = convs.get(plan.rejected);
    const a = cs ? splitFirstTurn(cs.messages, mode) : null;
    const b = rs ? splitFirstTurn(rs.messages, mode) : null;
    if (!a || !b) {
      addCount(counts, `${plan.kind}_pairs_without_reply`);
      continue;
    }
    const pair: DpoPair = {
      prompt: scrubbed(a.prompt, counts, opts.privacy),
      chosen: scrubbed(a.reply, counts, opts.privacy),
      rejected: scrubbed(b.reply, counts, opts.privacy),
      tools: mergeTools(cs!.tools, rs!.tools),
      metadata: { ...plan.metadata, continuation: mode, prompts_match: JSON.stringify(a.prompt) === JSON.stringify(b.prompt), pair_id: '' },
    };
    if (JSON.stringify(pair.chosen) === JSON.stringify(pair.rejected)) {
      addCount(counts, `${plan.kind}_pairs_identical`);
      continue;
    }
    pair.metadata.pair_id = pairId(pair);
    if (emitted.has(pair.metadata.pair_id)) continue;
    emitted.add(pair.metadata.pair_id);
    addCount(counts, `pairs.${plan.metadata.source}`);
    yield pair;
  }
}
