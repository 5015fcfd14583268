import type { Turn } from '../model/session.ts';
import { truncateMiddle } from './truncate.ts';
import { measureTurnChars } from './turn-size.ts';

/** One string inside a turn that may be shortened: text, thinking, a tool result, a string in a tool input. */
interface Slot {
  value: string;
  /** Chars it adds to the turn's rendered size (JSON escapes count for strings inside tool inputs). */
  weight: number;
  set(value: string): void;
}

const plain = (value: string, set: (v: string) => void): Slot => ({ value, weight: value.length, set });

function cloneTurn(turn: Turn): Turn {
  return {
    ...turn,
    toolCalls: turn.toolCalls.map((call) => ({ ...call, input: structuredClone(call.input) })),
    toolResults: turn.toolResults.map((result) => ({ ...result })),
  };
}

function inputSlots(holder: Record<string | number, unknown>, key: string | number, out: Slot[]): void {
  const value = holder[key];
  if (typeof value === 'string') {
    out.push({ value, weight: JSON.stringify(value).length - 2, set: (v) => (holder[key] = v) });
  } else if (Array.isArray(value)) {
    value.forEach((_, i) => inputSlots(value as unknown as Record<number, unknown>, i, out));
  } else if (value !== null && typeof value === 'object') {
    for (const k of Object.keys(value)) inputSlots(value as Record<string, unknown>, k, out);
  }
}

/** Slots of a cloned turn; setting one edits that clone. */
function slotsOf(turn: Turn): Slot[] {
  const slots: Slot[] = [plain(turn.text, (v) => (turn.text = v))];
  if (turn.thinking) slots.push(plain(turn.thinking, (v) => (turn.thinking = v)));
  for (const result of turn.toolResults) slots.push(plain(result.content, (v) => (result.content = v)));
  for (const call of turn.toolCalls) inputSlots(call as unknown as Record<string, unknown>, 'input', slots);
  return slots;
}

/** Largest per-slot length so that the slots, each cut to it, add up to at most `available`. */
function waterLevel(lengths: number[], available: number): number {
  const sorted = [...lengths].sort((a, b) => a - b);
  let remaining = available;
  for (let i = 0; i < sorted.length; i++) {
    const left = sorted.length - i;
    if (sorted[i] * left > remaining) return Math.max(0, Math.floor(remaining / left));
    remaining -= sorted[i];
  }
  return Number.POSITIVE_INFINITY;
}

// Clones are edited in place here, so their size is measured afresh each time.
const sizeOf = (turns: Turn[]): number => turns.reduce((n, t) => n + measureTurnChars(t), 0);

/**
 * Shrinks turns to fit `maxChars` by cutting the middle out of their longest strings first (short
 * ones stay whole). Returns copies; the input is untouched. Only names and JSON punctuation are
 * never cut, so a budget below those is exceeded.
 */
export function fitTurnsToBudget(turns: Turn[], maxChars: number): { turns: Turn[]; truncatedTurns: number } {
  if (sizeOf(turns) <= maxChars) return { turns, truncatedTurns: 0 };
  let target = maxChars;
  let fitted = turns;
  let truncatedTurns = 0;
  // JSON escapes make a string count more than its length: re-measure and tighten a few times.
  for (let round = 0; round < 4; round++) {
    const clones = turns.map(cloneTurn);
    const slots = clones.map(slotsOf);
    const slotChars = slots.flat().reduce((n, s) => n + s.weight, 0);
    const overhead = sizeOf(clones) - slotChars;
    const level = waterLevel(slots.flat().map((s) => s.weight), target - overhead);
    truncatedTurns = 0;
    for (const turnSlots of slots) {
      const long = turnSlots.filter((s) => s.weight > level);
      // Scale the cut to raw chars: an escaped string renders longer than it is.
      for (const slot of long) slot.set(truncateMiddle(slot.value, Math.floor((level * slot.value.length) / slot.weight)));
      if (long.length > 0) truncatedTurns++;
    }
    fitted = clones;
    const size = sizeOf(clones);
    if (size <= maxChars) break;
    target -= size - maxChars;
  }
  return { turns: fitted, truncatedTurns };
}
