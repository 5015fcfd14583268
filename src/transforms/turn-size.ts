import type { Turn } from '../model/session.ts';

/** JSON of a tool call's input as it is rendered into a sample (compact, `{}` when absent). */
export function toolInputJson(input: unknown): string {
  if (input === null || typeof input !== 'object') return JSON.stringify(input ?? {}) ?? '{}';
  let json = inputJson.get(input);
  if (json === undefined) {
    json = JSON.stringify(input) ?? '{}';
    inputJson.set(input, json);
  }
  return json;
}

// Sizing and every overlapping window render the same call: its input is serialised once. Inputs
// are not mutated once read (scrubbing makes new objects; budget fitting edits clones it measures
// with measureTurnChars, and they are rendered only once it is done).
const inputJson = new WeakMap<object, string>();

/**
 * Rendered size of a turn in characters: text, thinking, tool calls (name + input JSON) and tool
 * results. The one measure the chunk budget and the content filter both use.
 */
export function turnChars(turn: Turn): number {
  const known = sizes.get(turn);
  if (known !== undefined) return known;
  const n = charsWith(turn, toolInputJson);
  sizes.set(turn, n);
  return n;
}

/** The same measure, never cached: for turns being edited in place (budget fitting). */
export function measureTurnChars(turn: Turn): number {
  // Not toolInputJson: budget fitting edits tool inputs in place, so nothing here may be remembered.
  return charsWith(turn, (input) => JSON.stringify(input ?? {}) ?? '{}');
}

function charsWith(turn: Turn, inputJson: (input: unknown) => string): number {
  let n = turn.text.length + (turn.thinking?.length ?? 0);
  for (const call of turn.toolCalls) n += call.name.length + inputJson(call.input).length;
  for (const result of turn.toolResults) n += result.content.length;
  return n;
}

// Chunking asks for a turn's size once per window it falls in; turns are not mutated after reading.
const sizes = new WeakMap<Turn, number>();
