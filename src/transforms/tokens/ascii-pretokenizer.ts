// The pre-tokenizer split of Qwen3 and Llama 3 for ASCII text, by hand instead of by regex: the
// regex costs a match object per pre-token and was a third of the counting time. It follows the
// pattern's alternatives in order, at each position the first that matches (as the regex does):
//   1 '(?i:s|t|re|ve|m|ll|d)    2 [^\r\n\p{L}\p{N}]?\p{L}+    3 \p{N} (Llama 3: \p{N}{1,3})
//   4 ?[^\s\p{L}\p{N}]+[\r\n]*  5 \s*[\r\n]+   6 \s+(?!\S)   7 \s+
// Where a decision needs a character outside ASCII (inside the pre-token or right after it), the
// caller asks the regex for that one pre-token. test/transforms/tokens.test.ts checks both splits
// give the same pre-tokens.

/** The two split patterns this scanner knows, as tokenizer.json spells them. */
export const QWEN_SPLIT = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
export const LLAMA3_SPLIT = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

// Character classes by byte of UTF-8 text: ASCII ones, and one for every byte of a longer sequence.
export const PUNCT = 0; // neither letter, digit nor whitespace
export const LETTER = 1;
const DIGIT = 2;
const SPACE = 4; // \s: \t \n \v \f \r and space
const NEWLINE = 8; // \r \n
export const OTHER = 16; // not ASCII: the regex decides
/** Each byte's class (one of the constants above, SPACE and NEWLINE combined). */
export const CLASS = new Uint8Array(256).fill(OTHER);
for (let c = 0; c < 128; c++) {
  if ((c >= 65 && c <= 90) || (c >= 97 && c <= 122)) CLASS[c] = LETTER;
  else if (c >= 48 && c <= 57) CLASS[c] = DIGIT;
  else if ((c >= 9 && c <= 13) || c === 32) CLASS[c] = SPACE | (c === 10 || c === 13 ? NEWLINE : 0);
  else CLASS[c] = PUNCT;
}
const APOS = 39;

/**
 * The end of the pre-token that starts at byte `pos` of the UTF-8 bytes b[..len), or -1 when
 * deciding it needs a character outside ASCII (the caller then uses the regex for this one
 * pre-token). Bytes, not a string's characters: reading a typed array costs a fraction of
 * charCodeAt on the concatenated and sliced strings that counting meets.
 */
export function asciiTokenEnd(b: Uint8Array, pos: number, maxDigits: number, len: number): number {
  const c = b[pos];
  const k = CLASS[c];
  if (k === OTHER) return -1;
  let end: number;
  // 1: contractions
  if (c === APOS && pos + 1 < len) {
    const a = b[pos + 1] | 32;
    const d = pos + 2 < len ? b[pos + 2] | 32 : 0;
    if (a === 115 || a === 116 || a === 109 || a === 100) return pos + 2; // s t m d
    if ((a === 114 || a === 118) && d === 101) return pos + 3; // re ve
    if (a === 108 && d === 108) return pos + 3; // ll
    if (CLASS[b[pos + 1]] === OTHER) return -1; // a contraction never, a letter maybe
  }
  // 2: an optional non-newline, non-letter, non-digit char, then letters
  let j = -1;
  if (k === LETTER) j = pos;
  else if (k !== DIGIT && !(k & NEWLINE) && pos + 1 < len) {
    const next = CLASS[b[pos + 1]];
    if (next === OTHER) return -1; // a non-ASCII letter may follow
    if (next === LETTER) j = pos + 1;
  }
  if (j >= 0) {
    end = j + 1;
    while (end < len && CLASS[b[end]] === LETTER) end++;
    return end < len && CLASS[b[end]] === OTHER ? -1 : end;
  }
  // 3: digits
  if (k === DIGIT) {
    end = pos + 1;
    while (end < len && end - pos < maxDigits && CLASS[b[end]] === DIGIT) end++;
    return end < len && end - pos < maxDigits && CLASS[b[end]] === OTHER ? -1 : end;
  }
  // 4: an optional space, punctuation, then newlines
  j = -1;
  if (k === PUNCT) j = pos;
  else if (c === 32 && pos + 1 < len) {
    const next = CLASS[b[pos + 1]];
    if (next === OTHER) return -1;
    if (next === PUNCT) j = pos + 1;
  }
  if (j >= 0) {
    end = j + 1;
    while (end < len && CLASS[b[end]] === PUNCT) end++;
    while (end < len && CLASS[b[end]] & NEWLINE && CLASS[b[end]] !== OTHER) end++;
    return end < len && CLASS[b[end]] === OTHER ? -1 : end;
  }
  // 5-7: whitespace. The run from pos; 5 ends at its last newline, 6 keeps the last char for the
  // next pre-token unless the run ends the text, 7 is a single char.
  let runEnd = pos;
  let lastNewline = -1;
  for (let x = CLASS[b[runEnd]]; runEnd < len && x !== OTHER && x & SPACE; x = CLASS[b[++runEnd]]) {
    if (x & NEWLINE) lastNewline = runEnd;
  }
  if (runEnd < len && CLASS[b[runEnd]] === OTHER) return -1; // Unicode whitespace may continue the run
  if (lastNewline >= 0) return lastNewline + 1;
  if (runEnd === len) return runEnd;
  if (runEnd - pos >= 2) return runEnd - 1;
  return pos + 1;
}

/** Splits ASCII text into pre-tokens, calling `each(start, end)` for each (tests and tools). */
export function splitAscii(s: string, maxDigits: number, each: (start: number, end: number) => void): void {
  const b = new TextEncoder().encode(s);
  if (b.length !== s.length) throw new Error('not ASCII');
  for (let pos = 0; pos < b.length;) {
    const end = asciiTokenEnd(b, pos, maxDigits, b.length);
    if (end < 0) throw new Error(`not ASCII at ${pos}`);
    each(pos, end);
    pos = end;
  }
}
