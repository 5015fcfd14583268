/** The marker put where the middle of a long text was cut out. */
export function truncationMarker(removed: number): string {
  return `\n[... truncated ${removed} chars ...]\n`;
}

const isHighSurrogate = (code: number): boolean => code >= 0xd800 && code <= 0xdbff;
const isLowSurrogate = (code: number): boolean => code >= 0xdc00 && code <= 0xdfff;

/**
 * Cuts the middle out of `text` so the result (head + marker + tail) is at most `maxChars` long.
 * The head gets `headRatio` of the kept characters: the start of an output says what ran, the end
 * says how it finished. Never splits a surrogate pair.
 */
export function truncateMiddle(text: string, maxChars: number, headRatio = 0.6): string {
  if (text.length <= maxChars) return text;
  const limit = Math.max(0, Math.floor(maxChars));
  // Reserve the marker for the largest count it could show, so the result never overshoots.
  const keep = limit - truncationMarker(text.length).length;
  if (keep <= 0) {
    let end = limit;
    if (end > 0 && isHighSurrogate(text.charCodeAt(end - 1))) end--;
    return text.slice(0, end);
  }
  let headEnd = Math.floor(keep * headRatio);
  if (headEnd > 0 && isHighSurrogate(text.charCodeAt(headEnd - 1))) headEnd--;
  let tailStart = text.length - (keep - Math.floor(keep * headRatio));
  if (tailStart < text.length && isLowSurrogate(text.charCodeAt(tailStart))) tailStart++;
  return text.slice(0, headEnd) + truncationMarker(tailStart - headEnd) + text.slice(tailStart);
}
