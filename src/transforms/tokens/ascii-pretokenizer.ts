// The pre-tokenizer split of Qwen3 and Llama 3 for ASCII text, by hand instead of by regex: the
// regex costs a match object per pre-token and was a third of the counting time. It follows the
// pattern's alternatives in order, at each position the first that matches (as the regex does):
//   1 '(?i:s|t|re|ve|m|ll|d)    2 [^\r\n\p{L}\p{N}]?\p{L}+    3 \p{N} (Llama 3: \p{N}{1,3})
//   4 ?[^\s\p{L}\p{N}]+[\r\n]*  5 \s*[\r\n]+   6 \s+(?!\S)   7 \s+
// Text with any non-ASCII character goes through the regex. test/transforms/tokens.test.ts checks
// both splits give the same pre-tokens.

/** The two split patterns this scanner knows, as tokenizer.json spells them. */
export const QWEN_SPLIT = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
export const LLAMA3_SPLIT = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

// Character classes of ASCII codes.
const LETTER = 1;
const DIGIT = 2;
const SPACE = 4; // \s: \t \n \v \f \r and space
const NEWLINE = 8; // \r \n
const CLASS = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  if ((c >= 65 && c <= 90) || (c >= 97 && c <= 122)) CLASS[c] = LETTER;
  else if (c >= 48 && c <= 57) CLASS[c] = DIGIT;
  else if ((c >= 9 && c <= 13) || c === 32) CLASS[c] = SPACE | (c === 10 || c === 13 ? NEWLINE : 0);
}
const isPunct = (k: number): boolean => k === 0; // neither letter, digit nor whitespace
const APOS = 39;

/** Splits ASCII text into pre-tokens, calling `each(start, end)` for each, in order. */
export function splitAscii(s: string, maxDigits: number, each: (start: number, end: number) => void): void {
  const len = s.length;
  const cls = (i: number): number => CLASS[s.charCodeAt(i)];
  let pos = 0;
  while (pos < len) {
    const c = s.charCodeAt(pos);
    const k = CLASS[c];
    let end = -1;
    // 1: contractions
    if (c === APOS && pos + 1 < len) {
      const a = s.charCodeAt(pos + 1) | 32;
      const b = pos + 2 < len ? s.charCodeAt(pos + 2) | 32 : 0;
      if (a === 115 || a === 116 || a === 109 || a === 100) end = pos + 2; // s t m d
      else if ((a === 114 || a === 118) && b === 101) end = pos + 3; // re ve
      else if (a === 108 && b === 108) end = pos + 3; // ll
    }
    // 2: an optional non-newline, non-letter, non-digit char, then letters
    if (end < 0) {
      let j = -1;
      if (k === LETTER) j = pos;
      else if (!(k & (NEWLINE | DIGIT)) && pos + 1 < len && cls(pos + 1) === LETTER) j = pos + 1;
      if (j >= 0) {
        end = j + 1;
        while (end < len && cls(end) === LETTER) end++;
      }
    }
    // 3: digits
    if (end < 0 && k === DIGIT) {
      end = pos + 1;
      while (end < len && end - pos < maxDigits && cls(end) === DIGIT) end++;
    }
    // 4: an optional space, punctuation, then newlines
    if (end < 0) {
      let j = -1;
      if (isPunct(k)) j = pos;
      else if (c === 32 && pos + 1 < len && isPunct(cls(pos + 1))) j = pos + 1;
      if (j >= 0) {
        end = j + 1;
        while (end < len && isPunct(cls(end))) end++;
        while (end < len && cls(end) & NEWLINE) end++;
      }
    }
    if (end < 0) {
      // 5-7: whitespace. The run from pos; 5 ends at its last newline, 6 keeps the last char for
      // the next token unless the run ends the text, 7 is a single char.
      let runEnd = pos;
      let lastNewline = -1;
      while (runEnd < len && cls(runEnd) & SPACE) {
        if (cls(runEnd) & NEWLINE) lastNewline = runEnd;
        runEnd++;
      }
      if (lastNewline >= 0) end = lastNewline + 1;
      else if (runEnd === len) end = runEnd;
      else if (runEnd - pos >= 2) end = runEnd - 1;
      else end = pos + 1;
    }
    each(pos, end);
    pos = end;
  }
}
