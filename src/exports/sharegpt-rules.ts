// The rules an `export sharegpt` line keeps: lora-forge's layout (system, then human and gpt in
// strict alternation, ending on gpt), which is also what LLaMA-Factory's ShareGPT converter and
// axolotl's chat_template type (from/value mapped to role/content) accept.
import { Breaks, extraKeys, isObject, type Rule, type RuleBreak } from './rules.ts';

const LAYOUT = 'lora-forge ShareGPT layout (harvest README); LLaMA-Factory converter.py SharegptDatasetConverter';

export const SHAREGPT_RULES: readonly Rule[] = [
  { id: 'line-shape', says: 'a line is {conversations, weight?} with conversations a list of {from, value: string, train?: false}', source: LAYOUT },
  { id: 'system-first', says: 'the first message is the system message, and the only one', source: LAYOUT },
  { id: 'alternation', says: 'after the system message, human and gpt alternate, human first', source: LAYOUT },
  { id: 'ends-on-gpt', says: 'the last message is gpt, with at least one human/gpt pair', source: LAYOUT },
  { id: 'not-empty', says: 'no human or gpt message is empty', source: LAYOUT },
  { id: 'train-flag', says: 'train, when present, is false and on a gpt message', source: 'axolotl docs/dataset-formats/conversation.qmd, message_field_training' },
];

export function checkShareGptLine(line: unknown): RuleBreak[] {
  const b = new Breaks();
  if (!isObject(line) || !Array.isArray(line.conversations)) return [{ rule: 'line-shape', detail: 'the line has no conversations list' }];
  if (extraKeys(line, ['conversations', 'weight', 'metadata']).length) b.add('line-shape', `the line has ${extraKeys(line, ['conversations', 'weight', 'metadata']).join(', ')}`);
  if (line.weight !== undefined && typeof line.weight !== 'number') b.add('line-shape', 'weight is not a number');
  const conv = line.conversations as unknown[];
  conv.forEach((m, i) => {
    const at = `conversations[${i}]`;
    if (!isObject(m) || typeof m.from !== 'string' || typeof m.value !== 'string') return b.add('line-shape', `${at} is not {from, value: string}`);
    if (extraKeys(m, ['from', 'value', 'train']).length) b.add('line-shape', `${at} has ${extraKeys(m, ['from', 'value', 'train']).join(', ')}`);
    if (m.train !== undefined && (m.train !== false || m.from !== 'gpt')) b.add('train-flag', `${at} (${m.from}) has train ${JSON.stringify(m.train)}`);
    if (i === 0) {
      if (m.from !== 'system') b.add('system-first', `${at} is ${m.from}`);
      return;
    }
    const want = i % 2 === 1 ? 'human' : 'gpt';
    if (m.from === 'system') b.add('system-first', `${at} is a second system message`);
    else if (m.from !== want) b.add('alternation', `${at} is ${m.from}, expected ${want}`);
    if (m.value.trim() === '') b.add('not-empty', `${at} (${m.from}) is empty`);
  });
  const last = conv.at(-1);
  if (conv.length < 3 || !isObject(last) || last.from !== 'gpt') b.add('ends-on-gpt', `${conv.length} messages, the last is ${isObject(last) ? String(last.from) : 'none'}`);
  return b.list;
}
