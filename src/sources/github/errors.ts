// How a GitHub request failed, in terms a worker acts on. Messages never carry the token.

/**
 * GitHub said to wait (primary or secondary rate limit). The worker pauses its queue for
 * retryAfterMs (BullMQ worker.rateLimit + Worker.RateLimitError) instead of sleeping in a job.
 */
export class RateLimitedError extends Error {
  constructor(
    readonly retryAfterMs: number,
    /** primary: the hourly budget is spent; secondary: too fast / too concurrent. */
    readonly limit: 'primary' | 'secondary',
    /** When known: the time the wait ends. */
    readonly until: Date = new Date(Date.now() + retryAfterMs),
  ) {
    super(`GitHub ${limit} rate limit: retry in ${Math.ceil(retryAfterMs / 1000)} s (at ${until.toISOString()})`);
    this.name = 'RateLimitedError';
  }
}

export interface GraphqlErrorInfo {
  type?: string;
  message: string;
  path?: (string | number)[];
}

/** Anything else. `permanent` means retrying the same request cannot succeed (bad token,
 *  unknown repository, invalid query); otherwise it may (5xx after retries, network). */
export class GithubRequestError extends Error {
  constructor(
    message: string,
    readonly permanent: boolean,
    readonly status?: number,
    readonly graphqlErrors: GraphqlErrorInfo[] = [],
    /** The partial data GitHub sent along with GraphQL errors, if any. */
    readonly data?: unknown,
    /** No answer at all: a network failure or a timeout. */
    readonly unreachable = false,
  ) {
    super(message);
    this.name = 'GithubRequestError';
  }
}

/** How a failed poll reads to a person: what happened, and what to change. */
export function describeGithubFailure(err: Error): { message: string; fix?: string } {
  if (err instanceof RateLimitedError) return { message: err.message, fix: 'the queue resumes by itself when the limit ends' };
  if (!(err instanceof GithubRequestError)) return { message: err.message };
  if (err.unreachable) return { message: err.message, fix: 'check GITHUB_API_URL and the network' };
  if (err.status === 401) return { message: 'GitHub refused the token (HTTP 401 Bad credentials)', fix: 'check GITHUB_TOKEN or GITHUB_TOKEN_FILE' };
  if (err.graphqlErrors.some((g) => g.type === 'NOT_FOUND') || /not found/.test(err.message)) {
    return { message: err.message, fix: 'check the OWNER/NAME, and that the token can see the repository' };
  }
  return { message: err.message };
}
