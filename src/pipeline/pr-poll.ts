// One pr-poll job's work: observe a repository's open PRs (or chosen PRs) on GitHub, turn them into
// `pr_observation` points (and `outcome` points for PRs that are no longer open), write them through
// the point sink, and say which follow-up polls to queue. Queue-free: the worker passes the
// GitHub client, the sink and small functions over Redis.
//
// What was read whole is written, whatever failed besides: a PR whose follow-up page failed or came
// back short is written flagged incomplete and observed again later (reason `incomplete`); a page
// of PRs that failed, or a rate limit, still writes the complete PRs before the error goes up to be
// retried (the retry observes at the same time, so it overwrites, never doubles).
import type { PointRecord, PointSink } from '../model/point.ts';
import type { GithubClient } from '../sources/github/client.ts';
import {
  observePullRequests,
  observeRepository,
  PartialObservationError,
  type ObservationGap,
  type RepositoryObservation,
} from '../sources/github/pull-requests.ts';
import type { PrSnapshot, PrState, RateLimitInfo } from '../sources/github/snapshot.ts';
import { diffOpenSets, toObservedOutcome, toPrObservation, type RepairAttempts } from '../transforms/pr-observation.ts';
import type { OpenSet } from '../state/pr-open-sets.ts';

export interface PrPollRequest {
  repo: string;
  /** Just these PRs, open or not; absent: every open PR. */
  numbers?: number[];
  /** schedule | once | webhook | unknown-mergeable | left-open-set | incomplete */
  reason: string;
}

/** A poll the worker should queue after this one. */
export interface FollowUpPoll {
  repo: string;
  numbers: number[];
  reason: 'unknown-mergeable' | 'left-open-set' | 'incomplete';
  /** Not before this long from now. */
  delayMs?: number;
  /** Same key, same poll: a retried job asks for it again without doubling it. */
  key: string;
}

export interface PrPollDeps {
  client: GithubClient;
  points: PointSink;
  /** Repair requests recorded before the observation; zeros when not given. */
  attempts?: (repo: string, pr: number, atMs: number) => Promise<RepairAttempts>;
  /** The open set of each repository's last full poll. Without it no PR is seen leaving. */
  openSets?: {
    previous(repo: string): Promise<OpenSet | null>;
    commit(repo: string, numbers: readonly number[], at: number): Promise<boolean>;
  };
  /** Queues follow-up polls; called once the points are durable, before the open set moves on.
   *  Answers the job id of each poll, or null for one it did not queue. */
  followUp?: (polls: FollowUpPoll[]) => Promise<(string | null)[] | void>;
  /** After each GitHub answer: what is left of the rate-limit budget. */
  onRateLimit?: (info: RateLimitInfo) => Promise<void> | void;
  /** Told the observation time before the points are written (a retry passes it back in). */
  onObserved?: (observedAt: number) => Promise<void> | void;
  /** Told the points once they are durable (the PR lifecycles fold them in). */
  onWritten?: (points: PointRecord[]) => Promise<void> | void;
}

export interface PrPollOptions {
  /** The observation time of an earlier attempt of this job: a write whose answer was lost is then
   *  overwritten by the retry, never doubled. Default: now, once GitHub has answered. */
  observedAt?: number;
  /** A PR whose mergeability GitHub is still computing is observed again this long after. */
  unknownRecheckMs: number;
  /** A PR observed incompletely is observed again this long after (default 30 s). */
  incompleteRetryMs?: number;
  /** Ask GitHub how far each open PR is ahead of and behind its base (default true). */
  compare?: boolean;
  now?: () => number;
}

export interface PrPollResult {
  /** The repository as GitHub spells it. */
  repo: string;
  reason: string;
  observedAt: number;
  /** PRs observed (open ones for a full poll). */
  prs: number;
  /** pr_observation points written. */
  observations: number;
  /** outcome points written (PRs found merged or closed). */
  outcomes: number;
  /** GraphQL requests sent. */
  requests: number;
  rateLimit: RateLimitInfo;
  /** PRs that left the open set since the last full poll (queued for a last look). */
  left: number[];
  /** PRs queued for another look because GitHub had not computed their mergeability. */
  recheck: number[];
  /** Asked-for numbers GitHub does not know. */
  missing: number[];
  /** PRs written flagged incomplete (and queued for another look), with what they lack. */
  incomplete: { number: number; parts: string[] }[];
  /** Follow-ups and comparisons that failed, with GitHub's message. */
  gaps: ObservationGap[];
  /** The follow-up polls asked for, and the job each became (null: not queued). */
  followUps: { reason: FollowUpPoll['reason']; numbers: number[]; delayMs?: number; jobId: string | null }[];
}

/** A re-observation of incomplete PRs was incomplete again: BullMQ retries it with backoff. */
export class IncompleteObservationError extends Error {
  override name = 'IncompleteObservationError';
}

