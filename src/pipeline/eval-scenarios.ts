// Evaluation scenarios in lora-forge's eval/prompts layout, from the best episodes of each role in a
// dataset: one line `{role, scenario, system, user, expected_behaviors}` per episode, `user` the
// episode's task as the person or the orchestrator gave it, `expected_behaviors` what the episode's
// tool calls did. An episode is ranked by its samples' quality score, with a bonus for the kinds
// of work a role is judged by: a patrol cycle, a bead closed on the first try.
import type { Sample, SampleMessage } from '../model/sample.ts';
import { addCount, type Counts } from '../model/session.ts';
import { readDataset } from '../sinks/shards/dataset-reader.ts';
import { samplesRootOf } from '../sinks/shards/samples-root.ts';
import { expectedBehaviors } from '../transforms/expected-behaviors.ts';
import { scrubText } from '../transforms/scrub.ts';

export interface EvalScenario {
  role: string;
  scenario: string;
  system: string;
  user: string;
  expected_behaviors: string[];
}

/** Where a scenario came from (the manifest beside the scenario files). */
export interface ScenarioSource {
  role: string;
  scenario: string;
  session_id: string;
  episode_index: number;
  record_ids: string[];
  score: number;
  kind: 'patrol' | 'first_try_bead' | 'episode';
  bead_id?: string;
}

export const FIRST_TRY_BONUS = 0.2;
/** A task shorter than this (after the banner) makes no scenario. */
export const MIN_TASK_CHARS = 24;
export const PATROL_BONUS = 0.1;
const PATROL_ROLES = new Set(['deacon', 'witness', 'boot', 'dog']);

interface Episode {
  role: string;
  session_id: string;
  episode_index: number;
  system: string | null;
  task: string | null;
  calls: { step: number; name: string; arguments: string }[];
  scores: number[];
  record_ids: string[];
  firstTryBead: string | null;
}

/** The first line of the task after Gas Town's `[GAS TOWN] who <- from` banner, as a title. */
export function scenarioTitle(task: string, max = 70): string {
  const lines = task.split('\n').map((l) => l.trim()).filter(Boolean);
  const body = lines.find((l) => !/^\[GAS TOWN\]/.test(l)) ?? lines[0] ?? 'untitled';
  // Sentences until the title says something ("Good." alone does not).
  let sentence = '';
  for (const s of body.split(/(?<=[.!?])\s/)) {
    sentence = sentence ? `${sentence} ${s}` : s;
    if (sentence.length >= MIN_TASK_CHARS) break;
  }
  return sentence.length > max ? `${sentence.slice(0, max - 1).trimEnd()}…` : sentence;
}

function isPatrol(role: string, task: string): boolean {
  return PATROL_ROLES.has(role) && /\bpatrol\b/i.test(task);
}

export interface EvalScenarioResult {
  byRole: Record<string, EvalScenario[]>;
  sources: ScenarioSource[];
  counts: Counts;
}

