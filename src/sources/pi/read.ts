// Reads one pi / pir / omp session file (JSONL: a `session` header, then entries forming a tree by
// id/parentId) into the shared Session model, as pi's own SessionManager reads it: versions 1-3
// migrated in memory (version 4 read as the current layout, its unknown entry types counted), the
// active path from the last entry back to the root, every other leaf an abandoned branch. omp may
// open the file with a fixed-width `{"type":"title",...}` line. Streams the file; per entry only
// what a turn needs is kept, text fields capped:
//   context.ts  counts, warnings, caps          content.ts  message content -> turn parts
//   entries.ts  entry types -> items and facts  tree.ts     ids, index, paths, abandoned branches
//   turns.ts    a path of entries -> turns
import { open } from 'node:fs/promises';
import { basename, dirname, isAbsolute, resolve } from 'node:path';
import { addCount, type ReadResult, type Session } from '../../model/session.ts';
import { isObj, str, type Obj } from '../json-values.ts';
import { readJsonLines } from '../jsonl-lines.ts';
import { withSideFile } from '../checked-file.ts';
import type { ReaderOptions } from '../reader-options.ts';
import { PiContent } from './content.ts';
import { PiContext } from './context.ts';
import { PiEntries } from './entries.ts';
import { abandonedBranches, assignIds, buildIndex, pathTo } from './tree.ts';
import { TurnBuilder, type PiNode } from './turns.ts';

export { EMPTY_ID_PREFIX } from './content.ts';

export type PiRuntime = 'pi' | 'pir' | 'omp';

export interface PiReadOptions extends ReaderOptions {
  runtime: PiRuntime;
}

export const DEFAULT_MAX_FIELD_CHARS = 65536;
/** The session format version pi writes today; files without a tree are migrated up to it. */
export const CURRENT_PI_VERSION = 3;
/** The newest version read as a known layout (pi 4 keeps the v3 tree; new entry types are counted). */
export const NEWEST_KNOWN_PI_VERSION = 4;

interface Header {
  line: number;
  version: unknown;
  id?: string;
  timestamp?: string;
  cwd?: string;
  provider?: string;
  modelId?: string;
  thinkingLevel?: string;
  parentSession?: string;
  title?: string;
}

/**
 * The parent session id from a header's `branchedFrom` (pir) / `parentSession` (pi): a path to the
 * parent file `<timestamp>_<id>.jsonl` gives its id; anything else is taken as the id itself.
 */
export function parentSessionIdFrom(ref: string): string | undefined {
  const trimmed = ref.trim();
  if (trimmed === '') return undefined;
  if (!/[\\/]/.test(trimmed) && !trimmed.endsWith('.jsonl')) return trimmed;
  return sessionIdFromFileName(trimmed.split(/[\\/]/).pop() ?? '');
}

/** `<timestamp>_<id>.jsonl` -> id (the timestamp holds no `_`). */
export function sessionIdFromFileName(name: string): string | undefined {
  const stem = name.replace(/\.jsonl$/, '');
  const us = stem.indexOf('_');
  const id = us === -1 ? stem : stem.slice(us + 1);
  return id === '' ? undefined : id;
}

class Reader {
  readonly ctx: PiContext;
  private readonly content: PiContent;
  private readonly entries: PiEntries;
  private readonly nodes: PiNode[] = [];
  private header: Header | undefined;
  private firstLine = 0;
  private titleLine: string | undefined;
  private lastMs = -Infinity;
  private lastIso: string | undefined;
  private anyRawId = false;

  constructor(
    readonly path: string,
    readonly runtime: PiRuntime,
    maxField: number,
  ) {
    this.ctx = new PiContext(path, maxField);
    this.content = new PiContent(this.ctx);
    this.entries = new PiEntries(this.ctx, this.content);
  }

  noteTime(ts: string | undefined): void {
    if (!ts) return;
    const ms = Date.parse(ts);
    if (Number.isFinite(ms) && ms >= this.lastMs) {
      this.lastMs = ms;
      this.lastIso = ts;
    }
  }

