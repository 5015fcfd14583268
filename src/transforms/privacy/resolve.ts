// The scrub options of this process, read at the edge: HARVEST_PRIVACY (or --privacy), the file
// HARVEST_REDACT_FILE names, harvest's own secret settings, this machine's user and host names.
import { readFileSync } from 'node:fs';
import { hostname, userInfo } from 'node:os';
import { parseRedactFile } from './custom-list.ts';
import { harvestSecretValues } from './exact-values.ts';
import { parsePrivacySpec, type ScrubOptions } from './options.ts';

export class PrivacyConfigError extends Error {}

function readOptional(path: string | undefined, what: string): string | undefined {
  if (!path) return undefined;
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new PrivacyConfigError(`cannot read ${what} ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

function machineNames(): string[] {
  const names: string[] = [];
  try {
    names.push(userInfo().username);
  } catch {
    // No passwd entry (a container running as an arbitrary uid): no user name to hide.
  }
  const host = hostname();
  names.push(host, host.split('.')[0]);
  return names.filter(Boolean);
}

/** Scrub options from the environment; `spec` (the --privacy flag) wins over HARVEST_PRIVACY. */
export function privacyFromEnv(env: NodeJS.ProcessEnv = process.env, spec?: string): ScrubOptions {
  const layers = parsePrivacySpec(spec ?? env.HARVEST_PRIVACY);
  const redact = readOptional(env.HARVEST_REDACT_FILE, 'HARVEST_REDACT_FILE');
  let tokenFile: string | undefined;
  try {
    tokenFile = env.GITHUB_TOKEN_FILE ? readFileSync(env.GITHUB_TOKEN_FILE, 'utf8') : undefined;
  } catch {
    // The GitHub client reports an unreadable token file where it needs it.
  }
  return {
    layers,
    knownValues: harvestSecretValues(env, tokenFile),
    machineNames: layers.includes('machine_names') ? machineNames() : [],
    ...(redact !== undefined ? { custom: parseRedactFile(redact, env.HARVEST_REDACT_FILE) } : {}),
  };
}
