// The `harvest` command line. Each command lives in its own file; this one wires them to flags.
import { Command, Option, InvalidArgumentError } from 'commander';
import { resolve } from 'node:path';
import { loadConfig, loadPrivacy, type HarvestConfig } from '../config.ts';
import { createLogger } from '../log.ts';
import { TOKENIZER_NAMES, isTokenizerName, type TokenizerName } from '../transforms/tokens/tokenizer.ts';
import { ensureRedis } from './ensure-redis.ts';
import { parseDuration } from './duration.ts';
import { chooseRoots, allRoots } from './session-roots.ts';
import { checkNamedRoots } from './root-check.ts';
import { documentExitCodes, oneLineParseErrors } from './exit-codes.ts';
import { errorReport } from './error-line.ts';
import { applyVerbosity, verbosity } from './verbosity.ts';

const log = createLogger();

const int = (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('expected a positive whole number');
  return n;
};
const collect = (v: string, prev: string[] = []): string[] => [...prev, v];
const nonNegative = (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a whole number, 0 or more');
  return n;
};

/** Sample-building flags shared by backfill and worker. */
function sampleOverrides(o: { maxTokens?: number; tokenizer?: string; contextSteps?: number }): Partial<HarvestConfig> {
  if (o.tokenizer !== undefined && !isTokenizerName(o.tokenizer)) {
    throw new InvalidArgumentError(`--tokenizer takes one of ${TOKENIZER_NAMES.join(', ')}`);
  }
  return {
    ...(o.maxTokens !== undefined ? { maxTokens: o.maxTokens } : {}),
    ...(o.tokenizer !== undefined ? { tokenizer: o.tokenizer as TokenizerName } : {}),
    ...(o.contextSteps !== undefined ? { contextSteps: o.contextSteps } : {}),
  };
}
const PRIVACY_HELP = 'what to redact beyond secrets: default, publish (every layer), or layers (HARVEST_PRIVACY)';
/** The config override of a --privacy flag (none without one: HARVEST_PRIVACY then decides). */
const privacyOverride = (spec: string | undefined): Partial<HarvestConfig> => (spec ? { privacy: loadPrivacy(process.env, spec) } : {});

/** Loads config with command-line overrides and makes sure Redis answers (or starts a private one). */
async function withRedis(overrides: Partial<HarvestConfig>, fn: (cfg: HarvestConfig) => Promise<void>): Promise<void> {
  const cfg = loadConfig(process.env, overrides);
  const redis = await ensureRedis(cfg.redisUrl, cfg.redisUrlExplicit, cfg.outDir);
  if (redis.private) log.info({ url: redis.url }, 'no Redis at the default address; started a private redis-server for this run');
  try {
    await fn({ ...cfg, redisUrl: redis.url });
  } finally {
    await redis.stop();
  }
}

/** Commands defined here; any other (or none, or --help) loads the rest of the command line too. */
const CORE_COMMANDS = new Set(['backfill', 'worker', 'watch', 'validate']);

/** The command word of `argv` (node, script, then the command before any option). */
function commandName(argv: string[]): string | undefined {
  const word = argv[2];
  return word === undefined || word.startsWith('-') ? undefined : word;
}

/**
 * The command line. Only what `argv` runs is loaded: a backfill or a worker starts without the HTTP
 * server, GitHub client and InfluxDB sinks the other commands bring (a third of an unchanged re-run).
 */
