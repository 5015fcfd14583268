// Reads a beads export: the issues file (one issue per line) and, when present, the event log, in
// bounded memory per line. Bad input (malformed lines, unknown fields, statuses and event types,
// events for beads not in the issue file, snapshot values that are not JSON) is counted, never fatal.
import { existsSync } from 'node:fs';
import { addCount, type Counts } from '../../model/session.ts';
import {
  KNOWN_BEAD_EVENT_TYPES, KNOWN_BEAD_STATUSES,
  type BeadDependency, type BeadEvent, type BeadIssue,
} from '../../model/bead.ts';
import { readJsonLines } from '../jsonl-lines.ts';
import { estimateEventClockSkew, type ClockSkew } from './clock-skew.ts';

/** Fields of a beads issue line (bd export and Gas Town's Dolt backup); others are counted. */
export const KNOWN_ISSUE_FIELDS: ReadonlySet<string> = new Set([
  'id', 'title', 'description', 'design', 'acceptance_criteria', 'notes', 'status', 'priority',
  'issue_type', 'assignee', 'owner', 'estimated_minutes', 'created_at', 'created_by', 'updated_at',
  'closed_at', 'close_reason', 'closed_by_session', 'external_ref', 'labels', 'dependencies',
  'comments', 'compaction_level', 'compacted_at', 'compacted_at_commit', 'original_size',
  'content_hash', 'source_repo', 'source_system', 'actor', 'agent_state', 'await_id', 'await_type',
  'crystallizes', 'defer_until', 'due_at', 'ephemeral', 'event_kind', 'hook_bead', 'is_template',
  'last_activity', 'metadata', 'mol_type', 'payload', 'pinned', 'quality_score', 'rig', 'role_bead',
  'role_type', 'sender', 'spec_id', 'target', 'timeout_ns', 'waiters', 'wisp_type', 'work_type',
  'duplicate_of', 'superseded_by', 'replies_to', 'relates_to', 'deleted_at', 'deleted_by',
  'delete_reason', 'original_type', 'wisp', 'thread_id', 'bonded_from',
]);

const KNOWN_STATUS: ReadonlySet<string> = new Set(KNOWN_BEAD_STATUSES);
const KNOWN_EVENT: ReadonlySet<string> = new Set(KNOWN_BEAD_EVENT_TYPES);

export interface BeadsExportFiles {
  issuesPath: string;
  eventsPath?: string | null;
  /** Optional sibling files of the Dolt backup layout. */
  dependenciesPath?: string | null;
  labelsPath?: string | null;
}

export interface BeadsExport {
  issues: Map<string, BeadIssue>;
  /** Events per bead id, in file order (only beads of the issue file). */
  events: Map<string, BeadEvent[]>;
  counts: Counts;
  warnings: string[];
  /** Unknown field names, unknown statuses and event types seen (a few of each, for the report). */
  unknown: { fields: string[]; statuses: string[]; eventTypes: string[] };
  skew: ClockSkew;
}

export interface ReadBeadsOptions {
  maxLineBytes?: number;
  /** Apply the detected event clock skew (default true). */
  correctSkew?: boolean;
}

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const UNKNOWN_KEEP = 50;

function remember(list: string[], v: string): void {
  if (list.length < UNKNOWN_KEEP && !list.includes(v)) list.push(v);
}

/** `key: value` lines at the top of a description (Gas Town's dispatch header). */
export function dispatchHeader(description: string | null): Record<string, string> {
  const out: Record<string, string> = {};
  if (!description) return out;
  for (const raw of description.replace(/^\s*\n/, '').split('\n').slice(0, 20)) {
    const line = raw.trim();
    if (line === '') {
      if (Object.keys(out).length) break;
      continue;
    }
    const m = /^([a-z_]+):\s*(\S.*)?$/.exec(line);
    if (!m) break;
    if (m[2] !== undefined) out[m[1]] = m[2].trim();
  }
  return out;
}

function parseLabels(v: unknown): string[] {
  if (!Array.isArray(v)) return [];
  const out: string[] = [];
  for (const l of v) {
    if (typeof l === 'string') out.push(l);
    else if (l && typeof l === 'object' && typeof (l as { label?: unknown }).label === 'string') out.push((l as { label: string }).label);
  }
  return out;
}

function parseDependency(v: unknown, selfId: string | null): BeadDependency | null {
  if (!v || typeof v !== 'object') return null;
  const d = v as Record<string, unknown>;
  const from = str(d.issue_id) ?? selfId;
  const to = str(d.depends_on_id) ?? str(d.target) ?? str(d.id);
  const type = str(d.type) ?? str(d.dependency_type) ?? 'blocks';
  if (!from || !to) return null;
  return { from, to, type };
}

