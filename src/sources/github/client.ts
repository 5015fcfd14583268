// The GitHub client: Octokit with plugin-throttling (its limiter clustered over Redis so every
// worker on every machine shares one budget) and plugin-retry (a few quick retries of 5xx).
// Rate limits are not slept through inside a job: past a short wait they surface as
// RateLimitedError, and the worker pauses its queue for that long.
import { readFile } from 'node:fs/promises';
import { Octokit } from '@octokit/rest';
import { retry } from '@octokit/plugin-retry';
import { throttling, type ThrottlingOptions } from '@octokit/plugin-throttling';
import Bottleneck from 'bottleneck';
import { Redis, type RedisOptions } from 'ioredis';
import { UserError } from '../../user-error.ts';
import { GithubRequestError, RateLimitedError, type GraphqlErrorInfo } from './errors.ts';

export const DEFAULT_GITHUB_API_URL = 'https://api.github.com';

const HarvestOctokit = Octokit.plugin(throttling, retry);
export type HarvestOctokit = InstanceType<typeof HarvestOctokit>;

/** pino's shape, enough of it: Octokit logs through it. */
export interface GithubLog {
  debug(message: string, ...rest: unknown[]): void;
  info(message: string, ...rest: unknown[]): void;
  warn(message: string, ...rest: unknown[]): void;
  error(message: string, ...rest: unknown[]): void;
}

export interface GithubClientOptions {
  token: string;
  /** GITHUB_API_URL; default https://api.github.com. GraphQL goes to `<url>/graphql`, or to
   *  `<host>/api/graphql` for a GitHub Enterprise Server `.../api/v3` URL. */
  apiUrl?: string;
  /** Cluster the limiter over this Redis (options, or a client that is duplicated, never
   *  closed). Without it the limiter is local to this process. */
  redis?: RedisOptions | Redis;
  /** Names the shared limiter and its Redis keys; every process sharing a budget uses the same. */
  limiterId?: string;
  /** Least time between two GraphQL requests across the cluster; default 1000 ms (GitHub's
   *  advice for requests that may be costly). */
  minRequestIntervalMs?: number;
  /** A rate-limit wait up to this long is slept through once inside the request; anything
   *  longer throws RateLimitedError. Default 5000 ms; 0 never waits. */
  maxInlineWaitMs?: number;
  /** Retries of 5xx and network errors by plugin-retry; default 2. */
  retries?: number;
  /** Retry n waits n² times this; default 1000 ms. */
  retryBaseMs?: number;
  /** Per HTTP request; default 30 s. */
  timeoutMs?: number;
  userAgent?: string;
  log?: GithubLog;
}

/** Per-request overrides (a person waiting at a terminal wants a fast answer, not patience). */
export interface GithubRequestOptions {
  /** Retries of 5xx and network errors inside the request. */
  retries?: number;
  /** Give up on one HTTP request after this long. */
  timeoutMs?: number;
}

export interface GithubClient {
  /** Sends one GraphQL document; errors come back as RateLimitedError or GithubRequestError. */
  graphql<T>(query: string, variables?: Record<string, unknown>, request?: GithubRequestOptions): Promise<T>;
  readonly octokit: HarvestOctokit;
  readonly apiUrl: string;
  close(): Promise<void>;
}

/**
 * GITHUB_TOKEN, or the trimmed content of GITHUB_TOKEN_FILE. The token never enters a message; a
 * file that cannot be read is a UserError (one line, exit 2), not a crash.
 */
export async function resolveGithubToken(source: { token?: string; tokenFile?: string }): Promise<string> {
  if (source.token && source.token.trim()) return source.token.trim();
  const fix = 'point GITHUB_TOKEN_FILE at a file holding the token, or set GITHUB_TOKEN';
  if (source.tokenFile) {
    let text: string;
    try {
      text = await readFile(source.tokenFile, 'utf8');
    } catch (err) {
      throw new UserError(`cannot read GITHUB_TOKEN_FILE ${source.tokenFile}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`, 2, fix);
    }
    const token = text.trim();
    if (!token) throw new UserError(`GITHUB_TOKEN_FILE ${source.tokenFile} is empty`, 2, fix);
    return token;
  }
  throw new UserError('no GitHub token: set GITHUB_TOKEN or GITHUB_TOKEN_FILE', 2);
}

/** The same client, every request sent with these overrides. */
export function withRequestOptions(client: GithubClient, request: GithubRequestOptions): GithubClient {
  return {
    octokit: client.octokit,
    apiUrl: client.apiUrl,
    graphql: (query, variables, own) => client.graphql(query, variables, { ...request, ...own }),
    close: () => client.close(),
  };
}

const silentLog: GithubLog = { debug() {}, info() {}, warn() {}, error() {} };

