// What every export's rules checker shares: a rule has an id, what it says, and where the target
// documents (or its code enforces) it; a checker returns the rules a line breaks, empty when none.
// Checkers read the rendered line as the target would, never the renderer's own data, so a bug in
// a renderer is caught instead of repeated.

export interface Rule {
  id: string;
  says: string;
  /** The document or source file the rule comes from. */
  source: string;
}

export interface RuleBreak {
  rule: string;
  detail: string;
}

export const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Keys of `o` outside `allowed`. */
export const extraKeys = (o: Record<string, unknown>, allowed: readonly string[]): string[] =>
  Object.keys(o).filter((k) => !allowed.includes(k));

/** A JSON text that parses to an object (not an array, not a scalar). */
export function parsesToObject(text: unknown): boolean {
  if (typeof text !== 'string') return false;
  try {
    return isObject(JSON.parse(text));
  } catch {
    return false;
  }
}

/** OpenAI's function name pattern (chat completions `tools[].function.name`). */
export const FUNCTION_NAME = /^[a-zA-Z0-9_-]{1,64}$/;

/**
 * Problems of one `{type: "function", function: {name, description?, parameters?}}` spec, as the
 * OpenAI function spec defines it. Returns details (the caller names the rule).
 */
export function functionSpecProblems(spec: unknown, where: string): string[] {
  if (!isObject(spec)) return [`${where} is not an object`];
  if (spec.type !== 'function') return [`${where}.type is ${JSON.stringify(spec.type)}, not "function"`];
  const f = spec.function;
  if (!isObject(f)) return [`${where}.function is not an object`];
  const out: string[] = [];
  if (typeof f.name !== 'string' || !FUNCTION_NAME.test(f.name)) out.push(`${where}.function.name ${JSON.stringify(f.name)} does not match ${FUNCTION_NAME}`);
  if (f.description !== undefined && typeof f.description !== 'string') out.push(`${where}.function.description is not a string`);
  if (f.parameters !== undefined) {
    if (!isObject(f.parameters)) out.push(`${where}.function.parameters is not an object`);
    else if (f.parameters.type !== 'object') out.push(`${where}.function.parameters.type is ${JSON.stringify(f.parameters.type)}, not "object"`);
  }
  return out;
}

/** Names declared by a list of function specs (those that have one). */
export function declaredNames(tools: unknown): Set<string> {
  const names = new Set<string>();
  if (!Array.isArray(tools)) return names;
  for (const t of tools) {
    const n = isObject(t) && isObject(t.function) ? t.function.name : undefined;
    if (typeof n === 'string') names.add(n);
  }
  return names;
}

/** Collects breaks, at most a few per rule, so one bad sample names what is wrong without a flood. */
export class Breaks {
  readonly list: RuleBreak[] = [];
  add(rule: string, detail: string): void {
    if (this.list.filter((b) => b.rule === rule).length < 3) this.list.push({ rule, detail });
  }
}
