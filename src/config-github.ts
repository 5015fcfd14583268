// GitHub settings, read and validated once at the edge (the pr-poll worker, the webhook feature,
// `harvest poll`). The token itself is resolved by resolveGithubToken and never logged.
import { z } from 'zod';
import { ConfigError } from './config.ts';

const posInt = z.coerce.number().int().positive();

const envSchema = z.object({
  GITHUB_TOKEN: z.string().optional(),
  GITHUB_TOKEN_FILE: z.string().optional(),
  GITHUB_API_URL: z.string().url().optional(),
  GITHUB_WEBHOOK_SECRET: z.string().optional(),
  HARVEST_GITHUB_MIN_INTERVAL_MS: z.coerce.number().int().nonnegative().default(1000),
  HARVEST_UNKNOWN_RECHECK_MS: posInt.default(60_000),
  HARVEST_INCOMPLETE_RETRY_MS: posInt.default(30_000),
  HARVEST_WEBHOOK_SETTLE_MS: z.coerce.number().int().nonnegative().default(5000),
});

export interface GithubSettings {
  /** GITHUB_TOKEN; resolve with resolveGithubToken({ token, tokenFile }). */
  token?: string;
  tokenFile?: string;
  /** GITHUB_API_URL (GitHub Enterprise Server: https://HOST/api/v3); default api.github.com. */
  apiUrl?: string;
  /** GITHUB_WEBHOOK_SECRET; without it the webhook endpoint refuses every delivery. */
  webhookSecret?: string;
  /** Least time between two GraphQL requests across every worker sharing the Redis. */
  minRequestIntervalMs: number;
  /** A PR whose mergeability GitHub had not computed yet is observed again after this long. */
  unknownRecheckMs: number;
  /** A PR observed incompletely (a follow-up page failed or came back short) is observed again after this long. */
  incompleteRetryMs: number;
  /** A webhook's re-observation waits this long, so a burst of deliveries makes one job. */
  webhookSettleMs: number;
}

export function loadGithubSettings(env: NodeJS.ProcessEnv = process.env): GithubSettings {
  const blankless = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v.trim() !== ''));
  const parsed = envSchema.safeParse(blankless);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new ConfigError(`bad configuration: ${first.path.join('.')}: ${first.message}`);
  }
  const e = parsed.data;
  return {
    token: e.GITHUB_TOKEN,
    tokenFile: e.GITHUB_TOKEN_FILE,
    apiUrl: e.GITHUB_API_URL,
    webhookSecret: e.GITHUB_WEBHOOK_SECRET,
    minRequestIntervalMs: e.HARVEST_GITHUB_MIN_INTERVAL_MS,
    unknownRecheckMs: e.HARVEST_UNKNOWN_RECHECK_MS,
    incompleteRetryMs: e.HARVEST_INCOMPLETE_RETRY_MS,
    webhookSettleMs: e.HARVEST_WEBHOOK_SETTLE_MS,
  };
}
