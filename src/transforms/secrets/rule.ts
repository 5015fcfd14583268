/**
 * A secret rule: a kind, a cheap trigger and a pattern. Rules are tried in order (specific formats
 * before generic ones); each match becomes `[REDACTED:<kind>]`.
 */
export interface SecretRule {
  kind: string;
  /**
   * What must be in a text for the rule to run at all, merged into the scrubber's prefilter: literal
   * prefixes at the start of a word (case-sensitive), or words anywhere (case-insensitive, lower
   * case). Where a word alone is too common (`@`, `--`), `confirm` must also match where it stands.
   */
  prefixes?: readonly string[];
  words?: readonly string[];
  confirm?: RegExp;
  /** Global pattern. With a named group `secret`, only that part is replaced; the rest is kept. */
  pattern: RegExp;
  /** When present, a match is only redacted if this accepts the secret part. */
  accept?: (secret: string, match: string, groups: Record<string, string | undefined>) => boolean;
}

// Values that are references, placeholders or numbers, not secrets.
const PLACEHOLDER =
  /^(?:true|false|null|none|nil|undefined|string|str|bytes|number|int|integer|bool|boolean|object|any|optional|required|secret|password|passwd|pass|token|redacted|changeme|example|placeholder|dummy|test|your[_-]?\w*|x{3,}|\*{3,}|\.{3,}|-+|<[^<>]*>|\[[^[\]]*\])$/i;
const NUMBER = /^[-+]?\d+(?:\.\d+)?$/;
const REFERENCE = /^(?:\$|%|\{\{|#\{|@|\{[A-Za-z_])/;
const DOTTED = /^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)+$/;
const IDENTIFIER = /^[A-Za-z_]+$/;
const REPEATED = /^(.)\1+$/;
// A plain URL (no credentials in it) is where a secret is fetched, not the secret itself.
const PLAIN_URL = /^https?:\/\/[^\s@]+$/;

/** True when an assigned value looks like a literal secret rather than code, a type or a placeholder. */
export function looksLikeSecretValue(value: string, quoted: boolean, minLength = 6): boolean {
  if (value.trim().length < minLength || NUMBER.test(value) || REFERENCE.test(value) || PLACEHOLDER.test(value)) return false;
  // `sk-ant-...` in docs: an elided value is an example, never a real secret.
  if (value.startsWith('[REDACTED') || value.includes('...') || value.includes('…') || REPEATED.test(value)) return false;
  if (PLAIN_URL.test(value)) return false;
  // Unquoted bare words and dotted names are code: `token: string`, `password = config.password`.
  if (!quoted && (IDENTIFIER.test(value) || DOTTED.test(value))) return false;
  return true;
}

// A key's closing quote (JSON, or JSON escaped inside a string), the separator, an opening quote.
export const ASSIGN = String.raw`(?:\\?["'])?[ \t]*[:=][ \t]*(?:\\?(?<q>["']))?`;
/** An assigned value: up to a space, a quote, or a character that ends an expression. */
export const VALUE = String.raw`(?<secret>[^\s"'\x60\\,;(){}\[\]<>]+)`;
