// Claude Code lines that are about the session rather than in its conversation: metadata lines
// (custom-title, ai-title, agent-name, pr-link, last-prompt, mode, permission-mode, summary),
// `system` lines (compact_boundary, turn_duration, api_error, stop_hook_summary, away_summary,
// local_command, ...), `attachment` lines (hook results, tool deltas, skill listings, task
// reminders, file references, queued commands) and queue operations. Each is counted by type;
// what is worth keeping goes to `Session.extra` and `Session.prs`. A queued prompt the person
// typed while the agent worked is human input: returned as a prompt item.
//
// Counts: skipped_type_<type> (every line type that is not a conversation line),
// system_<subtype>, attachment_<type>, queue_<operation>, stripped_task_notification.
import { addCount, type Counts, type SessionPrLink } from '../../model/session.ts';
import { capString } from '../capped-text.ts';
import { isObj, num, str, typeKey, type Obj } from '../json-values.ts';
import type { PromptItem } from './entries.ts';

const MAX_LIST = 1000;
const SHORT = 2000;
const PR_URL = /^https:\/\/[^/]+\/([^/]+\/[^/]+)\/pull\/(\d+)/;

function promptText(p: unknown): string {
  if (typeof p === 'string') return p;
  if (!Array.isArray(p)) return '';
  return p.map((b) => (isObj(b) && b.type === 'text' && typeof b.text === 'string' ? b.text : '')).filter(Boolean).join('\n\n');
}

export class SessionFacts {
  private customTitle?: string;
  private aiTitle?: string;
  private agentName?: string;
  private lastPrompt?: string;
  private readonly modes: string[] = [];
  private readonly permissionModes: string[] = [];
  private readonly summaries: string[] = [];
  private readonly compactions: Obj[] = [];
  private readonly awaySummaries: string[] = [];
  private turnDurationMs = 0;
  private apiErrors = 0;
  private readonly prs = new Map<string, SessionPrLink>();
  /** Prompts waiting in Claude Code's queue, oldest first. */
  private readonly queue: string[] = [];

  constructor(
    private readonly counts: Counts,
    private readonly maxField: number,
  ) {}

  /** A non-conversation line: counted, remembered; a queued human prompt is returned. */
  onLine(type: string, v: Obj): PromptItem | undefined {
    addCount(this.counts, `skipped_type_${typeKey(type)}`);
    switch (type) {
      case 'summary':
        if (typeof v.summary === 'string' && this.summaries.length < 100) this.summaries.push(capString(v.summary, this.maxField, this.counts));
        return undefined;
      case 'custom-title':
        this.customTitle = str(v.customTitle) ?? this.customTitle;
        return undefined;
      case 'ai-title':
        this.aiTitle = str(v.aiTitle) ?? str(v.title) ?? this.aiTitle;
        return undefined;
      case 'agent-name':
        this.agentName = str(v.agentName) ?? str(v.name) ?? this.agentName;
        return undefined;
      case 'last-prompt':
        if (str(v.lastPrompt)) this.lastPrompt = capString(v.lastPrompt as string, SHORT, {});
        return undefined;
      case 'mode':
        this.note(this.modes, str(v.mode));
        return undefined;
      case 'permission-mode':
        this.note(this.permissionModes, str(v.permissionMode) ?? str(v.mode));
        return undefined;
      case 'pr-link':
        this.onPrLink(v);
        return undefined;
      case 'queue-operation':
        return this.onQueue(v);
      case 'system':
        this.onSystem(v);
        return undefined;
      case 'attachment':
        return this.onAttachment(v);
      default:
        return undefined;
    }
  }

  private note(list: string[], v: string | undefined): void {
    if (v && !list.includes(v) && list.length < MAX_LIST) list.push(v);
  }

