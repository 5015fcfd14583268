// Preference pairs from repeats: the same scenario (same role, system prompt and task: one
// `metadata.generator.scenario_key`) generated several times gives sessions that start alike and
// end differently. A session's outcome is the mean of its tool success (over its trained steps)
// and the completion of its last sample (`metadata.quality_components`); two repeats whose outcomes
// differ by the margin make a pair (source `synthetic_repeat`): prompt = system + the task, chosen
// and rejected = each session's opening trajectory (its first sample's trained steps). The outcome
// belongs to the whole run, so a pair is always a trajectory, never a first turn alone.
import { createHash } from 'node:crypto';
import type { PreferencePair, SampleMessage } from '../model/sample.ts';
import type { ToolSpec } from '../model/tool-spec.ts';
import { addCount, type Counts } from '../model/session.ts';
import { readDataset } from '../sinks/shards/dataset-reader.ts';
import { samplesRootOf } from '../sinks/shards/samples-root.ts';
import { scrubberFor, type ScrubOptions } from '../transforms/scrub.ts';

export interface RepeatPairOptions {
  /** Least outcome gap between chosen and rejected (default 0.2). */
  minMargin?: number;
  /** Most pairs per scenario (default 4). */
  maxPairsPerScenario?: number;
  /** What scrubbing redacts beyond secrets (as `harvest export dpo --privacy`). */
  privacy?: ScrubOptions;
}

export const DEFAULT_REPEAT_MARGIN = 0.2;

interface RunOutcome {
  sessionId: string;
  role: string;
  scenario: string | null;
  /** Tool success summed over samples, weighted by their trained steps. */
  toolWeighted: number;
  steps: number;
  /** Position and completion of the session's last sample. */
  last: [number, number];
  completion: number;
  opening: string | null;
  quality: number | null;
}

const outcomeOf = (r: RunOutcome): number => Math.round(((r.steps ? r.toolWeighted / r.steps : 0) * 0.5 + r.completion * 0.5) * 1000) / 1000;

interface Meta {
  record_id?: unknown;
  session_id?: unknown;
  role?: unknown;
  synthetic?: unknown;
  branch?: unknown;
  episode_index?: unknown;
  step_start?: unknown;
  step_end?: unknown;
  quality_score?: unknown;
  quality_components?: Record<string, number>;
  generator?: { scenario_key?: unknown; scenario?: unknown };
}

/** System + task, and the trained messages after them (context repeats left out), ending on assistant. */
function openingTrajectory(messages: SampleMessage[]): { prompt: SampleMessage[]; reply: SampleMessage[] } | null {
  const u = messages.findIndex((m) => m.role === 'user');
  if (u === -1) return null;
  let reply = messages.slice(u + 1).filter((m) => !(m.role === 'assistant' && m.weight === 0));
  while (reply.length && reply[reply.length - 1].role !== 'assistant') reply = reply.slice(0, -1);
  return reply.length ? { prompt: messages.slice(0, u + 1), reply } : null;
}

function toolsOf(...lists: ToolSpec[][]): ToolSpec[] {
  const byName = new Map<string, ToolSpec>();
  for (const t of lists.flat()) if (!byName.has(t.function.name)) byName.set(t.function.name, t);
  return [...byName.values()];
}

