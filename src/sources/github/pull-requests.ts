// Observe a repository's pull requests: one GraphQL request per 50 PRs, one more per 50 open PRs
// for how far each head is ahead of and behind its base (when asked), plus a follow-up request
// only for a PR whose checks or review threads run past 100.
//
// What could not be read is never dropped silently: a follow-up page that fails or comes back short
// of GitHub's total leaves the PR's snapshot flagged `incomplete` (the rest of the poll stands), and
// a failed page of PRs or a rate limit throws PartialObservationError carrying what was complete.
import type { GithubClient } from './client.ts';
import { GithubRequestError, RateLimitedError } from './errors.ts';
import {
  CHECK_CONTEXTS_QUERY,
  COMPARISONS_PER_QUERY,
  OPEN_PULL_REQUESTS_QUERY,
  PRS_BY_NUMBER_PER_QUERY,
  REVIEW_THREADS_QUERY,
  STATES_PER_QUERY,
  branchComparisonsQuery,
  pullRequestStatesQuery,
  pullRequestsByNumberQuery,
} from './queries.ts';
import type { CheckContext, PrSnapshot, PrState, RateLimitInfo } from './snapshot.ts';

export interface ObserveOptions {
  /** Also ask how far each open PR's head is ahead of and behind its base (one request per 50). */
  compare?: boolean;
}

/** A follow-up or comparison that failed; the PR's snapshot says what it lacks. */
export interface ObservationGap {
  number: number;
  /** `checks`, `review_threads` or `compare`. */
  part: string;
  message: string;
}

export interface RepositoryObservation {
  /** The repository as GitHub spells it (nameWithOwner), whatever case it was asked in. */
  repo: string;
  prs: PrSnapshot[];
  /** GraphQL requests sent (retries inside the client not counted). */
  requests: number;
  rateLimit: RateLimitInfo;
  /** Follow-ups and comparisons that failed. */
  gaps: ObservationGap[];
}

export interface PrStatesResult {
  states: PrState[];
  /** Numbers GitHub does not know (deleted, or never a PR in this repository). */
  missing: number[];
  requests: number;
  rateLimit: RateLimitInfo;
}

/**
 * A page of PRs failed, or GitHub rate-limited a follow-up: `partial` holds the PRs read whole
 * before that (write them), `cause` is what to do about the rest (retry, or wait).
 */
export class PartialObservationError extends Error {
  override name = 'PartialObservationError';
  constructor(
    override readonly cause: Error,
    readonly partial: RepositoryObservation & { states: PrState[] },
  ) {
    super(cause.message);
  }
}

export function parseRepo(repo: string): { owner: string; name: string } {
  const m = /^([A-Za-z0-9-]+)\/([A-Za-z0-9._-]+)$/.exec(repo.trim());
  if (!m) throw new GithubRequestError(`not a repository (OWNER/NAME): '${repo}'`, true);
  return { owner: m[1], name: m[2] };
}

// --- response shapes (only what the queries select) ---
interface PageInfo {
  hasNextPage: boolean;
  endCursor: string | null;
}
interface RawRateLimit {
  cost: number;
  remaining: number;
  resetAt: string;
}
type RawContext =
  | { __typename: 'CheckRun'; name: string; status: string; conclusion: string | null }
  | { __typename: 'StatusContext'; context: string; state: string };
