// What one poll learns about a pull request: plain JSON (it may ride in a job), dates as
// ISO strings, GitHub's enum values as GitHub spells them.

export type CheckContext =
  | { kind: 'check_run'; name: string; status: string; conclusion: string | null }
  | { kind: 'status'; context: string; state: string };

export interface PrSnapshot {
  /** OWNER/NAME as GitHub spells it (nameWithOwner). */
  repo: string;
  number: number;
  title: string;
  /** null when the account was deleted (GitHub shows "ghost"). */
  author: string | null;
  /** OPEN | CLOSED | MERGED */
  state: string;
  isDraft: boolean;
  /** The head branch lives in a fork. */
  isCrossRepository: boolean;
  /** MERGEABLE | CONFLICTING | UNKNOWN (UNKNOWN while GitHub computes it). */
  mergeable: string;
  /** BEHIND | BLOCKED | CLEAN | DIRTY | DRAFT | HAS_HOOKS | UNKNOWN | UNSTABLE */
  mergeStateStatus: string;
  /** APPROVED | CHANGES_REQUESTED | REVIEW_REQUIRED, or null when no review is required. */
  reviewDecision: string | null;
  /** Set while auto-merge is enabled. */
  autoMerge: { enabledAt: string | null } | null;
  createdAt: string;
  updatedAt: string;
  closedAt: string | null;
  mergedAt: string | null;
  /** Who merged it (null: not merged, or a deleted account). */
  mergedBy: string | null;
  /** Who closed it last (the latest ClosedEvent's actor; for a merged PR, usually the merger). */
  closedBy: string | null;
  baseRefName: string;
  headRefName: string;
  additions: number;
  deletions: number;
  changedFiles: number;
  labels: string[];
  headCommit: {
    oid: string;
    committedDate: string;
    /** The combined state GitHub shows (SUCCESS, FAILURE, PENDING, ERROR, EXPECTED), null without checks. */
    rollupState: string | null;
  } | null;
  /** When the head branch was last force-pushed, if ever (Commit.pushedDate is gone from GitHub). */
  lastForcePushAt: string | null;
  /** Commits on the PR. */
  commitCount: number;
  /** Conversation comments (not review comments). */
  comments: number;
  /** Every context of the head commit's status check rollup, all pages (see `incomplete`). */
  checks: CheckContext[];
  /** How many contexts GitHub says the rollup has. */
  checksTotal: number;
  /** The latest review of each reviewer. */
  reviews: { state: string; author: string | null }[];
  /** The first review by someone other than the author (submitted), if any. */
  firstReview: { at: string; state: string; author: string | null } | null;
  /** The first approval, if any. */
  firstApproval: { at: string; author: string | null } | null;
  /** Approving reviews, and reviews that requested changes, ever submitted. */
  approvals: number;
  changesRequestedReviews: number;
  /** Every review thread, all pages (see `incomplete`), with its comment count. */
  reviewThreads: { isResolved: boolean; comments?: number }[];
  /** How many review threads GitHub says there are. */
  threadsTotal: number;
  /** Commits the head is ahead of and behind the base (null: not compared, a fork, a gone branch). */
  compare: { aheadBy: number; behindBy: number } | null;
  /**
   * What this observation could not read whole: `checks`, `review_threads` (a follow-up page
   * failed or came back short of GitHub's total). Empty when complete.
   */
  incomplete: string[];
}

/** A pull request's state, asked for after it left the open set. */
export interface PrState {
  repo: string;
  number: number;
  /** OPEN | CLOSED | MERGED */
  state: string;
  createdAt: string;
  closedAt: string | null;
  mergedAt: string | null;
  /** Who merged it, when the answer said (the by-number observation does). */
  mergedBy?: string | null;
}

export interface RateLimitInfo {
  /** Points these requests cost, summed. */
  cost: number;
  /** Points left in the window after the last request. */
  remaining: number;
  /** When the window resets (ISO time). */
  resetAt: string;
}

/** A snapshot of an open PR with nothing known yet beyond its name: a base to build one from. */
export function blankPrSnapshot(repo: string, number: number): PrSnapshot {
  return {
    repo, number, title: '', author: null, state: 'OPEN', isDraft: false, isCrossRepository: false,
    mergeable: 'UNKNOWN', mergeStateStatus: 'UNKNOWN', reviewDecision: null, autoMerge: null,
    createdAt: '', updatedAt: '', closedAt: null, mergedAt: null, mergedBy: null, closedBy: null,
    baseRefName: '', headRefName: '', additions: 0, deletions: 0, changedFiles: 0, labels: [],
    headCommit: null, lastForcePushAt: null, commitCount: 0, comments: 0, checks: [], checksTotal: 0,
    reviews: [], firstReview: null, firstApproval: null, approvals: 0, changesRequestedReviews: 0,
    reviewThreads: [], threadsTotal: 0, compare: null, incomplete: [],
  };
}
