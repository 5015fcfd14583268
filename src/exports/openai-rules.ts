// The rules an `export openai` line keeps, checked on the line as written.
//
// target openai: OpenAI's chat fine-tuning format (API reference: FineTuneChatRequestInput and the
//   chat completions message types; guides "Supervised fine-tuning" and "Fine-tuning with function
//   calling"): messages of system / developer / user / assistant / tool with only their own keys,
//   tool calls `{id, type: "function", function: {name, arguments: JSON string}}`, a tool message
//   answering a call of the assistant message it follows, `weight` 0/1 on assistant messages only,
//   at least one trained assistant message, tools as function specs.
// target trl: TRL's conversational format with tools (docs/source/dataset_formats.md "Tool Calling":
//   assistant `tool_calls` with object arguments, tool messages with `name`, a `tools` column of JSON
//   schema function specs), as the chat templates TRL applies read it (Qwen3's raises "No user query
//   found in messages" without a user message).
import { Breaks, declaredNames, extraKeys, functionSpecProblems, isObject, parsesToObject, type Rule, type RuleBreak } from './rules.ts';

const API = 'OpenAI API reference, FineTuneChatRequestInput / chat completions messages';
const TRL = 'TRL docs/source/dataset_formats.md, Tool Calling';

const ALL_RULES: (Rule & { targets: ('openai' | 'trl')[] })[] = [
  { id: 'line-shape', says: 'a line is an object with a non-empty `messages` list, an optional `tools` list (and, for OpenAI, optional `parallel_tool_calls`), nothing else', source: API, targets: ['openai'] },
  { id: 'line-shape', says: 'a line is an object with a non-empty `messages` list and an optional `tools` list', source: TRL, targets: ['trl'] },
  { id: 'role', says: 'every role is system, developer, user, assistant or tool', source: API, targets: ['openai'] },
  { id: 'role', says: 'every role is system, user, assistant or tool', source: TRL, targets: ['trl'] },
  { id: 'message-keys', says: 'a message has only its role\'s keys (system/user: role, content, name; assistant: role, content, name, tool_calls, weight, refusal; tool: role, content, tool_call_id)', source: API, targets: ['openai'] },
  { id: 'message-keys', says: 'a message has only role, content, and its role\'s keys (assistant: tool_calls, reasoning_content, weight; tool: tool_call_id, name)', source: TRL, targets: ['trl'] },
  { id: 'content', says: 'content is a string; system and user content is not empty; an assistant message without tool calls has content', source: API, targets: ['openai', 'trl'] },
  { id: 'tool-call-shape', says: 'tool_calls is a non-empty list of {id, type: "function", function: {name, arguments}} with unique ids and a name matching ^[a-zA-Z0-9_-]{1,64}$', source: API, targets: ['openai', 'trl'] },
  { id: 'arguments', says: 'arguments is a JSON string of an object (OpenAI requires a string)', source: API, targets: ['openai'] },
  { id: 'arguments', says: 'arguments is an object (or, with --arguments string, a JSON string of one)', source: TRL, targets: ['trl'] },
  { id: 'tool-answers-call', says: 'a tool message follows an assistant message (or another tool message) and its tool_call_id answers a call of that assistant message not answered yet', source: API, targets: ['openai', 'trl'] },
  { id: 'tool-name', says: 'a tool message names the function of the call it answers', source: TRL, targets: ['trl'] },
  { id: 'calls-answered', says: 'every call of an assistant message before the last one is answered by the tool messages right after it', source: API, targets: ['openai', 'trl'] },
  { id: 'weight', says: 'weight appears only on assistant messages and is 0 or 1', source: API, targets: ['openai', 'trl'] },
  { id: 'trained-assistant', says: 'at least one assistant message is trained (weight not 0)', source: API, targets: ['openai', 'trl'] },
  { id: 'user-first', says: 'a user message comes before the first assistant message (the chat templates need a query)', source: TRL, targets: ['trl'] },
  { id: 'reasoning', says: 'reasoning_content is a string, on assistant messages only', source: TRL, targets: ['trl'] },
  { id: 'tools-shape', says: 'tools, when present, is a non-empty list of {type: "function", function: {name, description?, parameters?}} with unique names, parameters a JSON schema object', source: API, targets: ['openai', 'trl'] },
  { id: 'call-declared', says: 'every called function is declared in tools', source: API, targets: ['openai', 'trl'] },
];

const strip = ({ id, says, source }: Rule): Rule => ({ id, says, source });
export const OPENAI_RULES: readonly Rule[] = ALL_RULES.filter((r) => r.targets.includes('openai')).map(strip);
export const TRL_RULES: readonly Rule[] = ALL_RULES.filter((r) => r.targets.includes('trl')).map(strip);

export interface OpenAiCheck {
  target: 'openai' | 'trl';
  arguments: 'string' | 'object';
}

const KEYS = {
  openai: {
    line: ['messages', 'tools', 'parallel_tool_calls'],
    system: ['role', 'content', 'name'],
    developer: ['role', 'content', 'name'],
    user: ['role', 'content', 'name'],
    assistant: ['role', 'content', 'name', 'tool_calls', 'weight', 'refusal'],
    tool: ['role', 'content', 'tool_call_id'],
  },
  trl: {
    line: ['messages', 'tools'],
    system: ['role', 'content'],
    user: ['role', 'content'],
    assistant: ['role', 'content', 'tool_calls', 'reasoning_content', 'weight'],
    tool: ['role', 'content', 'tool_call_id', 'name'],
  },
} as const;