type Login = { login: string } | null;
interface RawThread {
  isResolved: boolean;
  comments: { totalCount: number } | null;
}
interface RawReview {
  state: string;
  submittedAt: string | null;
  createdAt: string;
  author: Login;
}
interface RawPr {
  number: number;
  title: string;
  state: string;
  isDraft: boolean;
  isCrossRepository: boolean;
  mergeable: string;
  mergeStateStatus: string;
  reviewDecision: string | null;
  createdAt: string;
  updatedAt: string;
  closedAt: string | null;
  mergedAt: string | null;
  mergedBy: Login;
  baseRefName: string;
  headRefName: string;
  additions: number;
  deletions: number;
  changedFiles: number;
  author: Login;
  autoMergeRequest: { enabledAt: string | null } | null;
  labels: { nodes: ({ name: string } | null)[] | null } | null;
  comments: { totalCount: number } | null;
  latestReviews: { nodes: ({ state: string; author: Login } | null)[] | null } | null;
  firstReviews: { nodes: (RawReview | null)[] | null } | null;
  approvals: { totalCount: number; nodes: (Omit<RawReview, 'state'> | null)[] | null } | null;
  changesRequested: { totalCount: number } | null;
  reviewThreads: { totalCount: number; pageInfo: PageInfo; nodes: (RawThread | null)[] | null };
  timelineItems: { nodes: ({ createdAt?: string } | null)[] | null };
  closedEvents: { nodes: ({ createdAt?: string; actor?: Login } | null)[] | null } | null;
  commits: {
    totalCount: number;
    nodes: ({
      commit: {
        oid: string;
        committedDate: string;
        statusCheckRollup: {
          state: string;
          contexts: { totalCount: number; pageInfo: PageInfo; nodes: (RawContext | null)[] | null };
        } | null;
      };
    } | null)[] | null;
  };
}
interface OpenPrsResponse {
  repository: {
    nameWithOwner: string;
    pullRequests: { totalCount: number; pageInfo: PageInfo; nodes: (RawPr | null)[] | null };
  } | null;
  rateLimit: RawRateLimit | null;
}

class RateLimitTally {
  private info: RateLimitInfo = { cost: 0, remaining: -1, resetAt: '' };
  add(r: RawRateLimit | null | undefined): void {
    if (!r) return;
    this.info = { cost: this.info.cost + r.cost, remaining: r.remaining, resetAt: r.resetAt };
  }
  get(): RateLimitInfo {
    return { ...this.info };
  }
}

function nodes<T>(list: (T | null)[] | null | undefined): T[] {
  return (list ?? []).filter((x): x is T => x !== null && x !== undefined);
}

function toCheck(c: RawContext): CheckContext | null {
  if (c.__typename === 'CheckRun') return { kind: 'check_run', name: c.name, status: c.status, conclusion: c.conclusion };
  if (c.__typename === 'StatusContext') return { kind: 'status', context: c.context, state: c.state };
  return null;
}

const toThread = (t: RawThread) => ({ isResolved: t.isResolved, comments: t.comments?.totalCount ?? 0 });

function toSnapshot(repo: string, pr: RawPr): PrSnapshot {
  const head = nodes(pr.commits?.nodes)[0]?.commit ?? null;
  const rollup = head?.statusCheckRollup ?? null;
  const author = pr.author?.login ?? null;
  // The first review someone else submitted (an author's reply in a thread is a review too).
  const first = nodes(pr.firstReviews?.nodes).find((r) => r.submittedAt !== null && (r.author?.login ?? null) !== author) ?? null;
  const approval = nodes(pr.approvals?.nodes)[0] ?? null;
  const closed = nodes(pr.closedEvents?.nodes)[0] ?? null;
  return {
    repo,
    number: pr.number,
    title: pr.title,
    author,
    state: pr.state,
    isDraft: pr.isDraft,
    isCrossRepository: pr.isCrossRepository,
    mergeable: pr.mergeable,
    mergeStateStatus: pr.mergeStateStatus,
    reviewDecision: pr.reviewDecision ?? null,
    autoMerge: pr.autoMergeRequest ? { enabledAt: pr.autoMergeRequest.enabledAt ?? null } : null,
    createdAt: pr.createdAt,
    updatedAt: pr.updatedAt,
    closedAt: pr.closedAt ?? null,
    mergedAt: pr.mergedAt ?? null,
    mergedBy: pr.mergedBy?.login ?? null,
    closedBy: pr.closedAt ? (closed?.actor?.login ?? null) : null,
    baseRefName: pr.baseRefName,
    headRefName: pr.headRefName,
    additions: pr.additions,
    deletions: pr.deletions,
    changedFiles: pr.changedFiles,
    labels: nodes(pr.labels?.nodes).map((l) => l.name),
    headCommit: head ? { oid: head.oid, committedDate: head.committedDate, rollupState: rollup?.state ?? null } : null,
    lastForcePushAt: nodes(pr.timelineItems?.nodes)[0]?.createdAt ?? null,
    commitCount: pr.commits?.totalCount ?? 0,
    comments: pr.comments?.totalCount ?? 0,
    checks: nodes(rollup?.contexts.nodes).map(toCheck).filter((c): c is CheckContext => c !== null),
    checksTotal: rollup?.contexts.totalCount ?? 0,
    reviews: nodes(pr.latestReviews?.nodes).map((r) => ({ state: r.state, author: r.author?.login ?? null })),
    firstReview: first ? { at: first.submittedAt ?? first.createdAt, state: first.state, author: first.author?.login ?? null } : null,
    firstApproval: approval ? { at: approval.submittedAt ?? approval.createdAt, author: approval.author?.login ?? null } : null,
    approvals: pr.approvals?.totalCount ?? 0,
    changesRequestedReviews: pr.changesRequested?.totalCount ?? 0,
    reviewThreads: nodes(pr.reviewThreads?.nodes).map(toThread),
    threadsTotal: pr.reviewThreads?.totalCount ?? 0,
    compare: null,
    incomplete: [],
  };
}

