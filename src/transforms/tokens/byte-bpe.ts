// Counts the tokens of a byte-level BPE tokenizer (Qwen3, Llama 3: a Hugging Face `tokenizer.json`
// with a Split pre-tokenizer, ByteLevel and a BPE model) without building token ids.
//
// Why not the libraries' own encoders: @lenml/tokenizers and the Rust `tokenizers` binding both run
// at about 0.3 MB/s here, and every sample of every session is counted. This counter gives the same
// counts (test/transforms/tokens.test.ts checks it against the Rust binding on real sessions) at
// 30-45 MB/s: text is scanned as UTF-8 bytes in a reused buffer (charCodeAt on the concatenated and
// sliced strings that rendering makes cost 2.5x as much), symbols are token ids, merges a Map of
// packed id pairs, and each pre-token's count is cached by its bytes (session text repeats its words).
import { readFileSync } from 'node:fs';
import { asciiTokenEnd, CLASS, LETTER, LLAMA3_SPLIT, OTHER, PUNCT, QWEN_SPLIT } from './ascii-pretokenizer.ts';

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

/**
 * The Rust regex as a JavaScript one: inline case-insensitive groups `(?i:...)` spelled out, and
 * `\s` / `\S` as Unicode White_Space, which Rust's `\s` is (JavaScript's `\s` lacks U+0085 NEL
 * and adds U+FEFF).
 */
function jsPattern(rust: string): RegExp {
  const js = rust
    .replace(/\(\?i:([^()]*)\)/g, (_, body: string) => '(?:' + body.replace(/[a-z]/g, (c) => `[${c}${c.toUpperCase()}]`) + ')')
    .replace(/\\([sS])/g, (_, c: string) => (c === 's' ? '\\p{White_Space}' : '\\P{White_Space}'));
  return new RegExp(js, 'gu');
}

const NFC_CANDIDATE = /[\u0300-\uffff]/;
const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const ID_BITS = 2 ** 21; // token ids stay below 2^21 (Qwen3: 151k, Llama 3: 128k)
const WORD_CACHE_MAX = 200_000;
// The pre-token table: a worker meets some 10^4-10^5 distinct pre-tokens; 2^16 slots (1 MB of
// typed arrays) and a 1 MB arena hold the common ones, and starting again costs a BPE per word.
const SLOTS = 1 << 16;
/** Bytes of pre-tokens the slot table keeps; when full, the table starts again. */
const ARENA_BYTES = 1 << 20;
/** Texts up to this many UTF-16 units are encoded into the reused buffer; longer ones into their own. */
const REUSED_TEXT_MAX = 256 << 10;
/** Longer pre-tokens are counted each time instead of kept. */
const SLOT_WORD_MAX = 4096;
const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** UTF-16 units of the character whose UTF-8 sequence starts with byte `lead`; its bytes are utf8Bytes. */
const utf16Units = (lead: number): number => (lead >= 0xf0 ? 2 : 1);
const utf8Bytes = (lead: number): number => (lead < 0x80 ? 1 : lead < 0xe0 ? 2 : lead < 0xf0 ? 3 : 4);

export class ByteBpeCounter {
  private readonly pattern: RegExp;
  /** The same pattern, sticky: one pre-token at a given position. */
  private readonly sticky: RegExp;
  private readonly added: RegExp | null;
  /**
   * When every added token is ASCII and starts with one byte (`<` in Qwen3 and Llama 3): that byte,
   * else -1. Added tokens are then found in the UTF-8 bytes by indexOf, not by the regex.
   */
  private readonly addedLead: number = -1;
  /** The added tokens' bytes by their second byte, longest first. */
  private readonly addedBySecond = new Map<number, Uint8Array[]>();
  /** packed (left id, right id) -> rank * ID_BITS + merged id */
  private readonly merges = new Map<number, number>();
  private readonly byteIds: number[];
  private readonly vocab: Map<string, number> | null;
  private readonly byteTable = byteChars();
  private readonly encoder = new TextEncoder();
  private readonly words = new Map<string, number>();
  /** Digits per pre-token of the ASCII scanner, or 0 when it does not know the pattern. */
  private readonly asciiDigits: number;
  /** The text being counted, as UTF-8 (grown as needed, reused). */
  private buf = new Uint8Array(1 << 16);
  /** While counting bytes: the UTF-16 index in the text of the byte being scanned. */
  private unit = 0;
  // Pre-token counts by their bytes: open addressing on an FNV-1a hash, each slot's bytes kept in
  // one arena and compared byte by byte on a hit.
  private readonly slotCounts = new Int32Array(SLOTS);
  private readonly slotHashes = new Int32Array(SLOTS);
  private readonly slotLengths = new Int32Array(SLOTS);
  private readonly slotOffsets = new Int32Array(SLOTS);
  private readonly arena = new Uint8Array(ARENA_BYTES);
  private arenaUsed = 0;
  private slotsUsed = 0;

