// One logger (pino): JSON, pretty on a TTY, with secrets redacted by key, by pattern and by value
// (harvest's own secret settings, and what HARVEST_PRIVACY and HARVEST_REDACT_FILE add).
import pino, { type Logger } from 'pino';
import { processPrivacy } from './config.ts';
import { scrubberFor, type Scrubber } from './transforms/scrub.ts';

const REDACT_KEYS = [
  'token', 'password', 'secret', 'authorization', 'apiKey', 'api_key', 'githubToken',
  '*.token', '*.password', '*.secret', '*.authorization', '*.apiKey', '*.api_key',
  'headers.authorization', 'req.headers.authorization', 'config.token', 'options.auth',
];

function scrubError(e: Error, s: Scrubber): Error {
  const out = new Error(s.text(e.message, {}));
  out.name = e.name;
  out.stack = e.stack ? s.text(e.stack, {}) : undefined;
  return out;
}

/** A log argument with its texts scrubbed: messages, error texts, and the fields of merged objects. */
export function scrubLogArg(a: unknown, s: Scrubber = scrubberFor(processPrivacy())): unknown {
  if (typeof a === 'string') return s.text(a, {});
  if (a instanceof Error) return scrubError(a, s);
  if (a !== null && typeof a === 'object' && !Array.isArray(a) && Object.getPrototypeOf(a) === Object.prototype) {
    let out: Record<string, unknown> | undefined;
    for (const [k, v] of Object.entries(a)) {
      const c = v instanceof Error ? scrubError(v, s) : s.deep(v, {}, k);
      if (c !== v) (out ??= { ...(a as Record<string, unknown>) })[k] = c;
    }
    return out ?? a;
  }
  return a;
}

export function createLogger(level = process.env.HARVEST_LOG_LEVEL ?? 'info', name = 'harvest'): Logger {
  const pretty = process.stderr.isTTY && level !== 'silent';
  const scrubber = scrubberFor(processPrivacy());
  return pino({
    name,
    level,
    redact: { paths: REDACT_KEYS, censor: '[REDACTED]' },
    // Messages, error texts and field values can carry tokens a key-based redaction cannot see.
    hooks: {
      logMethod(args, method) {
        method.apply(this, args.map((a) => scrubLogArg(a, scrubber)) as Parameters<typeof method>);
      },
    },
    ...(pretty
      ? { transport: { target: 'pino-pretty', options: { destination: 2, colorize: true } } }
      : {}),
  }, pretty ? undefined : pino.destination(2));
}

export const log = createLogger();
export type { Logger };