/** Checks the `tools` value of a line (shared with the DPO checkers). */
export function checkTools(tools: unknown, b: Breaks): Set<string> {
  if (tools === undefined) return new Set();
  if (!Array.isArray(tools) || tools.length === 0) {
    b.add('tools-shape', 'tools is not a non-empty list');
    return new Set();
  }
  tools.forEach((t, i) => functionSpecProblems(t, `tools[${i}]`).forEach((p) => b.add('tools-shape', p)));
  const names = declaredNames(tools);
  if (names.size !== tools.length) b.add('tools-shape', 'two tools share a name');
  return names;
}

/** Checks a list of messages (a line's `messages`, or a DPO prompt and its continuations joined). */
export function checkOpenAiMessages(messages: unknown[], opts: OpenAiCheck, declared: Set<string> | null, b: Breaks): void {
  const keys = KEYS[opts.target];
  const lastAssistant = messages.map((m) => isObject(m) && m.role === 'assistant').lastIndexOf(true);
  let open = new Map<string, string>(); // unanswered call id -> function name, of the assistant message just before
  let openFrom = -1;
  let sawUser = false;
  let trained = 0;
  messages.forEach((m, i) => {
    const at = `messages[${i}]`;
    if (!isObject(m)) return b.add('line-shape', `${at} is not an object`);
    const role = m.role;
    if (typeof role !== 'string' || !(role in keys) || role === 'line') return b.add('role', `${at}.role is ${JSON.stringify(role)}`);
    const extra = extraKeys(m, keys[role as keyof typeof keys] as readonly string[]);
    if (extra.length) b.add('message-keys', `${at} (${role}) has ${extra.join(', ')}`);
    if (typeof m.content !== 'string') b.add('content', `${at}.content is not a string`);
    else if ((role === 'system' || role === 'user' || role === 'developer') && m.content.trim() === '') b.add('content', `${at} (${role}) is empty`);
    if (m.weight !== undefined && (role !== 'assistant' || (m.weight !== 0 && m.weight !== 1))) b.add('weight', `${at} (${role}) has weight ${JSON.stringify(m.weight)}`);
    if (m.reasoning_content !== undefined && typeof m.reasoning_content !== 'string') b.add('reasoning', `${at}.reasoning_content is not a string`);

    if (role !== 'tool') {
      if (open.size && openFrom !== lastAssistant) b.add('calls-answered', `messages[${openFrom}] has unanswered calls ${[...open.keys()].join(', ')}`);
      open = new Map();
    }
    if (role === 'user') sawUser = true;
    if (role === 'assistant') {
      if (opts.target === 'trl' && !sawUser) b.add('user-first', `${at} comes before any user message`);
      if (m.weight !== 0) trained++;
      const calls = m.tool_calls;
      if (calls === undefined) {
        if (typeof m.content === 'string' && m.content.trim() === '' && !m.reasoning_content) b.add('content', `${at} (assistant) has neither content nor tool calls`);
        return;
      }
      if (!Array.isArray(calls) || calls.length === 0) return b.add('tool-call-shape', `${at}.tool_calls is not a non-empty list`);
      openFrom = i;
      calls.forEach((c, j) => {
        const cat = `${at}.tool_calls[${j}]`;
        if (!isObject(c) || c.type !== 'function' || !isObject(c.function) || typeof c.id !== 'string' || c.id === '') {
          return b.add('tool-call-shape', `${cat} is not {id, type: "function", function}`);
        }
        const f = c.function;
        if (typeof f.name !== 'string' || !/^[a-zA-Z0-9_-]{1,64}$/.test(f.name)) b.add('tool-call-shape', `${cat}.function.name is ${JSON.stringify(f.name)}`);
        if (open.has(c.id)) b.add('tool-call-shape', `${cat}.id ${c.id} repeats`);
        const argsOk = opts.target === 'openai' || opts.arguments === 'string' ? parsesToObject(f.arguments) : isObject(f.arguments);
        if (!argsOk) b.add('arguments', `${cat}.function.arguments is ${opts.target === 'openai' || opts.arguments === 'string' ? 'not a JSON string of an object' : 'not an object'}`);
        if (declared && typeof f.name === 'string' && !declared.has(f.name)) b.add('call-declared', `${cat} calls ${f.name}, not in tools`);
        open.set(c.id, String(f.name));
      });
    }
    if (role === 'tool') {
      const id = m.tool_call_id;
      if (typeof id !== 'string' || !open.has(id)) return b.add('tool-answers-call', `${at}.tool_call_id ${JSON.stringify(id)} answers no open call of the assistant message before it`);
      if (opts.target === 'trl' && m.name !== open.get(id)) b.add('tool-name', `${at}.name is ${JSON.stringify(m.name)}, the call was ${open.get(id)}`);
      open.delete(id);
    }
  });
  if (open.size && openFrom !== lastAssistant) b.add('calls-answered', `messages[${openFrom}] has unanswered calls ${[...open.keys()].join(', ')}`);
  if (trained === 0) b.add('trained-assistant', 'no assistant message is trained');
}

export function checkOpenAiLine(line: unknown, opts: OpenAiCheck): RuleBreak[] {
  const b = new Breaks();
  if (!isObject(line)) return [{ rule: 'line-shape', detail: 'the line is not an object' }];
  const extra = extraKeys(line, KEYS[opts.target].line);
  if (extra.length) b.add('line-shape', `the line has ${extra.join(', ')}`);
  if (!Array.isArray(line.messages) || line.messages.length === 0) {
    b.add('line-shape', 'messages is not a non-empty list');
    return b.list;
  }
  if (line.parallel_tool_calls !== undefined && typeof line.parallel_tool_calls !== 'boolean') b.add('line-shape', 'parallel_tool_calls is not a boolean');
  const declared = checkTools(line.tools, b);
  checkOpenAiMessages(line.messages, opts, line.tools === undefined ? new Set() : declared, b);
  return b.list;
}
