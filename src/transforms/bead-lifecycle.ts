// A bead's lifecycle from its issue line and its events: created, claimed (first in_progress or
// hooked, by whom), closed (how often), reopened (how often), released, final status, close
// reason, time to close, actors, superseded/duplicate links, and the attempts in between. Pure.
import {
  BEAD_LIFECYCLE_SCHEMA_VERSION, CLAIM_STATUSES, DONE_STATUSES, KNOWN_BEAD_STATUSES,
  type BeadAttempt, type BeadEvent, type BeadIssue, type BeadLifecycle, type BeadOutcome,
} from '../model/bead.ts';
import { roleOfAgent } from './gastown-agent.ts';

const KNOWN_STATUS: ReadonlySet<string> = new Set(KNOWN_BEAD_STATUSES);

/** Close reasons that say the work was given up rather than done. */
export const ABANDON_RE = /\b(burn(?:ed)?|nuked|abandon(?:ed)?|stale|won'?t ?fix|wontfix|obsolete|no-changes|not ready|cancel+ed|give up|gave up)\b/i;
export const ESCALATE_RE = /\bescalat/i;
const SUPERSEDED_RE = /\bsuperseded(?:\s+by\s+([\w.-]+))?/i;
const DUPLICATE_RE = /\bduplicate(?:\s+of\s+([\w.-]+))?/i;

const iso = (ms: number | null): string | null => (ms === null || !Number.isFinite(ms) ? null : new Date(ms).toISOString());
const ms = (s: string | null): number | null => {
  if (!s) return null;
  const t = Date.parse(s);
  return Number.isFinite(t) ? t : null;
};

function compareEvents(a: BeadEvent, b: BeadEvent): number {
  if (a.at !== null && b.at !== null && a.at !== b.at) return a.at - b.at;
  const ai = typeof a.id === 'number' ? a.id : Number(a.id);
  const bi = typeof b.id === 'number' ? b.id : Number(b.id);
  if (Number.isFinite(ai) && Number.isFinite(bi) && ai !== bi) return ai - bi;
  return a.line - b.line;
}

export interface LifecycleOptions {
  /** The export's name, kept on the lifecycle. */
  source: string;
}

export function buildLifecycle(issue: BeadIssue, events: readonly BeadEvent[], opts: LifecycleOptions): BeadLifecycle {
  const evs = [...events].sort(compareEvents);
  const actors = new Set<string>();
  const assignees = new Set<string>();
  if (issue.assignee) assignees.add(issue.assignee);
  const attempts: BeadAttempt[] = [];
  let current: BeadAttempt | null = null;
  // Before the first event: open when the log starts at the creation, else what its first snapshot says.
  let status = evs[0]?.type === 'created' ? 'open' : (evs.find((e) => e.statusFrom)?.statusFrom ?? 'open');
  let closeCount = 0;
  let reopenCount = 0;
  let releaseCount = 0;
  let claimedAt: number | null = null;
  let claimedBy: string | null = null;
  let lastClose: BeadEvent | null = null;
  let escalated = issue.labels.some((l) => ESCALATE_RE.test(l)) || ESCALATE_RE.test(issue.closeReason ?? '');
  let assignee: string | null = null;

  const open = (at: number | null, by: string | null): BeadAttempt => {
    const a: BeadAttempt = { index: attempts.length, startedAt: iso(at), claimedBy: by, endedAt: null, closedBy: null, closeReason: null, end: 'open' };
    attempts.push(a);
    return a;
  };

  for (const e of evs) {
    if (e.actor) actors.add(e.actor);
    if (e.assigneeTo !== undefined) {
      assignee = e.assigneeTo || null;
      if (e.assigneeTo) assignees.add(e.assigneeTo);
    }
    if ((e.comment && ESCALATE_RE.test(e.comment)) || (e.reason && ESCALATE_RE.test(e.reason))) escalated = true;
    if (e.statusTo === 'escalated') escalated = true;
    const to = e.statusTo;
    if (!to) continue;
    const from = e.statusFrom ?? status;
    const by = e.assigneeTo || assignee || e.actor;
    if (CLAIM_STATUSES.has(to) && !CLAIM_STATUSES.has(from)) {
      if (claimedAt === null) {
        claimedAt = e.at;
        claimedBy = by;
      }
      if (by) assignees.add(by);
      // A reopen already started an attempt that nobody had claimed yet: this claim is its start.
      if (current && current.claimedBy === null && current.end === 'open') {
        current.claimedBy = by;
        current.startedAt ??= iso(e.at);
      } else {
        current = open(e.at, by);
      }
    }
    if (DONE_STATUSES.has(to) && !DONE_STATUSES.has(from)) {
      closeCount++;
      const a: BeadAttempt = current ?? open(null, null);
      a.endedAt = iso(e.at);
      a.closedBy = e.actor;
      a.closeReason = e.reason ?? null;
      a.end = 'closed';
      current = null;
      lastClose = e;
    } else if (DONE_STATUSES.has(from) && !DONE_STATUSES.has(to)) {
      reopenCount++;
      const closed = [...attempts].reverse().find((a) => a.end === 'closed');
      if (closed) closed.end = 'reopened';
      current = open(e.at, CLAIM_STATUSES.has(to) ? by : null);
    } else if (CLAIM_STATUSES.has(from) && !CLAIM_STATUSES.has(to) && !DONE_STATUSES.has(to)) {
      releaseCount++;
      if (current) {
        current.end = 'released';
        current.endedAt = iso(e.at);
        current = null;
      }
    }
    status = to;
  }

  const finalDone = DONE_STATUSES.has(issue.status);
  // The issue line is the truth about the end state; events may be missing or cut short.
  if (finalDone && (closeCount === 0 || !DONE_STATUSES.has(status))) {
    closeCount++;
    const a: BeadAttempt = current ?? open(null, issue.assignee);
    a.endedAt = issue.closedAt ?? issue.updatedAt;
    a.closeReason = issue.closeReason;
    a.end = 'closed';
    current = null;
  } else if (!finalDone && DONE_STATUSES.has(status)) {
    reopenCount++;
    const closed = [...attempts].reverse().find((a) => a.end === 'closed');
    if (closed) closed.end = 'reopened';
  }
  if (claimedBy === null && issue.assignee && (finalDone || CLAIM_STATUSES.has(issue.status))) claimedBy = issue.assignee;
  for (const a of attempts) if (a.claimedBy === null && a.index === 0 && claimedBy) a.claimedBy = claimedBy;

  const createdMs = ms(issue.createdAt) ?? evs.find((e) => e.type === 'created')?.at ?? null;
  // `completed` beads often lack closed_at: the last close event, else the last update, dates it.
  const closedMs = finalDone ? (ms(issue.closedAt) ?? lastClose?.at ?? ms(issue.updatedAt)) : null;
  const closeReason = issue.closeReason ?? lastClose?.reason ?? null;
  const depTarget = (types: string[]) => issue.dependencies.find((d) => d.from === issue.id && types.includes(d.type))?.to ?? null;
  const supersededBy = issue.supersededBy ?? depTarget(['supersedes', 'superseded-by', 'superseded_by'])
    ?? (closeReason && SUPERSEDED_RE.test(closeReason) ? (SUPERSEDED_RE.exec(closeReason)?.[1] ?? 'unknown') : null);
  const duplicateOf = issue.duplicateOf ?? depTarget(['duplicates', 'duplicate-of', 'duplicate_of'])
    ?? (closeReason && /^duplicate\b/i.test(closeReason) ? (DUPLICATE_RE.exec(closeReason)?.[1] ?? 'unknown') : null);
  const abandoned = (finalDone && closeReason !== null && ABANDON_RE.test(closeReason))
    || (!finalDone && releaseCount > 0 && !CLAIM_STATUSES.has(issue.status));
  if (abandoned && finalDone) {
    const last = [...attempts].reverse().find((a) => a.end === 'closed');
    if (last) last.end = 'released';
  }

  let outcome: BeadOutcome;
  if (supersededBy) outcome = 'superseded';
  else if (duplicateOf) outcome = 'duplicate';
  else if (abandoned) outcome = 'abandoned';
  else if (escalated) outcome = 'escalated';
  else if (reopenCount > 0) outcome = finalDone ? 'closed_after_reopen' : 'reopened';
  else if (finalDone) outcome = releaseCount > 0 ? 'closed_after_release' : 'first_try';
  else if (CLAIM_STATUSES.has(issue.status)) outcome = 'in_progress';
  else outcome = 'open';

  const lastEventAt = evs.reduce<number>((m, e) => (e.at !== null && e.at > m ? e.at : m), 0);
  const version = Math.max(ms(issue.updatedAt) ?? 0, closedMs ?? 0, createdMs ?? 0, lastEventAt);
  const span = (a: number | null, b: number | null) => (a !== null && b !== null && b >= a ? b - a : null);
  return {
    schema_version: BEAD_LIFECYCLE_SCHEMA_VERSION,
    id: issue.id,
    source: opts.source,
    title: issue.title,
    issue_type: issue.issueType,
    priority: issue.priority,
    status: issue.status,
    status_known: KNOWN_STATUS.has(issue.status),
    assignee: issue.assignee,
    created_at: iso(createdMs),
    created_by: issue.createdBy ?? evs.find((e) => e.type === 'created')?.actor ?? null,
    claimed_at: iso(claimedAt),
    claimed_by: claimedBy,
    closed_at: iso(closedMs),
    closed_by: finalDone ? (lastClose?.actor ?? null) : null,
    close_reason: closeReason,
    closed_by_session: issue.closedBySession,
    close_count: closeCount,
    reopen_count: reopenCount,
    release_count: releaseCount,
    time_to_close_ms: span(createdMs, closedMs),
    claim_to_close_ms: span(claimedAt, closedMs),
    actors: [...actors].sort(),
    assignees: [...assignees].sort(),
    labels: [...new Set(issue.labels)],
    molecule: issue.molecule,
    superseded_by: supersededBy,
    duplicate_of: duplicateOf,
    escalated,
    abandoned,
    outcome,
    attempts,
    event_count: evs.length,
    version,
  };
}

/** Median claim-to-close (else create-to-close) per role of whoever claimed, over closed beads. */
export function typicalDurations(lifecycles: Iterable<BeadLifecycle>, minSamples = 3): Record<string, number> {
  const per = new Map<string, number[]>();
  for (const lc of lifecycles) {
    if (lc.outcome !== 'first_try') continue;
    const d = lc.claim_to_close_ms ?? lc.time_to_close_ms;
    const role = roleOfAgent(lc.claimed_by ?? lc.assignee);
    if (d === null || !role) continue;
    const list = per.get(role) ?? [];
    list.push(d);
    per.set(role, list);
  }
  const out: Record<string, number> = {};
  for (const [role, list] of per) {
    if (list.length < minSamples) continue;
    list.sort((a, b) => a - b);
    out[role] = list[Math.floor(list.length / 2)];
  }
  return out;
}
