// What `harvest generate` enqueues: N runs for a role, each a scenario (a prompt and a system
// prompt), taken from --prompt, from a scenarios file (the `eval/prompts` layout: `{role, scenario,
// system, user}` lines), or from the role's best episodes in the dataset (for the scenario kinds the
// role lacks most), else a built-in scenario of the role. Without a role: the sessions the gaps
// need, spread over the roles and kinds that lack the most.
import { readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { UserError } from '../user-error.ts';
import type { GapReport } from '../transforms/gaps.ts';
import { systemPromptFor } from '../transforms/role-prompts.ts';
import type { ScenarioKind } from '../transforms/scenario-kind.ts';
import { scenarioKind } from '../transforms/scenario-kind.ts';
import { bestEpisodeTasks } from './generate-mix.ts';
import { GENERATABLE_ROLES, isGeneratableRole, type GeneratableRole } from './generate-sandbox.ts';

export interface Scenario {
  role: GeneratableRole;
  /** Its name (from a scenarios file) or its kind. */
  scenario: string;
  system: string;
  user: string;
}

/** A run to enqueue: a scenario and the key its repeats share. */
export interface PlannedRun extends Scenario {
  scenarioKey: string;
}

/** For a role with nothing to replay: a start as Gas Town gives it. */
export const BUILTIN_SCENARIOS: Readonly<Record<GeneratableRole, { scenario: ScenarioKind; user: string }>> = {
  mayor: { scenario: 'mail', user: 'Run gt prime --hook, check your mail and hook, and act on what you find.' },
  deacon: { scenario: 'patrol', user: 'Run gt prime --hook and begin patrol.' },
  boot: { scenario: 'patrol', user: 'Daemon tick: check whether the deacon is alive and making progress; nudge or restart it if it is stuck.' },
  dog: { scenario: 'bead', user: 'Run gt prime --hook and carry out the errand on your hook, then report back to the deacon.' },
  witness: { scenario: 'patrol', user: 'Run gt prime --hook and begin patrol.' },
  refinery: { scenario: 'review', user: 'Run gt prime --hook and process the merge queue: rebase, test and merge the next branch.' },
  polecat: { scenario: 'bead', user: 'Run gt prime --hook, then carry out the issue on your hook and run gt done.' },
  crew: { scenario: 'task', user: 'Run gt prime --hook, then pick up the work on your hook.' },
};

const scenarioLine = z.object({
  role: z.string(),
  scenario: z.string().max(200).optional(),
  system: z.string().optional(),
  user: z.string().min(1),
}).loose();

/** Scenarios from a JSONL file, or from every `*_scenarios.jsonl` in a folder. */
export async function readScenarios(path: string): Promise<Scenario[]> {
  const st = await stat(path).catch(() => null);
  if (!st) throw new UserError(`${path}: no such scenarios file or folder`, 2, 'give --scenarios a JSONL file of {role, scenario, system, user} lines');
  const files = st.isDirectory()
    ? (await readdir(path)).filter((n) => n.endsWith('.jsonl')).sort().map((n) => join(path, n))
    : [path];
  const out: Scenario[] = [];
  for (const f of files) {
    const lines = (await readFile(f, 'utf8')).split('\n');
    lines.forEach((line, i) => {
      if (line.trim() === '') return;
      let v: unknown;
      try {
        v = JSON.parse(line);
      } catch {
        throw new UserError(`${f}:${i + 1}: not JSON`, 2, 'each line is one {role, scenario, system, user} object');
      }
      const p = scenarioLine.safeParse(v);
      if (!p.success) throw new UserError(`${f}:${i + 1}: ${p.error.issues[0].path.join('.') || 'line'}: ${p.error.issues[0].message}`, 2, 'each line is one {role, scenario, system, user} object');
      const role = p.data.role.toLowerCase();
      if (!isGeneratableRole(role)) throw new UserError(`${f}:${i + 1}: role "${p.data.role}" is no Gas Town role`, 2, `use one of ${GENERATABLE_ROLES.join(', ')}`);
      out.push({ role, scenario: p.data.scenario ?? scenarioKind(p.data.user), system: p.data.system ?? systemPromptFor(role), user: p.data.user });
    });
  }
  return out;
}

/** `n` split over weighted keys by largest remainder (the heaviest first on ties). */
export function allocate<K>(n: number, weights: readonly [K, number][]): Map<K, number> {
  const out = new Map<K, number>();
  const total = weights.reduce((s, [, w]) => s + w, 0);
  if (n <= 0 || total <= 0) return out;
  const exact = weights.map(([k, w]) => ({ k, w, share: (n * w) / total }));
  let given = 0;
  for (const e of exact) {
    const floor = Math.floor(e.share);
    out.set(e.k, floor);
    given += floor;
  }
  const byRemainder = [...exact].sort((a, b) => (b.share - Math.floor(b.share)) - (a.share - Math.floor(a.share)) || b.w - a.w);
  for (let i = 0; given < n; i = (i + 1) % byRemainder.length, given++) out.set(byRemainder[i].k, (out.get(byRemainder[i].k) ?? 0) + 1);
  for (const [k, v] of out) if (v === 0) out.delete(k);
  return out;
}

export interface RolePlanInput {
  role: GeneratableRole;
  count: number;
  prompt?: string;
  /** Scenarios read from --scenarios (any role's; the role's are used). */
  scenarios?: Scenario[];
  dataDir: string;
  /** Kinds the role lacks, with the samples each misses (from the gaps). */
  kindNeeds?: [ScenarioKind, number][];
}

/** `count` runs of one role, cycling through its scenarios so repeats of each come in turn. */
export async function planRole(input: RolePlanInput): Promise<Scenario[]> {
  const { role, count } = input;
  const system = systemPromptFor(role);
  let pool: Scenario[];
  if (input.prompt !== undefined) {
    pool = [{ role, scenario: scenarioKind(input.prompt), system, user: input.prompt }];
  } else if (input.scenarios) {
    pool = input.scenarios.filter((s) => s.role === role);
    if (pool.length === 0) throw new UserError(`the scenarios file has no scenario for the role ${role}`, 2, 'add {role, scenario, system, user} lines for it, or use --prompt');
  } else {
    pool = [];
    const needs = (input.kindNeeds ?? []).filter(([, n]) => n > 0);
    if (needs.length) {
      for (const [kind, n] of allocate(count, needs)) {
        const tasks = await bestEpisodeTasks(input.dataDir, role, n, [kind]);
        pool.push(...tasks.map((t) => ({ role, scenario: t.kind, system, user: t.task })));
      }
    }
    if (pool.length < count) {
      const tasks = await bestEpisodeTasks(input.dataDir, role, count);
      for (const t of tasks) if (!pool.some((p) => p.user === t.task)) pool.push({ role, scenario: t.kind, system, user: t.task });
    }
    if (pool.length === 0) pool = [{ role, scenario: BUILTIN_SCENARIOS[role].scenario, system, user: BUILTIN_SCENARIOS[role].user }];
  }
  return Array.from({ length: count }, (_, i) => pool[i % pool.length]);
}

/** Runs for the largest gaps: at most `count` sessions (default: what the gaps need), by role. */
export function gapAllocation(report: GapReport, count?: number): { role: GeneratableRole; count: number; kindNeeds: [ScenarioKind, number][] }[] {
  const needy = report.roles.filter((r) => r.sessions > 0 && isGeneratableRole(r.role));
  const need = needy.reduce((s, r) => s + r.sessions, 0);
  const n = Math.min(count ?? need, need);
  // The largest gap in samples gets the most runs, and no role more than it needs: what a cap
  // leaves goes to the next largest gaps with room.
  const split = n >= need
    ? new Map(needy.map((r) => [r.role, r.sessions]))
    : allocate(n, needy.map((r) => [r.role, r.missing]));
  let left = n;
  for (const r of needy) {
    const c = Math.min(r.sessions, split.get(r.role) ?? 0);
    split.set(r.role, c);
    left -= c;
  }
  for (const r of needy) {
    if (left <= 0) break;
    const more = Math.min(left, r.sessions - (split.get(r.role) ?? 0));
    split.set(r.role, (split.get(r.role) ?? 0) + more);
    left -= more;
  }
  return needy
    .filter((r) => (split.get(r.role) ?? 0) > 0)
    .map((r) => ({
      role: r.role as GeneratableRole,
      count: split.get(r.role)!,
      kindNeeds: r.kinds.map((k): [ScenarioKind, number] => [k.kind, k.missing]),
    }));
}
