// Preference material from a tree-shaped session (pi): at a branch point the user kept one reply
// (the active path) and left another (an abandoned branch). Prompt = the conversation up to the
// branch point, chosen = the kept reply, rejected = the abandoned one. Pure.
//
// Branches that diverge on what the user said (a different prompt) are not preferences between
// replies and are skipped; a resubmitted identical user message is folded into the prompt.
import type { SampleMessage, ToolMessage } from '../model/sample.ts';
import { addCount, type Counts, type Session, type Turn } from '../model/session.ts';
import type { ToolSpec } from '../model/tool-spec.ts';
import { scrubText } from './scrub.ts';
import { toolArguments, type ThinkingMode } from './step-messages.ts';
import type { SessionToolSpecs } from './tool-specs.ts';
import { turnChars } from './turn-size.ts';

export type Continuation = 'turn' | 'trajectory';

export interface BranchPreference {
  branch_point: string | null;
  /** First entry of the abandoned branch: tells apart branches leaving the same point. */
  branch_key: string | null;
  /** Index of the first active-path turn after the branch point (and any shared user turns). */
  turn_index: number;
  /** System, then the conversation up to the divergence (ends on a user or tool message). */
  prompt: SampleMessage[];
  /** Assistant messages (and, for trajectories, the tool messages between them), ending on assistant. */
  chosen: SampleMessage[];
  rejected: SampleMessage[];
  /** Specs of the tools any part calls. */
  tools: ToolSpec[];
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
  /** Tool specs of the session (default: none attached). */
  specs?: SessionToolSpecs;
}

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

/**
 * Turns as sample messages: results become tool messages right after the call they answer (a
 * result whose call is not among `turns` is dropped), human text a user message. Scrubbed.
 */
function render(turns: Turn[], opts: BranchPreferenceOptions, counts: Counts): SampleMessage[] {
  const out: SampleMessage[] = [];
  const names = new Map<string, string>();
  for (const turn of turns) {
    if (turn.role === 'assistant') {
      const content = scrubText(turn.text.trim(), counts);
      const reasoning = (opts.thinking ?? 'keep') === 'keep' ? scrubText((turn.thinking ?? '').trim(), counts) : '';
      if (content === '' && reasoning === '' && turn.toolCalls.length === 0) continue;
      out.push({
        role: 'assistant',
        content,
        ...(reasoning ? { reasoning_content: reasoning } : {}),
        ...(turn.toolCalls.length
          ? { tool_calls: turn.toolCalls.map((c) => ({ id: c.id, type: 'function' as const, function: { name: c.name, arguments: scrubText(toolArguments(c.input), counts) } })) }
          : {}),
      });
      for (const c of turn.toolCalls) names.set(c.id, c.name);
      continue;
    }
    for (const r of turn.toolResults) {
      const name = names.get(r.id);
      if (name === undefined) continue;
      const m: ToolMessage = { role: 'tool', content: scrubText(r.content, counts), tool_call_id: r.id, name };
      if (r.isError) m.is_error = true;
      out.push(m);
    }
    if (turn.text.trim() !== '') out.push({ role: 'user', content: scrubText(turn.text.trim(), counts) });
  }
  return out;
}

/** A side ends on the assistant: trailing tool results answer nothing that follows. */
function trimToAssistant(msgs: SampleMessage[]): SampleMessage[] {
  const out = [...msgs];
  while (out.length && out[out.length - 1].role !== 'assistant') out.pop();
  return out;
}

function toolNames(msgs: SampleMessage[]): string[] {
  return msgs.flatMap((m) => (m.role === 'assistant' ? (m.tool_calls ?? []).map((c) => c.function.name) : []));
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
    const prompt: SampleMessage[] = [{ role: 'system', content: opts.systemPrompt }, ...render(session.turns.slice(start, k), opts, counts)];
    const chosen = trimToAssistant(render(side(session.turns, k, mode, maxSide), opts, counts));
    const rejected = trimToAssistant(render(side(b.turns, j, mode, maxSide), opts, counts));
    const lastOfPrompt = prompt.at(-1)?.role;
    if (prompt.length < 2 || (lastOfPrompt !== 'user' && lastOfPrompt !== 'tool') || chosen.length === 0 || rejected.length === 0) {
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
      tools: opts.specs ? opts.specs.specsFor([...toolNames(prompt), ...toolNames(chosen), ...toolNames(rejected)]) : [],
      continuation: mode,
      divergence,
    });
    addCount(counts, 'branch_pairs_prepared');
  }
  return { preferences, counts };
}
