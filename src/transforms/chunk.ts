import { addCount, type Counts, type Turn } from '../model/session.ts';
import { fitTurnsToBudget } from './fit-turns.ts';
import { turnChars } from './turn-size.ts';

export const DEFAULT_WINDOW = 16;
export const DEFAULT_STRIDE = 8;
/** About 4096 tokens at ~4 chars a token. */
export const DEFAULT_CHAR_BUDGET = 16384;

export interface ChunkOptions {
  /** Most turns in a window. */
  window?: number;
  /** Turns between window starts (before snapping to a user turn). */
  stride?: number;
  /** Most rendered chars in a chunk, system prompt included. */
  charBudget?: number;
  /** Chars of the system prompt that will head every chunk. */
  systemPromptChars?: number;
}

/** Turns `start` (inclusive) to `end` (exclusive) of the input; `turns` may be budget-trimmed copies. */
export interface Chunk {
  start: number;
  end: number;
  turns: Turn[];
}

export interface ChunkResult {
  chunks: Chunk[];
  counts: Counts;
}

/**
 * Overlapping windows over a conversation.
 *
 * - A window opens on a user turn and holds at least one assistant reply (with that reply's tool
 *   results); it takes up to `window` turns, then shrinks to fit `charBudget`.
 * - A window never ends between an assistant turn with tool calls and the user turn carrying their
 *   results. It may open on such a results turn when the session is one long tool loop (there is no
 *   other user turn to open on); the previous window then holds that call and result whole.
 * - The next window opens `stride` turns on, or earlier when needed so that no turn is skipped.
 *   A window whose range lies inside an earlier one is not emitted.
 * - When even the smallest window from a start (its user turn, the assistant reply, the reply's tool
 *   results) exceeds the budget, the longest strings of its turns are cut in the middle until it
 *   fits: no turn is dropped (`chunks_truncated_to_budget`, `chunk_turns_truncated`).
 * - Only assistant turns before the first user turn, and user turns after the last assistant turn,
 *   are in no chunk (`chunk_turns_uncovered`): neither can make a sample.
 */
export function chunkTurns(turns: Turn[], opts: ChunkOptions = {}): ChunkResult {
  const window = opts.window ?? DEFAULT_WINDOW;
  const stride = opts.stride ?? DEFAULT_STRIDE;
  const budget = (opts.charBudget ?? DEFAULT_CHAR_BUDGET) - (opts.systemPromptChars ?? 0);
  if (!(Number.isInteger(window) && window >= 2)) throw new RangeError(`chunk window must be an integer >= 2, got ${window}`);
  if (!(Number.isInteger(stride) && stride >= 1)) throw new RangeError(`chunk stride must be an integer >= 1, got ${stride}`);

  const counts: Counts = {
    chunks: 0,
    chunk_turns_uncovered: 0,
    chunk_subsets_skipped: 0,
    chunks_truncated_to_budget: 0,
    chunk_turns_truncated: 0,
  };
  const chunks: Chunk[] = [];
  const n = turns.length;
  const prefix = [0];
  for (const turn of turns) prefix.push(prefix[prefix.length - 1] + turnChars(turn));
  const charsIn = (start: number, end: number): number => prefix[end] - prefix[start];
  const isUser = (i: number): boolean => turns[i].role === 'user';
  // True when a boundary before turn `e` would part tool calls from their results.
  const partsToolPair = (e: number): boolean =>
    e > 0 && e < n && turns[e - 1].role === 'assistant' && turns[e - 1].toolCalls.length > 0 &&
    turns[e].role === 'user' && turns[e].toolResults.length > 0;
  const nextUser = (i: number): number => {
    while (i < n && !isUser(i)) i++;
    return i;
  };
  const lastUserAtOrBefore = (i: number): number => {
    for (let j = Math.min(i, n - 1); j >= 0; j--) if (isUser(j)) return j;
    return -1;
  };
  // Smallest end from `start`: past its user turns and the assistant run after them, and their results.
  const smallestEnd = (start: number): number => {
    let e = start;
    while (e < n && isUser(e)) e++;
    if (e === n) return -1;
    while (e < n && !isUser(e)) e++;
    while (partsToolPair(e)) e++;
    return e;
  };

  let start = nextUser(0);
  addCount(counts, 'chunk_turns_uncovered', start);
  let coveredTo = start;
  while (start < n) {
    const minEnd = smallestEnd(start);
    if (minEnd === -1) break;
    let end = Math.max(minEnd, Math.min(start + window, n));
    while (end > minEnd && partsToolPair(end)) end--;
    while (end > minEnd && charsIn(start, end) > budget) {
      end--;
      while (end > minEnd && partsToolPair(end)) end--;
    }
    if (end <= coveredTo) {
      addCount(counts, 'chunk_subsets_skipped');
    } else {
      let chunkTurns = turns.slice(start, end);
      if (charsIn(start, end) > budget) {
        const fitted = fitTurnsToBudget(chunkTurns, budget);
        chunkTurns = fitted.turns;
        addCount(counts, 'chunks_truncated_to_budget');
        addCount(counts, 'chunk_turns_truncated', fitted.truncatedTurns);
      }
      chunks.push({ start, end, turns: chunkTurns });
      coveredTo = end;
    }
    if (end >= n) break;
    // Open at or before `end` so the turn there is covered; a user turn always exists past `start`.
    let next = Math.min(nextUser(start + stride), lastUserAtOrBefore(end));
    if (next <= start) next = nextUser(start + 1);
    start = next;
  }
  addCount(counts, 'chunk_turns_uncovered', n - coveredTo);
  counts.chunks = chunks.length;
  return { chunks, counts };
}
