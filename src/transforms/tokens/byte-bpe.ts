// Counts the tokens of a byte-level BPE tokenizer (Qwen3, Llama 3: a Hugging Face `tokenizer.json`
// with a Split pre-tokenizer, ByteLevel and a BPE model) without building token ids.
//
// Why not the libraries' own encoders: @lenml/tokenizers and the Rust `tokenizers` binding both run
// at about 0.3 MB/s here, and every sample of every session is counted. This counter gives the same
// counts (test/transforms/tokens.test.ts checks it against the Rust binding on real sessions) at
// 5-20 MB/s: symbols are token ids, merges a Map of packed id pairs, and each pre-token's count is
// cached (session text repeats its words).
import { readFileSync } from 'node:fs';
import { asciiTokenEnd, LLAMA3_SPLIT, QWEN_SPLIT } from './ascii-pretokenizer.ts';

export interface ByteBpeSpec {
  vocab: Record<string, number>;
  merges: (string | [string, string])[];
  /** The Split pre-tokenizer's regex as the tokenizer file gives it (Rust regex syntax). */
  pattern: string;
  /** Added tokens (special or not): each is one token wherever it appears in text. */
  addedTokens: string[];
  normalizeNfc: boolean;
  /** With ignore_merges, a pre-token that is itself in the vocabulary is one token. */
  ignoreMerges: boolean;
}

/** Reads the parts of a Hugging Face tokenizer.json that counting needs. */
export function byteBpeSpecFromFile(path: string): ByteBpeSpec {
  const t = JSON.parse(readFileSync(path, 'utf8')) as {
    normalizer: { type?: string } | null;
    pre_tokenizer: { type: string; pretokenizers?: { type: string; pattern?: { Regex?: string } }[] };
    model: { type: string; vocab: Record<string, number>; merges: (string | [string, string])[]; ignore_merges?: boolean };
    added_tokens: { content: string }[];
  };
  if (t.model.type !== 'BPE') throw new Error(`${path}: not a BPE tokenizer (${t.model.type})`);
  const split = t.pre_tokenizer.pretokenizers?.find((p) => p.type === 'Split')?.pattern?.Regex;
  if (!split || !t.pre_tokenizer.pretokenizers?.some((p) => p.type === 'ByteLevel')) {
    throw new Error(`${path}: expected a Split + ByteLevel pre-tokenizer`);
  }
  return {
    vocab: t.model.vocab,
    merges: t.model.merges,
    pattern: split,
    addedTokens: t.added_tokens.map((a) => a.content),
    normalizeNfc: t.normalizer?.type === 'NFC',
    ignoreMerges: t.model.ignore_merges === true,
  };
}

/** The GPT-2 byte-to-character table that ByteLevel uses. */
function byteChars(): string[] {
  const bytes: number[] = [];
  for (let b = 33; b <= 126; b++) bytes.push(b);
  for (let b = 161; b <= 172; b++) bytes.push(b);
  for (let b = 174; b <= 255; b++) bytes.push(b);
  const chars = bytes.slice();
  let extra = 0;
  for (let b = 0; b < 256; b++) {
    if (!bytes.includes(b)) {
      bytes.push(b);
      chars.push(256 + extra++);
    }
  }
  const table = new Array<string>(256);
  bytes.forEach((b, i) => (table[b] = String.fromCharCode(chars[i])));
  return table;
}

/** Rust regex syntax JavaScript lacks: inline case-insensitive groups `(?i:...)`. */
function jsPattern(rust: string): RegExp {
  const js = rust.replace(/\(\?i:([^()]*)\)/g, (_, body: string) =>
    '(?:' + body.replace(/[a-z]/g, (c) => `[${c}${c.toUpperCase()}]`) + ')');
  return new RegExp(js, 'gu');
}

const NFC_CANDIDATE = /[\u0300-\uffff]/;
const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const ID_BITS = 2 ** 21; // token ids stay below 2^21 (Qwen3: 151k, Llama 3: 128k)
const WORD_CACHE_MAX = 200_000;
const SLOTS = 1 << 18;

