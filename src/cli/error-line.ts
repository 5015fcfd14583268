// How a command that failed tells the person at the terminal: one line (what failed, why, what
// fixes it) and an exit code; the stack trace only with --verbose.
import { CommanderError, InvalidArgumentError } from 'commander';
import { UserError } from '../user-error.ts';
import { scrubText } from '../transforms/scrub.ts';
import { EXIT_FAILED, EXIT_USAGE } from './exit-codes.ts';

/** System errors a person meets, said as what to do. */
function systemError(e: NodeJS.ErrnoException): UserError | null {
  const where = e.path ?? (e as { address?: string }).address;
  const port = (e as { port?: number }).port;
  switch (e.code) {
    case 'ECONNREFUSED':
      return new UserError(`connection refused by ${where ?? '?'}${port ? `:${port}` : ''}`, EXIT_FAILED, 'is the service running and its URL setting right? `harvest doctor` checks every service');
    case 'ENOSPC':
      return new UserError(`no space left on the device${where ? ` writing ${where}` : ''}`, EXIT_FAILED, 'free some space or choose another --out');
    case 'EACCES':
    case 'EPERM':
      return new UserError(`permission denied${where ? `: ${where}` : ''}`, EXIT_FAILED, 'check the owner and mode of that path, or choose another --out');
    case 'ENOENT':
      return where ? new UserError(`no such file or folder: ${where}`, EXIT_FAILED) : null;
    default:
      return null;
  }
}

export interface ErrorReport {
  text: string;
  exitCode: number;
}

/** The text to print (ending in a newline) and the exit code for an error that ended a command. */
export function describeError(e: unknown, verbose: boolean): ErrorReport {
  const stack = verbose && e instanceof Error && e.stack ? `${e.stack}\n` : '';
  if (e instanceof UserError) return { text: `harvest: ${e.line()}\n${stack}`, exitCode: e.exitCode };
  // Thrown by a command's own checks (a parse error is a plain CommanderError, already printed).
  if (e instanceof InvalidArgumentError) return { text: `harvest: ${e.message}\n${stack}`, exitCode: EXIT_USAGE };
  if (e instanceof CommanderError) {
    // Commander printed its own one line already (see oneLineParseErrors); help exits 0.
    return { text: '', exitCode: e.exitCode === 0 ? 0 : EXIT_USAGE };
  }
  const sys = e instanceof Error ? systemError(e as NodeJS.ErrnoException) : null;
  if (sys) return { text: `harvest: ${sys.line()}\n${stack}`, exitCode: sys.exitCode };
  const message = e instanceof Error ? e.message : String(e);
  return { text: `harvest: ${message.split('\n')[0]}${stack ? `\n${stack}` : ' (run again with --verbose for the stack trace)\n'}`, exitCode: EXIT_FAILED };
}

/** `describeError` with secrets scrubbed from the text: an error message can quote a token. */
export function errorReport(e: unknown, verbose: boolean): ErrorReport {
  const r = describeError(e, verbose);
  return { ...r, text: scrubText(r.text, {}) };
}
