// Configuration, read and validated once at the edge (CLI, worker entry) and passed inward.
import { homedir, hostname } from 'node:os';
import { resolve, join } from 'node:path';
import { existsSync } from 'node:fs';
import { z } from 'zod';
import { DEFAULT_MAX_TOKENS, DEFAULT_TOKENIZER, TOKENIZER_NAMES, type TokenizerName } from './transforms/tokens/tokenizer.ts';
import type { ScrubOptions } from './transforms/privacy/options.ts';
import { privacyFromEnv } from './transforms/privacy/resolve.ts';
import { harvestSecretValues } from './transforms/privacy/exact-values.ts';
import { UserError } from './user-error.ts';

export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

export function expandHome(p: string): string {
  return p === '~' ? homedir() : p.startsWith('~/') ? join(homedir(), p.slice(2)) : p;
}

export interface DefaultRoots {
  claude: string;
  pir: string;
  omp: string;
  codex: string;
  gemini: string;
  opencode: string;
}

/**
 * Default session roots of each runtime, as their tools lay them out: Claude Code
 * `$CLAUDE_CONFIG_DIR/projects`, pi `$PI_SESSIONS_DIR` or `$PI_CODING_AGENT_DIR/sessions`, omp
 * `~/.omp/agent/sessions`, Codex `$CODEX_HOME/sessions`, Gemini CLI `$GEMINI_CLI_HOME/.gemini/tmp`,
 * OpenCode `$XDG_DATA_HOME/opencode` (each with its tool's own default when the variable is unset).
 */
export function defaultRoots(env: NodeJS.ProcessEnv = process.env): DefaultRoots {
  const dir = (v: string | undefined, fallback: string) => (v?.trim() ? resolve(expandHome(v.trim())) : fallback);
  const piAgentDir = dir(env.PI_CODING_AGENT_DIR, join(homedir(), '.pi', 'agent'));
  return {
    claude: join(dir(env.CLAUDE_CONFIG_DIR, join(homedir(), '.claude')), 'projects'),
    pir: dir(env.PI_SESSIONS_DIR, join(piAgentDir, 'sessions')),
    omp: join(homedir(), '.omp', 'agent', 'sessions'),
    codex: join(dir(env.CODEX_HOME, join(homedir(), '.codex')), 'sessions'),
    gemini: join(dir(env.GEMINI_CLI_HOME, homedir()), '.gemini', 'tmp'),
    opencode: join(dir(env.XDG_DATA_HOME, join(homedir(), '.local', 'share')), 'opencode'),
  };
}

const posInt = z.coerce.number().int().positive();

const envSchema = z.object({
  REDIS_URL: z.string().url().optional(),
  HARVEST_PREFIX: z.string().min(1).default('harvest'),
  HARVEST_OUT: z.string().default('./data'),
  HARVEST_TOWN_ROOT: z.string().default('~/gt'),
  HARVEST_ROOTS: z.string().optional(),
  HARVEST_VAL_PERCENT: z.coerce.number().min(0).max(100).default(5),
  HARVEST_SHARD_MAX_BYTES: posInt.default(64 * 1024 * 1024),
  HARVEST_MAX_LINE_BYTES: posInt.default(32 * 1024 * 1024),
  HARVEST_MAX_FIELD_CHARS: posInt.default(16 * 1024),
  HARVEST_THINKING: z.enum(['keep', 'drop']).default('keep'),
  HARVEST_MIN_SCORE: z.coerce.number().min(0).max(1).default(0),
  HARVEST_MAX_TOKENS: posInt.default(DEFAULT_MAX_TOKENS),
  HARVEST_TOKENIZER: z.enum(TOKENIZER_NAMES).default(DEFAULT_TOKENIZER),
  HARVEST_CONTEXT_STEPS: z.coerce.number().int().min(0).default(0),
  HARVEST_WORKER_ID: z.string().regex(/^[A-Za-z0-9._-]+$/).optional(),
  HARVEST_CONCURRENCY: posInt.default(2),
  HARVEST_HIGH_WATER: posInt.default(5000),
  HARVEST_LOW_WATER: posInt.default(1000),
  HARVEST_SEAL_IDLE_MS: posInt.default(30_000),
  HARVEST_JOB_LOCK_MS: posInt.default(30_000),
  HARVEST_LOG_LEVEL: z.string().default('info'),
  /** default | publish | layer list (see transforms/privacy/options.ts). */
  HARVEST_PRIVACY: z.string().optional(),
  HARVEST_REDACT_FILE: z.string().optional(),
});