export async function buildProgram(argv: string[] = ['node', 'harvest']): Promise<Command> {
  const program = new Command('harvest')
    .description('Turns AI coding-agent sessions, PRs and orchestrator events into training data and time series')
    .option('-q, --quiet', 'print only errors and the result (no progress, no info logs)')
    .option('--verbose', 'debug logs, and stack traces with errors')
    // Parse errors become one line (oneLineParseErrors) and reach main() as CommanderErrors.
    .exitOverride()
    .configureHelp({ showGlobalOptions: true });
  program.hook('preAction', (_program, action) => void applyVerbosity(action.optsWithGlobals(), log));

  program
    .command('backfill')
    .description('enqueue every session file under the given roots (default: every default root that exists, else fixtures/)')
    .option('--claude <dir>', 'Claude Code projects folder (repeatable)', collect)
    .option('--pir <dir>', 'pi / pir sessions folder (repeatable)', collect)
    .option('--omp <dir>', 'omp sessions folder (repeatable)', collect)
    .option('--codex <dir>', 'Codex CLI sessions folder, e.g. $CODEX_HOME/sessions (repeatable)', collect)
    .option('--gemini <dir>', 'Gemini CLI temp folder, e.g. ~/.gemini/tmp (repeatable)', collect)
    .option('--opencode <dir>', 'OpenCode data folder (opencode.db, storage/) or a folder of `opencode export` files (repeatable)', collect)
    .option('--out <dir>', 'dataset folder for inline workers (HARVEST_OUT, default ./data)')
    .option('--inline', 'also run workers in this process until this run is done, then print a summary')
    .option('--json', 'print the summary as one JSON object on the last line of stdout')
    .option('--concurrency <n>', 'inline worker concurrency', int)
    .addOption(new Option('--thinking <mode>', 'keep or drop thinking (reasoning_content of assistant messages)').choices(['keep', 'drop']).default('keep'))
    .option('--max-tokens <n>', 'token budget of a sample, chat template included (HARVEST_MAX_TOKENS, default 4096)', int)
    .option('--tokenizer <name>', `tokenizer budgets are counted with: ${TOKENIZER_NAMES.join(', ')} (HARVEST_TOKENIZER, default qwen3)`)
    .option('--context-steps <n>', 'repeat up to N earlier steps as untrained context (HARVEST_CONTEXT_STEPS, default 0)', nonNegative)
    .option('--privacy <mode>', PRIVACY_HELP)
    .action(async (o) => {
      const { origin, roots } = chooseRoots(o);
      // A mistyped folder is said before any Redis is looked for.
      if (origin === 'flags') await checkNamedRoots(roots);
      await withRedis({ ...(o.out ? { outDir: resolve(o.out) } : {}), thinking: o.thinking, ...sampleOverrides(o), ...privacyOverride(o.privacy) }, async (cfg) => {
        const { backfill } = await import('./backfill.ts');
        await backfill(cfg, o, log);
      });
    });

  program
    .command('worker')
    .description('serve the queues until SIGTERM, then finish active jobs and exit')
    .option('--queues <names>', 'comma-separated queues to serve (default: all)')
    .option('--concurrency <n>', 'jobs at once per queue, or per queue as name=n,name=n')
    .option('--out <dir>', 'dataset folder (HARVEST_OUT, default ./data)')
    .option('--max-tokens <n>', 'token budget of a sample (HARVEST_MAX_TOKENS, default 4096)', int)
    .option('--tokenizer <name>', `tokenizer budgets are counted with (HARVEST_TOKENIZER): ${TOKENIZER_NAMES.join(', ')}`)
    .option('--context-steps <n>', 'earlier steps repeated as untrained context (HARVEST_CONTEXT_STEPS)', nonNegative)
    .option('--privacy <mode>', PRIVACY_HELP)
    .action(async (o) => {
      const per: Record<string, number> = {};
      let def: number | undefined;
      for (const part of String(o.concurrency ?? '').split(',').filter(Boolean)) {
        const [k, v] = part.includes('=') ? part.split('=') : [undefined, part];
        const n = int(v);
        if (k) per[k] = n;
        else def = n;
      }
      await withRedis({ ...(o.out ? { outDir: resolve(o.out) } : {}), ...(def ? { concurrency: def } : {}), ...sampleOverrides(o), ...privacyOverride(o.privacy) }, async (cfg) => {
        const { runWorkerProcess } = await import('../../workers/main.ts');
        await runWorkerProcess(cfg, log, { queues: o.queues?.split(',').filter(Boolean), concurrency: per });
      });
    });

  program
    .command('watch')
    .description('keep capturing: enqueue session files once they have been quiet for the settle time, again when they grow')
    .option('--claude <dir>', 'Claude Code projects folder (repeatable)', collect)
    .option('--pir <dir>', 'pi / pir sessions folder (repeatable)', collect)
    .option('--omp <dir>', 'omp sessions folder (repeatable)', collect)
    .option('--codex <dir>', 'Codex CLI sessions folder (repeatable)', collect)
    .option('--gemini <dir>', 'Gemini CLI temp folder (repeatable)', collect)
    .option('--opencode <dir>', 'OpenCode data folder (repeatable)', collect)
    .option('--settle <duration>', 'quiet time before a changed session is enqueued', parseDuration, 120_000)
    .option('--rescan <duration>', 'full rescan interval (safety net for missed events)', parseDuration, 60_000)
    .action(async (o) => {
      const { roots, origin } = chooseRoots(o);
      if (origin === 'flags') await checkNamedRoots(roots);
      await withRedis({}, async (cfg) => {
        const { startWatch } = await import('./watch.ts');
        const w = await startWatch({ ...cfg, roots: [...cfg.roots, ...allRoots(roots)] }, { roots, settleMs: o.settle, rescanMs: o.rescan }, log);
        await new Promise<void>((resolve) => {
          const stop = () => void w.stop().then(resolve);
          process.once('SIGTERM', stop);
          process.once('SIGINT', stop);
        });
        log.info('watch stopped');
      });
    });

  program
    .command('validate')
    .argument('<dir>', 'dataset folder (the --out of a backfill, or its samples/ folder)')
    .description('check every sample against the sample rules and its token budget; print coverage, a token histogram and statistics')
    .option('--json', 'print the result as JSON')
    .action(async (dir: string, o) => {
      const { validateDataset, formatValidation } = await import('./validate.ts');
      const { requireDataset } = await import('./dataset-dir.ts');
      requireDataset(resolve(dir), '');
      const v = await validateDataset(resolve(dir));
      process.stdout.write((o.json ? JSON.stringify(v) : formatValidation(v)) + '\n');
      if (v.stats.invalid > 0 || v.stats.overlappingTargets > 0) process.exitCode = 1;
    });

  if (!CORE_COMMANDS.has(commandName(argv) ?? '')) (await import('./extra-commands.ts')).registerExtraCommands(program);

  program.addOption(new Option('--log-level <level>', 'pino log level').env('HARVEST_LOG_LEVEL').hideHelp());
  documentExitCodes(program);
  oneLineParseErrors(program);
  return program;
}

export async function main(argv = process.argv): Promise<void> {
  try {
    await (await buildProgram(argv)).parseAsync(argv);
    // Queue clients and loggers keep handles open; a finished command exits.
    process.exit(process.exitCode ?? 0);
  } catch (e) {
    const r = errorReport(e, verbosity() === 'verbose');
    process.stderr.write(r.text);
    process.exit(r.exitCode);
  }
}
