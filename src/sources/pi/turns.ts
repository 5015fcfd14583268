// A path of pi entries -> turns: tool results gather into one user turn after the assistant turn
// whose calls they answer; a result with an empty id takes the first unanswered call.
import { addCount, type Counts, type ToolResult, type Turn } from '../../model/session.ts';
import { EMPTY_ID_PREFIX } from './content.ts';

/** What one entry contributes to a conversation; structure-only entries carry none. */
export type Item =
  | { k: 'user'; text: string; humanCommand?: true }
  | { k: 'assistant'; turn: Turn }
  | { k: 'toolResult'; result: ToolResult };

export interface PiNode {
  /** Id as written (undefined when absent: v1, or a pir entry it never got). */
  rawId: string | undefined;
  /** undefined: key absent; null: explicit root. */
  rawParent: string | null | undefined;
  line: number;
  id: string;
  parent: string | null;
  ts?: string;
  item?: Item;
}

function withEntry(turn: Turn, n: PiNode, copy = true): Turn {
  const t = copy ? { ...turn } : turn;
  if (n.ts) t.timestamp = n.ts;
  t.entryId = n.id;
  return t;
}

export class TurnBuilder {
  readonly turns: Turn[] = [];
  private pending: string[] = [];
  private mergeable = false;

  constructor(private counts: Counts) {}

  /** Turns so far belong to the shared prefix: drop them, and count from here on. */
  startBranch(counts: Counts): void {
    this.turns.length = 0;
    this.mergeable = false;
    this.counts = counts;
  }

  push(n: PiNode): void {
    const item = n.item;
    if (!item) return;
    if (item.k === 'assistant') {
      const turn = withEntry(item.turn, n);
      this.turns.push(turn);
      this.pending = turn.toolCalls.map((c) => c.id);
      this.mergeable = false;
      return;
    }
    if (item.k === 'user') {
      const turn: Turn = { role: 'user', text: item.text, toolCalls: [], toolResults: [] };
      if (item.humanCommand) turn.humanCommand = true;
      this.turns.push(withEntry(turn, n, false));
      this.mergeable = false;
      return;
    }
    const result = { ...item.result };
    const at = result.id === '' ? -1 : this.pending.indexOf(result.id);
    if (at >= 0) this.pending.splice(at, 1);
    else if (this.pending.length && (result.id === '' || this.pending[0].startsWith(EMPTY_ID_PREFIX))) {
      result.id = this.pending.shift()!;
      addCount(this.counts, 'tool_ids_paired_by_order');
    } else addCount(this.counts, 'tool_results_unmatched');
    const last = this.turns[this.turns.length - 1];
    if (this.mergeable && last) last.toolResults.push(result);
    else {
      this.turns.push(withEntry({ role: 'user', text: '', toolCalls: [], toolResults: [result] }, n, false));
      this.mergeable = true;
    }
  }
}