  onLine = (value: unknown, line: number): void => {
    const ctx = this.ctx;
    if (this.firstLine === 0) this.firstLine = line;
    if (!isObj(value) || typeof value.type !== 'string') {
      ctx.count('skipped_no_type');
      ctx.warn('no_type', line, 'line is not an entry (no "type"); skipped');
      return;
    }
    if (value.type === 'title' && line === this.firstLine && this.nodes.length === 0 && !this.header) {
      // omp's fixed-width title slot: the current title, rewritten in place.
      ctx.count('title_slots');
      this.titleLine = str(value.title)?.trim() || undefined;
      this.firstLine = -1; // the header may follow it
      return;
    }
    if (value.type === 'session') return this.onHeader(value, line);
    ctx.count('entries');
    const rawId = str(value.id);
    if (rawId) this.anyRawId = true;
    const rawParent = value.parentId === null ? null : typeof value.parentId === 'string' ? value.parentId : undefined;
    const entryTs = str(value.timestamp);
    const node: PiNode = { rawId: rawId || undefined, rawParent, line, id: '', parent: null };
    this.noteTime(entryTs);
    this.nodes.push(node);
    this.entries.onEntry(value, node, entryTs);
  };

  private onHeader(h: Obj, line: number): void {
    const ctx = this.ctx;
    if (this.header) {
      ctx.count('header_duplicate');
      ctx.warn('header_duplicate', line, 'a second session header; ignored (the first one counts)');
      return;
    }
    if (this.nodes.length > 0 || (line !== this.firstLine && this.firstLine !== -1)) {
      ctx.count('header_not_first');
      ctx.warn('header_not_first', line, 'session header is not the first line; read anyway');
    }
    this.header = {
      line,
      version: h.version,
      id: str(h.id),
      timestamp: str(h.timestamp),
      cwd: str(h.cwd),
      provider: str(h.provider),
      modelId: str(h.modelId),
      thinkingLevel: str(h.thinkingLevel),
      parentSession: str(h.branchedFrom) ?? str(h.parentSession),
      title: str(h.title),
    };
    this.noteTime(this.header.timestamp);
  }

  /** After the last line: ids, tree, paths, turns. */
  finish(): ReadResult {
    const ctx = this.ctx;
    const h = this.header;
    if (!h && this.nodes.length === 0) {
      ctx.count('no_turns');
      ctx.warnings.push(`${this.path}: no session header and no entries; nothing to read`);
      return { session: null, counts: ctx.counts, warnings: ctx.warnings };
    }
    if (!h) {
      ctx.count('header_missing');
      ctx.warn('header_missing', undefined, 'no session header; id taken from the file name');
    }
    const version = this.resolveVersion(h);
    assignIds(this.nodes, version, ctx);
    const byId = buildIndex(this.nodes, ctx);
    const leaf = this.nodes[this.nodes.length - 1];

    const active = leaf ? pathTo(leaf, byId) : [];
    const builder = new TurnBuilder(ctx.counts);
    const turnsAfter: number[] = [];
    for (const n of active) {
      builder.push(n);
      turnsAfter.push(builder.turns.length);
    }
    const turns = builder.turns;
    ctx.count('turns', turns.length);
    const abandoned = abandonedBranches(this.nodes, byId, active, turnsAfter, leaf, ctx);

    if (turns.length === 0 && abandoned.length === 0) {
      ctx.count('no_turns');
      ctx.warnings.push(`${this.path}: no conversation turns; nothing to emit`);
      return { session: null, counts: ctx.counts, warnings: ctx.warnings };
    }

    const e = this.entries;
    const session: Session = {
      id: this.sessionId(h),
      format: 'pi',
      runtime: this.runtime,
      path: this.path,
      models: e.models,
      turns,
      abandoned,
      extra: this.extra(h, version),
    };
    if (e.tools.length) session.tools = e.tools;
    if (h?.cwd) session.cwd = h.cwd;
    const provider = e.firstAssistantProvider ?? e.firstChangeProvider ?? h?.provider;
    if (provider) session.provider = provider;
    if (h?.parentSession) {
      const parent = parentSessionIdFrom(h.parentSession);
      if (parent) session.parentSessionId = parent;
    }
    if (e.agent) session.subagentType = e.agent;
    const started = h?.timestamp ?? this.nodes.find((n) => n.ts)?.ts;
    if (started) session.startedAt = started;
    if (this.lastIso) session.endedAt = this.lastIso;
    ctx.summarizeWarnings();
    return { session, counts: ctx.counts, warnings: ctx.warnings };
  }

  /** pi's rule: no version means v1. A header claiming nothing while entries carry ids is read as current. */
  private resolveVersion(h: Header | undefined): number {
    const ctx = this.ctx;
    const v = h?.version;
    if (v === undefined || v === null) {
      if (!this.anyRawId) {
        if (h) ctx.count('version_1');
        return 1;
      }
      ctx.count('version_missing');
      ctx.warn('version', h?.line, `no session version but entries carry ids; read as v${CURRENT_PI_VERSION}`);
      return CURRENT_PI_VERSION;
    }
    if (typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= NEWEST_KNOWN_PI_VERSION) {
      ctx.count(`version_${v}`);
      return Math.min(v, CURRENT_PI_VERSION);
    }
    ctx.count('version_unknown');
    ctx.warn('version', h?.line, `unknown session version ${JSON.stringify(v)}; read as v${CURRENT_PI_VERSION}`);
    return CURRENT_PI_VERSION;
  }