/** One raw issue line -> BeadIssue, or null (counted) when it has no id. */
export function parseIssue(raw: unknown, line: number, counts: Counts, unknown?: BeadsExport['unknown']): BeadIssue | null {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
    addCount(counts, 'issues_not_an_object');
    return null;
  }
  const r = raw as Record<string, unknown>;
  const id = str(r.id);
  if (!id) {
    addCount(counts, 'issues_without_id');
    return null;
  }
  for (const k of Object.keys(r)) {
    if (!KNOWN_ISSUE_FIELDS.has(k)) {
      addCount(counts, 'issue_unknown_fields');
      if (unknown) remember(unknown.fields, k);
    }
  }
  let status = str(r.status);
  if (!status) {
    addCount(counts, 'issues_without_status');
    status = 'open';
  } else if (!KNOWN_STATUS.has(status)) {
    addCount(counts, 'issue_unknown_status');
    if (unknown) remember(unknown.statuses, status);
  }
  const header = dispatchHeader(str(r.description));
  const deps = Array.isArray(r.dependencies)
    ? r.dependencies.map((d) => parseDependency(d, id)).filter((d): d is BeadDependency => d !== null)
    : [];
  return {
    id,
    title: typeof r.title === 'string' ? r.title : '',
    status,
    priority: typeof r.priority === 'number' && Number.isFinite(r.priority) ? r.priority : null,
    issueType: str(r.issue_type),
    assignee: str(r.assignee),
    createdAt: str(r.created_at),
    createdBy: str(r.created_by),
    updatedAt: str(r.updated_at),
    closedAt: str(r.closed_at),
    closeReason: str(r.close_reason),
    closedBySession: str(r.closed_by_session),
    labels: parseLabels(r.labels),
    dependencies: deps,
    // A burned molecule is kept as `[deleted:<id>]`: the id still names the dispatch.
    molecule: header.attached_molecule?.replace(/^\[deleted:(.+)\]$/, '$1') ?? null,
    dispatchedBy: header.dispatched_by ?? null,
    hookBead: str(r.hook_bead) ?? header.hook_bead ?? null,
    notes: typeof r.notes === 'string' && r.notes !== '' ? r.notes.slice(0, 2000) : null,
    supersededBy: str(r.superseded_by),
    duplicateOf: str(r.duplicate_of),
    line,
  };
}

/** An event value: null, '' (nothing), a JSON object (snapshot or patch), or plain text. */
function eventValue(v: unknown, counts: Counts, type: string): { obj?: Record<string, unknown>; text?: string } {
  if (v === null || v === undefined || v === '') return {};
  if (typeof v === 'object' && !Array.isArray(v)) return { obj: v as Record<string, unknown> };
  if (typeof v !== 'string') {
    addCount(counts, 'event_value_not_json');
    return {};
  }
  const t = v.trim();
  if (t.startsWith('{')) {
    try {
      const j = JSON.parse(t) as unknown;
      if (j && typeof j === 'object' && !Array.isArray(j)) return { obj: j as Record<string, unknown> };
    } catch {
      // falls through: counted below
    }
    addCount(counts, 'event_value_not_json');
    return { text: v };
  }
  // A close (or a comment) carries its reason as plain text; elsewhere plain text is unexpected.
  if (type !== 'closed' && type !== 'commented' && type !== 'comment_added' && type !== 'reopened') {
    addCount(counts, 'event_value_not_json');
  }
  return { text: v };
}

/** One raw event line -> BeadEvent (times not yet skew-corrected), or null (counted). */
export function parseEvent(raw: unknown, line: number, counts: Counts, unknown?: BeadsExport['unknown']): BeadEvent | null {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
    addCount(counts, 'events_not_an_object');
    return null;
  }
  const r = raw as Record<string, unknown>;
  const issueId = str(r.issue_id);
  const type = str(r.event_type) ?? str(r.type);
  if (!issueId || !type) {
    addCount(counts, 'events_incomplete');
    return null;
  }
  if (!KNOWN_EVENT.has(type)) {
    addCount(counts, 'event_unknown_type');
    if (unknown) remember(unknown.eventTypes, type);
  }
  const atText = str(r.created_at);
  let at: number | null = atText ? Date.parse(atText) : null;
  if (at !== null && !Number.isFinite(at)) {
    addCount(counts, 'event_bad_time');
    at = null;
  }
  const ev: BeadEvent = {
    id: typeof r.id === 'number' || typeof r.id === 'string' ? r.id : null,
    issueId,
    type,
    actor: str(r.actor),
    at,
    line,
  };
  const oldV = eventValue(r.old_value, counts, type);
  const newV = eventValue(r.new_value, counts, type);
  const comment = str(r.comment);
  if (comment) ev.comment = comment.slice(0, 500);
  if (oldV.obj) {
    const s = str(oldV.obj.status);
    if (s) ev.statusFrom = s;
    if ('assignee' in oldV.obj) ev.assigneeFrom = typeof oldV.obj.assignee === 'string' ? oldV.obj.assignee : '';
    const labels = parseLabels(oldV.obj.labels);
    if (labels.length) ev.labels = labels;
  }
  if (newV.obj) {
    const s = str(newV.obj.status);
    if (s) ev.statusTo = s;
    if ('assignee' in newV.obj) ev.assigneeTo = typeof newV.obj.assignee === 'string' ? newV.obj.assignee : '';
    const hook = str(newV.obj.hook_bead);
    if (hook) ev.hookBead = hook;
    const reason = str(newV.obj.close_reason) ?? str(newV.obj.reason);
    if (reason) ev.reason = reason.slice(0, 500);
  } else if (newV.text !== undefined && (type === 'closed' || type === 'reopened')) {
    ev.reason = newV.text.slice(0, 500);
  }
  if (type === 'closed' && !ev.statusTo) ev.statusTo = 'closed';
  if (type === 'reopened' && !ev.statusTo) ev.statusTo = 'open';
  if (ev.statusTo && !KNOWN_STATUS.has(ev.statusTo)) {
    addCount(counts, 'event_unknown_status');
    if (unknown) remember(unknown.statuses, ev.statusTo);
  }
  return ev;
}

