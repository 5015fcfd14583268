// Where a generator runs: a sandbox town laid out as Gas Town lays out its roles, one working folder
// per job under the role's place, so the session's cwd gives its role (src/transforms/role.ts), and
// one sessions folder per job, so the job finds the one session its generator wrote.
//
//   <generate dir>/town/<town name>/mayor/<job>                 mayor
//   <generate dir>/town/<town name>/deacon/<job>                deacon
//   <generate dir>/town/<town name>/deacon/dogs/boot/<job>      boot
//   <generate dir>/town/<town name>/deacon/dogs/<job>           dog
//   <generate dir>/town/<town name>/sandbox/witness/<job>       witness (refinery likewise)
//   <generate dir>/town/<town name>/sandbox/polecats/<job>      polecat (crew likewise)
//   <generate dir>/sessions/<job>/                              the session the generator writes
import { basename, join } from 'node:path';
import type { Role } from '../model/sample.ts';
import { detectRole } from '../transforms/role.ts';

/** The roles a generator can play (every Gas Town role; `unknown` is no place in a town). */
export const GENERATABLE_ROLES = ['mayor', 'deacon', 'boot', 'dog', 'witness', 'refinery', 'polecat', 'crew'] as const;
export type GeneratableRole = (typeof GENERATABLE_ROLES)[number];

export const SANDBOX_RIG = 'sandbox';

export function isGeneratableRole(r: string): r is GeneratableRole {
  return (GENERATABLE_ROLES as readonly string[]).includes(r);
}

/** The role's place below the town root, as path segments, with the job's folder last. */
export function rolePlace(role: GeneratableRole, jobFolder: string): string[] {
  switch (role) {
    case 'mayor': return ['mayor', jobFolder];
    case 'deacon': return ['deacon', jobFolder];
    case 'boot': return ['deacon', 'dogs', 'boot', jobFolder];
    case 'dog': return ['deacon', 'dogs', jobFolder];
    case 'witness': return [SANDBOX_RIG, 'witness', jobFolder];
    case 'refinery': return [SANDBOX_RIG, 'refinery', jobFolder];
    case 'polecat': return [SANDBOX_RIG, 'polecats', jobFolder];
    case 'crew': return [SANDBOX_RIG, 'crew', jobFolder];
  }
}

export interface JobFolders {
  /** The generator's working folder. */
  cwd: string;
  /** The folder its session should land in (`{sessions}`). */
  sessions: string;
}

/** A job id as a folder name (BullMQ ids are free text). */
export function jobFolderName(jobId: string): string {
  const safe = jobId.replace(/[^A-Za-z0-9._-]/g, '_');
  return safe === '' || safe === '.' || safe === '..' || safe === 'boot' || safe === 'dogs' ? `job-${safe}` : safe;
}

export function sandboxTownRoot(generateDir: string, townRoot: string): string {
  // Named like the configured town root, so role detection finds the layout after it.
  return join(generateDir, 'town', basename(townRoot) || 'gt');
}

export function jobFolders(generateDir: string, townRoot: string, role: GeneratableRole, jobId: string): JobFolders {
  const folder = jobFolderName(jobId);
  return {
    cwd: join(sandboxTownRoot(generateDir, townRoot), ...rolePlace(role, folder)),
    sessions: join(generateDir, 'sessions', folder),
  };
}

/**
 * The sandbox folders whose cwd would not read as their role (the sandbox inside the real town root,
 * where the town's own layout wins): a worker refuses to start with them.
 */
export function misplacedRoles(generateDir: string, townRoot: string, homeDir?: string): GeneratableRole[] {
  return GENERATABLE_ROLES.filter((role) => detectRole({ cwd: jobFolders(generateDir, townRoot, role, 'probe').cwd }, { townRoot, homeDir }).role !== role);
}
