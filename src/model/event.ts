// Orchestrator events: what an orchestrator decided about a PR (`action_taken`), how the PR ended
// (`outcome`), and which tools an agent session used (`tool_signal`). The input schemas are what
// every ingress accepts (CLI, HTTP, client, spool, pi extension); an EventRecord is what the
// pipeline carries and stores, with its id fixed at ingress so every retry records the same event.
import crypto from 'node:crypto';
import { z } from 'zod';
import { int, type FieldValue, type PointRecord } from './point.ts';

export const EVENT_SCHEMA_VERSION = 1;
export const EVENT_TYPES = ['action_taken', 'outcome', 'tool_signal'] as const;
export type EventType = (typeof EVENT_TYPES)[number];
export const OUTCOME_RESULTS = ['success', 'escalated', 'failed'] as const;
export type OutcomeResult = (typeof OUTCOME_RESULTS)[number];
export const MAX_EVENTS_PER_REQUEST = 1000;
export const EVENT_SOURCES = ['cli', 'http', 'client', 'spool', 'extension'] as const;
export type EventSource = (typeof EVENT_SOURCES)[number];

/** The actions whose count an observation carries (`conflict_attempts`, `review_fix_attempts`). */
export const CONFLICT_FIX_ACTION = 'request_conflict_fix';
export const REVIEW_FIX_ACTION = 'request_review_fix';

const TEXT_MAX = 10_000;
const ID_MAX = 200;

export const repoSchema = z.string().regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/, 'expected OWNER/NAME');
export const prSchema = z.union([
  z.number().int().positive(),
  z.string().regex(/^[1-9]\d{0,9}$/, 'expected a PR number').transform(Number),
]);
/** Lower-case words joined by `_` or `-` (`wait`, `request_conflict_fix`). */
export const actionSchema = z.string().regex(/^[a-z][a-z0-9_-]{0,63}$/, 'expected a lower-case action name like request_review_fix');

/** A time as ISO 8601 text or epoch milliseconds, normalised to ISO 8601 (UTC). */
export const timeSchema = z
  .union([z.string().min(1), z.number()])
  .transform((v, ctx) => {
    const ms = typeof v === 'number' ? v : Date.parse(v);
    if (!Number.isFinite(ms) || ms < 0 || ms > 8.64e15) {
      ctx.addIssue({ code: 'custom', message: 'expected an ISO 8601 time or epoch milliseconds' });
      return z.NEVER;
    }
    return new Date(Math.trunc(ms)).toISOString();
  });

const optionalId = z.string().min(1).max(ID_MAX).optional();
const common = {
  at: timeSchema.optional(),
  /** The agent session that acted. */
  session: optionalId,
  /** The bead (work item) the action belongs to. */
  bead: optionalId,
  /** Idempotency key: the same key records once, however often it is sent. */
  key: optionalId,
};

export const actionInputSchema = z.strictObject({
  type: z.literal('action_taken'),
  repo: repoSchema,
  pr: prSchema,
  action: actionSchema,
  reason: z.string().max(TEXT_MAX).default(''),
  ...common,
});

export const outcomeInputSchema = z.strictObject({
  type: z.literal('outcome'),
  repo: repoSchema,
  pr: prSchema,
  result: z.enum(OUTCOME_RESULTS),
  detail: z.string().max(TEXT_MAX).default(''),
  resolution_hours: z.number().nonnegative().optional(),
  ...common,
});

export const toolSignalInputSchema = z.strictObject({
  type: z.literal('tool_signal'),
  tool: z.string().min(1).max(ID_MAX),
  /** The argument names of the call, never their values. */
  arg_keys: z.array(z.string().max(ID_MAX)).max(100).default([]),
  cwd: z.string().max(4096).optional(),
  repo: repoSchema.optional(),
  pr: prSchema.optional(),
  ...common,
});