/**
 * Reads an export. Issues are keyed by id (a repeated id: the later line wins, counted); events
 * are grouped per bead, and events for beads the issue file lacks are counted and left out.
 */
export async function readBeadsExport(files: BeadsExportFiles, opts: ReadBeadsOptions = {}): Promise<BeadsExport> {
  const counts: Counts = {};
  const warnings: string[] = [];
  const unknown: BeadsExport['unknown'] = { fields: [], statuses: [], eventTypes: [] };
  const issues = new Map<string, BeadIssue>();
  const issueCounts: Counts = {};
  await readJsonLines(files.issuesPath, (value, lineNo) => {
    const issue = parseIssue(value, lineNo, counts, unknown);
    if (!issue) return;
    if (issues.has(issue.id)) addCount(counts, 'issues_repeated');
    issues.set(issue.id, issue);
  }, issueCounts, { maxLineBytes: opts.maxLineBytes });
  for (const [k, v] of Object.entries(issueCounts)) addCount(counts, `issue_${k}`, v);
  counts.issues = issues.size;

  if (files.dependenciesPath && existsSync(files.dependenciesPath)) {
    const c: Counts = {};
    await readJsonLines(files.dependenciesPath, (value) => {
      const d = parseDependency(value, null);
      const issue = d ? issues.get(d.from) : undefined;
      if (!d) addCount(counts, 'dependencies_incomplete');
      else if (!issue) addCount(counts, 'dependencies_orphan');
      else issue.dependencies.push(d);
    }, c, { maxLineBytes: opts.maxLineBytes });
    for (const [k, v] of Object.entries(c)) addCount(counts, `dependency_${k}`, v);
  }
  if (files.labelsPath && existsSync(files.labelsPath)) {
    const c: Counts = {};
    await readJsonLines(files.labelsPath, (value) => {
      const r = value as Record<string, unknown> | null;
      const issue = r && typeof r.issue_id === 'string' ? issues.get(r.issue_id) : undefined;
      if (issue && typeof r?.label === 'string') issue.labels.push(r.label);
      else addCount(counts, 'labels_orphan');
    }, c, { maxLineBytes: opts.maxLineBytes });
    for (const [k, v] of Object.entries(c)) addCount(counts, `label_${k}`, v);
  }

  const events = new Map<string, BeadEvent[]>();
  let skew: ClockSkew = { skewMs: 0, samples: 0, agreeing: 0 };
  if (files.eventsPath) {
    if (!existsSync(files.eventsPath)) {
      warnings.push(`${files.eventsPath}: no such events file; lifecycles come from the issue fields alone`);
    } else {
      const eventCounts: Counts = {};
      let read = 0;
      await readJsonLines(files.eventsPath, (value, lineNo) => {
        const ev = parseEvent(value, lineNo, counts, unknown);
        if (!ev) return;
        read++;
        if (!issues.has(ev.issueId)) {
          addCount(counts, 'events_orphan');
          return;
        }
        const list = events.get(ev.issueId);
        if (list) list.push(ev);
        else events.set(ev.issueId, [ev]);
      }, eventCounts, { maxLineBytes: opts.maxLineBytes });
      for (const [k, v] of Object.entries(eventCounts)) addCount(counts, `event_${k}`, v);
      counts.events = read;
      skew = estimateEventClockSkew(issues, events);
      if (skew.skewMs !== 0 && opts.correctSkew !== false) {
        for (const list of events.values()) for (const e of list) if (e.at !== null) e.at -= skew.skewMs;
        counts.event_clock_skew_minutes = Math.round(skew.skewMs / 60_000);
        warnings.push(
          `${files.eventsPath}: event times run ${(skew.skewMs / 3_600_000).toFixed(2)} h off the issue times ` +
          `(${skew.agreeing} of ${skew.samples} creations agree); corrected`,
        );
      }
    }
  }
  if (unknown.fields.length) warnings.push(`${files.issuesPath}: unknown issue fields: ${unknown.fields.slice(0, 10).join(', ')}`);
  if (unknown.statuses.length) warnings.push(`${files.issuesPath}: unknown statuses: ${unknown.statuses.slice(0, 10).join(', ')}`);
  if (unknown.eventTypes.length) warnings.push(`${files.eventsPath}: unknown event types: ${unknown.eventTypes.slice(0, 10).join(', ')}`);
  return { issues, events, counts, warnings, unknown, skew };
}
