// One logger (pino): JSON, pretty on a TTY, with secrets redacted by key, by pattern and by value
// (harvest's own secret settings, and what HARVEST_PRIVACY and HARVEST_REDACT_FILE add). Lines are
// formatted and written in this thread, through one output that progress bars can take over, so a
// log line is printed above the bars and never through them.
import { createRequire } from 'node:module';
import pino, { stdSerializers, type Logger } from 'pino';
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

/** Stack traces are for `--verbose` (HARVEST_VERBOSE=1); otherwise an error logs its type and message. */
function errSerializer(e: Error): Record<string, unknown> {
  const full = stdSerializers.err(e) as unknown as Record<string, unknown>;
  if (process.env.HARVEST_VERBOSE === '1') return full;
  const { stack: _stack, ...rest } = full;
  return rest;
}

type LineSink = (text: string) => void;
let takenBy: LineSink | null = null;

/**
 * While `sink` is set, every logger's lines go to it (formatted) instead of stderr: progress bars
 * take the output for as long as they are drawn and give it back with `routeLogLines(null)`.
 */
export function routeLogLines(sink: LineSink | null): void {
  takenBy = sink;
}

let prettify: ((line: string) => string) | null | undefined;
function prettyFormat(): ((line: string) => string) | null {
  if (prettify === undefined) {
    try {
      // Loaded only on a terminal: off one, logs stay JSON and this package is never read.
      const { prettyFactory } = createRequire(import.meta.url)('pino-pretty') as { prettyFactory: (o: object) => (l: string) => string };
      // One line per record: a record never spreads over the screen between redraws of the bars.
      prettify = prettyFactory({ colorize: true, ignore: 'pid,hostname', singleLine: true });
    } catch {
      prettify = null;
    }
  }
  return prettify;
}

function output(pretty: boolean): { write(line: string): void } {
  return {
    write(line: string) {
      const fmt = pretty ? prettyFormat() : null;
      const text = fmt ? fmt(line) : line;
      if (takenBy) takenBy(text);
      else process.stderr.write(text);
    },
  };
}

export function createLogger(level = process.env.HARVEST_LOG_LEVEL ?? 'info', name = 'harvest'): Logger {
  const pretty = process.stderr.isTTY === true && level !== 'silent';
  const scrubber = scrubberFor(processPrivacy());
  return pino({
    name,
    level,
    redact: { paths: REDACT_KEYS, censor: '[REDACTED]' },
    serializers: { err: errSerializer },
    // Messages, error texts and field values can carry tokens a key-based redaction cannot see.
    hooks: {
      logMethod(args, method) {
        method.apply(this, args.map((a) => scrubLogArg(a, scrubber)) as Parameters<typeof method>);
      },
    },
  }, output(pretty));
}

export const log = createLogger();
export type { Logger };