export const eventInputSchema = z.discriminatedUnion('type', [actionInputSchema, outcomeInputSchema, toolSignalInputSchema]);
export type EventInput = z.input<typeof eventInputSchema>;
export type ParsedEventInput = z.output<typeof eventInputSchema>;
export type ActionInput = z.input<typeof actionInputSchema>;
export type OutcomeInput = z.input<typeof outcomeInputSchema>;
export type ToolSignalInput = z.input<typeof toolSignalInputSchema>;

/** A request body: one event, an array of events, or `{ "events": [...] }`. */
export const eventBatchSchema = z.union([
  eventInputSchema.transform((e) => [e]),
  z.array(eventInputSchema).min(1).max(MAX_EVENTS_PER_REQUEST),
  z.strictObject({ events: z.array(eventInputSchema).min(1).max(MAX_EVENTS_PER_REQUEST) }).transform((b) => b.events),
]);

const recordBase = {
  schema_version: z.literal(EVENT_SCHEMA_VERSION),
  id: z.string().regex(/^ev-[0-9a-f]{32}$/),
  at: z.iso.datetime(),
  received_at: z.iso.datetime(),
  source: z.enum(EVENT_SOURCES),
  session: z.string().optional(),
  bead: z.string().optional(),
  key: z.string().optional(),
};

export const eventRecordSchema = z.discriminatedUnion('type', [
  z.object({ ...recordBase, type: z.literal('action_taken'), repo: z.string(), pr: z.number().int(), action: z.string(), reason: z.string() }),
  z.object({
    ...recordBase,
    type: z.literal('outcome'),
    repo: z.string(),
    pr: z.number().int(),
    result: z.enum(OUTCOME_RESULTS),
    detail: z.string(),
    resolution_hours: z.number().optional(),
  }),
  z.object({
    ...recordBase,
    type: z.literal('tool_signal'),
    tool: z.string(),
    arg_keys: z.array(z.string()),
    cwd: z.string().optional(),
    repo: z.string().optional(),
    pr: z.number().int().optional(),
  }),
]);
export type EventRecord = z.infer<typeof eventRecordSchema>;
export type ActionRecord = Extract<EventRecord, { type: 'action_taken' }>;
export type OutcomeRecord = Extract<EventRecord, { type: 'outcome' }>;
export type ToolSignalRecord = Extract<EventRecord, { type: 'tool_signal' }>;

/** JSON with object keys sorted, so equal content hashes equal. */
function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v && typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonicalJson(x)}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

/**
 * The record id: from the idempotency key when there is one, else from the event's content as
 * sent (so a retried request without a key still records once; send `at` or `key` to record two
 * identical events).
 */
export function eventId(e: ParsedEventInput): string {
  const basis = e.key !== undefined ? `key\0${e.key}` : `content\0${canonicalJson(e)}`;
  return `ev-${sha256Hex(basis).slice(0, 32)}`;
}

// crypto.hash (Node 20.12+) is a one-shot digest, a few times cheaper than a Hash object per event.
const oneShot = (crypto as unknown as { hash?: (alg: string, data: string, enc: 'hex') => string }).hash;
const sha256Hex = (s: string): string => (oneShot ? oneShot('sha256', s, 'hex') : crypto.createHash('sha256').update(s).digest('hex'));

/** A validated input -> the record the pipeline carries; `at` defaults to `now`. */
export function toEventRecord(e: ParsedEventInput, source: EventSource, now: number | string = Date.now()): EventRecord {
  const received = typeof now === 'string' ? now : new Date(now).toISOString();
  const base = {
    schema_version: EVENT_SCHEMA_VERSION,
    id: eventId(e),
    at: e.at ?? received,
    received_at: received,
    source,
    ...(e.session !== undefined ? { session: e.session } : {}),
    ...(e.bead !== undefined ? { bead: e.bead } : {}),
    ...(e.key !== undefined ? { key: e.key } : {}),
  } as const;
  if (e.type === 'action_taken') return { ...base, type: e.type, repo: e.repo, pr: e.pr, action: e.action, reason: e.reason };
  if (e.type === 'outcome') {
    return {
      ...base, type: e.type, repo: e.repo, pr: e.pr, result: e.result, detail: e.detail,
      ...(e.resolution_hours !== undefined ? { resolution_hours: e.resolution_hours } : {}),
    };
  }
  return {
    ...base, type: e.type, tool: e.tool, arg_keys: e.arg_keys,
    ...(e.cwd !== undefined ? { cwd: e.cwd } : {}),
    ...(e.repo !== undefined ? { repo: e.repo } : {}),
    ...(e.pr !== undefined ? { pr: e.pr } : {}),
  };
}