const stateOf = (s: PrSnapshot): PrState => ({
  repo: s.repo, number: s.number, state: s.state, createdAt: s.createdAt, closedAt: s.closedAt, mergedAt: s.mergedAt,
  ...(s.mergedBy ? { mergedBy: s.mergedBy } : {}),
});

/** A PR whose checks or threads run past the first page: the cursors to go on from. */
interface PendingFollowUp {
  snapshot: PrSnapshot;
  checksAfter: { oid: string; cursor: string | null } | null;
  threadsAfter: string | null;
}

function followUpOf(snapshot: PrSnapshot, raw: RawPr): PendingFollowUp | null {
  const head = nodes(raw.commits?.nodes)[0]?.commit;
  const contexts = head?.statusCheckRollup?.contexts.pageInfo;
  const threads = raw.reviewThreads?.pageInfo;
  const checksAfter = head && contexts?.hasNextPage ? { oid: head.oid, cursor: contexts.endCursor } : null;
  const threadsAfter = threads?.hasNextPage ? threads.endCursor : null;
  return checksAfter || threadsAfter ? { snapshot, checksAfter, threadsAfter } : null;
}

/** Shared by both observations: comparisons, then follow-ups, each failure a gap, not a loss. */
class Completion {
  readonly gaps: ObservationGap[] = [];
  requests = 0;
  constructor(
    private readonly client: GithubClient,
    private readonly owner: string,
    private readonly name: string,
    readonly tally: RateLimitTally,
  ) {}

  async compare(prs: PrSnapshot[]): Promise<void> {
    const wanted = prs.filter((p) => p.state === 'OPEN' && !p.isCrossRepository && p.baseRefName && p.headRefName);
    for (let i = 0; i < wanted.length; i += COMPARISONS_PER_QUERY) {
      const chunk = wanted.slice(i, i + COMPARISONS_PER_QUERY);
      const variables: Record<string, unknown> = { owner: this.owner, name: this.name };
      chunk.forEach((p, j) => {
        variables[`b${j}`] = `refs/heads/${p.baseRefName}`;
        variables[`h${j}`] = p.headRefName;
      });
      let res: ComparisonsResponse;
      try {
        this.requests++;
        try {
          res = await this.client.graphql<ComparisonsResponse>(branchComparisonsQuery(chunk.length), variables);
        } catch (err) {
          // A branch GitHub cannot compare fails its alias alone; the others' answers stand.
          res = partialDataOfAliases<ComparisonsResponse>(err, /^c\d+$/) ?? throwAgain(err);
        }
      } catch (err) {
        if (!(err instanceof GithubRequestError)) throw err;
        for (const p of chunk) this.gaps.push({ number: p.number, part: 'compare', message: err.message });
        continue;
      }
      this.tally.add(res.rateLimit);
      chunk.forEach((p, j) => {
        const c = res.repository?.[`c${j}`]?.compare;
        if (c) p.compare = { aheadBy: c.aheadBy, behindBy: c.behindBy };
      });
    }
  }

