/**
 * What scrubbing redacts beyond the secret rules, as switches. Secrets are always redacted; the
 * layers below each have a default, and `publish` turns every one on:
 *   entropy         random-looking values where a secret stands            (default on)
 *   harvest_secrets harvest's own secret settings, as exact values         (default on)
 *   env_values      values of `.env`-style output a session printed        (default on)
 *   custom          strings and patterns from HARVEST_REDACT_FILE          (default on)
 *   emails          email addresses                                        (publish)
 *   home_paths      user names in home paths: /home/[USER]/                (publish)
 *   machine_names   this machine's user and host names anywhere            (publish)
 * Options are plain data (they travel in configuration), compiled once by the scrubber.
 */
import type { CustomRedactions } from './custom-list.ts';

export const PRIVACY_LAYERS = ['entropy', 'harvest_secrets', 'env_values', 'custom', 'emails', 'home_paths', 'machine_names'] as const;
export type PrivacyLayer = (typeof PRIVACY_LAYERS)[number];

export const DEFAULT_LAYERS: readonly PrivacyLayer[] = ['entropy', 'harvest_secrets', 'env_values', 'custom'];

export interface ScrubOptions {
  /** The layers on (default DEFAULT_LAYERS). */
  layers?: readonly PrivacyLayer[];
  /** Exact secret values harvest holds (its own settings); redacted with `harvest_secrets`. */
  knownValues?: string[];
  /** This machine's user and host names; redacted with `machine_names`. */
  machineNames?: string[];
  /** From HARVEST_REDACT_FILE; redacted with `custom`. */
  custom?: CustomRedactions;
}

export class PrivacySpecError extends Error {}

/**
 * The layers a spec turns on: `default`, `publish`, or a comma list of layer names on top of the
 * defaults, each optionally `-name` (or `no-name`) to turn it off: `publish,-machine_names`.
 */
export function parsePrivacySpec(spec: string | undefined): PrivacyLayer[] {
  const on = new Set<PrivacyLayer>(DEFAULT_LAYERS);
  for (const raw of (spec ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
    if (raw === 'default') continue;
    if (raw === 'publish') {
      for (const l of PRIVACY_LAYERS) on.add(l);
      continue;
    }
    const off = raw.startsWith('-') || raw.startsWith('no-');
    const name = raw.replace(/^(?:-|\+|no-)/, '').replace(/-/g, '_');
    if (!(PRIVACY_LAYERS as readonly string[]).includes(name)) {
      throw new PrivacySpecError(`unknown privacy setting '${raw}': use default, publish, or layers ${PRIVACY_LAYERS.join(', ')} (prefix - to turn one off)`);
    }
    if (off) on.delete(name as PrivacyLayer);
    else on.add(name as PrivacyLayer);
  }
  return PRIVACY_LAYERS.filter((l) => on.has(l));
}
