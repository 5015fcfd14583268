// Beads (the Gas Town issue tracker) as harvest reads them: issues and lifecycle events from an
// export, the lifecycle computed per bead, and the links from sessions to the beads they worked on.
import type { Role } from './sample.ts';

export const BEAD_LIFECYCLE_SCHEMA_VERSION = 1;

/** Statuses beads and Gas Town write; anything else is read, kept and counted as unknown. */
export const KNOWN_BEAD_STATUSES = [
  'open', 'in_progress', 'hooked', 'blocked', 'deferred', 'closed', 'completed', 'pinned', 'tombstone',
] as const;

/** Statuses that end the work on a bead. */
export const DONE_STATUSES: ReadonlySet<string> = new Set(['closed', 'completed', 'tombstone']);
/** Statuses that say someone took the work. */
export const CLAIM_STATUSES: ReadonlySet<string> = new Set(['in_progress', 'hooked']);

export const KNOWN_BEAD_EVENT_TYPES = [
  'created', 'updated', 'status_changed', 'closed', 'reopened', 'label_added', 'label_removed',
  'commented', 'comment_added', 'dependency_added', 'dependency_removed', 'deleted', 'renamed',
  'compacted', 'assigned', 'unassigned',
] as const;

export interface BeadDependency {
  /** The bead the edge starts at (in beads: `issue_id`). */
  from: string;
  /** The bead it points to (`depends_on_id`). */
  to: string;
  /** blocks, parent-child, related, discovered-from, supersedes, duplicates, ... */
  type: string;
}

/** One issue line, reduced to what harvest uses. Descriptions are kept only as dispatch headers. */
export interface BeadIssue {
  id: string;
  title: string;
  status: string;
  priority: number | null;
  issueType: string | null;
  assignee: string | null;
  createdAt: string | null;
  createdBy: string | null;
  updatedAt: string | null;
  closedAt: string | null;
  closeReason: string | null;
  closedBySession: string | null;
  labels: string[];
  dependencies: BeadDependency[];
  /** `attached_molecule:` from the description's dispatch header (Gas Town sling). */
  molecule: string | null;
  /** `dispatched_by:` from the description's dispatch header. */
  dispatchedBy: string | null;
  hookBead: string | null;
  notes: string | null;
  supersededBy: string | null;
  duplicateOf: string | null;
  /** 1-based line in the issues file. */
  line: number;
}

/** One event line, reduced: status moves, assignee moves, close reasons, labels, comments. */
export interface BeadEvent {
  id: number | string | null;
  issueId: string;
  type: string;
  actor: string | null;
  /** Milliseconds since the epoch, already corrected for the export's event clock skew. */
  at: number | null;
  statusFrom?: string;
  statusTo?: string;
  /** Present when the event set the assignee ('' when it cleared it). */
  assigneeTo?: string;
  assigneeFrom?: string;
  reason?: string;
  comment?: string;
  /** `hook_bead` an agent bead's update pointed at (the agent hooked that bead). */
  hookBead?: string;
  labels?: string[];
  line: number;
}

export type AttemptEnd = 'closed' | 'reopened' | 'released' | 'open';

/** One go at a bead: from a claim (or a reopen) to a close, a release, or now. */
export interface BeadAttempt {
  index: number;
  startedAt: string | null;
  claimedBy: string | null;
  endedAt: string | null;
  closedBy: string | null;
  closeReason: string | null;
  end: AttemptEnd;
}

export type BeadOutcome =
  | 'first_try'
  | 'closed_after_reopen'
  | 'closed_after_release'
  | 'reopened'
  | 'superseded'
  | 'duplicate'
  | 'abandoned'
  | 'escalated'
  | 'in_progress'
  | 'open';

export interface BeadLifecycle {
  schema_version: number;
  id: string;
  /** Which export it came from (a name, e.g. the rig or the file stem). */
  source: string;
  title: string;
  issue_type: string | null;
  priority: number | null;
  status: string;
  status_known: boolean;
  assignee: string | null;
  created_at: string | null;
  created_by: string | null;
  claimed_at: string | null;
  claimed_by: string | null;
  closed_at: string | null;
  closed_by: string | null;
  close_reason: string | null;
  closed_by_session: string | null;
  close_count: number;
  reopen_count: number;
  /** Claims given back without a close (unhooked, back to open). */
  release_count: number;
  time_to_close_ms: number | null;
  claim_to_close_ms: number | null;
  actors: string[];
  /** Everyone the bead was ever assigned to or claimed by. */
  assignees: string[];
  labels: string[];
  molecule: string | null;
  superseded_by: string | null;
  duplicate_of: string | null;
  escalated: boolean;
  abandoned: boolean;
  outcome: BeadOutcome;
  attempts: BeadAttempt[];
  event_count: number;
  /** Newest time seen on the bead (ms): orders two reads of the same bead. */
  version: number;
}

export type BeadLinkMethod = 'closed_by_session' | 'tool_call' | 'dispatch_header' | 'assignee_overlap';

export interface BeadLink {
  bead_id: string;
  /** The strongest method that found it. */
  method: BeadLinkMethod;
  /** Every method that found it, strongest first. */
  methods: BeadLinkMethod[];
  /** 0..1: how sure the link is (independent evidence combines). */
  confidence: number;
  /** What was seen, e.g. `bd close lf-0b0`, `attached_molecule: lf-wisp-x`. */
  evidence: string[];
  /** What the session did to the bead: close, claim, done, show, sling, hooked, assigned, ... */
  actions: string[];
  /** Whether the bead's lifecycle was known to the lookup. */
  known: boolean;
  /** The lifecycle attempt the session's work belongs to, when it could be placed. */
  attempt: number | null;
}

/** A Gas Town agent as beads name it (assignee, actor), derived from a session's cwd. */
export interface GastownAgent {
  /** The beads actor/assignee form: `lora_forge/polecats/furiosa`, `lora_forge/witness`, `mayor`. */
  identity: string;
  role: Role;
  rig: string | null;
  name: string | null;
}

/** What linking reads about beads; a snapshot, so linking stays synchronous and pure. */
export interface BeadLookup {
  get(id: string): BeadLifecycle | undefined;
  /** Beads whose `closed_by_session` is this session id. */
  closedBySession(sessionId: string): string[];
  /** Beads ever assigned to or claimed by this agent identity. */
  byAgent(identity: string): string[];
  /** The bead a molecule (`attached_molecule`) was dispatched for. */
  byMolecule(molecule: string): string | undefined;
  /** Median claimed-to-closed time of a role's first-try closes, where the data had enough. */
  typicalDurationMs(role: string): number | undefined;
}

/** What a lookup must fetch for one session (the async half of linking). */
export interface BeadCandidates {
  ids: string[];
  molecules: string[];
  sessionIds: string[];
  agent: GastownAgent | null;
  /** Session time span in ms, when its turns carry times. */
  start: number | null;
  end: number | null;
}

/** The index key of an assignee: the identity, trimmed. Bare names index under themselves. */
export function agentKey(assignee: string): string {
  return assignee.trim().replace(/\/+$/, '');
}
