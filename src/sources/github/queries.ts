// Every GraphQL document harvest sends to GitHub. A test validates each against GitHub's schema.

/** Open PRs per page: with 100 contexts, threads and reviews each, a page stays far below
 *  GitHub's node limit (500,000) and its query timeout. */
export const PRS_PER_PAGE = 50;
/** GitHub's largest page of any connection. */
export const NESTED_PAGE = 100;
export const LABELS_PER_PR = 20;
/** PR numbers per aliased state query. */
export const STATES_PER_QUERY = 100;
/** Reviews read from the start of a PR's review list, to find the first one not by its author. */
export const FIRST_REVIEWS = 10;

const RATE_LIMIT = `rateLimit { cost remaining resetAt }`;
const PAGE_INFO = `pageInfo { hasNextPage endCursor }`;

const CHECK_CONTEXT_FIELDS = `
  __typename
  ... on CheckRun { name status conclusion }
  ... on StatusContext { context state }`;

// A count needs no nodes, but GitHub wants every connection bounded: `first: 1` asks for none of substance.
const REVIEW_THREAD_FIELDS = `isResolved comments(first: 1) { totalCount }`;

// Besides the state of the moment, the facts the OpenTelemetry Collector's GitHub receiver and
// Apache DevLake collect: merge and close (time, by whom), commit, comment and review-comment
// counts, the head SHA, and when the first review and the first approval came.
const PR_FIELDS = `
  number
  title
  state
  isDraft
  isCrossRepository
  mergeable
  mergeStateStatus
  reviewDecision
  createdAt
  updatedAt
  closedAt
  mergedAt
  mergedBy { login }
  baseRefName
  headRefName
  additions
  deletions
  changedFiles
  author { login }
  autoMergeRequest { enabledAt }
  labels(first: ${LABELS_PER_PR}) { nodes { name } }
  comments(first: 1) { totalCount }
  latestReviews(first: ${NESTED_PAGE}) { nodes { state author { login } } }
  firstReviews: reviews(first: ${FIRST_REVIEWS}) { nodes { state submittedAt createdAt author { login } } }
  approvals: reviews(first: 1, states: [APPROVED]) { totalCount nodes { submittedAt createdAt author { login } } }
  changesRequested: reviews(first: 1, states: [CHANGES_REQUESTED]) { totalCount }
  reviewThreads(first: ${NESTED_PAGE}) { totalCount ${PAGE_INFO} nodes { ${REVIEW_THREAD_FIELDS} } }
  timelineItems(last: 1, itemTypes: [HEAD_REF_FORCE_PUSHED_EVENT]) {
    nodes { ... on HeadRefForcePushedEvent { createdAt } }
  }
  closedEvents: timelineItems(last: 1, itemTypes: [CLOSED_EVENT]) {
    nodes { ... on ClosedEvent { createdAt actor { login } } }
  }
  commits(last: 1) {
    totalCount
    nodes {
      commit {
        oid
        committedDate
        statusCheckRollup {
          state
          contexts(first: ${NESTED_PAGE}) { totalCount ${PAGE_INFO} nodes { ${CHECK_CONTEXT_FIELDS} } }
        }
      }
    }
  }`;

export const OPEN_PULL_REQUESTS_QUERY = `query OpenPullRequests($owner: String!, $name: String!, $after: String) {
  repository(owner: $owner, name: $name) {
    nameWithOwner
    pullRequests(states: [OPEN], first: ${PRS_PER_PAGE}, after: $after, orderBy: { field: CREATED_AT, direction: ASC }) {
      totalCount
      ${PAGE_INFO}
      nodes { ${PR_FIELDS} }
    }
  }
  ${RATE_LIMIT}
}`;

/** The next page of one commit's check contexts (a PR with more than 100 checks). */
export const CHECK_CONTEXTS_QUERY = `query CheckContexts($owner: String!, $name: String!, $oid: GitObjectID!, $after: String) {
  repository(owner: $owner, name: $name) {
    object(oid: $oid) {
      ... on Commit {
        statusCheckRollup {
          contexts(first: ${NESTED_PAGE}, after: $after) { ${PAGE_INFO} nodes { ${CHECK_CONTEXT_FIELDS} } }
        }
      }
    }
  }
  ${RATE_LIMIT}
}`;