  async followUps(pending: PendingFollowUp[]): Promise<void> {
    for (const f of pending) {
      if (f.checksAfter) await this.part(f.snapshot, 'checks', () => this.remainingChecks(f.snapshot, f.checksAfter!.oid, f.checksAfter!.cursor));
      if (f.threadsAfter) await this.part(f.snapshot, 'review_threads', () => this.remainingThreads(f.snapshot, f.threadsAfter));
    }
  }

  /** Every PR short of GitHub's own totals is flagged, whether a follow-up failed or came back short. */
  flagShortfalls(prs: PrSnapshot[]): void {
    for (const p of prs) {
      if (p.checks.length < p.checksTotal && !p.incomplete.includes('checks')) p.incomplete.push('checks');
      if (p.reviewThreads.length < p.threadsTotal && !p.incomplete.includes('review_threads')) p.incomplete.push('review_threads');
    }
  }

  private async part(snapshot: PrSnapshot, part: string, fetch: () => Promise<void>): Promise<void> {
    try {
      await fetch();
    } catch (err) {
      if (!(err instanceof GithubRequestError)) throw err;
      snapshot.incomplete.push(part);
      this.gaps.push({ number: snapshot.number, part, message: err.message });
    }
  }

  private async remainingChecks(snapshot: PrSnapshot, oid: string, cursor: string | null): Promise<void> {
    let after = cursor;
    while (after) {
      this.requests++;
      const res = await this.client.graphql<CheckContextsResponse>(CHECK_CONTEXTS_QUERY, { owner: this.owner, name: this.name, oid, after });
      this.tally.add(res.rateLimit);
      const contexts = res.repository?.object?.statusCheckRollup?.contexts;
      if (!contexts) return; // the commit lost its rollup meanwhile: flagShortfalls says so
      snapshot.checks.push(...nodes(contexts.nodes).map(toCheck).filter((c): c is CheckContext => c !== null));
      after = contexts.pageInfo.hasNextPage ? contexts.pageInfo.endCursor : null;
    }
  }

  private async remainingThreads(snapshot: PrSnapshot, cursor: string | null): Promise<void> {
    let after = cursor;
    while (after) {
      this.requests++;
      const res = await this.client.graphql<ReviewThreadsResponse>(REVIEW_THREADS_QUERY, {
        owner: this.owner,
        name: this.name,
        number: snapshot.number,
        after,
      });
      this.tally.add(res.rateLimit);
      const threads = res.repository?.pullRequest?.reviewThreads;
      if (!threads) return;
      snapshot.reviewThreads.push(...nodes(threads.nodes).map(toThread));
      after = threads.pageInfo.hasNextPage ? threads.pageInfo.endCursor : null;
    }
  }
}

/** Runs comparisons and follow-ups; a rate limit there becomes PartialObservationError. */
async function complete(
  c: Completion,
  repo: string,
  prs: PrSnapshot[],
  pending: PendingFollowUp[],
  opts: ObserveOptions,
  startRequests: number,
): Promise<RepositoryObservation> {
  const result = (): RepositoryObservation => ({ repo, prs, requests: startRequests + c.requests, rateLimit: c.tally.get(), gaps: c.gaps });
  try {
    if (opts.compare) await c.compare(prs);
    await c.followUps(pending);
  } catch (err) {
    if (err instanceof RateLimitedError) {
      // Only the PRs needing nothing more are whole; the retry after the wait reads the rest.
      const waiting = new Set(pending.map((f) => f.snapshot));
      const whole = prs.filter((p) => !waiting.has(p));
      throw new PartialObservationError(err, { ...result(), prs: whole, states: whole.map(stateOf) });
    }
    throw err;
  }
  c.flagShortfalls(prs);
  return result();
}

