// The tool spec of every tool a session calls: the session's own declaration (omp session_init),
// else the runtime's built-in registry, else a schema inferred from the argument names and JSON
// types of the session's calls (MCP tools and anything else). One spec object per tool per session,
// so samples share it.
import { addCount, type Counts, type Session, type Turn } from '../model/session.ts';
import type { JsonSchema, ToolSpec, ToolSpecOrigin } from '../model/tool-spec.ts';
import { builtinToolSpec } from '../sources/builtin-tools.ts';

/** Tool input as the sample carries it: an object (anything else is wrapped as `{input: ...}`). */
export function argumentsObject(input: unknown): Record<string, unknown> {
  if (input !== null && typeof input === 'object' && !Array.isArray(input)) return input as Record<string, unknown>;
  return input === undefined ? {} : { input };
}

function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v === 'object' ? 'object' : typeof v;
}

interface Seen {
  calls: number;
  keys: Map<string, { n: number; types: Set<string> }>;
}

function inferSpec(name: string, seen: Seen): ToolSpec {
  const properties: Record<string, JsonSchema> = {};
  const required: string[] = [];
  for (const [key, { n, types }] of seen.keys) {
    // integer within number is number; several types stay a list.
    if (types.has('number')) types.delete('integer');
    const list = [...types].sort();
    properties[key] = { type: list.length === 1 ? list[0] : list };
    if (n === seen.calls) required.push(key);
  }
  return { type: 'function', function: { name, description: `${name} (schema inferred from its calls)`, parameters: { type: 'object', properties, required } } };
}

export class SessionToolSpecs {
  private readonly declared = new Map<string, ToolSpec>();
  private readonly seen = new Map<string, Seen>();
  private readonly chosen = new Map<string, { spec: ToolSpec; origin: ToolSpecOrigin }>();

  constructor(private readonly session: Session) {
    for (const t of session.tools ?? []) this.declared.set(t.function.name, t);
    const note = (turns: Turn[]) => {
      for (const turn of turns) {
        for (const call of turn.toolCalls) {
          let s = this.seen.get(call.name);
          if (!s) this.seen.set(call.name, (s = { calls: 0, keys: new Map() }));
          s.calls++;
          for (const [k, v] of Object.entries(argumentsObject(call.input))) {
            let key = s.keys.get(k);
            if (!key) s.keys.set(k, (key = { n: 0, types: new Set() }));
            key.n++;
            key.types.add(jsonType(v));
          }
        }
      }
    };
    note(session.turns);
    for (const b of session.abandoned) note(b.turns);
  }

  /** The spec of one tool, and where it came from. */
  spec(name: string): { spec: ToolSpec; origin: ToolSpecOrigin } {
    let hit = this.chosen.get(name);
    if (!hit) {
      const declared = this.declared.get(name);
      const builtin = declared ? undefined : builtinToolSpec(this.session.runtime, name);
      hit = declared
        ? { spec: declared, origin: 'session' }
        : builtin
          ? { spec: builtin, origin: 'builtin' }
          : { spec: inferSpec(name, this.seen.get(name) ?? { calls: 0, keys: new Map() }), origin: 'inferred' };
      this.chosen.set(name, hit);
    }
    return hit;
  }

  /** Specs of the named tools, once each, in the order given; counts `tool_specs.<origin>`. */
  specsFor(names: Iterable<string>, counts?: Counts): ToolSpec[] {
    const out: ToolSpec[] = [];
    const done = new Set<string>();
    for (const name of names) {
      if (done.has(name)) continue;
      done.add(name);
      const { spec, origin } = this.spec(name);
      if (counts) addCount(counts, `tool_specs.${origin}`);
      out.push(spec);
    }
    return out;
  }
}
