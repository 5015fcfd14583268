// One pr-poll job's work: observe a repository's open PRs (or chosen PRs) on GitHub, turn them into
// `pr_observation` points (and `outcome` points for PRs that are no longer open), write them through
// the point sink, and say which follow-up polls to queue. Queue-free: the worker passes the
// GitHub client, the sink and small functions over Redis.
import type { PointRecord, PointSink } from '../model/point.ts';
import type { GithubClient } from '../sources/github/client.ts';
import { observePullRequests, observeRepository } from '../sources/github/pull-requests.ts';
import type { PrSnapshot, PrState, RateLimitInfo } from '../sources/github/snapshot.ts';
import { diffOpenSets, toObservedOutcome, toPrObservation, type RepairAttempts } from '../transforms/pr-observation.ts';
import type { OpenSet } from '../state/pr-open-sets.ts';

export interface PrPollRequest {
  repo: string;
  /** Just these PRs, open or not; absent: every open PR. */
  numbers?: number[];
  /** schedule | once | webhook | unknown-mergeable | left-open-set */
  reason: string;
}

/** A poll the worker should queue after this one. */
export interface FollowUpPoll {
  repo: string;
  numbers: number[];
  reason: 'unknown-mergeable' | 'left-open-set';
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
  /** Queues follow-up polls; called once the points are durable, before the open set moves on. */
  followUp?: (polls: FollowUpPoll[]) => Promise<void>;
  /** After each GitHub answer: what is left of the rate-limit budget. */
  onRateLimit?: (info: RateLimitInfo) => Promise<void> | void;
  /** Told the observation time before the points are written (a retry passes it back in). */
  onObserved?: (observedAt: number) => Promise<void> | void;
}

export interface PrPollOptions {
  /** The observation time of an earlier attempt of this job: a write whose answer was lost is then
   *  overwritten by the retry, never doubled. Default: now, once GitHub has answered. */
  observedAt?: number;
  /** A PR whose mergeability GitHub is still computing is observed again this long after. */
  unknownRecheckMs: number;
  now?: () => number;
}

export interface PrPollResult {
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
}

const zero: RepairAttempts = { conflict: 0, reviewFix: 0 };

async function observationPoints(prs: PrSnapshot[], at: number, deps: PrPollDeps): Promise<PointRecord[]> {
  const attempts = await Promise.all(prs.map((pr) => (deps.attempts ? deps.attempts(pr.repo, pr.number, at) : zero)));
  return prs.map((pr, i) => toPrObservation(pr, at, attempts[i]));
}

export async function pollPullRequests(req: PrPollRequest, deps: PrPollDeps, opts: PrPollOptions): Promise<PrPollResult> {
  const now = opts.now ?? Date.now;
  const full = !req.numbers?.length;
  let prs: PrSnapshot[];
  let states: PrState[] = [];
  let missing: number[] = [];
  let requests: number;
  let rateLimit: RateLimitInfo;
  if (full) {
    const obs = await observeRepository(deps.client, req.repo);
    ({ prs, requests, rateLimit } = obs);
  } else {
    const obs = await observePullRequests(deps.client, req.repo, req.numbers!);
    ({ prs, states, missing, requests, rateLimit } = obs);
  }
  await deps.onRateLimit?.(rateLimit);
  const observedAt = Math.trunc(opts.observedAt ?? now());
  await deps.onObserved?.(observedAt);

  const points = await observationPoints(prs, observedAt, deps);
  const outcomes = states.map((s) => toObservedOutcome(s, observedAt)).filter((p): p is PointRecord => p !== null);
  const open = full ? new Set(prs.map((p) => p.number)) : new Set(states.filter((s) => s.state === 'OPEN').map((s) => s.number));

  // Read before the write, so a concurrent later poll's commit cannot hide what left meanwhile.
  let left: number[] = [];
  const previous = full && deps.openSets ? await deps.openSets.previous(req.repo) : null;
  if (previous && previous.at < observedAt) left = diffOpenSets(previous.numbers, open);

  await deps.points.write([...points, ...outcomes]);

  const recheck = req.reason === 'unknown-mergeable' ? [] : prs.filter((p) => open.has(p.number) && p.mergeable === 'UNKNOWN').map((p) => p.number);
  const repo = prs[0]?.repo ?? states[0]?.repo ?? req.repo;
  const followUps: FollowUpPoll[] = [];
  if (recheck.length) {
    followUps.push({ repo, numbers: recheck, reason: 'unknown-mergeable', delayMs: opts.unknownRecheckMs, key: `${repo}:${observedAt}:unknown` });
  }
  if (left.length) followUps.push({ repo, numbers: left, reason: 'left-open-set', key: `${repo}:${observedAt}:left` });
  if (followUps.length) await deps.followUp?.(followUps);
  if (full && deps.openSets) await deps.openSets.commit(req.repo, [...open], observedAt);

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
  };
}
