// A hand-made orchestrator history with hand-computed statistics and decision examples, shared by
// the unit test of the analysis and the end-to-end tests (through every sink).
import { int, type PointRecord } from '../../src/model/point.ts';
import type { EventInput } from '../../src/model/event.ts';

const H = 3_600_000;
/** Ten days ago, on a whole second: inside the default `--since 90d`. */
export const T0 = Math.floor((Date.now() - 10 * 24 * H) / 1000) * 1000;
const at = (h: number): string => new Date(T0 + h * H).toISOString();

export const ACTIONS: EventInput[] = [
  { type: 'action_taken', repo: 'o/r', pr: 1, action: 'wait', reason: 'checks running', at: at(0), key: 'a1' },
  { type: 'action_taken', repo: 'o/r', pr: 1, action: 'request_conflict_fix', reason: 'conflict with main', at: at(1), session: 's-1' },
  { type: 'action_taken', repo: 'o/r', pr: 1, action: 'request_conflict_fix', reason: 'still conflicting', at: at(2), bead: 'b-9' },
  { type: 'action_taken', repo: 'o/r', pr: 2, action: 'wait', reason: 'review pending', at: at(0) },
  { type: 'action_taken', repo: 'o/r', pr: 2, action: 'escalate', reason: 'stuck', at: at(3) },
  { type: 'action_taken', repo: 'o/r', pr: 3, action: 'request_review_fix', reason: 'changes requested', at: at(0) },
  { type: 'action_taken', repo: 'o/r', pr: 3, action: 'wait', reason: 'fix pushed', at: at(1) },
  { type: 'action_taken', repo: 'x/y', pr: 4, action: 'wait', reason: 'no outcome yet', at: at(0) },
];

export const OUTCOMES: EventInput[] = [
  { type: 'outcome', repo: 'o/r', pr: 1, result: 'success', detail: 'merged via auto-merge', resolution_hours: 30, at: at(4) },
  { type: 'outcome', repo: 'o/r', pr: 2, result: 'escalated', detail: 'handed to a human', resolution_hours: 50, at: at(5) },
  { type: 'outcome', repo: 'o/r', pr: 3, result: 'failed', detail: 'closed', at: at(2) },
];

const obs = (repo: string, pr: number, h: number, conflict: number, label: string): PointRecord => ({
  measurement: 'pr_observation',
  tags: { repo, pr: String(pr), author: 'dev' },
  fields: { merge_state: label, conflict_attempts: int(conflict), checks_failing: int(0), mergeable: true },
  timestamp: T0 + h * H,
});

export const OBSERVATIONS: PointRecord[] = [
  obs('o/r', 1, -0.5, 0, 'BLOCKED'),
  obs('o/r', 1, 1.5, 1, 'DIRTY'),
  obs('o/r', 1, 3, 2, 'CLEAN'),
  obs('o/r', 2, 2, 0, 'BEHIND'),
  obs('x/y', 4, -1, 0, 'CLEAN'),
];

const share = (success: number, escalated: number, failed: number) => ({ success, escalated, failed });

/** computed by hand: each action type per PR episode, hours from its first use to the outcome. */
export const EXPECTED_STATS = [
  { action: 'wait', prs: 4, resolved: 3, pending: 1, share: share(0.3333, 0.3333, 0.3333), mean_hours: 3.333, median_hours: 4 },
  { action: 'escalate', prs: 1, resolved: 1, pending: 0, share: share(0, 1, 0), mean_hours: 2, median_hours: 2 },
  { action: 'request_conflict_fix', prs: 1, resolved: 1, pending: 0, share: share(1, 0, 0), mean_hours: 3, median_hours: 3 },
  { action: 'request_review_fix', prs: 1, resolved: 1, pending: 0, share: share(0, 0, 1), mean_hours: 2, median_hours: 2 },
];

const o = (h: number, conflict: number, label: string) => ({ at: at(h), author: 'dev', merge_state: label, conflict_attempts: conflict, checks_failing: 0, mergeable: true });

/** [repo, pr, action, action hour, observation or null, result, hours after action] */
export const EXPECTED_DECISIONS = [
  ['o/r', 1, 'wait', 0, o(-0.5, 0, 'BLOCKED'), 'success', 4],
  ['o/r', 1, 'request_conflict_fix', 1, o(-0.5, 0, 'BLOCKED'), 'success', 3],
  ['o/r', 1, 'request_conflict_fix', 2, o(1.5, 1, 'DIRTY'), 'success', 2],
  ['o/r', 2, 'wait', 0, null, 'escalated', 5],
  ['o/r', 2, 'escalate', 3, o(2, 0, 'BEHIND'), 'escalated', 2],
  ['o/r', 3, 'request_review_fix', 0, null, 'failed', 2],
  ['o/r', 3, 'wait', 1, null, 'failed', 1],
] as const;

/** The comparable part of an exported example. */
export function decisionShape(d: { repo: string; pr: number; action: string; at: string; observation: unknown; outcome: { result: string; hours_after_action: number } }) {
  return [d.repo, d.pr, d.action, (Date.parse(d.at) - T0) / H, d.observation, d.outcome.result, d.outcome.hours_after_action];
}

export function statsShape(a: { action: string; prs: number; resolved: number; pending: number; share: unknown; mean_hours: number | null; median_hours: number | null }) {
  return { action: a.action, prs: a.prs, resolved: a.resolved, pending: a.pending, share: a.share, mean_hours: a.mean_hours, median_hours: a.median_hours };
}