  private sessionId(h: Header | undefined): string {
    if (h?.id) return h.id;
    this.ctx.count('session_id_from_filename');
    return sessionIdFromFileName(basename(this.path)) ?? basename(this.path);
  }

  private extra(h: Header | undefined, version: number): Record<string, unknown> {
    const e = this.entries;
    const levels = h?.thinkingLevel ? [h.thinkingLevel, ...e.thinkingLevels] : e.thinkingLevels;
    const extra: Record<string, unknown> = {
      version: typeof h?.version === 'number' ? h.version : version,
      thinkingLevels: [...new Set(levels)],
      compactions: { count: e.compactions, tokensBefore: e.tokensBefore },
      branchSummaries: e.branchSummaries,
    };
    if (e.name) extra.name = e.name;
    if (e.labels.size) extra.labels = Object.fromEntries(e.labels);
    if (h?.parentSession) extra.parentSession = h.parentSession;
    if (h?.modelId) extra.initialModel = h.modelId;
    const title = this.titleLine ?? e.title ?? h?.title;
    if (title) extra.title = title;
    if (e.systemPrompt) extra.systemPrompt = e.systemPrompt;
    if (e.toolNames.length) extra.toolNames = e.toolNames;
    if (e.modes.length) extra.modes = e.modes;
    if (e.serviceTiers.length) extra.serviceTiers = e.serviceTiers;
    if (e.ttsrRules.length) extra.ttsrRules = e.ttsrRules;
    const archived = [...e.archived].filter(([, a]) => a).map(([id]) => id);
    if (archived.length) extra.archivedEntries = archived;
    if (e.resetBoundaries) extra.resetBoundaries = e.resetBoundaries;
    if (e.modelUsage.calls) extra.modelUsage = e.modelUsage;
    if (!h?.cwd) {
      // Role detection falls back to the folder pi named after the cwd.
      const folder = basename(dirname(this.path));
      if (/^--.*--$/.test(folder)) extra.encodedFolder = folder;
    }
    return extra;
  }
}

/**
 * The id in the header of the parent file when it can be read: pir names files after the first 8
 * characters of the session's UUID, so the file name alone gives only that prefix.
 */
async function parentHeaderId(ref: string, childPath: string, roots?: readonly string[]): Promise<string | undefined> {
  if (!/[\\/]/.test(ref) && !ref.endsWith('.jsonl')) return undefined;
  const p = isAbsolute(ref) ? ref : resolve(dirname(childPath), ref);
  // A parent outside the roots is not opened.
  return (await withSideFile(p, roots, headerId).catch(() => null)) ?? undefined;
}

async function headerId(p: string): Promise<string | undefined> {
  let fh;
  try {
    fh = await open(p, 'r');
    const buf = Buffer.alloc(HEADER_WINDOW_BYTES);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    const text = buf.subarray(0, bytesRead).toString('utf8');
    for (const line of text.split('\n').slice(0, 2)) {
      let h: unknown;
      try {
        h = JSON.parse(line) as unknown;
      } catch {
        return undefined;
      }
      if (isObj(h) && h.type === 'title') continue; // omp's title slot comes first
      return isObj(h) && h.type === 'session' ? str(h.id) || undefined : undefined;
    }
    return undefined;
  } catch {
    return undefined;
  } finally {
    await fh?.close();
  }
}

const HEADER_WINDOW_BYTES = 64 * 1024;

/** Reads a pi / pir / omp session file. Rejects only when the file cannot be read at all. */
export async function readPiSession(path: string, opts: PiReadOptions): Promise<ReadResult> {
  const abs = resolve(path);
  const reader = new Reader(abs, opts.runtime, opts.maxFieldChars ?? DEFAULT_MAX_FIELD_CHARS);
  await readJsonLines(opts.readFrom ?? abs, reader.onLine, reader.ctx.counts, { maxLineBytes: opts.maxLineBytes });
  const result = reader.finish();
  const ref = result.session?.extra.parentSession;
  if (result.session && typeof ref === 'string') {
    const full = await parentHeaderId(ref, abs, opts.roots);
    if (full) {
      result.session.parentSessionId = full;
      addCount(result.counts, 'parent_id_from_header');
    } else if (result.session.parentSessionId) addCount(result.counts, 'parent_id_from_name');
  }
  return result;
}
