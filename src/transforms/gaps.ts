// What a dataset lacks against a target mix of roles and scenario kinds, in samples and in the
// sessions it would take to generate them. Pure: the counts come in (src/pipeline/generate-mix.ts),
// the report goes out (`harvest gaps`, and `harvest generate` without a role).
//
// Target per role: `samples` when given, else `share` x the target total; never below the minimum
// per role. With no target file: an even split of the dataset's samples across the roles present
// in the town (every role with a sample, `unknown` aside), and the minimum. Within a role, the
// target per scenario kind is the role's target split by the kinds' shares (default: evenly over
// the kinds the role has).
import { z } from 'zod';
import { ROLES, type Role } from '../model/sample.ts';
import { SCENARIO_KINDS, type ScenarioKind } from './scenario-kind.ts';

export const DEFAULT_MIN_PER_ROLE = 100;

export interface RoleMix {
  samples: number;
  /** Sessions the role's samples come from. */
  sessions: number;
  /** Samples a generator made (`metadata.synthetic`), and the sessions they come from. */
  synthetic: number;
  syntheticSessions?: number;
  kinds: Partial<Record<ScenarioKind, number>>;
}

export interface DatasetMix {
  roles: Partial<Record<Role, RoleMix>>;
}

const roleNames = ROLES.filter((r) => r !== 'unknown') as [Exclude<Role, 'unknown'>, ...Exclude<Role, 'unknown'>[]];

export const targetMixSchema = z.strictObject({
  /** Samples the whole mix should hold (default: the dataset's, over the target's roles). */
  total: z.number().int().positive().optional(),
  min_per_role: z.number().int().nonnegative().optional(),
  roles: z.partialRecord(z.enum(roleNames), z.strictObject({
    share: z.number().min(0).max(1).optional(),
    samples: z.number().int().nonnegative().optional(),
    /** Shares of the role's target per scenario kind (normalized over the kinds named). */
    scenarios: z.partialRecord(z.enum(SCENARIO_KINDS), z.number().min(0)).optional(),
  })).optional(),
});
export type TargetMix = z.infer<typeof targetMixSchema>;

export interface KindGap {
  kind: ScenarioKind;
  have: number;
  target: number;
  missing: number;
  sessions: number;
}

export interface RoleGap {
  role: Role;
  have: number;
  synthetic: number;
  target: number;
  missing: number;
  /** Samples per session of the role's generated sessions, else of all its sessions, else of the whole mix, else 1. */
  samples_per_session: number;
  /** Sessions to generate for the missing samples. */
  sessions: number;
  kinds: KindGap[];
}

export interface GapReport {
  /** Samples of the roles in the target. */
  total: number;
  target_total: number;
  min_per_role: number;
  roles: RoleGap[];
  missing: number;
  sessions: number;
}

const round1 = (x: number): number => Math.round(x * 10) / 10;

/** What a generated session yields: measured on the role's generated sessions once there are some. */
function samplesPerSession(m: RoleMix | undefined, overall: number): number {
  if (m && (m.syntheticSessions ?? 0) > 0 && m.synthetic > 0) return round1(m.synthetic / m.syntheticSessions!);
  if (m && m.sessions > 0 && m.samples > 0) return round1(m.samples / m.sessions);
  return overall;
}

/** Shares of `names`: the given ones as they are, the rest an even part of what they leave. */
function fillShares<K extends string>(names: readonly K[], given: Partial<Record<K, number | undefined>>): Map<K, number> {
  const out = new Map<K, number>();
  const open = names.filter((n) => given[n] === undefined);
  const used = names.reduce((s, n) => s + (given[n] ?? 0), 0);
  const rest = open.length ? Math.max(0, 1 - used) / open.length : 0;
  for (const n of names) out.set(n, given[n] ?? rest);
  return out;
}

function kindGaps(m: RoleMix | undefined, roleTarget: number, shares: Partial<Record<ScenarioKind, number>> | undefined, sps: number): KindGap[] {
  const named = shares ? (Object.keys(shares) as ScenarioKind[]) : SCENARIO_KINDS.filter((k) => (m?.kinds[k] ?? 0) > 0);
  const sum = named.reduce((s, k) => s + (shares ? shares[k] ?? 0 : 1), 0);
  const rows = named.map((kind): KindGap => {
    const share = sum > 0 ? (shares ? shares[kind] ?? 0 : 1) / sum : 0;
    const have = m?.kinds[kind] ?? 0;
    const target = Math.round(roleTarget * share);
    const missing = Math.max(0, target - have);
    return { kind, have, target, missing, sessions: Math.ceil(missing / sps) };
  });
  // Kinds the role has that the target does not name are shown with a target of 0.
  for (const k of SCENARIO_KINDS) {
    const have = m?.kinds[k] ?? 0;
    if (have > 0 && !named.includes(k)) rows.push({ kind: k, have, target: 0, missing: 0, sessions: 0 });
  }
  return rows.sort((a, b) => b.missing - a.missing || b.have - a.have);
}

export function computeGaps(mix: DatasetMix, target: TargetMix = {}, opts: { minPerRole?: number } = {}): GapReport {
  const minPerRole = target.min_per_role ?? opts.minPerRole ?? DEFAULT_MIN_PER_ROLE;
  const roles: Role[] = target.roles
    ? roleNames.filter((r) => target.roles![r] !== undefined)
    : roleNames.filter((r) => (mix.roles[r]?.samples ?? 0) > 0);
  const total = roles.reduce((s, r) => s + (mix.roles[r]?.samples ?? 0), 0);
  const targetTotal = target.total ?? total;
  const sessionsAll = roles.reduce((s, r) => s + (mix.roles[r]?.sessions ?? 0), 0);
  const overall = sessionsAll > 0 && total > 0 ? round1(total / sessionsAll) : 1;
  // A role given in samples takes that part of the total; roles given nothing share what is left.
  const given = Object.fromEntries(roles.map((r) => {
    const spec = target.roles?.[r as Exclude<Role, 'unknown'>];
    return [r, spec?.share ?? (spec?.samples !== undefined && targetTotal > 0 ? spec.samples / targetTotal : undefined)];
  })) as Partial<Record<Role, number>>;
  const shares = fillShares(roles, given);

  const rows = roles.map((role): RoleGap => {
    const m = mix.roles[role];
    const spec = target.roles?.[role as Exclude<Role, 'unknown'>];
    const have = m?.samples ?? 0;
    const goal = Math.max(minPerRole, spec?.samples ?? Math.round((shares.get(role) ?? 0) * targetTotal));
    const missing = Math.max(0, goal - have);
    const sps = Math.max(1, samplesPerSession(m, overall));
    return {
      role,
      have,
      synthetic: m?.synthetic ?? 0,
      target: goal,
      missing,
      samples_per_session: sps,
      sessions: Math.ceil(missing / sps),
      kinds: kindGaps(m, goal, spec?.scenarios, sps),
    };
  });
  rows.sort((a, b) => b.missing - a.missing || a.role.localeCompare(b.role));
  return {
    total,
    target_total: targetTotal,
    min_per_role: minPerRole,
    roles: rows,
    missing: rows.reduce((s, r) => s + r.missing, 0),
    sessions: rows.reduce((s, r) => s + r.sessions, 0),
  };
}
