// Observe a repository's open pull requests: one GraphQL request per 50 PRs, plus a follow-up
// request only for a PR whose checks or review threads run past 100.
import type { GithubClient } from './client.ts';
import { GithubRequestError } from './errors.ts';
import {
  CHECK_CONTEXTS_QUERY,
  OPEN_PULL_REQUESTS_QUERY,
  PRS_BY_NUMBER_PER_QUERY,
  REVIEW_THREADS_QUERY,
  STATES_PER_QUERY,
  pullRequestStatesQuery,
  pullRequestsByNumberQuery,
} from './queries.ts';
import type { CheckContext, PrSnapshot, PrState, RateLimitInfo } from './snapshot.ts';

export interface RepositoryObservation {
  prs: PrSnapshot[];
  /** GraphQL requests sent (retries inside the client not counted). */
  requests: number;
  rateLimit: RateLimitInfo;
}

export interface PrStatesResult {
  states: PrState[];
  /** Numbers GitHub does not know (deleted, or never a PR in this repository). */
  missing: number[];
  requests: number;
  rateLimit: RateLimitInfo;
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
interface RawPr {
  number: number;
  title: string;
  isDraft: boolean;
  mergeable: string;
  mergeStateStatus: string;
  reviewDecision: string | null;
  createdAt: string;
  updatedAt: string;
  baseRefName: string;
  headRefName: string;
  additions: number;
  deletions: number;
  changedFiles: number;
  author: { login: string } | null;
  autoMergeRequest: { enabledAt: string | null } | null;
  labels: { nodes: ({ name: string } | null)[] | null } | null;
  latestReviews: { nodes: ({ state: string; author: { login: string } | null } | null)[] | null } | null;
  reviewThreads: { totalCount: number; pageInfo: PageInfo; nodes: ({ isResolved: boolean } | null)[] | null };
  timelineItems: { nodes: ({ createdAt?: string } | null)[] | null };
  commits: {
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

function toSnapshot(repo: string, pr: RawPr): PrSnapshot {
  const head = nodes(pr.commits?.nodes)[0]?.commit ?? null;
  const rollup = head?.statusCheckRollup ?? null;
  return {
    repo,
    number: pr.number,
    title: pr.title,
    author: pr.author?.login ?? null,
    isDraft: pr.isDraft,
    mergeable: pr.mergeable,
    mergeStateStatus: pr.mergeStateStatus,
    reviewDecision: pr.reviewDecision ?? null,
    autoMerge: pr.autoMergeRequest ? { enabledAt: pr.autoMergeRequest.enabledAt ?? null } : null,
    createdAt: pr.createdAt,
    updatedAt: pr.updatedAt,
    baseRefName: pr.baseRefName,
    headRefName: pr.headRefName,
    additions: pr.additions,
    deletions: pr.deletions,
    changedFiles: pr.changedFiles,
    labels: nodes(pr.labels?.nodes).map((l) => l.name),
    headCommit: head ? { oid: head.oid, committedDate: head.committedDate, rollupState: rollup?.state ?? null } : null,
    lastForcePushAt: nodes(pr.timelineItems?.nodes)[0]?.createdAt ?? null,
    checks: nodes(rollup?.contexts.nodes).map(toCheck).filter((c): c is CheckContext => c !== null),
    reviews: nodes(pr.latestReviews?.nodes).map((r) => ({ state: r.state, author: r.author?.login ?? null })),
    reviewThreads: nodes(pr.reviewThreads?.nodes).map((t) => ({ isResolved: t.isResolved })),
  };
}

/**
 * Every open PR of `repo` ('owner/name'), complete: PR pages of 50 by cursor, then the rest of
 * any PR's check contexts and review threads past the first 100.
 */
export async function observeRepository(client: GithubClient, repo: string): Promise<RepositoryObservation> {
  const { owner, name } = parseRepo(repo);
  const tally = new RateLimitTally();
  let requests = 0;
  const prs: PrSnapshot[] = [];
  const more: { snapshot: PrSnapshot; raw: RawPr }[] = [];
  let after: string | null = null;
  for (;;) {
    const res: OpenPrsResponse = await client.graphql<OpenPrsResponse>(OPEN_PULL_REQUESTS_QUERY, { owner, name, after });
    requests++;
    tally.add(res.rateLimit);
    if (!res.repository) throw new GithubRequestError(`repository ${repo} not found`, true);
    const canonical = res.repository.nameWithOwner;
    for (const raw of nodes(res.repository.pullRequests.nodes)) {
      const snapshot = toSnapshot(canonical, raw);
      prs.push(snapshot);
      const head = nodes(raw.commits?.nodes)[0]?.commit;
      if (head?.statusCheckRollup?.contexts.pageInfo.hasNextPage || raw.reviewThreads?.pageInfo.hasNextPage) {
        more.push({ snapshot, raw });
      }
    }
    const page = res.repository.pullRequests.pageInfo;
    if (!page.hasNextPage || !page.endCursor) break;
    after = page.endCursor;
  }
  for (const { snapshot, raw } of more) {
    const head = nodes(raw.commits?.nodes)[0]?.commit;
    const contexts = head?.statusCheckRollup?.contexts.pageInfo;
    if (head && contexts?.hasNextPage) {
      requests += await fetchRemainingChecks(client, owner, name, head.oid, contexts.endCursor, snapshot, tally);
    }
    const threads = raw.reviewThreads?.pageInfo;
    if (threads?.hasNextPage) {
      requests += await fetchRemainingThreads(client, owner, name, snapshot, threads.endCursor, tally);
    }
  }
  return { prs, requests, rateLimit: tally.get() };
}

interface CheckContextsResponse {
  repository: {
    object: { statusCheckRollup?: { contexts: { pageInfo: PageInfo; nodes: (RawContext | null)[] | null } } | null } | null;
  } | null;
  rateLimit: RawRateLimit | null;
}

async function fetchRemainingChecks(
  client: GithubClient,
  owner: string,
  name: string,
  oid: string,
  cursor: string | null,
  snapshot: PrSnapshot,
  tally: RateLimitTally,
): Promise<number> {
  let requests = 0;
  let after = cursor;
  while (after) {
    const res: CheckContextsResponse = await client.graphql<CheckContextsResponse>(CHECK_CONTEXTS_QUERY, { owner, name, oid, after });
    requests++;
    tally.add(res.rateLimit);
    const contexts = res.repository?.object?.statusCheckRollup?.contexts;
    if (!contexts) break; // the commit lost its rollup meanwhile: keep what we have
    snapshot.checks.push(...nodes(contexts.nodes).map(toCheck).filter((c): c is CheckContext => c !== null));
    after = contexts.pageInfo.hasNextPage ? contexts.pageInfo.endCursor : null;
  }
  return requests;
}

interface ReviewThreadsResponse {
  repository: {
    pullRequest: { reviewThreads: { pageInfo: PageInfo; nodes: ({ isResolved: boolean } | null)[] | null } } | null;
  } | null;
  rateLimit: RawRateLimit | null;
}

async function fetchRemainingThreads(
  client: GithubClient,
  owner: string,
  name: string,
  snapshot: PrSnapshot,
  cursor: string | null,
  tally: RateLimitTally,
): Promise<number> {
  let requests = 0;
  let after = cursor;
  while (after) {
    const res: ReviewThreadsResponse = await client.graphql<ReviewThreadsResponse>(REVIEW_THREADS_QUERY, {
      owner,
      name,
      number: snapshot.number,
      after,
    });
    requests++;
    tally.add(res.rateLimit);
    const threads = res.repository?.pullRequest?.reviewThreads;
    if (!threads) break;
    snapshot.reviewThreads.push(...nodes(threads.nodes).map((t) => ({ isResolved: t.isResolved })));
    after = threads.pageInfo.hasNextPage ? threads.pageInfo.endCursor : null;
  }
  return requests;
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

function partialDataOnlyNotFound(err: unknown): StatesResponse | null {
  if (!(err instanceof GithubRequestError) || !err.data) return null;
  const onlyPrNotFound = err.graphqlErrors.every(
    (g) => g.type === 'NOT_FOUND' && Array.isArray(g.path) && g.path.length === 2 && /^pr\d+$/.test(String(g.path[1])),
  );
  return onlyPrNotFound ? (err.data as StatesResponse) : null;
}

function throwAgain(err: unknown): never {
  throw err;
}

export interface PullRequestsObservation {
  /** The PRs found, open or not, complete (checks and threads past 100 fetched too). */
  prs: PrSnapshot[];
  /** The state of each PR in `prs`, from the same answer. */
  states: PrState[];
  /** Numbers GitHub does not know. */
  missing: number[];
  requests: number;
  rateLimit: RateLimitInfo;
}

type RawPrWithState = RawPr & { state: string; closedAt: string | null; mergedAt: string | null };

/**
 * Observes chosen PRs of `repo` whatever their state: 50 numbers per aliased query, plus the
 * follow-ups observeRepository makes for a PR with more than 100 checks or threads.
 */
export async function observePullRequests(client: GithubClient, repo: string, numbers: readonly number[]): Promise<PullRequestsObservation> {
  const { owner, name } = parseRepo(repo);
  const unique = [...new Set(numbers)].filter((n) => Number.isSafeInteger(n) && n > 0).sort((a, b) => a - b);
  const tally = new RateLimitTally();
  const out: PullRequestsObservation = { prs: [], states: [], missing: [], requests: 0, rateLimit: tally.get() };
  const more: { snapshot: PrSnapshot; raw: RawPr }[] = [];
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
    out.requests++;
    tally.add(res.rateLimit);
    if (!res.repository) throw new GithubRequestError(`repository ${repo} not found`, true);
    const canonical = res.repository.nameWithOwner;
    chunk.forEach((n, j) => {
      const raw = res.repository?.[`pr${j}`] as RawPrWithState | null | undefined;
      if (!raw) {
        out.missing.push(n);
        return;
      }
      const snapshot = toSnapshot(canonical, raw);
      out.prs.push(snapshot);
      out.states.push({ repo: canonical, number: raw.number, state: raw.state, createdAt: raw.createdAt, closedAt: raw.closedAt ?? null, mergedAt: raw.mergedAt ?? null });
      const head = nodes(raw.commits?.nodes)[0]?.commit;
      if (head?.statusCheckRollup?.contexts.pageInfo.hasNextPage || raw.reviewThreads?.pageInfo.hasNextPage) more.push({ snapshot, raw });
    });
  }
  for (const { snapshot, raw } of more) {
    const head = nodes(raw.commits?.nodes)[0]?.commit;
    const contexts = head?.statusCheckRollup?.contexts.pageInfo;
    if (head && contexts?.hasNextPage) out.requests += await fetchRemainingChecks(client, owner, name, head.oid, contexts.endCursor, snapshot, tally);
    const threads = raw.reviewThreads?.pageInfo;
    if (threads?.hasNextPage) out.requests += await fetchRemainingThreads(client, owner, name, snapshot, threads.endCursor, tally);
  }
  out.rateLimit = tally.get();
  return out;
}
