/**
 * Exact values to redact wherever they appear: harvest's own secret settings (its GitHub token,
 * InfluxDB token, API token, webhook secret, basic-auth passwords), custom strings from
 * HARVEST_REDACT_FILE, and values assigned in `.env`-style output that a session printed.
 */
import { entropyKind } from '../secrets/entropy.ts';
import { looksLikeSecretValue } from '../secrets/rule.ts';

/** Shorter values would redact ordinary words. */
export const MIN_EXACT_LENGTH = 8;

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** One pattern matching any of `values` (longest first), or null when there is none. */
export function exactPattern(values: Iterable<string>, flags = 'g'): RegExp | null {
  const list = [...new Set(values)].filter((v) => v.length >= MIN_EXACT_LENGTH).sort((a, b) => b.length - a.length);
  return list.length === 0 ? null : new RegExp(list.map(escape).join('|'), flags);
}

/** The settings that hold harvest's own secrets. */
export const HARVEST_SECRET_SETTINGS = [
  'GITHUB_TOKEN', 'GITHUB_WEBHOOK_SECRET', 'INFLUX_TOKEN', 'INFLUX_PASSWORD', 'HARVEST_API_TOKEN',
] as const;

/** harvest's own secret values from the environment (and GITHUB_TOKEN_FILE, already read). */
export function harvestSecretValues(env: NodeJS.ProcessEnv, tokenFileContent?: string): string[] {
  const out: string[] = [];
  for (const name of HARVEST_SECRET_SETTINGS) {
    const v = env[name]?.trim();
    if (v) out.push(v);
  }
  if (tokenFileContent?.trim()) out.push(tokenFileContent.trim());
  // `user:password` settings: the password is the secret.
  for (const name of ['HARVEST_AUTH', 'HARVEST_VIEWER_AUTH']) {
    const v = env[name];
    const i = v?.indexOf(':') ?? -1;
    if (v && i > 0) out.push(v.slice(i + 1));
  }
  const redis = env.REDIS_URL && /^[a-z]+:\/\/[^:/@]*:([^@/]+)@/i.exec(env.REDIS_URL);
  if (redis) out.push(decodeURIComponent(redis[1]));
  return out.filter((v) => v.length >= MIN_EXACT_LENGTH);
}

// `KEY=value` lines as `.env` files, `env` and `export` print them.
export const ENV_LINE_TRIGGER = /^[ \t]*(?:export[ \t]+)?[A-Za-z_][A-Za-z0-9_]*=/m;
const ENV_LINE = /^[ \t]*(?:export[ \t]+)?(?<key>[A-Za-z_][A-Za-z0-9_]*)=(?<q>["']?)(?<value>[^\s"'#]+)\k<q>[ \t]*(?:#.*)?$/gm;
const SECRET_KEY = /pass(?:wd|word|phrase)?|secret|token|api_?key|access_?key|private_?key|account_?key|credentials?|auth|signing|salt|_key$|^key$|dsn|database_url|conn(?:ection)?_?str/i;

/**
 * The values of `.env`-style lines in `text` that are secrets: under a key that names one, or random
 * enough to be one. Each is later redacted wherever the session repeats it.
 */
export function envValues(text: string, into: Set<string>): void {
  if (!ENV_LINE_TRIGGER.test(text)) return;
  for (const m of text.matchAll(ENV_LINE)) {
    const { key, value, q } = m.groups as { key: string; value: string; q: string };
    if (value.length < MIN_EXACT_LENGTH || value.startsWith('[REDACTED') || !looksLikeSecretValue(value, q !== '')) continue;
    if (SECRET_KEY.test(key) || entropyKind(value, undefined) !== null) into.add(value);
  }
}