  constructor(private readonly spec: ByteBpeSpec) {
    this.pattern = jsPattern(spec.pattern);
    this.sticky = new RegExp(this.pattern.source, 'uy');
    const added = [...spec.addedTokens].sort((a, b) => b.length - a.length);
    this.added = added.length ? new RegExp(added.map(escapeRe).join('|'), 'g') : null;
    const firsts = new Set(added.map((t) => t.charCodeAt(0)));
    if (firsts.size === 1 && added.every((t) => t.length > 1 && /^[\x00-\x7f]*$/.test(t))) {
      this.addedLead = [...firsts][0];
      for (const t of added) {
        const list = this.addedBySecond.get(t.charCodeAt(1)) ?? [];
        list.push(this.encoder.encode(t));
        this.addedBySecond.set(t.charCodeAt(1), list);
      }
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
    // Only text with characters from U+0300 up can change under NFC; the tokenizer normalises the
    // pieces between added tokens, so such text is split in the string first.
    const nfc = this.spec.normalizeNfc && NFC_CANDIDATE.test(text);
    if (this.asciiDigits !== 0 && !nfc && this.addedLead >= 0) return this.countUtf8(text, true);
    let n = 0;
    let from = 0;
    if (this.added) {
      this.added.lastIndex = 0;
      for (let m = this.added.exec(text); m; m = this.added.exec(text)) {
        if (m.index > from) n += this.countPiece(text.slice(from, m.index), nfc);
        n++;
        from = m.index + m[0].length;
      }
    }
    if (from < text.length) n += this.countPiece(from === 0 ? text : text.slice(from), nfc);
    return n;
  }

  /** Text between added tokens. */
  private countPiece(piece: string, nfc: boolean): number {
    const s = nfc ? piece.normalize('NFC') : piece;
    return this.asciiDigits === 0 ? this.countByRegex(s) : this.countUtf8(s, false);
  }

  /** `s` encoded into the reused buffer and counted there; added tokens found in it when asked. */
  private countUtf8(s: string, findAdded: boolean): number {
    // Three bytes per UTF-16 unit is UTF-8's most. The reused buffer stays small: a worker's memory
    // is bounded, and one huge tool result must not keep megabytes for the rest of the run.
    let b = this.buf;
    if (b.length < s.length * 3) {
      b = new Uint8Array(s.length * 3);
      if (s.length <= REUSED_TEXT_MAX) this.buf = b;
    }
    const len = this.encoder.encodeInto(s, b).written;
    this.unit = 0;
    if (!findAdded) return this.countBytes(s, b, 0, len);
    const view = b.subarray(0, len);
    const lead = this.addedLead;
    let n = 0;
    let from = 0;
    for (let i = view.indexOf(lead); i >= 0; i = view.indexOf(lead, i + 1)) {
      const candidates = this.addedBySecond.get(b[i + 1]);
      if (candidates === undefined) continue;
      let tokenLength = 0;
      for (const t of candidates) {
        if (i + t.length > len) continue;
        let k = 2;
        while (k < t.length && b[i + k] === t[k]) k++;
        if (k === t.length) { tokenLength = k; break; }
      }
      if (tokenLength === 0) continue;
      if (i > from) n += this.countBytes(s, b, from, i);
      n++;
      this.unit += tokenLength; // ASCII: one unit per byte
      from = i + tokenLength;
      i = from - 1;
    }
    if (from < len) n += this.countBytes(s, b, from, len);
    return n;
  }

  /**
   * The pre-tokens of the UTF-8 bytes b[from, to) of `s`, counted; this.unit is the UTF-16 index of
   * byte `from` on entry and of byte `to` on return.
   */
  private countBytes(s: string, b: Uint8Array, from: number, to: number): number {
    let n = 0;
    // The piece as a string of its own, made only when a pre-token needs the regex (which must not
    // see past the piece's end).
    let piece: string | null = null;
    let pieceUnit = 0;
    for (let pos = from; pos < to;) {
      // The common pre-token first, scanned and hashed in one pass: letters, after at most one
      // space or punctuation character (pattern alternative 2; an apostrophe may open a
      // contraction instead, so it takes the general path).
      const c = b[pos];
      const k = CLASS[c];
      if (k === LETTER || ((c === 32 || (k === PUNCT && c !== 39)) && pos + 1 < to && CLASS[b[pos + 1]] === LETTER)) {
        let h = Math.imul(FNV_OFFSET ^ c, FNV_PRIME);
        let end = pos + 1;
        for (; end < to; end++) {
          const x = b[end];
          if (CLASS[x] !== LETTER) break;
          h = Math.imul(h ^ x, FNV_PRIME);
        }
        if (end >= to || CLASS[b[end]] !== OTHER) {
          n += end - pos === 1 ? 1 : this.countHashed(b, pos, end, h);
          this.unit += end - pos;
          pos = end;
          continue;
        }
      }
      let end = asciiTokenEnd(b, pos, this.asciiDigits, to);
      if (end >= 0) {
        this.unit += end - pos;
        // A single ASCII byte is always one token of a byte-level vocabulary.
        n += end - pos === 1 ? 1 : this.countSpan(b, pos, end);
        pos = end;
        continue;
      }
      // A decision that needs Unicode classes: the regex, for this one pre-token, on the piece's text.
      if (piece === null) {
        let units = 0;
        for (let i = pos; i < to; i += utf8Bytes(b[i])) units += utf16Units(b[i]);
        pieceUnit = this.unit;
        piece = s.slice(this.unit, this.unit + units);
      }
      this.sticky.lastIndex = this.unit - pieceUnit;
      const m = this.sticky.exec(piece);
      if (m && m[0].length > 0) {
        end = pos + Buffer.byteLength(m[0], 'utf8'); // as encodeInto wrote it (a lone surrogate: U+FFFD, 3 bytes)
        this.unit += m[0].length;
      } else {
        end = pos + utf8Bytes(c);
        this.unit += utf16Units(c);
      }
      n += end - pos === 1 ? 1 : this.countSpan(b, pos, end);
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

  /** The count of the pre-token b[start, end), from the slot table when it has seen those bytes. */
  private countSpan(b: Uint8Array, start: number, end: number): number {
    let h = FNV_OFFSET;
    for (let i = start; i < end; i++) h = Math.imul(h ^ b[i], FNV_PRIME);
    return this.countHashed(b, start, end, h);
  }

  /** As countSpan, with the FNV-1a hash of the bytes already taken. */
  private countHashed(b: Uint8Array, start: number, end: number, h: number): number {
    const len = end - start;
    if (len > SLOT_WORD_MAX) return this.bpe(b, start, end);
    const arena = this.arena;
    let slot = (h >>> 0) & (SLOTS - 1);
    for (;;) {
      const known = this.slotCounts[slot];
      if (known === 0) break;
      if (this.slotHashes[slot] === h && this.slotLengths[slot] === len) {
        const at = this.slotOffsets[slot];
        let i = 0;
        while (i < len && arena[at + i] === b[start + i]) i++;
        if (i === len) return known;
      }
      slot = (slot + 1) & (SLOTS - 1);
    }
    const n = this.bpe(b, start, end);
    if (this.slotsUsed >= SLOTS * 0.7 || this.arenaUsed + len > ARENA_BYTES) {
      this.slotCounts.fill(0);
      this.slotsUsed = 0;
      this.arenaUsed = 0;
      slot = (h >>> 0) & (SLOTS - 1);
    }
    arena.set(b.subarray(start, end), this.arenaUsed);
    this.slotOffsets[slot] = this.arenaUsed;
    this.arenaUsed += len;
    this.slotCounts[slot] = n; // at least 1: an empty slot reads 0
    this.slotHashes[slot] = h;
    this.slotLengths[slot] = len;
    this.slotsUsed++;
    return n;
  }

  private countWord(word: string): number {
    const known = this.words.get(word);
    if (known !== undefined) return known;
    const bytes = this.encoder.encode(word);
    const n = this.bpe(bytes, 0, bytes.length);
    if (this.words.size >= WORD_CACHE_MAX) this.words.clear();
    this.words.set(word, n);
    return n;
  }

  /** The BPE token count of the pre-token b[start, end). */
  private bpe(b: Uint8Array, start: number, end: number): number {
    const len = end - start;
    if (this.vocab) {
      let chars = '';
      for (let i = start; i < end; i++) chars += this.byteTable[b[i]];
      if (this.vocab.has(chars)) return 1;
    }
    const ids: number[] = new Array(len);
    for (let i = 0; i < len; i++) ids[i] = this.byteIds[b[start + i]];
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