/**
 * Every open PR of `repo` ('owner/name'): PR pages of 50 by cursor, then the comparisons (with
 * `compare`), then the rest of any PR's check contexts and review threads past the first 100.
 */
export async function observeRepository(client: GithubClient, repo: string, opts: ObserveOptions = {}): Promise<RepositoryObservation> {
  const { owner, name } = parseRepo(repo);
  const c = new Completion(client, owner, name, new RateLimitTally());
  let requests = 0;
  let canonical = repo;
  const prs: PrSnapshot[] = [];
  const pending: PendingFollowUp[] = [];
  let after: string | null = null;
  for (;;) {
    let res: OpenPrsResponse;
    try {
      requests++;
      res = await client.graphql<OpenPrsResponse>(OPEN_PULL_REQUESTS_QUERY, { owner, name, after });
    } catch (err) {
      // Earlier pages are whole PRs; without the rest the open set is unknown (the caller retries).
      if (prs.length === 0 || !(err instanceof Error)) throw err;
      const whole = prs.filter((p) => !pending.some((f) => f.snapshot === p));
      throw new PartialObservationError(err, { repo: canonical, prs: whole, states: [], requests, rateLimit: c.tally.get(), gaps: c.gaps });
    }
    c.tally.add(res.rateLimit);
    if (!res.repository) throw new GithubRequestError(`repository ${repo} not found`, true);
    canonical = res.repository.nameWithOwner;
    for (const raw of nodes(res.repository.pullRequests.nodes)) {
      const snapshot = toSnapshot(canonical, raw);
      prs.push(snapshot);
      const f = followUpOf(snapshot, raw);
      if (f) pending.push(f);
    }
    const page = res.repository.pullRequests.pageInfo;
    if (!page.hasNextPage || !page.endCursor) break;
    after = page.endCursor;
  }
  return complete(c, canonical, prs, pending, opts, requests);
}

interface CheckContextsResponse {
  repository: {
    object: { statusCheckRollup?: { contexts: { pageInfo: PageInfo; nodes: (RawContext | null)[] | null } } | null } | null;
  } | null;
  rateLimit: RawRateLimit | null;
}

interface ReviewThreadsResponse {
  repository: {
    pullRequest: { reviewThreads: { pageInfo: PageInfo; nodes: (RawThread | null)[] | null } } | null;
  } | null;
  rateLimit: RawRateLimit | null;
}

interface ComparisonsResponse {
  repository: Record<string, { compare: { aheadBy: number; behindBy: number } | null } | null> | null;
  rateLimit: RawRateLimit | null;
}

interface StatesResponse {
  repository: ({ nameWithOwner: string } & Record<string, unknown>) | null;
  rateLimit: RawRateLimit | null;
}

/**
 * The states of PRs that left the open set (merged or closed), 100 numbers per aliased query.
 * A number GitHub does not resolve is reported in `missing`, not thrown.
 */
export async function fetchPrStates(client: GithubClient, repo: string, numbers: readonly number[]): Promise<PrStatesResult> {
  const { owner, name } = parseRepo(repo);
  const unique = [...new Set(numbers)].filter((n) => Number.isSafeInteger(n) && n > 0);
  const tally = new RateLimitTally();
  const states: PrState[] = [];
  const missing: number[] = [];
  let requests = 0;
  for (let i = 0; i < unique.length; i += STATES_PER_QUERY) {
    const chunk = unique.slice(i, i + STATES_PER_QUERY);
    const variables: Record<string, unknown> = { owner, name };
    chunk.forEach((n, j) => (variables[`n${j}`] = n));
    let res: StatesResponse;
    try {
      res = await client.graphql<StatesResponse>(pullRequestStatesQuery(chunk.length), variables);
    } catch (err) {
      // A number that is no PR makes GitHub answer NOT_FOUND for its alias alongside the others' data.
      res = partialDataOnlyNotFound(err) ?? throwAgain(err);
    }
    requests++;
    tally.add(res.rateLimit);
    if (!res.repository) throw new GithubRequestError(`repository ${repo} not found`, true);
    chunk.forEach((n, j) => {
      const pr = res.repository?.[`pr${j}`] as
        | { number: number; state: string; createdAt: string; closedAt: string | null; mergedAt: string | null }
        | null
        | undefined;
      if (!pr) missing.push(n);
      else {
        states.push({
          repo: res.repository!.nameWithOwner,
          number: pr.number,
          state: pr.state,
          createdAt: pr.createdAt,
          closedAt: pr.closedAt ?? null,
          mergedAt: pr.mergedAt ?? null,
        });
      }
    });
  }
  return { states, missing, requests, rateLimit: tally.get() };
}

