// The generator's settings, read and checked once at the edge (the generate worker, `harvest
// generate`) from the environment and passed inward.
import { accessSync, constants } from 'node:fs';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import { z } from 'zod';
import { ConfigError, expandHome, type HarvestConfig } from '../config.ts';
import { DEFAULT_GENERATOR, envAllowlist, parseCommandTemplate, resolveProgram } from './generate-command.ts';
import type { GenerateSettings } from './generate-job.ts';
import { defaultPiAgentDir } from './generate-session.ts';

const posInt = z.coerce.number().int().positive();

const envSchema = z.object({
  HARVEST_GENERATOR: z.string().min(1).optional(),
  HARVEST_GENERATE_DIR: z.string().min(1).optional(),
  HARVEST_GENERATE_TIMEOUT_MS: posInt.default(15 * 60_000),
  HARVEST_GENERATE_RATE: posInt.optional(),
  HARVEST_GENERATOR_ENV: z.string().optional(),
});

export interface GeneratorConfig extends GenerateSettings {
  /** The argv template this host runs by default. */
  command: string[];
  /** True when HARVEST_GENERATOR set it (else the default pir command). */
  commandConfigured: boolean;
  /** Runs started per minute across the queue's workers (undefined: the queue's default). */
  ratePerMinute?: number;
}

export function generatorConfig(cfg: HarvestConfig, env: NodeJS.ProcessEnv = process.env): GeneratorConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new ConfigError(`bad configuration: ${first.path.join('.')}: ${first.message}`);
  }
  const e = parsed.data;
  return {
    command: resolveProgram(parseCommandTemplate(e.HARVEST_GENERATOR ?? DEFAULT_GENERATOR), process.cwd()),
    commandConfigured: e.HARVEST_GENERATOR !== undefined,
    generateDir: resolve(expandHome(e.HARVEST_GENERATE_DIR ?? join(cfg.outDir, 'generate'))),
    townRoot: cfg.townRoot,
    timeoutMs: e.HARVEST_GENERATE_TIMEOUT_MS,
    envAllow: envAllowlist(e.HARVEST_GENERATOR_ENV),
    env,
    piAgentDir: defaultPiAgentDir(env),
    ratePerMinute: e.HARVEST_GENERATE_RATE,
  };
}

/** The folder generated sessions land in: a root the worker may read. */
export const generatedSessionsRoot = (g: Pick<GenerateSettings, 'generateDir'>): string => join(g.generateDir, 'sessions');

/** Whether `program` can be run here (a path that is executable, or a name found on PATH). */
export function programExists(program: string, env: NodeJS.ProcessEnv = process.env): boolean {
  const runnable = (p: string) => {
    try {
      accessSync(p, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  };
  if (program.includes('/')) return runnable(isAbsolute(program) ? program : resolve(program));
  return (env.PATH ?? '').split(delimiter).filter(Boolean).some((d) => runnable(join(d, program)));
}
