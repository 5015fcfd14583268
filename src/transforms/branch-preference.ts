// Preference material from a tree-shaped session (pi): at a branch point the user kept one reply
// (the active path) and left another (an abandoned branch). Prompt = the conversation up to the
// branch point, chosen = the kept reply, rejected = the abandoned one. Pure.
//
// Branches that diverge on what the user said (a different prompt) are not preferences between
// replies and are skipped; a resubmitted identical user message is folded into the prompt.
import type { ShareGptMessage } from '../model/sample.ts';
import { addCount, type Counts, type Session, type Turn } from '../model/session.ts';
import { formatShareGpt, type ThinkingMode } from './sharegpt.ts';
import { scrubText } from './scrub.ts';
import { turnChars } from './turn-size.ts';

export type Continuation = 'turn' | 'trajectory';

export interface BranchPreference {
  branch_point: string | null;
  /** First entry of the abandoned branch: tells apart branches leaving the same point. */
  branch_key: string | null;
  /** Index of the first active-path turn after the branch point (and any shared user turns). */
  turn_index: number;
  prompt: ShareGptMessage[];
  chosen: ShareGptMessage[];
  rejected: ShareGptMessage[];
  continuation: Continuation;
  /** `assistant`: the replies differ; `resubmitted`: the same user message was sent again first. */
  divergence: 'assistant' | 'resubmitted';
}

export interface BranchPreferenceOptions {
  systemPrompt: string;
  thinking?: ThinkingMode;
  /** `turn` (default): one assistant message a side; `trajectory`: up to the next human words. */
  continuation?: Continuation;
  /** Most turns of context before the branch point (default 12). */
  maxPromptTurns?: number;
  /** Most chars of context before the branch point (default 12000). */
  maxPromptChars?: number;
  /** Most turns a trajectory side takes (default 16). */
  maxSideTurns?: number;
}

const SENTINEL = '\u0000';
const blank = (role: 'user' | 'assistant'): Turn => ({ role, text: SENTINEL, toolCalls: [], toolResults: [] });

const sameUserTurn = (a: Turn, b: Turn): boolean =>
  a.role === 'user' && b.role === 'user' && a.text.trim() === b.text.trim() &&
  a.toolResults.length === b.toolResults.length && a.toolResults.every((r, i) => r.content === b.toolResults[i].content);

/** Human words (not only tool results): where a trajectory side ends. */
const humanSpeaks = (t: Turn): boolean => t.role === 'user' && t.text.trim() !== '' && t.toolResults.length === 0;

function side(turns: Turn[], from: number, mode: Continuation, maxTurns: number): Turn[] {
  const out: Turn[] = [];
  for (let i = from; i < turns.length && out.length < maxTurns; i++) {
    const turn = turns[i];
    if (mode === 'turn' && turn.role === 'user') break;
    if (mode === 'trajectory' && out.length > 0 && humanSpeaks(turn)) break;
    out.push(turn);
  }
  return out;
}

function render(turns: Turn[], opts: BranchPreferenceOptions, counts: Counts): ShareGptMessage[] {
  // The renderer wants human first and gpt last: pad with sentinels and cut them off again.
  const padded = [...(turns[0]?.role === 'user' ? [] : [blank('user')]), ...turns, ...(turns.at(-1)?.role === 'assistant' ? [] : [blank('assistant')])];
  const r = formatShareGpt(padded, { systemPrompt: opts.systemPrompt, thinking: opts.thinking });
  if (!r.conversations) return [];
  return r.conversations
    .filter((m) => m.value !== SENTINEL)
    .map((m) => ({ from: m.from, value: scrubText(m.value, counts) }));
}

/** A side ends on the assistant: trailing tool results answer nothing that follows. */
function trimToGpt(msgs: ShareGptMessage[]): ShareGptMessage[] {
  const out = [...msgs];
  while (out.length && out[out.length - 1].from !== 'gpt') out.pop();
  return out;
}

export function branchPreferences(session: Session, opts: BranchPreferenceOptions): { preferences: BranchPreference[]; counts: Counts } {
  const counts: Counts = {};
  const preferences: BranchPreference[] = [];
  const mode = opts.continuation ?? 'turn';
  const maxPromptTurns = opts.maxPromptTurns ?? 12;
  const maxPromptChars = opts.maxPromptChars ?? 12_000;
  const maxSide = mode === 'turn' ? Number.MAX_SAFE_INTEGER : (opts.maxSideTurns ?? 16);
  for (const b of session.abandoned) {
    let k = Math.max(0, Math.min(b.branchPointTurnIndex, session.turns.length));
    let j = 0;
    let divergence: BranchPreference['divergence'] = 'assistant';
    while (k < session.turns.length && j < b.turns.length && sameUserTurn(session.turns[k], b.turns[j])) {
      k++;
      j++;
      divergence = 'resubmitted';
    }
    const kept = session.turns[k];
    const left = b.turns[j];
    if (!kept || !left) {
      addCount(counts, 'branch_pairs_skipped_no_continuation');
      continue;
    }
    if (kept.role === 'user' || left.role === 'user') {
      addCount(counts, 'branch_pairs_skipped_user_divergence');
      continue;
    }
    // Context: back from the branch point to a user turn, within the turn and char budgets.
    let start = Math.max(0, k - maxPromptTurns);
    let chars = 0;
    for (let i = k - 1; i >= start; i--) {
      chars += turnChars(session.turns[i]);
      if (chars > maxPromptChars) {
        start = i + 1;
        break;
      }
    }
    while (start < k && session.turns[start].role !== 'user') start++;
    if (start >= k) {
      addCount(counts, 'branch_pairs_skipped_no_prompt');
      continue;
    }
    const prompt = render(session.turns.slice(start, k), opts, counts);
    const chosenAll = render(side(session.turns, k, mode, maxSide), opts, counts);
    const rejectedAll = render(side(b.turns, j, mode, maxSide), opts, counts);
    // Both sides render after a sentinel human: drop the system message the renderer adds.
    const chosen = trimToGpt(chosenAll.filter((m) => m.from !== 'system'));
    const rejected = trimToGpt(rejectedAll.filter((m) => m.from !== 'system'));
    if (prompt.length < 2 || prompt.at(-1)?.from !== 'human' || chosen.length === 0 || rejected.length === 0) {
      addCount(counts, 'branch_pairs_skipped_empty');
      continue;
    }
    if (JSON.stringify(chosen) === JSON.stringify(rejected)) {
      addCount(counts, 'branch_pairs_skipped_identical');
      continue;
    }
    preferences.push({
      branch_point: b.branchPointId,
      branch_key: b.turns[0]?.entryId ?? b.leafId,
      turn_index: k,
      prompt,
      chosen,
      rejected,
      continuation: mode,
      divergence,
    });
    addCount(counts, 'branch_pairs_prepared');
  }
  return { preferences, counts };
}