export interface HarvestConfig {
  redisUrl: string;
  /** True when REDIS_URL was given: then no private Redis is ever started. */
  redisUrlExplicit: boolean;
  prefix: string;
  outDir: string;
  townRoot: string;
  /** Folders a worker may read sessions from; a job outside them is refused. */
  roots: string[];
  valPercent: number;
  shardMaxBytes: number;
  maxLineBytes: number;
  /** Longest text field a reader keeps (head + tail): bounds a worker's memory on huge sessions. */
  maxFieldChars: number;
  thinking: 'keep' | 'drop';
  minScore: number;
  /** Token budget of a sample, chat template and tool specs included. */
  maxTokens: number;
  /** Tokenizer (and chat template) budgets are counted with. */
  tokenizer: TokenizerName;
  /** Earlier steps repeated before a sample's trained steps as untrained context. */
  contextSteps: number;
  workerId: string;
  concurrency: number;
  highWater: number;
  lowWater: number;
  sealIdleMs: number;
  /** How long a session-file job's lock lives without renewal: a dead worker's job comes back after it. */
  jobLockMs: number;
  logLevel: string;
  /** What scrubbing redacts beyond secrets (HARVEST_PRIVACY, HARVEST_REDACT_FILE, harvest's own secrets). */
  privacy: ScrubOptions;
}

/** A setting a person got wrong: printed as one line, exit 2. */
export class ConfigError extends UserError {
  constructor(message: string, fix?: string) {
    super(message, 2, fix);
    this.name = 'ConfigError';
  }
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<HarvestConfig> = {}): HarvestConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new ConfigError(`bad configuration: ${first.path.join('.')}: ${first.message}`);
  }
  const e = parsed.data;
  const d = defaultRoots(env);
  const roots = e.HARVEST_ROOTS
    ? e.HARVEST_ROOTS.split(':').filter(Boolean)
    : [d.claude, d.pir, d.omp, d.codex, d.gemini, d.opencode, resolve('fixtures')];
  const cfg: HarvestConfig = {
    redisUrl: e.REDIS_URL ?? DEFAULT_REDIS_URL,
    redisUrlExplicit: e.REDIS_URL !== undefined,
    prefix: e.HARVEST_PREFIX,
    outDir: resolve(expandHome(e.HARVEST_OUT)),
    townRoot: resolve(expandHome(e.HARVEST_TOWN_ROOT)),
    roots: roots.map((r) => resolve(expandHome(r))),
    valPercent: e.HARVEST_VAL_PERCENT,
    shardMaxBytes: e.HARVEST_SHARD_MAX_BYTES,
    maxLineBytes: e.HARVEST_MAX_LINE_BYTES,
    maxFieldChars: e.HARVEST_MAX_FIELD_CHARS,
    thinking: e.HARVEST_THINKING,
    minScore: e.HARVEST_MIN_SCORE,
    maxTokens: e.HARVEST_MAX_TOKENS,
    tokenizer: e.HARVEST_TOKENIZER,
    contextSteps: e.HARVEST_CONTEXT_STEPS,
    workerId: e.HARVEST_WORKER_ID ?? defaultWorkerId(),
    concurrency: e.HARVEST_CONCURRENCY,
    highWater: e.HARVEST_HIGH_WATER,
    lowWater: e.HARVEST_LOW_WATER,
    sealIdleMs: e.HARVEST_SEAL_IDLE_MS,
    jobLockMs: e.HARVEST_JOB_LOCK_MS,
    logLevel: e.HARVEST_LOG_LEVEL,
    privacy: overrides.privacy ?? loadPrivacy(env),
  };
  return { ...cfg, ...overrides };
}

/** Scrub options from the environment; `spec` is the --privacy flag. A bad setting is a ConfigError. */
export function loadPrivacy(env: NodeJS.ProcessEnv = process.env, spec?: string): ScrubOptions {
  try {
    return privacyFromEnv(env, spec);
  } catch (e) {
    throw new ConfigError((e as Error).message);
  }
}

let processPrivacyCache: ScrubOptions | undefined;

/**
 * This process's scrub options for what it logs and shows (logs, the board): from the environment,
 * read once. Never throws: a bad setting is reported where configuration is loaded, and meanwhile
 * harvest's own secrets are still known.
 */
export function processPrivacy(env: NodeJS.ProcessEnv = process.env): ScrubOptions {
  if (!processPrivacyCache) {
    try {
      processPrivacyCache = privacyFromEnv(env);
    } catch {
      processPrivacyCache = { knownValues: harvestSecretValues(env) };
    }
  }
  return processPrivacyCache;
}

/** Unique per process, readable, safe in a file name: host, pid and start time. */
export function defaultWorkerId(): string {
  const host = hostname().replace(/[^A-Za-z0-9.-]/g, '-').slice(0, 40) || 'host';
  return `${host}-${process.pid}-${Date.now().toString(36)}`;
}

export function existingDir(p: string): boolean {
  return existsSync(p);
}