function isRedisClient(r: RedisOptions | Redis): r is Redis {
  return typeof (r as Redis).duplicate === 'function';
}

export function createGithubClient(opts: GithubClientOptions): GithubClient {
  if (!opts.token) throw new Error('createGithubClient: a token is required');
  const apiUrl = (opts.apiUrl || DEFAULT_GITHUB_API_URL).replace(/\/+$/, '');
  const id = opts.limiterId ?? 'harvest-github';
  const maxInlineWaitMs = opts.maxInlineWaitMs ?? 5000;
  const log = opts.log ?? silentLog;
  const timeoutMs = opts.timeoutMs ?? 30_000;

  let redis: Redis | null = null;
  let connection: Bottleneck.IORedisConnection | null = null;
  if (opts.redis) {
    redis = isRedisClient(opts.redis) ? opts.redis.duplicate() : new Redis(opts.redis);
    connection = new Bottleneck.IORedisConnection({ client: redis.duplicate(), Redis });
    connection.on('error', (err: unknown) => log.warn(`GitHub limiter Redis error: ${(err as Error)?.message ?? err}`));
  }
  // Our own groups: the plugin's default ones are module-wide and keep the first client's connection.
  const common = connection ? { connection, timeout: 120_000 } : {};
  const groups = {
    global: new Bottleneck.Group({ id: `${id}-global`, maxConcurrent: 10, ...common }),
    auth: new Bottleneck.Group({ id: `${id}-auth`, maxConcurrent: 1, ...common }),
    search: new Bottleneck.Group({ id: `${id}-search`, maxConcurrent: 1, minTime: 2000, ...common }),
    // GraphQL requests pass through the plugin's "write" group.
    write: new Bottleneck.Group({ id: `${id}-write`, maxConcurrent: 1, minTime: opts.minRequestIntervalMs ?? 1000, ...common }),
    notifications: new Bottleneck.Group({ id: `${id}-notifications`, maxConcurrent: 1, minTime: 3000, ...common }),
  };
  const waitInline = (retryAfterSec: number, retryCount: number): boolean =>
    retryCount === 0 && retryAfterSec * 1000 <= maxInlineWaitMs;

  const throttle = {
    Bottleneck,
    id,
    clustering: connection !== null,
    ...groups,
    onRateLimit: (retryAfter: number, _o: unknown, _k: unknown, retryCount: number) => waitInline(retryAfter, retryCount),
    onSecondaryRateLimit: (retryAfter: number, _o: unknown, _k: unknown, retryCount: number) =>
      waitInline(retryAfter, retryCount),
  };
  const octokit = new HarvestOctokit({
    auth: opts.token,
    baseUrl: apiUrl,
    userAgent: opts.userAgent ?? 'harvest',
    log,
    request: {
      fetch: (url: string | URL, init?: RequestInit) => {
        const timeout = AbortSignal.timeout(timeoutMs);
        return fetch(url, { ...init, signal: init?.signal ? AbortSignal.any([init.signal, timeout]) : timeout });
      },
    },
    // The plugin reads global, auth and clustering too; its type leaves them out.
    throttle: throttle as ThrottlingOptions,
    retry: {
      retries: opts.retries ?? 2,
      retryAfterBaseValue: opts.retryBaseMs ?? 1000,
      // 429 is a rate limit: it surfaces as RateLimitedError, it is not retried blindly.
      doNotRetry: [400, 401, 403, 404, 410, 422, 429, 451],
    },
  });

  const blockKey = `${id}:rate-limited-until`;

  async function sharedBlock(): Promise<void> {
    if (!redis) return;
    const stored = await redis.get(blockKey).catch(() => null);
    const m = stored ? /^(\d+):(primary|secondary)$/.exec(stored) : null;
    if (!m) return;
    const until = Number(m[1]);
    const left = until - Date.now();
    if (left > 0) throw new RateLimitedError(left, m[2] as 'primary' | 'secondary', new Date(until));
  }

  async function shareBlock(e: RateLimitedError): Promise<void> {
    // Tell the other workers, so they pause without spending a request to learn it.
    if (!redis || e.retryAfterMs <= 0) return;
    await redis.set(blockKey, `${e.until.getTime()}:${e.limit}`, 'PX', Math.ceil(e.retryAfterMs)).catch(() => {});
  }

  return {
    octokit,
    apiUrl,
    async graphql<T>(query: string, variables: Record<string, unknown> = {}, request: GithubRequestOptions = {}): Promise<T> {
      await sharedBlock();
      const own = {
        ...(request.retries !== undefined ? { retries: request.retries } : {}),
        ...(request.timeoutMs !== undefined ? { signal: AbortSignal.timeout(request.timeoutMs) } : {}),
      };
      try {
        // `request` is never sent as a GraphQL variable: Octokit reads it as the request's options.
        return await octokit.graphql<T>(query, Object.keys(own).length ? { ...variables, request: own } : variables);
      } catch (err) {
        const e = toGithubError(err, Date.now(), apiUrl);
        if (e instanceof RateLimitedError) await shareBlock(e);
        throw e;
      }
    },
    async close(): Promise<void> {
      await connection?.disconnect().catch(() => {});
      await redis?.quit().catch(() => {});
    },
  };
}

