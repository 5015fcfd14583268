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
  isDraft: boolean;
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
  /** Every context of the head commit's status check rollup, all pages. */
  checks: CheckContext[];
  /** The latest review of each reviewer. */
  reviews: { state: string; author: string | null }[];
  /** Every review thread, all pages. */
  reviewThreads: { isResolved: boolean }[];
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
}

export interface RateLimitInfo {
  /** Points these requests cost, summed. */
  cost: number;
  /** Points left in the window after the last request. */
  remaining: number;
  /** When the window resets (ISO time). */
  resetAt: string;
}