export interface FieldIssue {
  /** Where in the body: `0.pr`, `events.3.result`, `(body)`. */
  path: string;
  message: string;
}

export function fieldIssues(err: z.ZodError): FieldIssue[] {
  return err.issues.map((i) => ({ path: i.path.length ? i.path.join('.') : '(body)', message: i.message }));
}

/** Validates inputs into records; the first invalid one makes the whole call fail. */
export function parseEventInputs(body: unknown, source: EventSource, now: number = Date.now()):
  { ok: true; records: EventRecord[] } | { ok: false; issues: FieldIssue[] } {
  const parsed = eventBatchSchema.safeParse(body);
  if (!parsed.success) return { ok: false, issues: batchIssues(body, parsed.error) };
  const received = new Date(now).toISOString();
  return { ok: true, records: parsed.data.map((e) => toEventRecord(e, source, received)) };
}

// A union's error says only "invalid input"; re-validating the likely branch names the fields.
function batchIssues(body: unknown, err: z.ZodError): FieldIssue[] {
  if (Array.isArray(body)) {
    if (body.length === 0 || body.length > MAX_EVENTS_PER_REQUEST) {
      return [{ path: '(body)', message: `expected 1 to ${MAX_EVENTS_PER_REQUEST} events, got ${body.length}` }];
    }
    return body.flatMap((e, i) => singleIssues(e).map((x) => ({ ...x, path: `${i}.${x.path}`.replace(/\.\(body\)$/, '') })));
  }
  if (body && typeof body === 'object' && 'events' in body) {
    const events = (body as { events: unknown }).events;
    if (!Array.isArray(events)) return [{ path: 'events', message: 'expected an array of events' }];
    return batchIssues(events, err).map((x) => ({ ...x, path: `events.${x.path}` }));
  }
  const single = singleIssues(body);
  return single.length ? single : fieldIssues(err);
}

function singleIssues(e: unknown): FieldIssue[] {
  const r = eventInputSchema.safeParse(e);
  return r.success ? [] : fieldIssues(r.error);
}

/** Milliseconds of a record's `at`. */
export const atMs = (r: { at: string }): number => Date.parse(r.at);

/** The time-series point of an event (InfluxDB or line-protocol files). */
export function eventToPoint(r: EventRecord): PointRecord {
  const timestamp = atMs(r);
  const extra: Record<string, FieldValue> = { event_id: r.id };
  if (r.session) extra.session = r.session;
  if (r.bead) extra.bead = r.bead;
  if (r.type === 'action_taken') {
    return { measurement: 'action_taken', tags: { repo: r.repo, pr: String(r.pr) }, fields: { action: r.action, reason: r.reason, ...extra }, timestamp };
  }
  if (r.type === 'outcome') {
    const fields: Record<string, FieldValue> = { result: r.result, detail: r.detail, ...extra };
    if (r.resolution_hours !== undefined) fields.resolution_hours = r.resolution_hours;
    return { measurement: 'outcome', tags: { repo: r.repo, pr: String(r.pr) }, fields, timestamp };
  }
  const tags: Record<string, string> = { tool: r.tool };
  if (r.repo) tags.repo = r.repo;
  if (r.pr !== undefined) tags.pr = String(r.pr);
  const fields: Record<string, FieldValue> = { arg_keys: r.arg_keys.join(','), arg_count: int(r.arg_keys.length), ...extra };
  if (r.cwd) fields.cwd = r.cwd;
  return { measurement: 'tool_signal', tags, fields, timestamp };
}
