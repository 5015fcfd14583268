// `harvest generate [--role R] [--count N] [--prompt TEXT | --scenarios FILE] [--command ARGV]
// [--inline]`: enqueues `generate` jobs (one generator run each); `--inline` also runs a generate
// worker here until they are done and prints what they added. Without --role: the sessions the
// largest gaps need.
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { loadConfig, processPrivacy, type HarvestConfig } from '../config.ts';
import { createLogger } from '../log.ts';
import type { Counts } from '../model/session.ts';
import { UserError } from '../user-error.ts';
import { parseCommandTemplate, resolveProgram } from '../pipeline/generate-command.ts';
import { gapAllocation, planRole, readScenarios, type Scenario } from '../pipeline/generate-plan.ts';
import { GENERATABLE_ROLES, isGeneratableRole } from '../pipeline/generate-sandbox.ts';
import { RunStats } from '../state/run-stats.ts';
import { scrubberFor } from '../transforms/scrub.ts';
import { clientConnection } from '../../queues/connection.ts';
import { enqueueGenerateJobs, generateQueue, scenarioKey, type GenerateJob } from '../../queues/generate.ts';
import { ensureRedis } from './ensure-redis.ts';
import { parseDuration } from './duration.ts';
import { datasetGaps, readTargetMix } from './gaps.ts';

export interface GenerateOptions {
  role?: string;
  count?: number;
  prompt?: string;
  scenarios?: string;
  command?: string;
  target?: string;
  inline?: boolean;
  json?: boolean;
  attempts?: number;
  backoff?: number;
  concurrency?: number;
}

export interface GenerateSummary {
  run_id: string;
  enqueued: number;
  by_role: Record<string, number>;
  /** Without --role: the sessions the gaps need in all (the runs enqueued are at most --count of them). */
  gap_sessions?: number;
  /** Inline runs only: jobs that produced a session, jobs that failed for good, what was written. */
  generated?: number;
  failed?: number;
  samples_written?: number;
  samples?: Record<string, number>;
  failures?: { job: string; role: string; reason: string }[];
}

/** Runs enqueued for the gaps when no --count is given: a real generator costs money and time. */
export const DEFAULT_GAP_RUNS = 10;

/** The runs to enqueue, from the options (and the dataset's gaps without a role), and what the gaps need in all. */
async function plan(cfg: HarvestConfig, o: GenerateOptions): Promise<{ runs: Scenario[]; gapSessions?: number }> {
  if (o.prompt !== undefined && o.scenarios !== undefined) throw new UserError('--prompt and --scenarios exclude each other', 2, 'give one of them');
  const scenarios = o.scenarios ? await readScenarios(resolve(o.scenarios)) : undefined;
  if (o.role !== undefined) {
    if (!isGeneratableRole(o.role)) throw new UserError(`--role ${o.role}: no Gas Town role`, 2, `use one of ${GENERATABLE_ROLES.join(', ')}`);
    return { runs: await planRole({ role: o.role, count: o.count ?? 1, prompt: o.prompt, scenarios, dataDir: cfg.outDir }) };
  }
  const target = o.target ? await readTargetMix(resolve(o.target)) : undefined;
  const gaps = await datasetGaps(cfg.outDir, target);
  const runs: Scenario[] = [];
  for (const a of gapAllocation(gaps, o.count ?? DEFAULT_GAP_RUNS)) {
    runs.push(...(await planRole({ role: a.role, count: a.count, prompt: o.prompt, scenarios, dataDir: cfg.outDir, kindNeeds: a.kindNeeds })));
  }
  return { runs, gapSessions: gaps.sessions };
}