/** The next page of one PR's review threads. */
export const REVIEW_THREADS_QUERY = `query ReviewThreads($owner: String!, $name: String!, $number: Int!, $after: String) {
  repository(owner: $owner, name: $name) {
    pullRequest(number: $number) {
      reviewThreads(first: ${NESTED_PAGE}, after: $after) { ${PAGE_INFO} nodes { ${REVIEW_THREAD_FIELDS} } }
    }
  }
  ${RATE_LIMIT}
}`;

/** One query for the states of many PRs: an alias per number, numbers as variables. */
export function pullRequestStatesQuery(count: number): string {
  if (!Number.isInteger(count) || count < 1 || count > STATES_PER_QUERY) {
    throw new RangeError(`pullRequestStatesQuery: count must be 1..${STATES_PER_QUERY}, got ${count}`);
  }
  const vars = Array.from({ length: count }, (_, i) => `$n${i}: Int!`).join(', ');
  const aliases = Array.from(
    { length: count },
    (_, i) => `pr${i}: pullRequest(number: $n${i}) { number state createdAt closedAt mergedAt }`,
  ).join('\n    ');
  return `query PullRequestStates($owner: String!, $name: String!, ${vars}) {
  repository(owner: $owner, name: $name) {
    nameWithOwner
    ${aliases}
  }
  ${RATE_LIMIT}
}`;
}

/** PR numbers per aliased by-number observation: the same size as a page of open PRs. */
export const PRS_BY_NUMBER_PER_QUERY = PRS_PER_PAGE;

/** Full observations of chosen PRs, open or not (webhook re-observations, a PR's last look after
 *  it left the open set): an alias per number, numbers as variables. */
export function pullRequestsByNumberQuery(count: number): string {
  if (!Number.isInteger(count) || count < 1 || count > PRS_BY_NUMBER_PER_QUERY) {
    throw new RangeError(`pullRequestsByNumberQuery: count must be 1..${PRS_BY_NUMBER_PER_QUERY}, got ${count}`);
  }
  const vars = Array.from({ length: count }, (_, i) => `$n${i}: Int!`).join(', ');
  const aliases = Array.from(
    { length: count },
    (_, i) => `pr${i}: pullRequest(number: $n${i}) { ${PR_FIELDS} }`,
  ).join('\n    ');
  return `query PullRequestsByNumber($owner: String!, $name: String!, ${vars}) {
  repository(owner: $owner, name: $name) {
    nameWithOwner
    ${aliases}
  }
  ${RATE_LIMIT}
}`;
}

/** Branch comparisons per aliased query: one page of open PRs. */
export const COMPARISONS_PER_QUERY = PRS_PER_PAGE;

/** How far each PR's head is ahead of and behind its base (GitHub's compare of the two refs):
 *  an alias per PR, the ref names as variables (`refs/heads/<base>`, `<head>`). */
export function branchComparisonsQuery(count: number): string {
  if (!Number.isInteger(count) || count < 1 || count > COMPARISONS_PER_QUERY) {
    throw new RangeError(`branchComparisonsQuery: count must be 1..${COMPARISONS_PER_QUERY}, got ${count}`);
  }
  const vars = Array.from({ length: count }, (_, i) => `$b${i}: String!, $h${i}: String!`).join(', ');
  const aliases = Array.from(
    { length: count },
    (_, i) => `c${i}: ref(qualifiedName: $b${i}) { compare(headRef: $h${i}) { aheadBy behindBy } }`,
  ).join('\n    ');
  return `query BranchComparisons($owner: String!, $name: String!, ${vars}) {
  repository(owner: $owner, name: $name) {
    ${aliases}
  }
  ${RATE_LIMIT}
}`;
}