/** Pairs from repeated synthetic scenarios in the dataset under `dataDir`. */
export async function* syntheticRepeatPairs(dataDir: string, opts: RepeatPairOptions = {}, counts: Counts = {}): AsyncGenerator<PreferencePair> {
  const root = samplesRootOf(dataDir);
  if (!root) return;
  const margin = opts.minMargin ?? DEFAULT_REPEAT_MARGIN;
  const maxPairs = opts.maxPairsPerScenario ?? 4;
  const scrub = scrubberFor(opts.privacy);

  // Pass 1: each synthetic session's outcome, grouped by scenario.
  const groups = new Map<string, Map<string, RunOutcome>>();
  for await (const r of readDataset(root, {})) {
    const m = r.value.metadata as Meta | undefined;
    if (!m || m.synthetic !== true || m.branch === 'abandoned' || typeof m.generator?.scenario_key !== 'string') continue;
    const key = `${m.role}\0${m.generator.scenario_key}`;
    const runs = groups.get(key) ?? new Map<string, RunOutcome>();
    groups.set(key, runs);
    const sid = String(m.session_id);
    const run = runs.get(sid) ?? {
      sessionId: sid, role: String(m.role), scenario: typeof m.generator.scenario === 'string' ? m.generator.scenario : null,
      toolWeighted: 0, steps: 0, last: [-1, -1], completion: 0, opening: null, quality: null,
    };
    runs.set(sid, run);
    const c = m.quality_components ?? {};
    const steps = Math.max(1, Number(m.step_end) - Number(m.step_start) || 1);
    run.toolWeighted += (c.tool_success ?? 0) * steps;
    run.steps += steps;
    const pos: [number, number] = [Number(m.episode_index), Number(m.step_start)];
    if (pos[0] > run.last[0] || (pos[0] === run.last[0] && pos[1] > run.last[1])) {
      run.last = pos;
      run.completion = c.completion ?? 0;
    }
    if (pos[0] === 0 && pos[1] === 0) {
      run.opening = String(m.record_id);
      run.quality = Number(m.quality_score);
    }
  }

  const planned: { key: string; c: RunOutcome; r: RunOutcome; co: number; ro: number }[] = [];
  for (const [key, runs] of groups) {
    const list = [...runs.values()].filter((x) => x.opening !== null);
    if (list.length < 2) continue;
    addCount(counts, 'repeat_scenarios');
    const ranked = list.map((x) => ({ x, o: outcomeOf(x) })).sort((a, b) => b.o - a.o || (a.x.sessionId < b.x.sessionId ? -1 : 1));
    let n = 0;
    for (const c of ranked) {
      for (const r of [...ranked].reverse()) {
        if (n >= maxPairs || c.o - r.o <= 0) break;
        if (c.o - r.o < margin) {
          addCount(counts, 'repeat_pairs_below_margin');
          continue;
        }
        planned.push({ key, c: c.x, r: r.x, co: c.o, ro: r.o });
        n++;
      }
    }
  }
  if (planned.length === 0) return;

  // Pass 2: the opening samples of the sessions that take part.
  const need = new Set(planned.flatMap((p) => [p.c.opening!, p.r.opening!]));
  const openings = new Map<string, { messages: SampleMessage[]; tools: ToolSpec[] }>();
  for await (const r of readDataset(root, {})) {
    const id = r.value.metadata?.record_id;
    if (typeof id === 'string' && need.has(id)) openings.set(id, { messages: r.value.messages as SampleMessage[], tools: (r.value.tools ?? []) as ToolSpec[] });
  }
  for (const p of planned) {
    const a = openings.get(p.c.opening!);
    const b = openings.get(p.r.opening!);
    const ca = a && openingTrajectory(a.messages);
    const rb = b && openingTrajectory(b.messages);
    if (!ca || !rb) {
      addCount(counts, 'repeat_pairs_without_reply');
      continue;
    }
    if (JSON.stringify(ca.prompt) !== JSON.stringify(rb.prompt)) {
      addCount(counts, 'repeat_pairs_prompt_mismatch');
      continue;
    }
    if (JSON.stringify(ca.reply) === JSON.stringify(rb.reply)) {
      addCount(counts, 'repeat_pairs_identical');
      continue;
    }
    const scenarioKey = p.key.split('\0')[1];
    const pair: PreferencePair = {
      prompt: scrub.deep(ca.prompt, counts),
      chosen: scrub.deep(ca.reply, counts),
      rejected: scrub.deep(rb.reply, counts),
      tools: toolsOf(a.tools, b.tools),
      metadata: {
        source: 'synthetic_repeat',
        role: p.c.role,
        scenario: p.c.scenario,
        scenario_key: scenarioKey,
        chosen_session: p.c.sessionId,
        rejected_session: p.r.sessionId,
        chosen_record: p.c.opening,
        rejected_record: p.r.opening,
        continuation: 'trajectory',
        scores: { chosen: p.co, rejected: p.ro },
        quality_scores: { chosen: p.c.quality, rejected: p.r.quality },
        why: `same ${p.c.role} scenario generated repeatedly: outcome (tool success and completion) ${p.co} against ${p.ro}, margin ${margin}`,
        pair_id: '',
      },
    };
    pair.metadata.pair_id = createHash('sha256').update(JSON.stringify(['synthetic_repeat', pair.prompt, pair.chosen, pair.rejected])).digest('hex').slice(0, 24);
    addCount(counts, 'pairs.synthetic_repeat');
    yield pair;
  }
}