export async function generate(cfg: HarvestConfig, o: GenerateOptions): Promise<GenerateSummary> {
  const log = createLogger();
  const template = o.command !== undefined ? resolveProgram(parseCommandTemplate(o.command), process.cwd()) : undefined;
  const { runs, gapSessions } = await plan(cfg, o);
  const runId = `${new Date().toISOString().replace(/[-:.TZ]/g, '').slice(0, 14)}-${randomBytes(3).toString('hex')}`;
  const byRole: Record<string, number> = {};
  for (const r of runs) byRole[r.role] = (byRole[r.role] ?? 0) + 1;
  const summary: GenerateSummary = { run_id: runId, enqueued: runs.length, by_role: byRole, ...(gapSessions !== undefined ? { gap_sessions: gapSessions } : {}) };
  if (runs.length === 0) return summary;

  const ctx = { redisUrl: cfg.redisUrl, prefix: cfg.prefix };
  const redis = clientConnection(ctx);
  const queue = generateQueue(ctx, redis);
  const runStats = new RunStats(redis, cfg.prefix);
  const worker = o.inline
    ? await (await import('../../workers/generate.ts')).startGenerateWorker(cfg, log, o.concurrency ?? 1, { extraCommands: template ? [template] : [] })
    : null;
  try {
    const jobs: GenerateJob[] = runs.map((r) => ({
      role: r.role,
      prompt: r.user,
      system: r.system,
      scenario: r.scenario,
      scenarioKey: scenarioKey(r.role, r.system, r.user),
      ...(template ? { command: template } : {}),
    }));
    const ids = await enqueueGenerateJobs(queue, runId, jobs, { attempts: o.attempts, backoffMs: o.backoff });
    log.info({ run: runId, jobs: ids.length, roles: byRole }, 'enqueued generate jobs');
    if (!worker) return summary;

    let counts: Counts = {};
    let lastLog = 0;
    for (;;) {
      counts = await runStats.get(runId);
      const done = (counts.generated ?? 0) + (counts.generate_failed ?? 0);
      if (done >= ids.length) break;
      if (Date.now() - lastLog > 10_000) {
        lastLog = Date.now();
        log.info({ done, of: ids.length, samples: counts.samples_written ?? 0 }, 'generate progress');
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    const failures: GenerateSummary['failures'] = [];
    for (const id of ids) {
      const job = await queue.getJob(id);
      if (job && (await job.getState()) === 'failed') failures.push({ job: id, role: job.data.role, reason: scrubberFor(processPrivacy()).text(job.failedReason ?? '', {}) });
    }
    const samples: Record<string, number> = {};
    for (const [k, v] of Object.entries(counts)) if (k.startsWith('samples.')) samples[k.slice('samples.'.length)] = v;
    return { ...summary, generated: counts.generated ?? 0, failed: counts.generate_failed ?? 0, samples_written: counts.samples_written ?? 0, samples, failures };
  } finally {
    await worker?.close();
    await queue.close();
    redis.disconnect();
  }
}

export function formatGenerateSummary(s: GenerateSummary, inline: boolean): string {
  const roles = Object.entries(s.by_role).map(([r, n]) => `${r} ${n}`).join(', ');
  if (s.enqueued === 0) return 'nothing to generate: no role lacks samples against the target';
  const more = s.gap_sessions !== undefined && s.gap_sessions > s.enqueued
    ? `the gaps need about ${s.gap_sessions} sessions; these are the first ${s.enqueued} (--count ${s.gap_sessions} for all)`
    : '';
  if (!inline) return [`enqueued ${s.enqueued} generate jobs (${roles}; run ${s.run_id}); workers serving the generate queue will run them`, more].filter(Boolean).join('\n');
  const lines = [`generated ${s.generated} of ${s.enqueued} sessions (${roles}; run ${s.run_id}): ${s.samples_written} samples written`];
  for (const [k, v] of Object.entries(s.samples ?? {})) lines.push(`  ${k}: ${v}`);
  for (const f of s.failures ?? []) lines.push(`failed ${f.job} (${f.role}): ${f.reason}`);
  if (more) lines.push(more);
  return lines.join('\n');
}

const positive = (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('expected a positive whole number');
  return n;
};

export function registerGenerateCommand(program: Command): void {
  program
    .command('generate')
    .description('enqueue generator runs (pir print mode) for a role, or for the largest gaps; their sessions become samples marked synthetic')
    .option('--role <role>', `role to generate for: ${GENERATABLE_ROLES.join(', ')} (default: the roles the gaps need most)`)
    .option('--count <n>', `sessions to generate (with --role default 1; without, up to ${DEFAULT_GAP_RUNS} of what the gaps need)`, positive)
    .option('--prompt <text>', 'the task every run gets (default: the role\'s best episodes in the dataset)')
    .option('--scenarios <file>', 'JSONL of {role, scenario, system, user} lines (or a folder of <role>_scenarios.jsonl)')
    .option('--command <argv>', 'generator argv template with {system} {prompt} {role} {cwd} {sessions} (HARVEST_GENERATOR, default pir -p ...)')
    .option('--target <file>', 'target mix for the gaps when no --role is given (see harvest gaps)')
    .option('--out <dir>', 'dataset folder (HARVEST_OUT, default ./data)')
    .option('--inline', 'also run a generate worker here until the runs are done, then print what they added')
    .option('--concurrency <n>', 'generators at once in the inline worker (default 1)', positive)
    .option('--attempts <n>', 'attempts per run before it fails for good (default 3)', positive)
    .option('--backoff <duration>', 'first retry delay, doubled each attempt (default 30s)', parseDuration)
    .option('--json', 'print the summary as one JSON object on the last line of stdout')
    .action(async (o: GenerateOptions & { out?: string }) => {
      const base = loadConfig(process.env, o.out ? { outDir: resolve(o.out) } : {});
      const redis = await ensureRedis(base.redisUrl, base.redisUrlExplicit, base.outDir);
      try {
        const s = await generate({ ...base, redisUrl: redis.url }, o);
        process.stdout.write((o.json ? JSON.stringify(s) : formatGenerateSummary(s, o.inline === true)) + '\n');
        if ((s.failed ?? 0) > 0) process.exitCode = 1;
      } finally {
        await redis.stop();
      }
    });
}
