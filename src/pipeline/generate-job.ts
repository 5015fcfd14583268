// One generate job's whole path: the job's folders in the sandbox town -> the generator (argv
// template, allowed environment, timeout) -> the session it wrote -> the session path
// (processSessionFile) with every sample marked synthetic and naming its generator. Knows nothing of
// how the job reached it.
//
// Idempotent: once a run's session is found, the job's sessions folder records it; a retry (a crash
// after the generator, a Redis blip while writing) reuses that session instead of paying for a new
// one, and the ledger finds its samples already written. A run that failed is cleared and rerun.
import { mkdir, readFile, realpath, rm, stat, writeFile } from 'node:fs/promises';
import { join, sep } from 'node:path';
import type { Counts } from '../model/session.ts';
import { scrubberFor, type Scrubber } from '../transforms/scrub.ts';
import { commandName, expandCommand, generatorEnv, runtimeOfCommand } from './generate-command.ts';
import { runGenerator } from './generate-run.ts';
import { jobFolders, type GeneratableRole } from './generate-sandbox.ts';
import { findGeneratedSession } from './generate-session.ts';
import { PermanentJobError, processSessionFile, type SessionFileDeps, type SessionFileOptions } from './session-file.ts';

export interface GenerateJobInput {
  jobId: string;
  role: GeneratableRole;
  prompt: string;
  system: string;
  /** The scenario's name (from a scenarios file) or kind. */
  scenario: string | null;
  /** Same role, system and prompt: the same key; repeats of a scenario share it. */
  scenarioKey: string;
  /** The argv template (already checked by parseCommandTemplate). */
  template: string[];
}

export interface GenerateSettings {
  /** Holds the sandbox town and the per-job sessions folders. */
  generateDir: string;
  townRoot: string;
  timeoutMs: number;
  killGraceMs?: number;
  envAllow: readonly string[];
  /** The environment the allowed variables are taken from. */
  env: NodeJS.ProcessEnv;
  piAgentDir: string;
}

/** The generator failed in a way a later attempt may not (exit code, timeout, no session): retried. */
export class GeneratorFailedError extends Error {
  override name = 'GeneratorFailedError';
}

export interface GenerateJobResult {
  counts: Counts;
  sessionPath: string;
  sessionId: string | null;
  via: 'stdout' | 'sessions' | 'pi' | 'reused';
}

const MARKER = '.harvest-generated.json';
const MAX_PROMPT_IN_METADATA = 4000;

/** `path` inside one of `roots` (real paths): that root, else null. */
async function rootOf(path: string, roots: readonly string[]): Promise<string | null> {
  const real = await realpath(path);
  for (const r of roots) {
    const rr = await realpath(r).catch(() => null);
    if (rr && real.startsWith(rr + sep)) return r;
  }
  return null;
}

async function reusable(sessions: string): Promise<{ path: string } | null> {
  try {
    const m = JSON.parse(await readFile(join(sessions, MARKER), 'utf8')) as { path?: unknown };
    if (typeof m.path !== 'string') return null;
    return (await stat(m.path)).isFile() ? { path: m.path } : null;
  } catch {
    return null;
  }
}

function describeFailure(exit: Awaited<ReturnType<typeof runGenerator>>, timeoutMs: number, scrub: Scrubber): string {
  const stderr = exit.stderrTail ? `; stderr: ${scrub.text(exit.stderrTail, {})}` : '';
  if (exit.timedOut) return `generator timed out after ${Math.round(timeoutMs / 1000)} s and its process group was killed${stderr}`;
  if (exit.aborted) return `generator stopped: the worker is shutting down${stderr}`;
  return `generator ${exit.code !== null ? `exited with code ${exit.code}` : `was killed by ${exit.signal}`}${stderr}`;
}

async function generate(input: GenerateJobInput, s: GenerateSettings, scrub: Scrubber, signal?: AbortSignal): Promise<{ path: string; via: 'stdout' | 'sessions' | 'pi' }> {
  const folders = jobFolders(s.generateDir, s.townRoot, input.role, input.jobId);
  // A fresh start: what a failed attempt left would be mistaken for this run's output.
  await rm(folders.cwd, { recursive: true, force: true });
  await rm(folders.sessions, { recursive: true, force: true });
  await mkdir(folders.cwd, { recursive: true });
  await mkdir(folders.sessions, { recursive: true });
  const argv = expandCommand(input.template, { system: input.system, prompt: input.prompt, role: input.role, cwd: folders.cwd, sessions: folders.sessions });
  const exit = await runGenerator({
    argv,
    cwd: folders.cwd,
    env: generatorEnv(s.env, s.envAllow),
    timeoutMs: s.timeoutMs,
    killGraceMs: s.killGraceMs,
    signal,
  });
  if (exit.spawnError) {
    throw new PermanentJobError(`could not start the generator ${argv[0]}: ${exit.spawnError}; install it or set HARVEST_GENERATOR (or --command)`);
  }
  if (exit.timedOut || exit.aborted || exit.code !== 0) throw new GeneratorFailedError(describeFailure(exit, s.timeoutMs, scrub));
  const found = await findGeneratedSession({ lastStdoutLine: exit.lastStdoutLine, sessions: folders.sessions, cwd: folders.cwd, piAgentDir: s.piAgentDir });
  if (!found) {
    throw new GeneratorFailedError(
      `generator exited 0 but no session of its cwd ${folders.cwd} was found (printed path, ${folders.sessions}, pi's sessions folder); ` +
        `pass {sessions} to its --session-dir or print the session's path last`,
    );
  }
  await writeFile(join(folders.sessions, MARKER), JSON.stringify({ path: found.path, via: found.via }) + '\n');
  return found;
}

export async function runGenerateJob(
  input: GenerateJobInput,
  settings: GenerateSettings,
  sessionOpts: SessionFileOptions,
  deps: SessionFileDeps,
  signal?: AbortSignal,
): Promise<GenerateJobResult> {
  const folders = jobFolders(settings.generateDir, settings.townRoot, input.role, input.jobId);
  // The error text and the prompt in metadata get the same scrubbing as the samples.
  const scrub = scrubberFor(sessionOpts.privacy);
  const prior = await reusable(folders.sessions);
  const found = prior ? { path: prior.path, via: 'reused' as const } : await generate(input, settings, scrub, signal);
  const root = await rootOf(found.path, sessionOpts.roots);
  if (!root) throw new PermanentJobError(`${found.path}: the generated session is outside the configured roots (${sessionOpts.roots.join(', ')})`);
  const prompt = scrub.text(input.prompt, {});
  const res = await processSessionFile(
    {
      path: found.path,
      root,
      runtime: runtimeOfCommand(input.template),
      metadata: {
        synthetic: true,
        generator: {
          command: commandName(input.template),
          prompt: prompt.length > MAX_PROMPT_IN_METADATA ? `${prompt.slice(0, MAX_PROMPT_IN_METADATA)}…` : prompt,
          job_id: input.jobId,
          scenario: input.scenario,
          scenario_key: input.scenarioKey,
        },
      },
    },
    sessionOpts,
    deps,
  );
  return { counts: res.counts, sessionPath: found.path, sessionId: res.sessionId, via: found.via };
}
