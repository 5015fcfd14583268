// The rules an `export dpo` line keeps, per target. The messages inside follow the same rules as
// the SFT exports of that target (checked with the same checkers); these add the preference shape.
import { checkLlamaFactoryRankingLine, LLAMAFACTORY_RULES } from './llamafactory-rules.ts';
import { checkOpenAiMessages, checkTools, OPENAI_RULES, TRL_RULES } from './openai-rules.ts';
import { Breaks, extraKeys, isObject, type Rule, type RuleBreak } from './rules.ts';
/** The preference formats `harvest export dpo` writes. */
export type DpoFormat = 'trl' | 'llamafactory' | 'openai';
export const DPO_FORMATS: readonly DpoFormat[] = ['trl', 'llamafactory', 'openai'];

const TRL = 'TRL docs/source/dataset_formats.md, Preference (explicit prompt, conversational)';
const OPENAI = 'OpenAI guide "Direct preference optimization", Data format; API reference FineTunePreferenceRequestInput';

const MESSAGE_RULES = ['role', 'message-keys', 'content', 'tool-call-shape', 'arguments', 'tool-answers-call', 'tool-name', 'calls-answered', 'user-first', 'reasoning', 'tools-shape', 'call-declared'];

export const DPO_RULES: Record<DpoFormat, readonly Rule[]> = {
  trl: [
    { id: 'pair-shape', says: 'a line has prompt, chosen and rejected message lists (and optional tools, metadata); chosen and rejected open with an assistant message and differ', source: TRL },
    { id: 'prompt-ends-on-input', says: 'the prompt ends on a user or tool message', source: TRL },
    ...TRL_RULES.filter((r) => MESSAGE_RULES.includes(r.id)),
  ],
  llamafactory: LLAMAFACTORY_RULES,
  openai: [
    { id: 'pair-shape', says: 'a line is {input: {messages, tools?, parallel_tool_calls?}, preferred_output, non_preferred_output}', source: OPENAI },
    { id: 'output-one-text-message', says: 'each output is a list of one assistant message with text content only, and the two differ', source: OPENAI },
    { id: 'prompt-ends-on-input', says: 'the input messages end on a user or tool message', source: OPENAI },
    ...OPENAI_RULES.filter((r) => MESSAGE_RULES.includes(r.id)),
  ],
};

const endsOnInput = (msgs: unknown[]): boolean => {
  const last = msgs.at(-1);
  return isObject(last) && (last.role === 'user' || last.role === 'tool');
};

function checkTrlPair(line: Record<string, unknown>, b: Breaks): void {
  const { prompt, chosen, rejected } = line;
  if (extraKeys(line, ['prompt', 'chosen', 'rejected', 'tools', 'metadata']).length) b.add('pair-shape', `the line has ${extraKeys(line, ['prompt', 'chosen', 'rejected', 'tools', 'metadata']).join(', ')}`);
  if (!Array.isArray(prompt) || !prompt.length || !Array.isArray(chosen) || !Array.isArray(rejected)) return b.add('pair-shape', 'prompt, chosen or rejected is not a non-empty list');
  for (const [name, side] of [['chosen', chosen], ['rejected', rejected]] as const) {
    if (!isObject(side[0]) || side[0].role !== 'assistant') b.add('pair-shape', `${name} does not open with an assistant message`);
  }
  if (JSON.stringify(chosen) === JSON.stringify(rejected)) b.add('pair-shape', 'chosen and rejected are the same');
  if (!endsOnInput(prompt)) b.add('prompt-ends-on-input', 'the prompt does not end on a user or tool message');
  const declared = checkTools(line.tools, b);
  for (const side of [chosen, rejected]) checkOpenAiMessages([...prompt, ...side], { target: 'trl', arguments: 'object' }, line.tools === undefined ? new Set() : declared, b);
}

function checkOpenAiPair(line: Record<string, unknown>, b: Breaks): void {
  if (extraKeys(line, ['input', 'preferred_output', 'non_preferred_output']).length) b.add('pair-shape', `the line has ${extraKeys(line, ['input', 'preferred_output', 'non_preferred_output']).join(', ')}`);
  const input = line.input;
  if (!isObject(input) || !Array.isArray(input.messages) || !input.messages.length) return b.add('pair-shape', 'input.messages is not a non-empty list');
  if (extraKeys(input, ['messages', 'tools', 'parallel_tool_calls']).length) b.add('pair-shape', `input has ${extraKeys(input, ['messages', 'tools', 'parallel_tool_calls']).join(', ')}`);
  if (!endsOnInput(input.messages)) b.add('prompt-ends-on-input', 'input.messages does not end on a user or tool message');
  const declared = checkTools(input.tools, b);
  const sides: unknown[] = [];
  for (const key of ['preferred_output', 'non_preferred_output'] as const) {
    const out = line[key];
    const m = Array.isArray(out) && out.length === 1 ? out[0] : null;
    if (!isObject(m) || m.role !== 'assistant' || typeof m.content !== 'string' || m.content.trim() === '' || extraKeys(m, ['role', 'content']).length) {
      b.add('output-one-text-message', `${key} is not a list of one assistant message with text content only`);
      continue;
    }
    sides.push(m);
  }
  if (sides.length === 2 && JSON.stringify(sides[0]) === JSON.stringify(sides[1])) b.add('output-one-text-message', 'the two outputs are the same');
  // The input alone: its own calls must be answered, except those of its last assistant message.
  checkOpenAiMessages([...input.messages, ...(sides.length ? [sides[0]] : [])], { target: 'openai', arguments: 'string' }, input.tools === undefined ? new Set() : declared, b);
}

export function checkDpoLine(line: unknown, format: DpoFormat): RuleBreak[] {
  if (format === 'llamafactory') return checkLlamaFactoryRankingLine(line);
  const b = new Breaks();
  if (!isObject(line)) return [{ rule: 'pair-shape', detail: 'the line is not an object' }];
  if (format === 'trl') checkTrlPair(line, b);
  else checkOpenAiPair(line, b);
  // Preference lines carry no weights: the SFT-only rule does not apply to them.
  return b.list.filter((x) => x.rule !== 'trained-assistant');
}
