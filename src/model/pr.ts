// Pull requests as harvest follows them: the lifecycle folded from observations, observed outcomes
// and the orchestrator's recorded actions and outcomes; and the links from sessions to the PRs they
// worked on, each with how it was found and how sure it is.

export const PR_LIFECYCLE_SCHEMA_VERSION = 1;

export type PrState = 'open' | 'merged' | 'closed';

/** How a PR ended: merged with no fix round, merged after some, closed unmerged, or not yet. */
export type PrOutcome = 'merged_first_try' | 'merged_after_fixes' | 'closed' | 'open';

export interface PrLifecycle {
  schema_version: number;
  /** OWNER/NAME as GitHub spells it. */
  repo: string;
  number: number;
  title: string | null;
  author: string | null;
  base_ref: string | null;
  head_ref: string | null;
  /** Head commits seen, oldest first (the last 50). */
  head_shas: string[];
  state: PrState;
  opened_at: string | null;
  first_reviewed_at: string | null;
  first_approved_at: string | null;
  /** Reviews that requested changes, as GitHub counted them (the most seen). */
  changes_requested_reviews: number;
  /** The orchestrator's `request_review_fix` and `request_conflict_fix` actions. */
  review_fix_actions: number;
  conflict_fix_actions: number;
  /** Every recorded action, by name. */
  actions: Record<string, number>;
  /** When each fix was asked for (and by which session, if it said), oldest first. */
  fix_requests: { at: string; action: string; session?: string }[];
  /** Stretches of observations whose checks were failing; `to` null while it lasts. */
  failing_check_spells: { from: string; to: string | null }[];
  merged_at: string | null;
  closed_at: string | null;
  merged_by: string | null;
  closed_by: string | null;
  /** What the orchestrator recorded as the PR's result (success, escalated, failed). */
  orchestrator_outcomes: { result: string; at: string }[];
  /** The latest counts observed. */
  commits: number | null;
  comments: number | null;
  review_comments: number | null;
  additions: number | null;
  deletions: number | null;
  changed_files: number | null;
  commits_behind: number | null;
  first_observed_at: string | null;
  last_observed_at: string | null;
  observations: number;
  /** Ids of the events folded in: a retried event changes nothing. */
  applied: string[];
  /** Newest time of any fact folded in (ms): orders two folds of the same PR. */
  version: number;
}

/** How a link from a session to a PR was found. */
export type PrLinkMethod =
  /** Claude Code's `pr-link` line (the session's own record of the PR). */
  | 'pr_link'
  /** `gh pr create` printed the PR's URL. */
  | 'gh_pr_create'
  /** Another `gh pr` command (view, diff, comment, review, checkout, merge, ...) named it. */
  | 'gh_pr_command'
  /** `git push` pushed the PR's head branch (or printed the PR's URL). */
  | 'git_push'
  /** The session's git branch is the PR's head ref. */
  | 'git_branch'
  /** A commit the session made is one of the PR's head commits. */
  | 'commit_sha';

/** What the session did to the PR: wrote its commits, or only looked at it and commented. */
export type PrRelation = 'author' | 'reviewer' | 'unknown';

export interface PrLink {
  repo: string;
  number: number;
  url: string;
  method: PrLinkMethod;
  /** Every method that found it, strongest first. */
  methods: PrLinkMethod[];
  /** 0..1; independent evidence combines as 1 - prod(1 - c). */
  confidence: number;
  relation: PrRelation;
  /** What was seen: `gh pr create -> https://...`, `git push origin feat/x`, `commit 1a2b3c4`. */
  evidence: string[];
  /** Whether the PR's lifecycle was known when linking. */
  known: boolean;
}

/** What linking reads about PRs: a snapshot, so linking stays synchronous and pure. */
export interface PrLookup {
  get(repo: string, number: number): PrLifecycle | undefined;
  /** PRs (`repo#number` keys) whose head ref is this branch, in any repository. */
  byBranch(branch: string): string[];
  /** PRs one of whose head commits starts with this SHA (7 hex digits or more). */
  bySha(sha: string): string[];
}

/** What a lookup must fetch for one session. */
export interface PrCandidates {
  prs: { repo: string; number: number }[];
  branches: string[];
  shas: string[];
}

/** The key of a PR everywhere: GitHub names are case-insensitive. */
export function prKey(repo: string, number: number): string {
  return `${repo.toLowerCase()}#${number}`;
}

export function parsePrKey(key: string): { repo: string; number: number } | null {
  const m = /^(.+)#(\d+)$/.exec(key);
  return m ? { repo: m[1], number: Number(m[2]) } : null;
}
