// The mix of a dataset folder: samples, sessions and synthetic samples per role, and samples per
// role and scenario kind (the kind of the sample's task), for `harvest gaps`. Also the best
// episodes of a role, whose tasks `harvest generate` can replay as scenarios.
import type { Role } from '../model/sample.ts';
import type { Counts } from '../model/session.ts';
import { readDataset } from '../sinks/shards/dataset-reader.ts';
import { samplesRootOf } from '../sinks/shards/samples-root.ts';
import type { DatasetMix, RoleMix } from '../transforms/gaps.ts';
import { scenarioKind, taskOfUserMessage, type ScenarioKind } from '../transforms/scenario-kind.ts';

interface StoredSample {
  messages?: { role?: string; content?: unknown }[];
  metadata?: Record<string, unknown>;
}

/** The task of a stored sample: its first user message without a progress note. */
export function taskOf(sample: StoredSample): string | null {
  const user = sample.messages?.find((m) => m.role === 'user');
  return typeof user?.content === 'string' ? taskOfUserMessage(user.content) : null;
}

export async function readDatasetMix(dataDir: string, counts: Counts = {}): Promise<DatasetMix> {
  const root = samplesRootOf(dataDir);
  const roles: Partial<Record<Role, RoleMix>> = {};
  const sessions = new Map<Role, Set<string>>();
  const synthetic = new Map<Role, Set<string>>();
  if (!root) return { roles };
  for await (const r of readDataset(root, counts)) {
    const s = r.value as StoredSample;
    const m = s.metadata;
    if (!m || typeof m.role !== 'string') continue;
    const role = m.role as Role;
    const mix = (roles[role] ??= { samples: 0, sessions: 0, synthetic: 0, kinds: {} });
    mix.samples++;
    if (m.synthetic === true) mix.synthetic++;
    const task = taskOf(s);
    const kind: ScenarioKind = task === null ? 'task' : scenarioKind(task);
    mix.kinds[kind] = (mix.kinds[kind] ?? 0) + 1;
    const sid = `${m.runtime ?? m.source}\0${m.session_id}`;
    for (const [map, on] of [[sessions, true], [synthetic, m.synthetic === true]] as const) {
      if (!on) continue;
      const ids = map.get(role) ?? new Set<string>();
      ids.add(sid);
      map.set(role, ids);
    }
  }
  for (const [role, ids] of sessions) roles[role]!.sessions = ids.size;
  for (const [role, ids] of synthetic) roles[role]!.syntheticSessions = ids.size;
  return { roles };
}

export interface EpisodeTask {
  role: Role;
  kind: ScenarioKind;
  task: string;
  score: number;
}

/**
 * The tasks of the role's best-scoring episodes (their opening samples, synthetic ones left out),
 * each task once, best first; `kinds` narrows them to those scenario kinds.
 */
export async function bestEpisodeTasks(dataDir: string, role: Role, limit: number, kinds?: readonly ScenarioKind[]): Promise<EpisodeTask[]> {
  const root = samplesRootOf(dataDir);
  if (!root) return [];
  const best = new Map<string, EpisodeTask>();
  for await (const r of readDataset(root, {})) {
    const s = r.value as StoredSample;
    const m = s.metadata;
    if (!m || m.role !== role || m.synthetic === true || m.step_start !== 0 || m.branch === 'abandoned') continue;
    const task = taskOf(s);
    if (!task || task.trim() === '') continue;
    const kind = scenarioKind(task);
    if (kinds && !kinds.includes(kind)) continue;
    const score = Number(m.quality_score) || 0;
    const prev = best.get(task);
    if (!prev || prev.score < score) best.set(task, { role, kind, task, score });
  }
  return [...best.values()].sort((a, b) => b.score - a.score || (a.task < b.task ? -1 : 1)).slice(0, limit);
}
