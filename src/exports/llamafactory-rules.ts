// The rules an `export llamafactory` line keeps: what LLaMA-Factory's loader does with it, read from
// its source (src/llamafactory/data/converter.py SharegptDatasetConverter, formatter.py
// FunctionFormatter / ToolFormatter, tool_utils.py DefaultToolUtils, template.py thought words).
// Its converter drops a misaligned line with a warning and trains on the rest, so a file can load
// and lose half its samples: these rules are the alignment it applies, checked before it does.
import { Breaks, extraKeys, functionSpecProblems, isObject, type Rule, type RuleBreak } from './rules.ts';

const CONVERTER = 'LLaMA-Factory src/llamafactory/data/converter.py, SharegptDatasetConverter';
const FORMATTER = 'LLaMA-Factory src/llamafactory/data/formatter.py, FunctionFormatter / ToolFormatter';
const TOOL_UTILS = 'LLaMA-Factory src/llamafactory/data/tool_utils.py, DefaultToolUtils.tool_formatter';

export const LLAMAFACTORY_RULES: readonly Rule[] = [
  { id: 'line-shape', says: 'a line has `conversations` (a list of {from, value} with string values), a string `system` and a string `tools`', source: 'LLaMA-Factory data/README.md, Sharegpt Format' },
  { id: 'tag', says: 'every `from` is human, gpt, observation or function_call (the system prompt is in the system column)', source: CONVERTER },
  { id: 'alignment', says: 'human/observation at even indexes (odd positions), gpt/function_call at odd indexes (even positions)', source: CONVERTER },
  { id: 'count', says: 'the conversation has an even, non-zero number of messages (ranking prompts: odd)', source: CONVERTER },
  { id: 'function-call', says: 'a function_call value is, after one leading "<think>\\n...\\n</think>\\n\\n" block, JSON of {name, arguments: object} or a non-empty list of them', source: FORMATTER },
  { id: 'thought', says: 'a thought block opens the value, exactly as the template\'s thought words, and is closed', source: 'LLaMA-Factory src/llamafactory/data/template.py, thought_words / remove_thought' },
  { id: 'tools', says: 'tools is a JSON list of function specs, each with parameters.properties an object whose enum values are strings and items objects (the default tool formatter indexes them)', source: TOOL_UTILS },
  { id: 'call-declared', says: 'every called function is declared in tools', source: TOOL_UTILS },
  { id: 'ranking-sides', says: 'chosen and rejected are single {from, value} messages from gpt or function_call, and differ', source: CONVERTER },
];

const ODD = ['human', 'observation'];
const EVEN = ['gpt', 'function_call'];
const OPEN = '<think>\n';
const CLOSE = '\n</think>\n\n';

/** The value with its leading thought block removed, as FunctionFormatter removes it; null if broken. */
function afterThought(value: string, where: string, b: Breaks): string | null {
  if (!value.includes('<think>') && !value.includes('</think>')) return value;
  if (!value.startsWith(OPEN)) {
    b.add('thought', `${where} has a think tag that does not open the value as "<think>\\n"`);
    return null;
  }
  const end = value.indexOf(CLOSE);
  if (end === -1) {
    b.add('thought', `${where} opens a thought that "\\n</think>\\n\\n" never closes`);
    return null;
  }
  return value.slice(end + CLOSE.length);
}

function checkFunctionCall(value: string, where: string, declared: Set<string>, b: Breaks): void {
  const rest = afterThought(value, where, b);
  if (rest === null) return;
  let parsed: unknown;
  try {
    parsed = JSON.parse(rest);
  } catch {
    return b.add('function-call', `${where} is not JSON after its thought`);
  }
  const calls = Array.isArray(parsed) ? parsed : [parsed];
  if (calls.length === 0) return b.add('function-call', `${where} is an empty list`);
  calls.forEach((c, i) => {
    if (!isObject(c) || typeof c.name !== 'string' || !isObject(c.arguments)) {
      return b.add('function-call', `${where} call ${i} is not {name, arguments: object}`);
    }
    if (!declared.has(c.name)) b.add('call-declared', `${where} calls ${c.name}, not in tools`);
  });
}

