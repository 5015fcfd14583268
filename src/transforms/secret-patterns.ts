/**
 * The secrets scrubbing looks for, in the order they are tried: specific formats before generic
 * ones (sk-ant- before sk-, an AWS secret before any `secret=` assignment, a JWT before the Bearer
 * header that carries it). Each match becomes `[REDACTED:<kind>]`.
 */
export interface SecretRule {
  kind: string;
  /** Cheap test run before `pattern`: the rule is skipped when the text lacks it. */
  trigger: RegExp;
  /** Global pattern. With a named group `secret`, only that part is replaced; the rest is kept. */
  pattern: RegExp;
  /** When present, a match is only redacted if this accepts the secret part. */
  accept?: (secret: string, match: string, groups: Record<string, string | undefined>) => boolean;
}

// Values that are references, placeholders or numbers, not secrets.
const PLACEHOLDER =
  /^(?:true|false|null|none|nil|undefined|string|str|bytes|number|int|integer|bool|boolean|object|any|optional|required|secret|password|token|redacted|changeme|example|placeholder|dummy|test|your[_-]?\w*|x{3,}|\*{3,}|\.{3,}|-+)$/i;
const NUMBER = /^[-+]?\d+(?:\.\d+)?$/;
const REFERENCE = /^(?:\$|%|\{\{|#\{|@)/;
const DOTTED = /^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)+$/;
const IDENTIFIER = /^[A-Za-z_]+$/;

/** True when an assigned value looks like a literal secret rather than code, a type or a placeholder. */
export function looksLikeSecretValue(value: string, quoted: boolean, minLength = 6): boolean {
  if (value.trim().length < minLength || NUMBER.test(value) || REFERENCE.test(value) || PLACEHOLDER.test(value)) return false;
  // `sk-ant-...` in docs: an elided value is an example, never a real secret.
  if (value.startsWith('[REDACTED') || value.includes('...') || value.includes('…')) return false;
  // Unquoted bare words and dotted names are code: `token: string`, `password = config.password`.
  if (!quoted && (IDENTIFIER.test(value) || DOTTED.test(value))) return false;
  return true;
}

// Names that say "the value is a secret": `password`, `GITHUB_TOKEN`, `api_key`, `client_secret`, ...
const SECRET_WORDS = String.raw`pass(?:wd|word)|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|credentials?`;

/** A whole key (object field, env var) whose string value is a secret whatever it looks like. */
export const SECRET_FIELD_NAME = new RegExp(String.raw`(?:${SECRET_WORDS}|(?:secret|client)[_-]?key|authorization|cookie)s?$`, 'i');

// A key's closing quote (JSON, or JSON escaped inside a string), the separator, an opening quote.
const ASSIGN = String.raw`(?:\\?["'])?[ \t]*[:=][ \t]*(?:\\?(?<q>["']))?`;
const VALUE = String.raw`(?<secret>[^\s"'\x60\\,;(){}\[\]<>]+)`;
const PEM_BODY = String.raw`[A-Za-z0-9+/=\s\\:,.()-]`;

export const SECRET_RULES: readonly SecretRule[] = [
  {
    kind: 'private_key',
    trigger: /PRIVATE KEY/,
    // A block cut short (by truncation) is redacted up to the first character a key cannot hold.
    pattern: new RegExp(
      String.raw`-----BEGIN ((?:[A-Z0-9]+ )*)PRIVATE KEY( BLOCK)?-----${PEM_BODY}*?(?:-----END \1PRIVATE KEY\2-----|(?=${PEM_BODY.replace('[', '[^')})|$)`,
      'g',
    ),
  },
  { kind: 'jwt', trigger: /eyJ/, pattern: /\beyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/g },
  {
    kind: 'github_token',
    trigger: /gh[opsur]_|github_pat_/,
    pattern: /\b(?:gh[opsur]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{30,})/g,
  },
  { kind: 'anthropic_key', trigger: /sk-ant-/, pattern: /\bsk-ant-[A-Za-z0-9_-]{20,}/g },
  {
    kind: 'openai_key',
    trigger: /sk-/,
    pattern: /\bsk-(?:(?:proj|svcacct|admin)-[A-Za-z0-9_-]{20,}|[A-Za-z0-9]{32,})/g,
  },
  { kind: 'stripe_key', trigger: /k_(?:live|test)_/, pattern: /\b[sr]k_(?:live|test)_[A-Za-z0-9]{16,}/g },
  { kind: 'slack_token', trigger: /xox[abposr]-/, pattern: /\bxox[abposr]-[A-Za-z0-9-]{10,}/g },
  { kind: 'huggingface_token', trigger: /hf_/, pattern: /\bhf_[A-Za-z0-9]{30,}\b/g },
  { kind: 'npm_token', trigger: /npm_/, pattern: /\bnpm_[A-Za-z0-9]{36}\b/g },
  { kind: 'gitlab_token', trigger: /glpat-/, pattern: /\bglpat-[A-Za-z0-9_-]{20,}/g },
  {
    kind: 'google_token',
    trigger: /ya29\.|1\/\//,
    pattern: /\bya29\.[A-Za-z0-9_-]{20,}|(?<![\w/:.])1\/\/[A-Za-z0-9_-]{35,}/g,
  },
  { kind: 'aws_access_key_id', trigger: /AKIA|ASIA/, pattern: /\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/g },
  {
    kind: 'aws_secret_key',
    trigger: /secret/i,
    pattern: new RegExp(
      String.raw`(?:aws_?secret_?access_?key|aws_?secret_?key|secret_?access_?key)${ASSIGN}(?<secret>[A-Za-z0-9/+=]{40})(?![A-Za-z0-9/+=])`,
      'gi',
    ),
  },
  {
    kind: 'auth_header',
    trigger: /bearer|authorization/i,
    pattern: new RegExp(
      String.raw`\b(?:(?<header>(?:proxy-)?authorization)${ASSIGN}(?:(?:bearer|basic|token|bot|digest)[ \t]+)?|bearer[ \t]+)(?<secret>[A-Za-z0-9._~+/=-]{8,})`,
      'gi',
    ),
    // In prose "bearer" is a word: a bare one needs a token-like value (a digit, 16+ chars).
    accept: (secret, _match, groups) =>
      groups.header !== undefined ? !/^[a-z]+$/.test(secret) : secret.length >= 16 && /\d/.test(secret),
  },
  {
    kind: 'secret_assignment',
    trigger: new RegExp(SECRET_WORDS, 'i'),
    pattern: new RegExp(String.raw`(?:${SECRET_WORDS})s?(?:[_.-][A-Za-z0-9]+)*${ASSIGN}${VALUE}`, 'gi'),
    accept: (secret, _match, groups) => looksLikeSecretValue(secret, groups.q !== undefined),
  },
];

/** Every kind a redaction can be counted under (`redacted_<kind>`). */
export const SECRET_KINDS: readonly string[] = [...SECRET_RULES.map((r) => r.kind), 'secret_field'];

/** One pass over the text finds whether any rule could match at all. */
export const ANY_SECRET_TRIGGER = new RegExp(SECRET_RULES.map((r) => r.trigger.source).join('|'), 'i');
