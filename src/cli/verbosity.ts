// How much this command-line process says: `--quiet` (errors and the result only), the default, or
// `--verbose` (debug logs and stack traces). Set once from the flags, before a command runs.
import type { Logger } from '../log.ts';

export type Verbosity = 'quiet' | 'normal' | 'verbose';

let current: Verbosity = process.env.HARVEST_VERBOSE === '1' ? 'verbose' : 'normal';

export function verbosity(): Verbosity {
  return current;
}

/**
 * Applies the flags: the log level of `log` and of every logger created later (through
 * HARVEST_LOG_LEVEL), and stack traces in logged errors (HARVEST_VERBOSE, read by the logger).
 */
export function applyVerbosity(flags: { quiet?: boolean; verbose?: boolean }, log: Logger, env: NodeJS.ProcessEnv = process.env): Verbosity {
  current = flags.quiet ? 'quiet' : flags.verbose ? 'verbose' : current;
  if (current === 'verbose') {
    env.HARVEST_VERBOSE = '1';
    env.HARVEST_LOG_LEVEL = 'debug';
  } else if (current === 'quiet') {
    env.HARVEST_LOG_LEVEL = 'error';
  }
  if (env.HARVEST_LOG_LEVEL) log.level = env.HARVEST_LOG_LEVEL;
  return current;
}
