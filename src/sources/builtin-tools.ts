// Which built-in tool specs each runtime has: one list per source folder (`<harness>/tools.ts`).
import type { Runtime } from '../model/session.ts';
import type { ToolSpec } from '../model/tool-spec.ts';
import { BUILTIN_TOOLS as CLAUDE } from './claude/tools.ts';
import { BUILTIN_TOOLS as CODEX } from './codex/tools.ts';
import { BUILTIN_TOOLS as GEMINI } from './gemini/tools.ts';
import { BUILTIN_TOOLS as OPENCODE } from './opencode/tools.ts';
import { BUILTIN_TOOLS as PI } from './pi/tools.ts';

const BY_RUNTIME: Partial<Record<Runtime, readonly ToolSpec[]>> = {
  'claude-code': CLAUDE,
  pi: PI,
  pir: PI,
  omp: PI,
  codex: CODEX,
  gemini: GEMINI,
  opencode: OPENCODE,
};

const indexes = new Map<Runtime, Map<string, ToolSpec>>();

/** The runtime's built-in spec of a tool, or undefined (MCP tools, tools of unknown runtimes). */
export function builtinToolSpec(runtime: Runtime, name: string): ToolSpec | undefined {
  let index = indexes.get(runtime);
  if (!index) {
    index = new Map((BY_RUNTIME[runtime] ?? []).map((t) => [t.function.name, t]));
    indexes.set(runtime, index);
  }
  return index.get(name);
}
