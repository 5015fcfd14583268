import { addCount, type Counts, type Session, type Turn } from '../model/session.ts';
import { looksLikeSecretValue, SECRET_FIELD_NAME, SECRET_RULES } from './secret-patterns.ts';
import { entropyKind, TOKEN_CHARS } from './secrets/entropy.ts';
import { buildPrefilter } from './secrets/prefilter.ts';
import type { SecretRule } from './secrets/rule.ts';
import { EMAIL_PATTERN, EMAIL_TRIGGER, isPersonalEmail } from './privacy/emails.ts';
import { envValues, exactPattern } from './privacy/exact-values.ts';
import { ENCODED_HOME_PATTERN, HOME_MARKER, HOME_PATH_PATTERN, HOME_TRIGGER } from './privacy/home-paths.ts';
import { distinctiveNames, namesPattern } from './privacy/machine-names.ts';
import { DEFAULT_LAYERS, type PrivacyLayer, type ScrubOptions } from './privacy/options.ts';

export type { ScrubOptions } from './privacy/options.ts';

const redacted = (kind: string): string => `[REDACTED:${kind}]`;

const triggeredRules = buildPrefilter(SECRET_RULES);

/** Replaces the matches of `rule` (or its `secret` group) in `text`, counting each. */
function applyRule(text: string, rule: SecretRule, counts: Counts): string {
  return text.replace(rule.pattern, (...args: unknown[]) => {
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

// A value where a secret stands: after `=` or `:` (an assignment, a header, a query parameter) or
// inside quotes, up to a quote, a space or a character that closes an expression.
const VALUE_CONTEXT = new RegExp(
  String.raw`(?<sep>[=:]|(?<![\w\\])["'\x60])[ \t]*(?:\\?["'\x60])?(?<secret>[${TOKEN_CHARS}]{16,512})(?=\\?["'\x60]|[\s,;&)}\]>]|$)`,
  'g',
);
const WHOLE_TOKEN = new RegExp(`^[${TOKEN_CHARS}]{16,512}$`);
const KEY_CHAR = /[A-Za-z0-9_.-]/;

/** The key before a separator at `at` (`name` of `name=`, `"name": `, `\"name\": `), if any. */
function keyBefore(text: string, at: number): string | undefined {
  let i = at - 1;
  while (i >= 0 && (text[i] === ' ' || text[i] === '\t')) i--;
  if (i >= 0 && (text[i] === '"' || text[i] === "'")) i--;
  if (i >= 0 && text[i] === '\\') i--;
  const end = i + 1;
  while (i >= 0 && end - i <= 80 && KEY_CHAR.test(text[i])) i--;
  return end - (i + 1) > 0 ? text.slice(i + 1, end) : undefined;
}

function scrubEntropy(text: string, counts: Counts, key: string | undefined): string {
  const whole = text.trim();
  if (WHOLE_TOKEN.test(whole)) {
    const kind = entropyKind(whole, key);
    if (kind === null) return text;
    addCount(counts, `redacted_${kind}`);
    return text.replace(whole, redacted(kind));
  }
  return text.replace(VALUE_CONTEXT, (match: string, _sep: string, secret: string, offset: number) => {
    const key = match[0] === '=' || match[0] === ':' ? keyBefore(text, offset) : undefined;
    const kind = entropyKind(secret, key);
    if (kind === null) return match;
    addCount(counts, `redacted_${kind}`);
    return match.slice(0, match.length - secret.length) + redacted(kind);
  });
}

interface ExactLayer {
  pattern: RegExp;
  kind: string;
}

/**
 * A compiled set of options: what to redact beyond the rules, each layer with its own cheap test.
 * Built once per options object (see scrubberFor), or per session when it printed `.env` values.
 */
export class Scrubber {
  private readonly on: ReadonlySet<PrivacyLayer>;
  private readonly exact: ExactLayer[] = [];
  private readonly customPatterns: RegExp[] = [];
  private readonly names: RegExp | null;

  constructor(
    readonly options: ScrubOptions = {},
    sessionValues: Iterable<string> = [],
  ) {
    this.on = new Set(options.layers ?? DEFAULT_LAYERS);
    const exact = (values: Iterable<string> | undefined, kind: string, flags = 'g') => {
      const pattern = values === undefined ? null : exactPattern(values, flags);
      if (pattern) this.exact.push({ pattern, kind });
    };
    if (this.on.has('harvest_secrets')) exact(options.knownValues, 'harvest_secret');
    exact(sessionValues, 'env_value');
    if (this.on.has('custom') && options.custom) {
      exact(options.custom.strings, 'custom', 'gi');
      for (const p of options.custom.patterns) this.customPatterns.push(new RegExp(p.source, `${p.flags}g`));
    }
    this.names = this.on.has('machine_names') ? namesPattern(distinctiveNames(options.machineNames ?? [])) : null;
  }

  /** True when `layer` is on. */
  has(layer: PrivacyLayer): boolean {
    return this.on.has(layer);
  }

  /** This scrubber plus the values of `.env`-style output that `session` printed (when that layer is on). */
  forSession(session: Session): Scrubber {
    if (!this.on.has('env_values')) return this;
    const values = new Set<string>();
    const fromTurn = (t: Turn) => {
      if (t.role === 'user') envValues(t.text, values);
      for (const r of t.toolResults) envValues(r.content, values);
      for (const c of t.toolCalls) stringLeaves(c.input, (s) => envValues(s, values));
    };
    for (const t of session.turns) fromTurn(t);
    for (const b of session.abandoned) for (const t of b.turns) fromTurn(t);
    return values.size === 0 ? this : new Scrubber(this.options, values);
  }

  /**
   * Replaces every secret in `text` by `[REDACTED:<kind>]`, counting `redacted_<kind>`. On the hot path
   * of every sample byte: each layer first asks one cheap question of the text.
   */
  text(text: string, counts: Counts, key?: string): string {
    if (text.length < 8) return text;
    let out = text;
    const hit = triggeredRules(text);
    if (hit !== null) for (let i = 0; i < SECRET_RULES.length; i++) if (hit[i]) out = applyRule(out, SECRET_RULES[i], counts);
    for (const { pattern, kind } of this.exact) out = this.replaceAll(out, pattern, kind, counts);
    for (const p of this.customPatterns) out = this.replaceAll(out, p, 'custom', counts);
    if (this.on.has('entropy')) out = scrubEntropy(out, counts, key);
    if (this.on.has('emails') && EMAIL_TRIGGER.test(out)) {
      out = out.replace(EMAIL_PATTERN, (m) => {
        if (!isPersonalEmail(m)) return m;
        addCount(counts, 'redacted_email');
        return redacted('email');
      });
    }
    if (this.on.has('home_paths') && HOME_TRIGGER.test(out)) {
      for (const p of [HOME_PATH_PATTERN, ENCODED_HOME_PATTERN]) {
        out = out.replace(p, (m: string, ...rest: unknown[]) => {
          const user = (rest[rest.length - 1] as { secret: string }).secret;
          addCount(counts, 'redacted_home_user');
          return m.slice(0, m.length - user.length) + HOME_MARKER;
        });
      }
    }
    if (this.names) {
      out = this.replaceAll(out, this.names, 'machine_name', counts);
    }
    return out;
  }

  private replaceAll(text: string, pattern: RegExp, kind: string, counts: Counts): string {
    return text.replace(pattern, (m) => {
      if (m === '') return m;
      addCount(counts, `redacted_${kind}`);
      return redacted(kind);
    });
  }

  /** One string value, under `key` when it is an object field. */
  value(value: string, key: string | undefined, counts: Counts): string {
    if (key !== undefined && SECRET_FIELD_NAME.test(key) && looksLikeSecretValue(value, true, 1)) {
      addCount(counts, 'redacted_secret_field');
      return redacted('secret_field');
    }
    // A field that is one token is judged with its key, as `"key": "value"` is in text.
    return this.text(value, counts, key);
  }

  /**
   * `value` with every string scrubbed, and string values under secret-looking keys replaced whole
   * (`redacted_secret_field`): a copy where something changed, the same object where nothing did.
   * Numbers and nested objects under such keys are walked, not replaced (`tokens: {input, output}` stays).
   */
  deep<T>(value: T, counts: Counts, key?: string): T {
    return this.walk(value, key, counts) as T;
  }

  private walk(value: unknown, key: string | undefined, counts: Counts): unknown {
    if (typeof value === 'string') return this.value(value, key, counts);
    // Nothing to redact (nearly always): the value itself comes back, not a copy, which spares the
    // allocation and keeps caches keyed by the object (its rendered JSON) valid.
    if (Array.isArray(value)) {
      let out: unknown[] | undefined;
      for (let i = 0; i < value.length; i++) {
        const v = this.walk(value[i], undefined, counts);
        if (v !== value[i]) (out ??= value.slice())[i] = v;
      }
      return out ?? value;
    }
    if (isPlainObject(value)) {
      let out: Record<string, unknown> | undefined;
      for (const k of Object.keys(value)) {
        const v = this.walk(value[k], k, counts);
        if (v !== value[k]) (out ??= { ...value })[k] = v;
      }
      return out ?? value;
    }
    return value;
  }

  /** A copy of the turn with its text, thinking, tool inputs and tool results scrubbed. */
  turn(turn: Turn, counts: Counts): Turn {
    return {
      ...turn,
      text: this.text(turn.text, counts),
      thinking: turn.thinking === undefined ? undefined : this.text(turn.thinking, counts),
      toolCalls: turn.toolCalls.length === 0 ? turn.toolCalls : turn.toolCalls.map((c) => ({ ...c, input: this.deep(c.input, counts) })),
      toolResults: turn.toolResults.length === 0 ? turn.toolResults : turn.toolResults.map((r) => ({ ...r, content: this.text(r.content, counts) })),
    };
  }

  /** The session scrubbed; see scrubSession. */
  session(session: Session, counts: Counts): Session {
    const s = this.forSession(session);
    return {
      ...session,
      cwd: session.cwd === undefined ? undefined : s.text(session.cwd, counts),
      gitBranch: session.gitBranch === undefined ? undefined : s.text(session.gitBranch, counts),
      extra: s.deep(session.extra, counts),
      // Declared tool specs can carry what a user configured (an MCP server's URL, a default value).
      ...(session.tools === undefined ? {} : { tools: s.deep(session.tools, counts) }),
      turns: session.turns.map((t) => s.turn(t, counts)),
      abandoned: session.abandoned.map((b) => ({ ...b, turns: b.turns.map((t) => s.turn(t, counts)) })),
    };
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function stringLeaves(value: unknown, on: (s: string) => void): void {
  if (typeof value === 'string') on(value);
  else if (Array.isArray(value)) for (const v of value) stringLeaves(v, on);
  else if (isPlainObject(value)) for (const v of Object.values(value)) stringLeaves(v, on);
}

const DEFAULT_SCRUBBER = new Scrubber();
const compiled = new WeakMap<ScrubOptions, Scrubber>();

/** The scrubber of `options`, compiled once per options object. */
export function scrubberFor(options?: ScrubOptions | Scrubber): Scrubber {
  if (options === undefined) return DEFAULT_SCRUBBER;
  if (options instanceof Scrubber) return options;
  let s = compiled.get(options);
  if (!s) compiled.set(options, (s = new Scrubber(options)));
  return s;
}

/** Replaces every secret in `text` by `[REDACTED:<kind>]`, counting `redacted_<kind>`. */
export function scrubText(text: string, counts: Counts, options?: ScrubOptions | Scrubber): string {
  return scrubberFor(options).text(text, counts);
}

/** `value` with every string scrubbed; see Scrubber.deep. */
export function scrubDeep<T>(value: T, counts: Counts, options?: ScrubOptions | Scrubber): T {
  return scrubberFor(options).deep(value, counts);
}

/** A copy of the turn with its text, thinking, tool inputs and tool results scrubbed. */
export function scrubTurn(turn: Turn, counts: Counts, options?: ScrubOptions | Scrubber): Turn {
  return scrubberFor(options).turn(turn, counts);
}

/**
 * The session with every free text that can reach a shard scrubbed once: turns of every branch,
 * cwd, branch name, source extras and declared tool specs, and (with `env_values`) every value its `.env`-style output
 * printed, wherever it recurs. Scrubbing once per session, before chunking, means a turn shared by
 * two overlapping chunks is scanned (and counted) once.
 */
export function scrubSession(session: Session, counts: Counts, options?: ScrubOptions | Scrubber): Session {
  return scrubberFor(options).session(session, counts);
}
