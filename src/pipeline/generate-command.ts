// The generator's command line and environment: an argv template (run without a shell) whose
// placeholders are filled per job, and the only environment variables it inherits. Pure.
import { basename, isAbsolute, resolve } from 'node:path';
import { split } from 'shlex';
import { ConfigError } from '../config.ts';

/**
 * pir in print mode: one prompt, run to the end, the session written to this job's own sessions
 * folder. `--system-prompt` replaces pir's default prompt with the role's.
 */
export const DEFAULT_GENERATOR =
  'pir -p --session-dir {sessions} --system-prompt {system} {prompt} --tools read,bash,edit,write,grep,find,ls';

/** What a template may name: the role's system prompt, the task, the role, the job's working folder, its sessions folder. */
export const PLACEHOLDERS = ['system', 'prompt', 'role', 'cwd', 'sessions'] as const;
export type Placeholder = (typeof PLACEHOLDERS)[number];
export type PlaceholderValues = Record<Placeholder, string>;

const PLACEHOLDER = /\{([a-z]+)\}/g;

/** A template a person got wrong (the command line prints it as one line and exits 2). */
export class CommandTemplateError extends ConfigError {
  override name = 'CommandTemplateError';
}

/**
 * An argv template from its text: a JSON array of strings, or words split as a POSIX shell would
 * (quotes and backslashes; no variables, globs or operators: nothing is run through a shell).
 * Placeholders are checked here, so a typo fails before any job runs.
 */
export function parseCommandTemplate(text: string): string[] {
  const trimmed = text.trim();
  let argv: string[];
  if (trimmed.startsWith('[')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch (e) {
      throw new CommandTemplateError(`generator command: not a JSON array (${(e as Error).message})`);
    }
    if (!Array.isArray(parsed) || !parsed.every((a) => typeof a === 'string')) throw new CommandTemplateError('generator command: a JSON array must hold only strings');
    argv = parsed;
  } else {
    try {
      argv = split(trimmed);
    } catch (e) {
      throw new CommandTemplateError(`generator command: ${(e as Error).message}`);
    }
  }
  if (argv.length === 0 || argv[0] === '') throw new CommandTemplateError('generator command is empty');
  if (/\{[a-z]+\}/.test(argv[0])) throw new CommandTemplateError('generator command: the program itself cannot be a placeholder');
  for (const a of argv) {
    for (const m of a.matchAll(PLACEHOLDER)) {
      if (!(PLACEHOLDERS as readonly string[]).includes(m[1])) {
        throw new CommandTemplateError(`generator command: unknown placeholder {${m[1]}}; known: ${PLACEHOLDERS.map((p) => `{${p}}`).join(', ')}`);
      }
    }
  }
  return argv;
}

/**
 * The template with a relative program path (`./gen.sh`, `bin/gen`) made absolute against `base`:
 * the generator runs in the job's folder, where it would not be found. Its other arguments are
 * left as they are (relative to the job's folder).
 */
export function resolveProgram(template: readonly string[], base: string): string[] {
  const [program, ...rest] = template;
  return [program.includes('/') && !isAbsolute(program) ? resolve(base, program) : program, ...rest];
}

/** The argv of one run: every placeholder replaced in one pass (a value is never expanded again). */
export function expandCommand(template: readonly string[], values: PlaceholderValues): string[] {
  return template.map((a) => a.replace(PLACEHOLDER, (whole, name: string) => ((PLACEHOLDERS as readonly string[]).includes(name) ? values[name as Placeholder] : whole)));
}

/** The program's name, as samples record it (`pir`, `fake-generator.mjs`). */
export function commandName(template: readonly string[]): string {
  // `node script.mjs ...`: the script says more than the interpreter.
  const program = basename(template[0]);
  if (/^(node|bun|deno|python3?|bash|sh)$/.test(program) && template[1] && !template[1].startsWith('-')) return basename(template[1]);
  return program;
}

/** The runtime the session's reader should assume (pir and omp write pi's format with their own twists). */
export function runtimeOfCommand(template: readonly string[]): 'pir' | 'omp' | 'pi' {
  const program = basename(template[0]);
  return program === 'pir' ? 'pir' : program === 'omp' ? 'omp' : 'pi';
}

/**
 * Variables a generator inherits by default: what a program needs to run (PATH, HOME, locale,
 * terminal, temp folder), where pi keeps its settings and logins, and the model providers' keys
 * pi documents. Nothing of harvest's own (Redis, GitHub, InfluxDB, board tokens) ever passes.
 */
export const DEFAULT_ENV_ALLOW: readonly string[] = [
  'PATH', 'HOME', 'USER', 'LOGNAME', 'SHELL', 'LANG', 'LANGUAGE', 'LC_*', 'TERM', 'TZ', 'TMPDIR',
  'PI_CODING_AGENT_DIR', 'NODE_EXTRA_CA_CERTS', 'HTTPS_PROXY', 'HTTP_PROXY', 'NO_PROXY',
  'ANTHROPIC_API_KEY', 'ANTHROPIC_OAUTH_TOKEN', 'OPENAI_API_KEY', 'AZURE_OPENAI_API_KEY', 'AZURE_OPENAI_BASE_URL',
  'AZURE_OPENAI_RESOURCE_NAME', 'AZURE_OPENAI_API_VERSION', 'GEMINI_API_KEY', 'GROQ_API_KEY', 'CEREBRAS_API_KEY',
  'XAI_API_KEY', 'OPENROUTER_API_KEY', 'AI_GATEWAY_API_KEY', 'ZAI_API_KEY', 'MISTRAL_API_KEY', 'MINIMAX_API_KEY', 'KIMI_API_KEY',
];

/** Names that must never reach a generator, whatever the allowlist says. */
const NEVER = /^(HARVEST_|REDIS_|INFLUX_|GITHUB_)/;

/** The allowlist: the defaults plus extra names (`HARVEST_GENERATOR_ENV`, comma-separated; `NAME_*` for a prefix). */
export function envAllowlist(extra: string | undefined): string[] {
  const more = (extra ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  return [...new Set([...DEFAULT_ENV_ALLOW, ...more])];
}

/** The environment of a generator: only allowed variables of `env`, then `set` (harvest's own values). */
export function generatorEnv(env: NodeJS.ProcessEnv, allow: readonly string[], set: Record<string, string> = {}): Record<string, string> {
  const exact = new Set(allow.filter((a) => !a.endsWith('*')));
  const prefixes = allow.filter((a) => a.endsWith('*')).map((a) => a.slice(0, -1));
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined || NEVER.test(k)) continue;
    if (exact.has(k) || prefixes.some((p) => k.startsWith(p))) out[k] = v;
  }
  return { ...out, ...set };
}
