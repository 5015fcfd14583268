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
  ) {
    super(message);
    this.name = 'GithubRequestError';
  }
}
