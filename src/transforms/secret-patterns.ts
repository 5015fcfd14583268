/**
 * The secrets scrubbing looks for, in the order they are tried: private keys, then provider tokens
 * (secrets/provider-tokens.ts), JWTs, credentials in URLs and commands (secrets/credentials.ts),
 * then the generic shapes: an AWS secret, an Authorization header or cookie, any `secret=`
 * assignment. Specific before generic: sk-ant- before sk-, a JWT before the Bearer header that
 * carries it. Each match becomes `[REDACTED:<kind>]`.
 */
import { CREDENTIAL_RULES } from './secrets/credentials.ts';
import { PROVIDER_RULES } from './secrets/provider-tokens.ts';
import { ASSIGN, looksLikeSecretValue, VALUE, type SecretRule } from './secrets/rule.ts';

export { looksLikeSecretValue, type SecretRule };

// Names that say "the value is a secret": `password`, `GITHUB_TOKEN`, `api_key`, `client_secret`,
// `DB_PASS`, `AccountKey`, ... A bare `pass` only as a word of its own (not `bypass`, `passes`).
const SECRET_WORDS = String.raw`pass(?:wd|word|phrase)|(?<![A-Za-z])pass(?![a-z])|secret|token|api[_-]?key|access[_-]?key|account[_-]?key|private[_-]?key|credentials?`;

/** A whole key (object field, env var) whose string value is a secret whatever it looks like. */
export const SECRET_FIELD_NAME = new RegExp(String.raw`(?:${SECRET_WORDS}|(?:secret|client)[_-]?key|authorization|cookie|^auth)s?$`, 'i');

// A key that names a secret, then words that make it about the secret rather than the secret itself.
const NOT_THE_SECRET = /[_.-](?:type|types|count|counts|url|uri|endpoint|file|path|dir|name|names|id|ids|length|len|limit|ttl|expiry|expires(?:_at|_in)?|env|var|header|prefix|format|kind|mode|source|usage|budget|field|key_id|hint|help|label|policy|scope|scopes)$/i;

const PEM_BODY = String.raw`[A-Za-z0-9+/=\s\\:,.()-]`;

/**
 * True when a base64url segment is a JOSE header: a JSON object naming `alg`, `typ`, `enc`, `kid`
 * or `cty`. One that does not decode whole (cut short) counts when it starts as JSON does (`eyJ`).
 */
function jwtHeader(segment: string): boolean {
  const json = Buffer.from(segment.replace(/=+$/, ''), 'base64url').toString('utf8').trim();
  if (json.startsWith('{') && json.endsWith('}')) return /"(?:alg|typ|enc|kid|cty)"\s*:/.test(json);
  return segment.startsWith('eyJ');
}

const PRIVATE_KEY: SecretRule = {
  kind: 'private_key',
  words: ['private key'],
  // A block cut short (by truncation) is redacted up to the first character a key cannot hold.
  pattern: new RegExp(
    String.raw`-----BEGIN ((?:[A-Z0-9]+ )*)PRIVATE KEY( BLOCK)?-----${PEM_BODY}*?(?:-----END \1PRIVATE KEY\2-----|(?=${PEM_BODY.replace('[', '[^')})|$)`,
    'g',
  ),
};

const JWT: SecretRule = {
  kind: 'jwt',
  // A JSON header encodes to `ey` (`{"`, `{ "`) or `ew` (`{\n`, `{\r\n`, `{\t`).
  prefixes: ['ey', 'ew'],
  pattern: /\b(?<h>e[wy][A-Za-z0-9_-]{8,}={0,2})\.[A-Za-z0-9_-]{10,}={0,2}\.(?:[A-Za-z0-9_-]{10,}={0,2}(?:\.[A-Za-z0-9_-]{10,}){0,2}|(?![A-Za-z0-9_-]))/g,
  accept: (_secret, _match, groups) => jwtHeader(groups.h ?? ''),
};

const GENERIC_RULES: readonly SecretRule[] = [
  {
    kind: 'aws_secret_key',
    words: ['secret'],
    pattern: new RegExp(
      String.raw`(?:aws[_-]?secret[_-]?access[_-]?key|aws[_-]?secret[_-]?key|secret[_-]?access[_-]?key)(?:${ASSIGN}|\\?["']?[ \t]+)(?<secret>[A-Za-z0-9/+=]{40})(?![A-Za-z0-9/+=])`,
      'gi',
    ),
  },
  {
    kind: 'auth_header',
    words: ['bearer', 'authorization'],
    pattern: new RegExp(
      String.raw`\b(?:(?<header>(?:proxy-)?authorization)${ASSIGN}(?:(?:bearer|basic|token|bot|digest|apikey|sso-key)[ \t]+)?|bearer[ \t]+)(?<secret>[A-Za-z0-9._~+/=:-]{8,})`,
      'gi',
    ),
    // In prose "bearer" is a word: a bare one needs a token-like value (a digit, 16+ chars).
    accept: (secret, _match, groups) =>
      groups.header !== undefined ? !/^[a-z]+$/.test(secret) && looksLikeSecretValue(secret, true, 8) : secret.length >= 16 && /\d/.test(secret),
  },
  {
    kind: 'cookie',
    words: ['cookie'],
    // `Cookie: a=b; c=d` as a header (curl -H, HTTP dumps): the whole value is credentials.
    pattern: /\b(?:set-)?cookie[ \t]*:[ \t]*(?<secret>[^\s=;"'\\]+=[^\s;"'\\]{8,}(?:;[ \t]*[^\s=;"'\\]+=[^\s;"'\\]*)*)/gi,
    accept: (secret) => /\d/.test(secret) && !secret.startsWith('[REDACTED'),
  },
  {
    kind: 'secret_assignment',
    words: ['pass', 'secret', 'token', 'api', 'access', 'account', 'private', 'credential'],
    pattern: new RegExp(String.raw`(?:${SECRET_WORDS})s?(?<tail>(?:[_.-][A-Za-z0-9]+)*)${ASSIGN}${VALUE}`, 'gi'),
    accept: (secret, _match, groups) => !NOT_THE_SECRET.test(groups.tail ?? '') && looksLikeSecretValue(secret, groups.q !== undefined),
  },
];

export const SECRET_RULES: readonly SecretRule[] = [PRIVATE_KEY, ...PROVIDER_RULES, JWT, ...CREDENTIAL_RULES, ...GENERIC_RULES];

/** Kinds the layers after the rules count under (entropy, exact values, personal data). */
export const LAYER_KINDS = ['high_entropy', 'generic_secret', 'harvest_secret', 'env_value', 'custom', 'email', 'home_user', 'machine_name'] as const;

/** Every kind a redaction can be counted under (`redacted_<kind>`). */
export const SECRET_KINDS: readonly string[] = [...new Set([...SECRET_RULES.map((r) => r.kind), 'secret_field', ...LAYER_KINDS])];