/** The data GitHub sent beside errors that each concern one alias matching `alias`. */
function partialDataOfAliases<T>(err: unknown, alias: RegExp, onlyType?: string): T | null {
  if (!(err instanceof GithubRequestError) || !err.data) return null;
  const ok = err.graphqlErrors.every(
    (g) => (onlyType === undefined || g.type === onlyType) && Array.isArray(g.path) && g.path.length >= 2 && alias.test(String(g.path[1])),
  );
  return ok ? (err.data as T) : null;
}

function partialDataOnlyNotFound(err: unknown): StatesResponse | null {
  return partialDataOfAliases<StatesResponse>(err, /^pr\d+$/, 'NOT_FOUND');
}

function throwAgain(err: unknown): never {
  throw err;
}

export interface PullRequestsObservation extends RepositoryObservation {
  /** The state of each PR in `prs`, from the same answer. */
  states: PrState[];
  /** Numbers GitHub does not know. */
  missing: number[];
}

/**
 * Observes chosen PRs of `repo` whatever their state: 50 numbers per aliased query, plus the
 * comparisons and follow-ups observeRepository makes.
 */
export async function observePullRequests(
  client: GithubClient,
  repo: string,
  numbers: readonly number[],
  opts: ObserveOptions = {},
): Promise<PullRequestsObservation> {
  const { owner, name } = parseRepo(repo);
  const unique = [...new Set(numbers)].filter((n) => Number.isSafeInteger(n) && n > 0).sort((a, b) => a - b);
  const c = new Completion(client, owner, name, new RateLimitTally());
  const prs: PrSnapshot[] = [];
  const missing: number[] = [];
  const pending: PendingFollowUp[] = [];
  let canonical = repo;
  let requests = 0;
  for (let i = 0; i < unique.length; i += PRS_BY_NUMBER_PER_QUERY) {
    const chunk = unique.slice(i, i + PRS_BY_NUMBER_PER_QUERY);
    const variables: Record<string, unknown> = { owner, name };
    chunk.forEach((n, j) => (variables[`n${j}`] = n));
    let res: StatesResponse;
    try {
      res = await client.graphql<StatesResponse>(pullRequestsByNumberQuery(chunk.length), variables);
    } catch (err) {
      res = partialDataOnlyNotFound(err) ?? throwAgain(err);
    }
    requests++;
    c.tally.add(res.rateLimit);
    if (!res.repository) throw new GithubRequestError(`repository ${repo} not found`, true);
    canonical = res.repository.nameWithOwner;
    chunk.forEach((n, j) => {
      const raw = res.repository?.[`pr${j}`] as RawPr | null | undefined;
      if (!raw) {
        missing.push(n);
        return;
      }
      const snapshot = toSnapshot(canonical, raw);
      prs.push(snapshot);
      const f = followUpOf(snapshot, raw);
      if (f) pending.push(f);
    });
  }
  try {
    const obs = await complete(c, canonical, prs, pending, opts, requests);
    return { ...obs, states: prs.map(stateOf), missing };
  } catch (err) {
    if (err instanceof PartialObservationError) (err.partial as { missing?: number[] }).missing = missing;
    throw err;
  }
}
