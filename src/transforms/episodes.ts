// A conversation as episodes of steps.
//
// An episode starts at real human input (a user turn whose text is not blank: a typed prompt, an
// orchestrator's dispatch, a slash command's expanded prompt, a queued prompt, a pi bashExecution)
// and runs through the agent's steps until the next one. A step is one assistant turn with the
// results of its tool calls, found by call id wherever they arrived (results of one step may come
// in several user turns; a result can even arrive after the next human input).
//
// Consecutive human inputs with no step between them make one task: identical text (a resubmitted
// prompt) is kept once, different texts are joined. Assistant turns before the first human input
// belong to no episode (`steps_without_task`); results whose call is not in the conversation are
// dropped (`tool_results_orphaned`). Pure.
import { addCount, type Counts, type ToolCall, type ToolResult, type Turn } from '../model/session.ts';

export interface Step {
  /** Index of the assistant turn in the input. */
  turnIndex: number;
  turn: Turn;
  /** Tool calls with ids made unique and non-empty (results point at these ids). */
  calls: ToolCall[];
  /** The result of each call, by position; undefined when the file has none (yet). */
  results: (ToolResult | undefined)[];
}

export interface Episode {
  /** The human input that opened it (joined when several came in a row). */
  task: string;
  /** Index of the (first) user turn that opened it. */
  taskTurnIndex: number;
  /** The user turn itself (timestamps, humanCommand, ...). */
  taskTurn: Turn;
  steps: Step[];
}

export interface SegmentResult {
  episodes: Episode[];
  counts: Counts;
}

export function segmentEpisodes(turns: readonly Turn[]): SegmentResult {
  const counts: Counts = { episodes: 0, steps: 0, steps_without_task: 0, tool_results_orphaned: 0, tool_calls_unanswered: 0 };
  const episodes: Episode[] = [];
  // File call id -> the calls that carry it, oldest first (a replayed reply can repeat an id); a
  // result answers the oldest one still open. Calls with an empty id are answered by results with
  // an empty id, in order.
  const byId = new Map<string, { step: Step; pos: number }[]>();
  const usedIds = new Set<string>();
  let current: Episode | null = null;

  const uniqueId = (raw: string, turnIndex: number, pos: number): string => {
    const base = raw !== '' ? raw : `call_${turnIndex}_${pos}`;
    let id = base;
    for (let k = 1; usedIds.has(id); k++) id = `${base}_${k}`;
    usedIds.add(id);
    return id;
  };

  const attach = (result: ToolResult): void => {
    const hit = byId.get(result.id)?.find((c) => c.step.results[c.pos] === undefined);
    if (!hit) {
      addCount(counts, 'tool_results_orphaned');
      return;
    }
    hit.step.results[hit.pos] = { ...result, id: hit.step.calls[hit.pos].id };
  };

  turns.forEach((turn, turnIndex) => {
    if (turn.role === 'user') {
      for (const r of turn.toolResults) attach(r);
      const text = turn.text.trim();
      if (text === '') return;
      if (current && current.steps.length === 0) {
        // Human input twice with no step between: one task (a resubmission is kept once).
        if (current.task !== text) current.task = `${current.task}\n\n${text}`;
        else addCount(counts, 'resubmitted_prompts');
        return;
      }
      current = { task: text, taskTurnIndex: turnIndex, taskTurn: turn, steps: [] };
      episodes.push(current);
      return;
    }
    if (!current) {
      addCount(counts, 'steps_without_task');
      return;
    }
    const step: Step = { turnIndex, turn, calls: [], results: [] };
    turn.toolCalls.forEach((call, pos) => {
      const id = uniqueId(call.id, turnIndex, pos);
      step.calls.push(id === call.id ? call : { ...call, id });
      step.results.push(undefined);
      const list = byId.get(call.id) ?? [];
      list.push({ step, pos });
      byId.set(call.id, list);
    });
    current.steps.push(step);
  });

  // An episode whose human input got no reply teaches nothing: dropped.
  const kept = episodes.filter((e) => {
    if (e.steps.length > 0) return true;
    addCount(counts, 'episodes_without_steps');
    return false;
  });
  for (const e of kept) {
    counts.steps += e.steps.length;
    for (const s of e.steps) for (const r of s.results) if (r === undefined) addCount(counts, 'tool_calls_unanswered');
  }
  counts.episodes = kept.length;
  return { episodes: kept, counts };
}
