// Test helpers: write hand-made pi session files into a temp sessions root.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export function tempRoot(prefix = 'harvest-pi-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Writes `lines` (objects are JSON-encoded, strings written as they are) to `<root>/<rel>`. */
export function writeLines(root: string, rel: string, lines: unknown[]): string {
  const path = join(root, rel);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n') + '\n');
  return path;
}

export const header = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  type: 'session',
  version: 3,
  id: 'sess-0001',
  timestamp: '2026-01-01T10:00:00.000Z',
  cwd: '/home/ubuntu/gt/harvest/polecats/nux',
  ...extra,
});

let clock = Date.UTC(2026, 0, 1, 10, 0, 1);
const nextTs = (): string => new Date((clock += 1000)).toISOString();

export function user(id: string | undefined, parentId: string | null | undefined, text: string): Record<string, unknown> {
  return entry(id, parentId, { type: 'message', message: { role: 'user', content: [{ type: 'text', text }], timestamp: clock } });
}

export function assistant(
  id: string | undefined,
  parentId: string | null | undefined,
  text: string,
  calls: { id: string; name: string; arguments?: unknown }[] = [],
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  const content: unknown[] = [];
  if (text) content.push({ type: 'text', text });
  for (const c of calls) content.push({ type: 'toolCall', id: c.id, name: c.name, arguments: c.arguments ?? {} });
  return entry(id, parentId, {
    type: 'message',
    message: {
      role: 'assistant', content, api: 'anthropic-messages', provider: 'anthropic', model: 'claude-opus-4-5',
      usage: { input: 10, output: 5, cacheRead: 100, cacheWrite: 0, totalTokens: 115, cost: { total: 0.01 } },
      stopReason: calls.length ? 'toolUse' : 'stop', timestamp: clock, ...extra,
    },
  });
}

export function toolResult(id: string | undefined, parentId: string | null | undefined, toolCallId: string, text: string, isError = false): Record<string, unknown> {
  return entry(id, parentId, {
    type: 'message',
    message: { role: 'toolResult', toolCallId, toolName: 'bash', content: [{ type: 'text', text }], isError, timestamp: clock },
  });
}

/** An entry with id / parentId only where given (undefined leaves the key out, as v1 and pir do). */
export function entry(id: string | undefined, parentId: string | null | undefined, body: Record<string, unknown>): Record<string, unknown> {
  const e: Record<string, unknown> = { type: body.type };
  if (id !== undefined) e.id = id;
  if (parentId !== undefined) e.parentId = parentId;
  e.timestamp = nextTs();
  return { ...e, ...body };
}