export class ByteBpeCounter {
  private readonly pattern: RegExp;
  /** The same pattern, sticky: one pre-token at a given position. */
  private readonly sticky: RegExp;
  private readonly added: RegExp | null;
  /**
   * When every added token starts with one character (`<` in Qwen3 and Llama 3): that character,
   * and the tokens longest first. Found by indexOf and startsWith instead of the regex.
   */
  private readonly addedLead: string | null;
  /** The added tokens by their second character, longest first. */
  private readonly addedBySecond = new Map<number, string[]>();
  /** packed (left id, right id) -> rank * ID_BITS + merged id */
  private readonly merges = new Map<number, number>();
  private readonly byteIds: number[];
  private readonly vocab: Map<string, number> | null;
  private readonly byteTable = byteChars();
  private readonly encoder = new TextEncoder();
  private readonly words = new Map<string, number>();
  /** Digits per pre-token of the ASCII scanner, or 0 when it does not know the pattern. */
  private readonly asciiDigits: number;
  // Pre-token counts of ASCII text, looked up without slicing: open addressing on a hash of the
  // span, checked against the stored word with startsWith.
  private readonly slotWords: (string | undefined)[] = new Array(SLOTS);
  private readonly slotCounts = new Int32Array(SLOTS);
  private slotsUsed = 0;

  constructor(private readonly spec: ByteBpeSpec) {
    this.pattern = jsPattern(spec.pattern);
    this.sticky = new RegExp(this.pattern.source, 'uy');
    const added = [...spec.addedTokens].sort((a, b) => b.length - a.length).map(escapeRe);
    this.added = added.length ? new RegExp(added.join('|'), 'g') : null;
    const firsts = new Set(spec.addedTokens.map((t) => t[0]));
    this.addedLead = firsts.size === 1 ? [...firsts][0] : null;
    for (const t of [...spec.addedTokens].sort((a, b) => b.length - a.length)) {
      const k = t.charCodeAt(1);
      const list = this.addedBySecond.get(k) ?? [];
      list.push(t);
      this.addedBySecond.set(k, list);
    }
    const vocab = spec.vocab;
    this.byteIds = this.byteTable.map((c) => {
      const id = vocab[c];
      if (id === undefined) throw new Error(`tokenizer vocabulary lacks the byte symbol ${JSON.stringify(c)}`);
      return id;
    });
    spec.merges.forEach((m, rank) => {
      const [a, b] = typeof m === 'string' ? (m.split(' ', 2) as [string, string]) : m;
      const ia = vocab[a];
      const ib = vocab[b];
      const merged = vocab[a + b];
      if (ia === undefined || ib === undefined || merged === undefined) return;
      const key = ia * ID_BITS + ib;
      if (!this.merges.has(key)) this.merges.set(key, rank * ID_BITS + merged);
    });
    this.vocab = spec.ignoreMerges ? new Map(Object.entries(vocab)) : null;
    this.asciiDigits = spec.pattern === QWEN_SPLIT ? 1 : spec.pattern === LLAMA3_SPLIT ? 3 : 0;
  }

  /** Tokens of `text` as the tokenizer encodes it without special-token wrapping. */
  count(text: string): number {
    if (text === '') return 0;
    if (!this.added) return this.countPlain(text);
    if (this.addedLead !== null) return this.countByLead(text, this.addedLead);
    let n = 0;
    let from = 0;
    this.added.lastIndex = 0;
    for (let m = this.added.exec(text); m; m = this.added.exec(text)) {
      if (m.index > from) n += this.countPlain(text.slice(from, m.index));
      n++;
      from = m.index + m[0].length;
    }
    if (from < text.length) n += this.countPlain(text.slice(from));
    return n;
  }

  /** As `count`, finding the added tokens at each occurrence of their one leading character. */
  private countByLead(text: string, lead: string): number {
    let n = 0;
    let from = 0;
    for (let i = text.indexOf(lead); i >= 0; i = text.indexOf(lead, i + 1)) {
      const candidates = this.addedBySecond.get(text.charCodeAt(i + 1));
      if (candidates === undefined) continue;
      let token: string | undefined;
      for (const t of candidates) if (text.startsWith(t, i)) { token = t; break; }
      if (token === undefined) continue;
      if (i > from) n += this.countPlain(text.slice(from, i));
      n++;
      from = i + token.length;
      i = from - 1;
    }
    if (from < text.length) n += this.countPlain(from === 0 ? text : text.slice(from));
    return n;
  }

