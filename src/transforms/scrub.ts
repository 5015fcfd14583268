import { addCount, type Counts, type Session, type Turn } from '../model/session.ts';
import { ANY_SECRET_TRIGGER, looksLikeSecretValue, SECRET_FIELD_NAME, SECRET_RULES } from './secret-patterns.ts';

const redacted = (kind: string): string => `[REDACTED:${kind}]`;

/**
 * Replaces every secret in `text` by `[REDACTED:<kind>]`, counting `redacted_<kind>`. On the hot path
 * of every sample byte: a text without any trigger substring is returned after a single scan.
 */
export function scrubText(text: string, counts: Counts): string {
  if (text.length < 8 || !ANY_SECRET_TRIGGER.test(text)) return text;
  let out = text;
  for (const rule of SECRET_RULES) {
    if (!rule.trigger.test(out)) continue;
    out = out.replace(rule.pattern, (...args: unknown[]) => {
      const match = args[0] as string;
      const last = args[args.length - 1];
      const groups = (typeof last === 'object' && last !== null ? last : {}) as Record<string, string | undefined>;
      const secret = groups.secret;
      if (rule.accept && !rule.accept(secret ?? match, match, groups)) return match;
      addCount(counts, `redacted_${rule.kind}`);
      // The secret is the tail of the match: keep what came before it (key, header name, quote).
      return secret === undefined ? redacted(rule.kind) : match.slice(0, match.length - secret.length) + redacted(rule.kind);
    });
  }
  return out;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function scrubValue(value: unknown, key: string | undefined, counts: Counts): unknown {
  if (typeof value === 'string') {
    if (key !== undefined && SECRET_FIELD_NAME.test(key) && looksLikeSecretValue(value, true, 1)) {
      addCount(counts, 'redacted_secret_field');
      return redacted('secret_field');
    }
    return scrubText(value, counts);
  }
  // Nothing to redact (nearly always): the value itself comes back, not a copy, which spares the
  // allocation and keeps caches keyed by the object (its rendered JSON) valid.
  if (Array.isArray(value)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const v = scrubValue(value[i], undefined, counts);
      if (v !== value[i]) (out ??= value.slice())[i] = v;
    }
    return out ?? value;
  }
  if (isPlainObject(value)) {
    let out: Record<string, unknown> | undefined;
    for (const k of Object.keys(value)) {
      const v = scrubValue(value[k], k, counts);
      if (v !== value[k]) (out ??= { ...value })[k] = v;
    }
    return out ?? value;
  }
  return value;
}

/**
 * `value` with every string scrubbed, and string values under secret-looking keys replaced whole
 * (`redacted_secret_field`): a copy where something changed, the same object where nothing did. Numbers and nested objects under such keys are walked,
 * not replaced (`tokens: {input, output}` stays).
 */
export function scrubDeep<T>(value: T, counts: Counts): T {
  return scrubValue(value, undefined, counts) as T;
}

/** A copy of the turn with its text, thinking, tool inputs and tool results scrubbed. */
export function scrubTurn(turn: Turn, counts: Counts): Turn {
  return {
    ...turn,
    text: scrubText(turn.text, counts),
    thinking: turn.thinking === undefined ? undefined : scrubText(turn.thinking, counts),
    toolCalls: turn.toolCalls.length === 0 ? turn.toolCalls : turn.toolCalls.map((c) => ({ ...c, input: scrubDeep(c.input, counts) })),
    toolResults: turn.toolResults.length === 0 ? turn.toolResults : turn.toolResults.map((r) => ({ ...r, content: scrubText(r.content, counts) })),
  };
}

/**
 * The session with every free text that can reach a shard scrubbed once: turns of every branch,
 * cwd, branch name and source extras. Scrubbing once per session, before chunking, means a turn
 * shared by two overlapping chunks is scanned (and counted) once.
 */
export function scrubSession(session: Session, counts: Counts): Session {
  return {
    ...session,
    cwd: session.cwd === undefined ? undefined : scrubText(session.cwd, counts),
    gitBranch: session.gitBranch === undefined ? undefined : scrubText(session.gitBranch, counts),
    extra: scrubDeep(session.extra, counts),
    turns: session.turns.map((t) => scrubTurn(t, counts)),
    abandoned: session.abandoned.map((b) => ({ ...b, turns: b.turns.map((t) => scrubTurn(t, counts)) })),
  };
}
