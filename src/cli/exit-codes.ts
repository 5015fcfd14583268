// What each command's exit code means, in one place: `--help` of every command prints its lines, and
// the README's table says the same.
import type { Command } from 'commander';

export const EXIT_OK = 0;
/** The run failed (or, for a checking command, found a problem). */
export const EXIT_FAILED = 1;
/** Arguments or settings a person got wrong: a mistyped flag, a missing folder, a Redis that does not answer. */
export const EXIT_USAGE = 2;

type Codes = Record<number, string>;

const COMMON: Codes = {
  0: 'done',
  1: 'failed (the message says what and why)',
  2: 'bad arguments or settings: a mistyped flag, a folder that does not exist, a Redis that does not answer',
};

/** What a command's codes mean where it differs from COMMON. */
const SPECIFIC: Record<string, Codes> = {
  backfill: { 0: 'done (files that failed are counted in the summary and in <out>/runs/<run>.json)' },
  validate: { 0: 'every sample is valid', 1: 'a sample is invalid (listed)', 2: 'no dataset in the folder, or bad arguments' },
  report: { 0: 'written', 2: 'no dataset in the folder, or bad arguments' },
  doctor: { 0: 'every check passed (warnings allowed)', 1: 'a check failed (each says how to fix it)' },
  convert: { 0: 'converted', 1: 'a file is no session of a known format (the others are converted)', 2: 'a file that does not exist, or bad arguments' },
  'record-action': { 0: 'queued', 3: 'Redis is down: the event was spooled and is sent later' },
  'record-outcome': { 0: 'queued', 3: 'Redis is down: the event was spooled and is sent later' },
  'repos remove': { 0: 'removed', 1: 'the repository was not polled' },
  'beads ingest': { 1: 'an export failed' },
  'beads show': { 0: 'found', 1: 'no such bead' },
  'export eval': { 0: 'written', 2: 'no dataset in the folder, or bad arguments' },
  scan: { 0: 'nothing found', 1: 'findings (listed by kind, file and line; never the values)', 2: 'a path that does not exist, or a bad setting' },
  generate: { 1: 'a generation failed' },
  'shards compact': { 1: 'the folders could not be merged (the message says why)' },
};

function pathOf(cmd: Command): string {
  const names: string[] = [];
  for (let c: Command | null = cmd; c?.parent; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

/** The exit codes of a command (`repos remove`), code -> meaning. */
export function exitCodesOf(path: string): Codes {
  return { ...COMMON, ...SPECIFIC[path] };
}

function helpText(codes: Codes): string {
  return '\nExit codes:\n' + Object.entries(codes).map(([c, m]) => `  ${c}  ${m}`).join('\n');
}

/** Adds the exit codes to the help of every command under `program`, however deep. */
export function documentExitCodes(program: Command): void {
  program.addHelpText('after', `${helpText(COMMON)}\n(each command's --help lists its own)`);
  const walk = (cmd: Command) => {
    for (const sub of cmd.commands) {
      if (sub.commands.length === 0) sub.addHelpText('after', helpText(exitCodesOf(pathOf(sub))));
      walk(sub);
    }
  };
  walk(program);
}

/**
 * Commander's parse errors as one line naming the command's help, printed by commander itself (so
 * commands with their own exit handling print the same line).
 */
export function oneLineParseErrors(program: Command): void {
  const walk = (cmd: Command) => {
    const path = pathOf(cmd);
    cmd.showHelpAfterError(false);
    cmd.configureOutput({
      outputError: (str, write) => write(`harvest: ${str.replace(/^error: /, '').trim().replace(/\.$/, '')}; see harvest ${path ? `${path} ` : ''}--help\n`),
    });
    for (const sub of cmd.commands) walk(sub);
  };
  walk(program);
}