  private countPlain(text: string): number {
    // Only text with characters from U+0300 up can change under NFC.
    const s = this.spec.normalizeNfc && NFC_CANDIDATE.test(text) ? text.normalize('NFC') : text;
    if (this.asciiDigits === 0) return this.countByRegex(s);
    let n = 0;
    const len = s.length;
    for (let pos = 0; pos < len;) {
      let end = asciiTokenEnd(s, pos, this.asciiDigits);
      if (end < 0) {
        // A decision that needs Unicode classes: the regex, for this one pre-token.
        this.sticky.lastIndex = pos;
        const m = this.sticky.exec(s);
        end = m && m[0].length > 0 ? pos + m[0].length : pos + 1;
      }
      // A single ASCII byte is always one token of a byte-level vocabulary.
      n += end - pos === 1 && s.charCodeAt(pos) < 128 ? 1 : this.countSpan(s, pos, end);
      pos = end;
    }
    return n;
  }

  private countByRegex(s: string): number {
    let n = 0;
    let from = 0;
    this.pattern.lastIndex = 0;
    for (let m = this.pattern.exec(s); m; m = this.pattern.exec(s)) {
      // Split is `Isolated`: text between matches is a pre-token too (these patterns leave none).
      if (m.index > from) n += this.countWord(s.slice(from, m.index));
      n += this.countWord(m[0]);
      from = m.index + m[0].length;
    }
    if (from < s.length) n += this.countWord(s.slice(from));
    return n;
  }

  /** The count of s[start, end), from the slot table when it has seen that word. */
  private countSpan(s: string, start: number, end: number): number {
    // The hash reads at most 12 characters (the first 8 and the last 4) and the length: a long
    // word costs no more than a short one, and words that share those still differ by startsWith.
    const len = end - start;
    let h = Math.imul(0x811c9dc5 ^ len, 0x01000193);
    const head = len < 8 ? end : start + 8;
    for (let i = start; i < head; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
    for (let i = Math.max(head, end - 4); i < end; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
    let slot = (h >>> 0) & (SLOTS - 1);
    for (;;) {
      const w = this.slotWords[slot];
      if (w === undefined) break;
      if (w.length === len && s.startsWith(w, start)) return this.slotCounts[slot];
      slot = (slot + 1) & (SLOTS - 1);
    }
    const word = s.slice(start, end);
    const n = this.bpe(word);
    if (this.slotsUsed >= SLOTS * 0.7) {
      this.slotWords.fill(undefined);
      this.slotsUsed = 0;
      slot = (h >>> 0) & (SLOTS - 1);
    }
    this.slotWords[slot] = word;
    this.slotCounts[slot] = n;
    this.slotsUsed++;
    return n;
  }

  private countWord(word: string): number {
    const known = this.words.get(word);
    if (known !== undefined) return known;
    const n = this.bpe(word);
    if (this.words.size >= WORD_CACHE_MAX) this.words.clear();
    this.words.set(word, n);
    return n;
  }

  private bpe(word: string): number {
    let ascii = true;
    for (let i = 0; i < word.length; i++) if (word.charCodeAt(i) > 127) { ascii = false; break; }
    const bytes: ArrayLike<number> = ascii ? { length: word.length } : this.encoder.encode(word);
    const len = bytes.length;
    if (this.vocab) {
      let chars = '';
      for (let i = 0; i < len; i++) chars += this.byteTable[ascii ? word.charCodeAt(i) : bytes[i]];
      if (this.vocab.has(chars)) return 1;
    }
    const ids: number[] = new Array(len);
    for (let i = 0; i < len; i++) ids[i] = this.byteIds[ascii ? word.charCodeAt(i) : bytes[i]];
    // Repeatedly merge the lowest-ranked adjacent pair (all its occurrences, left to right).
    while (ids.length > 1) {
      let best = Number.POSITIVE_INFINITY;
      for (let i = 0; i < ids.length - 1; i++) {
        const v = this.merges.get(ids[i] * ID_BITS + ids[i + 1]);
        if (v !== undefined && v < best) best = v;
      }
      if (best === Number.POSITIVE_INFINITY) break;
      const merged = best % ID_BITS;
      const rank = Math.floor(best / ID_BITS);
      let w = 0;
      for (let i = 0; i < ids.length; i++) {
        if (i < ids.length - 1) {
          const v = this.merges.get(ids[i] * ID_BITS + ids[i + 1]);
          if (v !== undefined && Math.floor(v / ID_BITS) === rank) {
            ids[w++] = merged;
            i++;
            continue;
          }
        }
        ids[w++] = ids[i];
      }
      ids.length = w;
    }
    return ids.length;
  }
}