type Headers = Record<string, string | number | undefined>;

/** How long GitHub asked us to wait, in ms (retry-after, else the primary window's reset). */
export function retryAfterMsFromHeaders(headers: Headers, now = Date.now()): number | undefined {
  const ra = headers['retry-after'];
  if (ra !== undefined && /^\d+$/.test(String(ra).trim())) return Number(ra) * 1000;
  const reset = headers['x-ratelimit-reset'];
  if (String(headers['x-ratelimit-remaining']) === '0' && reset !== undefined && /^\d+$/.test(String(reset))) {
    // A second past the reset, as GitHub advises.
    return Math.max(0, Number(reset) * 1000 - now) + 1000;
  }
  return undefined;
}

/** Without a hint from GitHub, a minute (GitHub's advice for secondary limits). */
const FALLBACK_RETRY_AFTER_MS = 60_000;

const PERMANENT_GRAPHQL_TYPES = new Set(['NOT_FOUND', 'FORBIDDEN', 'UNPROCESSABLE', 'MAX_NODE_LIMIT_EXCEEDED', 'INSUFFICIENT_SCOPES']);

/** Any error from Octokit -> RateLimitedError | GithubRequestError, with no token in it. */
export function toGithubError(err: unknown, now = Date.now(), apiUrl = DEFAULT_GITHUB_API_URL): Error {
  if (err instanceof RateLimitedError || err instanceof GithubRequestError) return err;
  const e = err as {
    status?: number;
    message?: string;
    headers?: Headers;
    errors?: unknown;
    data?: { errors?: unknown };
    response?: { headers?: Headers; data?: { errors?: unknown; message?: string } };
  };
  const status = typeof e?.status === 'number' ? e.status : undefined;
  const headers: Headers = e?.response?.headers ?? e?.headers ?? {};
  const rawErrors = (e?.errors ?? e?.response?.data?.errors ?? e?.data?.errors ?? []) as unknown[];
  const gqlErrors: GraphqlErrorInfo[] = Array.isArray(rawErrors)
    ? rawErrors.map((x) => {
        const g = x as { type?: string; message?: string; path?: (string | number)[]; extensions?: { code?: string } };
        return { type: g.type ?? g.extensions?.code, message: String(g.message ?? ''), path: g.path };
      })
    : [];
  const message = String(e?.message ?? err);

  const secondary = /secondary rate limit/i.test(message) || /abuse/i.test(message);
  const primary =
    String(headers['x-ratelimit-remaining']) === '0' ||
    gqlErrors.some((g) => g.type === 'RATE_LIMITED') ||
    /GraphQL Rate Limit Exceeded|API rate limit exceeded/i.test(message);
  const rateLimited =
    secondary ||
    status === 429 ||
    (status === 403 && headers['retry-after'] !== undefined) ||
    (primary && (status === undefined || status === 200 || status === 403));
  if (rateLimited) {
    const ms = retryAfterMsFromHeaders(headers, now) ?? FALLBACK_RETRY_AFTER_MS;
    return new RateLimitedError(ms, primary && !secondary ? 'primary' : 'secondary', new Date(now + ms));
  }
  if (gqlErrors.length > 0) {
    const permanent = gqlErrors.every((g) => g.type !== undefined && (PERMANENT_GRAPHQL_TYPES.has(g.type) || /^[a-z]/.test(g.type)));
    const text = gqlErrors.map((g) => (g.type ? `${g.type}: ${g.message}` : g.message)).join('; ');
    return new GithubRequestError(`GitHub GraphQL error: ${text}`, permanent, status, gqlErrors, e?.data ?? undefined);
  }
  if (status !== undefined && status >= 400 && status !== 500) {
    const permanent = status < 500 && status !== 408;
    const hint = status === 401 ? ' (check GITHUB_TOKEN)' : '';
    return new GithubRequestError(`GitHub answered HTTP ${status}: ${message}${hint}`, permanent, status);
  }
  // Octokit reports network failures and timeouts as status 500 with the cause's message, and no response.
  if (status === 500 && !e?.response) {
    return new GithubRequestError(`cannot reach GitHub at ${apiUrl} (${message})`, false, status, [], undefined, true);
  }
  return new GithubRequestError(`GitHub request failed: ${message}`, false, status);
}
