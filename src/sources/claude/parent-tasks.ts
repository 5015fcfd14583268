// Links a subagent transcript to the Task/Agent tool call of its parent session that spawned it.
// The parent is streamed once; only the Task calls (id, subagent_type, prompt hash) are kept.
import { createHash } from 'node:crypto';
import { basename, dirname, join } from 'node:path';
import { readJsonLines } from '../jsonl-lines.ts';
import type { Counts } from '../../model/session.ts';

/** Tool names under which Claude Code spawns a subagent (`Task`, renamed `Agent` later). */
export const SPAWN_TOOLS: ReadonlySet<string> = new Set(['Task', 'Agent']);

export interface TaskCall {
  toolUseId: string;
  subagentType?: string;
  description?: string;
}

export interface ParentTaskIndex {
  /** Agent id named by a Task call's result (`toolUseResult.agentId` or `agentId: x` in its text). */
  byAgentId: Map<string, TaskCall>;
  /** sha1 of the trimmed Task `prompt` input: the subagent's first user message. */
  byPromptHash: Map<string, TaskCall>;
}

export function promptHash(prompt: string): string {
  return createHash('sha1').update(prompt.trim()).digest('hex');
}

const AGENT_ID_IN_TEXT = /agentId:\s*([A-Za-z0-9_-]+)/;

function isObj(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/**
 * Where the parent of a subagent file lives: `<project>/<parent>.jsonl` for
 * `<project>/<parent>/subagents/agent-x.jsonl`, or beside a sibling `agent-x.jsonl` named by the
 * `sessionId` its lines carry. `folderSessionId` is the folder name in the first layout.
 */
export function parentLocation(
  agentPath: string,
  lineSessionId: string | undefined,
): { parentPath?: string; folderSessionId?: string } {
  const dir = dirname(agentPath);
  if (basename(dir) === 'subagents') {
    const sessionDir = dirname(dir);
    const folderSessionId = basename(sessionDir);
    return { parentPath: join(dirname(sessionDir), `${folderSessionId}.jsonl`), folderSessionId };
  }
  if (lineSessionId && !lineSessionId.includes('/') && !lineSessionId.includes('\\')) {
    return { parentPath: join(dir, `${lineSessionId}.jsonl`) };
  }
  return {};
}

/** Collects Task/Agent calls and the agent ids their results name, one parsed line at a time. */
export class TaskCallIndexer {
  private readonly calls = new Map<string, TaskCall & { hash?: string }>();
  private readonly byAgentId = new Map<string, TaskCall>();

  onLine = (v: unknown): void => {
    if (!isObj(v) || !isObj(v.message) || !Array.isArray(v.message.content)) return;
    if (v.isSidechain === true) return; // a subagent's own calls never spawn its siblings
    if (v.type === 'assistant') {
      for (const b of v.message.content) {
        if (!isObj(b) || b.type !== 'tool_use' || typeof b.id !== 'string') continue;
        if (typeof b.name !== 'string' || !SPAWN_TOOLS.has(b.name)) continue;
        const input = isObj(b.input) ? b.input : {};
        this.calls.set(b.id, {
          toolUseId: b.id,
          subagentType: typeof input.subagent_type === 'string' ? input.subagent_type : undefined,
          description:
            typeof input.description === 'string' ? input.description.slice(0, 200) : undefined,
          hash: typeof input.prompt === 'string' ? promptHash(input.prompt) : undefined,
        });
      }
    } else if (v.type === 'user') {
      for (const b of v.message.content) {
        if (!isObj(b) || b.type !== 'tool_result' || typeof b.tool_use_id !== 'string') continue;
        const call = this.calls.get(b.tool_use_id);
        if (!call) continue;
        const agentId = agentIdOfResult(v.toolUseResult, b.content);
        if (agentId && !this.byAgentId.has(agentId)) this.byAgentId.set(agentId, strip(call));
      }
    }
  };

  index(): ParentTaskIndex {
    const byPromptHash = new Map<string, TaskCall>();
    for (const c of this.calls.values()) {
      if (c.hash && !byPromptHash.has(c.hash)) byPromptHash.set(c.hash, strip(c));
    }
    return { byAgentId: this.byAgentId, byPromptHash };
  }
}

/** Streams a parent session and indexes its Task/Agent calls. Rejects when it cannot be read. */
export async function indexParentTasks(
  parentPath: string,
  opts: { maxLineBytes?: number; readFrom?: string } = {},
): Promise<ParentTaskIndex> {
  const indexer = new TaskCallIndexer();
  const scratch: Counts = {};
  await readJsonLines(parentPath, indexer.onLine, scratch, { maxLineBytes: opts.maxLineBytes, readFrom: opts.readFrom });
  return indexer.index();
}

function strip(c: TaskCall & { hash?: string }): TaskCall {
  return { toolUseId: c.toolUseId, subagentType: c.subagentType, description: c.description };
}

function agentIdOfResult(toolUseResult: unknown, content: unknown): string | undefined {
  if (isObj(toolUseResult) && typeof toolUseResult.agentId === 'string') return toolUseResult.agentId;
  const texts: string[] = [];
  if (typeof content === 'string') texts.push(content);
  else if (Array.isArray(content)) {
    for (const c of content) if (isObj(c) && typeof c.text === 'string') texts.push(c.text);
  }
  for (const t of texts) {
    const m = AGENT_ID_IN_TEXT.exec(t);
    if (m) return m[1];
  }
  return undefined;
}