const zero: RepairAttempts = { conflict: 0, reviewFix: 0 };
const DEFAULT_INCOMPLETE_RETRY_MS = 30_000;

async function observationPoints(prs: PrSnapshot[], at: number, deps: PrPollDeps): Promise<PointRecord[]> {
  const attempts = await Promise.all(prs.map((pr) => (deps.attempts ? deps.attempts(pr.repo, pr.number, at) : zero)));
  return prs.map((pr, i) => toPrObservation(pr, at, attempts[i]));
}

type Observed = RepositoryObservation & { states: PrState[]; missing: number[] };

async function observe(req: PrPollRequest, deps: PrPollDeps, compare: boolean): Promise<{ obs: Observed; failure: Error | null }> {
  try {
    const obs = req.numbers?.length
      ? await observePullRequests(deps.client, req.repo, req.numbers, { compare })
      : { ...(await observeRepository(deps.client, req.repo, { compare })), states: [], missing: [] };
    return { obs, failure: null };
  } catch (e) {
    if (!(e instanceof PartialObservationError)) throw e;
    const p = e.partial as Observed;
    return { obs: { ...p, missing: p.missing ?? [] }, failure: e.cause };
  }
}

export async function pollPullRequests(req: PrPollRequest, deps: PrPollDeps, opts: PrPollOptions): Promise<PrPollResult> {
  const now = opts.now ?? Date.now;
  const full = !req.numbers?.length;
  const { obs, failure } = await observe(req, deps, opts.compare ?? true);
  const { prs, states, missing, requests, rateLimit } = obs;
  const repo = obs.repo;
  await deps.onRateLimit?.(rateLimit);
  const observedAt = Math.trunc(opts.observedAt ?? now());
  await deps.onObserved?.(observedAt);

  const points = await observationPoints(prs, observedAt, deps);
  const outcomes = states.map((s) => toObservedOutcome(s, observedAt)).filter((p): p is PointRecord => p !== null);
  const open = full ? new Set(prs.map((p) => p.number)) : new Set(states.filter((s) => s.state === 'OPEN').map((s) => s.number));

  // Read before the write, so a concurrent later poll's commit cannot hide what left meanwhile.
  // A poll that did not see every page knows no open set.
  let left: number[] = [];
  const previous = full && !failure && deps.openSets ? await deps.openSets.previous(repo) : null;
  if (previous && previous.at < observedAt) left = diffOpenSets(previous.numbers, open);

  const written = [...points, ...outcomes];
  if (written.length) await deps.points.write(written);
  await deps.onWritten?.(written);
  if (failure) throw failure;

  const incomplete = prs.filter((p) => p.incomplete.length > 0).map((p) => ({ number: p.number, parts: [...p.incomplete] }));
  const recheck = req.reason === 'unknown-mergeable' ? [] : prs.filter((p) => open.has(p.number) && p.mergeable === 'UNKNOWN').map((p) => p.number);
  const followUps: FollowUpPoll[] = [];
  if (recheck.length) {
    followUps.push({ repo, numbers: recheck, reason: 'unknown-mergeable', delayMs: opts.unknownRecheckMs, key: `${repo}:${observedAt}:unknown` });
  }
  if (left.length) followUps.push({ repo, numbers: left, reason: 'left-open-set', key: `${repo}:${observedAt}:left` });
  if (incomplete.length && req.reason !== 'incomplete') {
    followUps.push({
      repo,
      numbers: incomplete.map((p) => p.number),
      reason: 'incomplete',
      delayMs: opts.incompleteRetryMs ?? DEFAULT_INCOMPLETE_RETRY_MS,
      key: `${repo}:${observedAt}:incomplete`,
    });
  }
  const ids = followUps.length ? ((await deps.followUp?.(followUps)) ?? []) : [];
  if (full && deps.openSets) await deps.openSets.commit(repo, [...open], observedAt);

  if (incomplete.length && req.reason === 'incomplete') {
    const what = incomplete.map((p) => `#${p.number} (${p.parts.join(', ')})`).join(', ');
    throw new IncompleteObservationError(`still incomplete: ${what}; ${obs.gaps.map((g) => g.message).join('; ') || 'GitHub sent fewer than its own total'}`);
  }

  return {
    repo,
    reason: req.reason,
    observedAt,
    prs: prs.length,
    observations: points.length,
    outcomes: outcomes.length,
    requests,
    rateLimit,
    left,
    recheck,
    missing,
    incomplete,
    gaps: obs.gaps,
    followUps: followUps.map((f, i) => ({
      reason: f.reason, numbers: f.numbers, ...(f.delayMs ? { delayMs: f.delayMs } : {}), jobId: ids[i] ?? null,
    })),
  };
}
