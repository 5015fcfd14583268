// What one Claude Code transcript line contributes once parsed: a node of the uuid tree
// (`uuid` / `parentUuid`, `logicalParentUuid` across a compaction) and, for conversation lines,
// a compact item holding only what a turn needs (text fields already capped).
import type { CappedText } from '../capped-text.ts';
import type { UserTextPiece } from './user-text.ts';

export type UserPiece =
  | Exclude<UserTextPiece, { k: 'text' }>
  /** Real input, capped once (head + tail) so a turn's cap keeps the true omitted count. */
  | { k: 'text'; text: CappedText }
  | { k: 'result'; id: string; content: string; isError: boolean; persistedPath?: string }
  | { k: 'media'; text: string };

export interface UserItem {
  k: 'user';
  pieces: UserPiece[];
  isMeta: boolean;
  isCompactSummary: boolean;
}

export type AssistantBlock =
  | { k: 'text'; text: CappedText }
  | { k: 'thinking'; text: CappedText }
  | { k: 'tool'; id: string; name: string; input: unknown };

export interface AssistantItem {
  k: 'assistant';
  /** Lines of one streamed reply share it (`message.id`). */
  key: string;
  msgId?: string;
  model?: string;
  blocks: AssistantBlock[];
  usage?: { input: number; output: number; cacheRead: number; cacheWrite: number };
  stopReason?: string;
  /** Nothing kept from the line (empty text, signature-only thinking) and no usage. */
  empty: boolean;
}

/** A prompt the person typed while the agent worked (a `queued_command` attachment, a queue removal). */
export interface PromptItem {
  k: 'prompt';
  text: string;
  /** Folded into a running turn: placed before the next reply (the model saw it with the results). */
  deferred?: boolean;
}

export type ClaudeItem = UserItem | AssistantItem | PromptItem;

export interface ClaudeNode {
  /** 1-based line number. */
  line: number;
  type: string;
  uuid?: string;
  /** undefined: the line has no parentUuid key; null: it says it is a root. */
  parent?: string | null;
  /** A compaction boundary's link to the conversation before it. */
  logicalParent?: string;
  timestamp?: string;
  item?: ClaudeItem;
}
