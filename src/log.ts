// One logger (pino): JSON, pretty on a TTY, with secrets redacted by key and by pattern.
import pino, { type Logger } from 'pino';
import { scrubText } from './transforms/scrub.ts';

const REDACT_KEYS = [
  'token', 'password', 'secret', 'authorization', 'apiKey', 'api_key', 'githubToken',
  '*.token', '*.password', '*.secret', '*.authorization', '*.apiKey', '*.api_key',
  'headers.authorization', 'req.headers.authorization', 'config.token', 'options.auth',
];

function scrubArg(a: unknown): unknown {
  if (typeof a === 'string') return scrubText(a, {});
  if (a instanceof Error) {
    const e = new Error(scrubText(a.message, {}));
    e.name = a.name;
    e.stack = a.stack ? scrubText(a.stack, {}) : undefined;
    return e;
  }
  return a;
}

export function createLogger(level = process.env.HARVEST_LOG_LEVEL ?? 'info', name = 'harvest'): Logger {
  const pretty = process.stderr.isTTY && level !== 'silent';
  return pino({
    name,
    level,
    redact: { paths: REDACT_KEYS, censor: '[REDACTED]' },
    // Messages and error texts can carry tokens a key-based redaction cannot see.
    hooks: {
      logMethod(args, method) {
        method.apply(this, args.map(scrubArg) as Parameters<typeof method>);
      },
    },
    ...(pretty
      ? { transport: { target: 'pino-pretty', options: { destination: 2, colorize: true } } }
      : {}),
  }, pretty ? undefined : pino.destination(2));
}

export const log = createLogger();
export type { Logger };
