// The one model of a session that every source (Claude Code, pi, pir, omp, Codex, Gemini CLI,
// OpenCode) produces and every transform consumes. Sources fill what their format has; absent
// facts stay undefined.
import type { ToolSpec } from './tool-spec.ts';

/** Which program wrote the session (metadata.source / metadata.runtime). */
export type Runtime = 'claude-code' | 'pi' | 'pir' | 'omp' | 'codex' | 'gemini' | 'opencode';
/** Which on-disk format the file is in (decided from content, not from the folder). */
export type SessionFormat = 'claude' | 'pi' | 'codex' | 'gemini' | 'opencode';

export interface ToolCall {
  id: string;
  name: string;
  input: unknown;
}

export interface ToolResult {
  /** Id of the ToolCall this answers; sources pair by order when the file left it empty. */
  id: string;
  /** Rendered text; list-form content is joined text, never a language repr. */
  content: string;
  isError: boolean;
}

export interface Usage {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
  totalTokens?: number;
  /** Total cost in USD where the source records it. */
  cost?: number;
}

/**
 * One turn of the conversation. `user` turns carry what a human (or the orchestrator) said and
 * the tool results; `assistant` turns carry text, thinking and tool calls. Consecutive assistant
 * lines of one streamed reply are already merged by the source.
 *
 * A user turn's `text` holds only real input: what a person typed, what the orchestrator
 * dispatched (`[GAS TOWN] ...` banners, nudges, mail), a slash command's expanded prompt, a queued
 * prompt, a pi `bashExecution`. Sources strip (and count) harness text: caveats, local-command
 * output, system reminders, task notifications, skill listings, hook output, subagent trailers.
 * Segmentation opens an episode at every user turn whose text is not blank.
 */
export interface Turn {
  role: 'user' | 'assistant';
  text: string;
  thinking?: string;
  toolCalls: ToolCall[];
  toolResults: ToolResult[];
  usage?: Usage;
  model?: string;
  provider?: string;
  api?: string;
  stopReason?: string;
  /** ISO-8601 time of the turn (first line of it). */
  timestamp?: string;
  /** Source entry id (Claude `uuid` / `message.id`, pi entry id): for links, never for content. */
  entryId?: string;
  /** True for a user turn that is a command the human ran themselves (pi bashExecution). */
  humanCommand?: boolean;
}

/** An abandoned branch of a tree-shaped session (pi): raw material for preference pairs. */
export interface AbandonedBranch {
  /** Entry id where the branch leaves the active path (last shared entry), or null at the root. */
  branchPointId: string | null;
  /** Number of turns of the active path up to and including the branch point. */
  branchPointTurnIndex: number;
  /** Turns after the branch point, in order. */
  turns: Turn[];
  leafId: string;
}

export interface Session {
  id: string;
  format: SessionFormat;
  runtime: Runtime;
  /** Absolute path of the file it was read from. */
  path: string;
  cwd?: string;
  gitBranch?: string;
  /** Models used, in order of first use. */
  models: string[];
  provider?: string;
  parentSessionId?: string;
  /** Subagent id (Claude `agent-<id>.jsonl`). */
  agentId?: string;
  /** Subagent type where the parent's Task/Agent call names it. */
  subagentType?: string;
  startedAt?: string;
  endedAt?: string;
  /** The active conversation, in order. */
  turns: Turn[];
  /**
   * Tool schemas the session itself declares (omp `session_init`, ...). Samples prefer these to
   * the runtime's built-in registry and to schemas inferred from calls.
   */
  tools?: ToolSpec[];
  /** Pull requests the session's file names (Claude Code `pr-link` lines, ...). */
  prs?: SessionPrLink[];
  abandoned: AbandonedBranch[];
  /**
   * Source-specific facts worth keeping in sample metadata: pi thinking levels, compactions
   * {count, tokensBefore}, branch summaries, session name, labels, Claude version, ...
   */
  extra: Record<string, unknown>;
}

/** A pull request named by the session file itself. */
export interface SessionPrLink {
  number: number;
  url: string;
  /** `owner/name` as GitHub spells it. */
  repo: string;
}

/** Named counts that travel with the data: skipped lines by reason, redactions by kind, ... */
export type Counts = Record<string, number>;

export function addCount(counts: Counts, key: string, n = 1): void {
  counts[key] = (counts[key] ?? 0) + n;
}

export function mergeCounts(into: Counts, from: Counts, prefix = ''): Counts {
  for (const [k, v] of Object.entries(from)) addCount(into, prefix + k, v);
  return into;
}

/** What a source returns for one file: the session (or null when nothing usable) and its counts. */
export interface ReadResult {
  session: Session | null;
  counts: Counts;
  /** Human-readable warnings worth a log line (missing blob, orphan entries, ...). */
  warnings: string[];
}