/** Reads the dataset in `dataDir` once and picks up to `perRole` scenarios per role. */
export async function evalScenarios(dataDir: string, perRole = 5): Promise<EvalScenarioResult> {
  const counts: Counts = {};
  const episodes = new Map<string, Episode>();
  const root = samplesRootOf(dataDir);
  for await (const r of root ? readDataset(root, counts) : []) {
    const s = r.value as Partial<Sample>;
    const m = s.metadata;
    if (!Array.isArray(s.messages) || !m || typeof m.episode_index !== 'number' || typeof m.step_start !== 'number') {
      addCount(counts, 'skipped_not_schema_2');
      continue;
    }
    if (m.branch === 'abandoned') continue;
    const key = `${m.session_id}\0${m.episode_index}`;
    let e = episodes.get(key);
    if (!e) {
      e = { role: String(m.role), session_id: String(m.session_id), episode_index: m.episode_index, system: null, task: null, calls: [], scores: [], record_ids: [], firstTryBead: null };
      episodes.set(key, e);
    }
    e.scores.push(Number(m.quality_score) || 0);
    e.record_ids.push(String(m.record_id));
    const links = Array.isArray(m.beads) ? (m.beads as { bead_id?: unknown; bead_outcome?: unknown }[]) : [];
    const firstTry = links.find((l) => l.bead_outcome === 'first_try' && typeof l.bead_id === 'string');
    if (firstTry) e.firstTryBead = String(firstTry.bead_id);
    const messages = s.messages as SampleMessage[];
    if (m.step_start === 0) {
      // The sample that opens the episode holds its task as given (no progress note).
      e.system = messages.find((x) => x.role === 'system')?.content ?? null;
      e.task = messages.find((x) => x.role === 'user')?.content ?? null;
    }
    let step = m.step_start;
    for (const x of messages) {
      if (x.role !== 'assistant') continue;
      if (x.weight === 0) continue;
      for (const c of x.tool_calls ?? []) e.calls.push({ step, name: c.function.name, arguments: c.function.arguments });
      step++;
    }
  }

  const ranked = new Map<string, { e: Episode; score: number; kind: ScenarioSource['kind']; behaviors: string[] }[]>();
  for (const e of episodes.values()) {
    if (!e.task || !e.system) {
      addCount(counts, 'episodes_without_task');
      continue;
    }
    // "Good.", "go on": a reply in a conversation, no task a scenario could stand on.
    if (e.task.replace(/^\[GAS TOWN\][^\n]*\n?/, '').trim().length < MIN_TASK_CHARS) {
      addCount(counts, 'episodes_with_a_short_task');
      continue;
    }
    const behaviors = expectedBehaviors([...e.calls].sort((a, b) => a.step - b.step));
    if (behaviors.length === 0) {
      addCount(counts, 'episodes_without_tool_calls');
      continue;
    }
    const mean = e.scores.reduce((a, b) => a + b, 0) / e.scores.length;
    const kind: ScenarioSource['kind'] = e.firstTryBead ? 'first_try_bead' : isPatrol(e.role, e.task) ? 'patrol' : 'episode';
    const score = mean + (kind === 'first_try_bead' ? FIRST_TRY_BONUS : kind === 'patrol' ? PATROL_BONUS : 0);
    const list = ranked.get(e.role) ?? [];
    list.push({ e, score, kind, behaviors });
    ranked.set(e.role, list);
  }

  const byRole: Record<string, EvalScenario[]> = {};
  const sources: ScenarioSource[] = [];
  for (const [role, list] of [...ranked].sort(([a], [b]) => a.localeCompare(b))) {
    list.sort((a, b) => b.score - a.score || a.e.session_id.localeCompare(b.e.session_id) || a.e.episode_index - b.e.episode_index);
    const tasks = new Set<string>();
    for (const c of list) {
      if ((byRole[role]?.length ?? 0) >= perRole) break;
      const user = scrubText(c.e.task!, {});
      // The same task twice (a resubmitted prompt, a repeated patrol) is one scenario.
      if (tasks.has(user)) {
        addCount(counts, 'episodes_repeating_a_task');
        continue;
      }
      tasks.add(user);
      const title = c.kind === 'first_try_bead' ? `First-try bead ${c.e.firstTryBead}: ${scenarioTitle(user)}`
        : c.kind === 'patrol' ? `Patrol cycle: ${scenarioTitle(user)}` : scenarioTitle(user);
      (byRole[role] ??= []).push({ role, scenario: title, system: scrubText(c.e.system!, {}), user, expected_behaviors: c.behaviors.map((b) => scrubText(b, {})) });
      sources.push({
        role, scenario: title, session_id: c.e.session_id, episode_index: c.e.episode_index, record_ids: c.e.record_ids,
        score: Math.round(c.score * 1000) / 1000, kind: c.kind, ...(c.e.firstTryBead ? { bead_id: c.e.firstTryBead } : {}),
      });
    }
  }
  return { byRole, sources, counts };
}
