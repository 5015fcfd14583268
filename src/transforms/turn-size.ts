import type { Turn } from '../model/session.ts';

/** JSON of a tool call's input as it is rendered into a sample (compact, `{}` when absent). */
export function toolInputJson(input: unknown): string {
  return JSON.stringify(input ?? {}) ?? '{}';
}

/**
 * Rendered size of a turn in characters: text, thinking, tool calls (name + input JSON) and tool
 * results. The one measure the chunk budget and the content filter both use.
 */
export function turnChars(turn: Turn): number {
  const known = sizes.get(turn);
  if (known !== undefined) return known;
  const n = measureTurnChars(turn);
  sizes.set(turn, n);
  return n;
}

/** The same measure, never cached: for turns being edited in place (budget fitting). */
export function measureTurnChars(turn: Turn): number {
  let n = turn.text.length + (turn.thinking?.length ?? 0);
  for (const call of turn.toolCalls) n += call.name.length + toolInputJson(call.input).length;
  for (const result of turn.toolResults) n += result.content.length;
  return n;
}

// Chunking asks for a turn's size once per window it falls in; turns are not mutated after reading.
const sizes = new WeakMap<Turn, number>();
