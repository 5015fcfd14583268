// Example samples for the report: per role the best-scoring few and the lowest-scoring one (what a
// higher --min-score would drop first), kept while the dataset streams by, cut to a readable
// length and scrubbed once more before anyone sees them.
import type { ViewMessage } from '../model/sample-view.ts';
import type { ExampleSample } from '../sinks/report/report-data.ts';
import { scrubText } from '../transforms/scrub.ts';
import { truncateMiddle } from '../transforms/truncate.ts';

export const MESSAGE_CHARS = 1200;
/** Messages shown of a long sample: the start (what was asked) and the end (how it finished). */
const HEAD_MESSAGES = 6;
const TAIL_MESSAGES = 5;

function readable(messages: ViewMessage[]): { messages: ViewMessage[]; omitted: number } {
  const cut = (s: string) => scrubText(truncateMiddle(s, MESSAGE_CHARS), {});
  const trim = (m: ViewMessage): ViewMessage => ({
    ...m,
    content: cut(m.content),
    ...(m.reasoning ? { reasoning: cut(m.reasoning) } : {}),
    toolCalls: m.toolCalls.map((c) => ({ name: c.name, arguments: cut(c.arguments) })),
  });
  if (messages.length <= HEAD_MESSAGES + TAIL_MESSAGES) return { messages: messages.map(trim), omitted: 0 };
  return {
    messages: [...messages.slice(0, HEAD_MESSAGES), ...messages.slice(-TAIL_MESSAGES)].map(trim),
    omitted: messages.length - HEAD_MESSAGES - TAIL_MESSAGES,
  };
}

interface Candidate {
  record_id: string;
  session_id: string;
  source: string;
  score: number;
  turns: number;
  messages: ViewMessage[];
}

export class ExamplePicker {
  private readonly best = new Map<string, Candidate[]>();
  private readonly lowest = new Map<string, Candidate>();

  constructor(private readonly perRole = 2) {}

  offer(role: string, c: Candidate): void {
    // Ties go to the earlier sample: the pick does not depend on how the shards were listed twice.
    const list = this.best.get(role) ?? [];
    if (list.length < this.perRole || c.score > list[list.length - 1].score) {
      list.push(c);
      list.sort((a, b) => b.score - a.score || a.record_id.localeCompare(b.record_id));
      list.length = Math.min(list.length, this.perRole);
      this.best.set(role, list);
    }
    const low = this.lowest.get(role);
    if (!low || c.score < low.score || (c.score === low.score && c.record_id.localeCompare(low.record_id) < 0)) this.lowest.set(role, c);
  }

  result(): Record<string, ExampleSample[]> {
    const out: Record<string, ExampleSample[]> = {};
    for (const [role, list] of this.best) {
      const low = this.lowest.get(role);
      const picks: [Candidate, ExampleSample['pick']][] = list.map((c) => [c, 'best']);
      if (low && !list.some((c) => c.record_id === low.record_id)) picks.push([low, 'lowest']);
      out[role] = picks.map(([c, pick]) => ({ record_id: c.record_id, session_id: c.session_id, source: c.source, score: c.score, turns: c.turns, pick, ...readable(c.messages) }));
    }
    return out;
  }
}