  /**
   * Prompts typed while the agent worked wait in a queue: a dequeued one becomes a user line of
   * its own; a removed one was folded into the running turn (2.1.x writes no user line for it, or,
   * later, a queued_command attachment): returned, to be placed before the next reply.
   */
  private onQueue(v: Obj): PromptItem | undefined {
    const op = str(v.operation) ?? 'unnamed';
    addCount(this.counts, `queue_${typeKey(op)}`);
    if (op === 'enqueue') {
      const text = typeof v.content === 'string' ? v.content : promptText(v.content);
      if (text.trim() !== '' && this.queue.length < MAX_LIST) this.queue.push(text);
      return undefined;
    }
    if (op === 'dequeue') {
      this.queue.shift();
      return undefined;
    }
    if (op !== 'remove') return undefined;
    // The most recent prompt a person typed (task notifications are the harness's own).
    let at = -1;
    for (let i = this.queue.length - 1; i >= 0; i--) if (!this.queue[i].trimStart().startsWith('<task-notification>')) { at = i; break; }
    if (at === -1) {
      this.queue.pop();
      return undefined;
    }
    const [text] = this.queue.splice(at, 1);
    const reason = str(v.reason);
    if (reason !== undefined && reason !== 'absorbed_mid_turn') return undefined;
    addCount(this.counts, 'queued_prompts');
    return { k: 'prompt', text: capString(text.trim(), this.maxField, this.counts), deferred: true };
  }

  private onPrLink(v: Obj): void {
    const url = str(v.prUrl) ?? str(v.url);
    const m = url ? PR_URL.exec(url) : null;
    const number = num(v.prNumber) ?? (m ? Number(m[2]) : undefined);
    const repo = str(v.prRepository) ?? m?.[1];
    if (!url || number === undefined || !repo) {
      addCount(this.counts, 'pr_links_incomplete');
      return;
    }
    this.prs.set(`${repo}#${number}`, { number, url, repo });
  }

  private onSystem(v: Obj): void {
    const subtype = str(v.subtype) ?? 'none';
    addCount(this.counts, `system_${typeKey(subtype)}`);
    if (subtype === 'compact_boundary' && this.compactions.length < MAX_LIST) {
      const meta = isObj(v.compactMetadata) ? v.compactMetadata : {};
      const c: Obj = {};
      if (str(v.timestamp)) c.timestamp = v.timestamp;
      if (str(meta.trigger)) c.trigger = meta.trigger;
      if (typeof meta.preTokens === 'number') c.preTokens = meta.preTokens;
      this.compactions.push(c);
    } else if (subtype === 'turn_duration') {
      this.turnDurationMs += num(v.durationMs) ?? 0;
    } else if (subtype === 'api_error') {
      this.apiErrors++;
    } else if (subtype === 'away_summary' && this.awaySummaries.length < 100) {
      const text = str(v.content) ?? str(v.summary);
      if (text) this.awaySummaries.push(capString(text, SHORT, {}));
    }
  }

  private onAttachment(v: Obj): PromptItem | undefined {
    const a = isObj(v.attachment) ? v.attachment : {};
    const type = str(a.type) ?? 'unnamed';
    addCount(this.counts, `attachment_${typeKey(type)}`);
    if (type !== 'queued_command') return undefined;
    const mode = str(a.commandMode) ?? 'prompt';
    if (mode === 'task-notification') {
      addCount(this.counts, 'stripped_task_notification');
      return undefined;
    }
    const origin = isObj(a.origin) ? str(a.origin.kind) : undefined;
    if (mode !== 'prompt' || a.isMeta === true || (origin !== undefined && origin !== 'human')) {
      addCount(this.counts, 'queued_commands_not_human');
      return undefined;
    }
    const text = promptText(a.prompt).trim();
    if (text === '') return undefined;
    addCount(this.counts, 'queued_prompts');
    return { k: 'prompt', text: capString(text, this.maxField, this.counts) };
  }

  /** Pull requests the file names, in order of first mention. */
  get prLinks(): SessionPrLink[] {
    return [...this.prs.values()];
  }

  /** What goes into `Session.extra`. */
  extra(): Record<string, unknown> {
    const e: Record<string, unknown> = {};
    if (this.summaries.length) e.summaries = this.summaries;
    if (this.compactions.length) e.compactions = this.compactions;
    if (this.customTitle) e.customTitle = this.customTitle;
    if (this.aiTitle) e.aiTitle = this.aiTitle;
    if (this.agentName) e.agentName = this.agentName;
    if (this.lastPrompt) e.lastPrompt = this.lastPrompt;
    if (this.modes.length) e.modes = this.modes;
    if (this.permissionModes.length) e.permissionModes = this.permissionModes;
    if (this.awaySummaries.length) e.awaySummaries = this.awaySummaries;
    if (this.turnDurationMs > 0) e.turnDurationMs = this.turnDurationMs;
    if (this.apiErrors > 0) e.apiErrors = this.apiErrors;
    return e;
  }
}
