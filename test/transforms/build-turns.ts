// Hand-built turns for transform tests: terse builders for user, assistant, tool call and result turns.
import type { ToolCall, ToolResult, Turn } from '../../src/model/session.ts';

let nextId = 0;
export const callId = (): string => `toolu_${String(++nextId).padStart(4, '0')}`;

export function user(text: string, extra: Partial<Turn> = {}): Turn {
  return { role: 'user', text, toolCalls: [], toolResults: [], ...extra };
}

export function assistant(text: string, extra: Partial<Turn> = {}): Turn {
  return { role: 'assistant', text, toolCalls: [], toolResults: [], ...extra };
}

export function call(name: string, input: unknown = {}, id = callId()): ToolCall {
  return { id, name, input };
}

export function result(id: string, content: string, isError = false): ToolResult {
  return { id, content, isError };
}

/** An assistant turn calling `name`, and the user turn that carries its result. */
export function toolPair(name: string, input: unknown, output: string, isError = false, text = ''): [Turn, Turn] {
  const c = call(name, input);
  return [assistant(text, { toolCalls: [c] }), user('', { toolResults: [result(c.id, output, isError)] })];
}