/** The tools column as the default tool formatter reads it; returns the declared names. */
export function checkLfTools(tools: unknown, b: Breaks): Set<string> {
  const names = new Set<string>();
  if (typeof tools !== 'string') {
    b.add('line-shape', 'tools is not a string');
    return names;
  }
  let list: unknown;
  try {
    list = JSON.parse(tools);
  } catch {
    b.add('tools', 'tools is not JSON');
    return names;
  }
  if (!Array.isArray(list)) {
    b.add('tools', 'tools is not a JSON list');
    return names;
  }
  list.forEach((t, i) => {
    const at = `tools[${i}]`;
    functionSpecProblems(t, at).forEach((p) => b.add('tools', p));
    const f = isObject(t) && isObject(t.function) ? t.function : null;
    if (!f) return;
    if (typeof f.name === 'string') names.add(f.name);
    const props = isObject(f.parameters) ? f.parameters.properties : undefined;
    if (!isObject(props)) return b.add('tools', `${at}.function.parameters.properties is not an object`);
    for (const [name, p] of Object.entries(props)) {
      if (!isObject(p)) {
        b.add('tools', `${at} parameter ${name} is not an object`);
        continue;
      }
      if (p.enum !== undefined && !(Array.isArray(p.enum) && p.enum.every((e) => typeof e === 'string'))) b.add('tools', `${at} parameter ${name} has a non-string enum`);
      if (p.items !== undefined && !isObject(p.items)) b.add('tools', `${at} parameter ${name} has items that are not an object`);
    }
  });
  return names;
}

/** A list of ShareGPT messages; `ranking` for a preference prompt (odd count, ends on human/observation). */
export function checkLfConversation(conv: unknown, declared: Set<string>, ranking: boolean, b: Breaks): void {
  if (!Array.isArray(conv)) return b.add('line-shape', 'conversations is not a list');
  conv.forEach((m, i) => {
    const at = `conversations[${i}]`;
    if (!isObject(m) || typeof m.value !== 'string' || typeof m.from !== 'string') return b.add('line-shape', `${at} is not {from, value: string}`);
    if (extraKeys(m, ['from', 'value']).length) b.add('line-shape', `${at} has ${extraKeys(m, ['from', 'value']).join(', ')}`);
    if (![...ODD, ...EVEN].includes(m.from)) return b.add('tag', `${at}.from is ${JSON.stringify(m.from)}`);
    const want = i % 2 === 0 ? ODD : EVEN;
    if (!want.includes(m.from)) b.add('alignment', `${at} is ${m.from}, index ${i} takes ${want.join(' or ')}`);
    if (m.from === 'function_call') checkFunctionCall(m.value, at, declared, b);
    else if (m.from === 'gpt') afterThought(m.value, at, b);
  });
  const n = conv.length;
  if (n === 0 || (ranking ? n % 2 === 0 : n % 2 !== 0)) b.add('count', `${n} messages (needs ${ranking ? 'an odd' : 'an even, non-zero'} count)`);
}

function checkLine(line: unknown, ranking: boolean): RuleBreak[] {
  const b = new Breaks();
  if (!isObject(line)) return [{ rule: 'line-shape', detail: 'the line is not an object' }];
  if (typeof line.system !== 'string') b.add('line-shape', 'system is not a string');
  const declared = checkLfTools(line.tools, b);
  checkLfConversation(line.conversations, declared, ranking, b);
  if (ranking) checkRankingSides(line, declared, b);
  return b.list;
}

function checkRankingSides(line: Record<string, unknown>, declared: Set<string>, b: Breaks): void {
  for (const side of ['chosen', 'rejected'] as const) {
    const m = line[side];
    if (!isObject(m) || typeof m.from !== 'string' || typeof m.value !== 'string') {
      b.add('ranking-sides', `${side} is not one {from, value} message`);
      continue;
    }
    if (!EVEN.includes(m.from)) b.add('ranking-sides', `${side}.from is ${m.from}`);
    if (m.from === 'function_call') checkFunctionCall(m.value, side, declared, b);
  }
  if (isObject(line.chosen) && isObject(line.rejected) && line.chosen.value === line.rejected.value && line.chosen.from === line.rejected.from) {
    b.add('ranking-sides', 'chosen and rejected are the same');
  }
}

export const checkLlamaFactoryLine = (line: unknown): RuleBreak[] => checkLine(line, false);

/** A ranking line: `conversations` the prompt, `chosen` / `rejected` one message each. */
export const checkLlamaFactoryRankingLine = (line: unknown): RuleBreak[] => checkLine(line, true);
