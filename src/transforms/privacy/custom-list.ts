/**
 * HARVEST_REDACT_FILE: what a person wants gone beyond what harvest finds. One entry a line: a
 * literal string (matched case-insensitively), or `/pattern/flags` for a regular expression; `#`
 * starts a comment line. Parsed at the edge; a bad pattern is an error naming its line.
 */
export interface CustomRedactions {
  strings: string[];
  /** Pattern sources with their flags (plain data: options travel between processes as JSON). */
  patterns: { source: string; flags: string }[];
}

export class RedactFileError extends Error {}

export function parseRedactFile(text: string, file = 'HARVEST_REDACT_FILE'): CustomRedactions {
  const out: CustomRedactions = { strings: [], patterns: [] };
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const re = /^\/(.+)\/([a-z]*)$/.exec(line);
    if (!re) {
      out.strings.push(line);
      return;
    }
    const flags = [...new Set(re[2].replace(/[gy]/g, ''))].join('');
    try {
      new RegExp(re[1], flags);
    } catch (e) {
      throw new RedactFileError(`${file}:${i + 1}: not a valid pattern: ${(e as Error).message}`);
    }
    out.patterns.push({ source: re[1], flags });
  });
  return out;
}
