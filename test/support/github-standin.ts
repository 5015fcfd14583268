// A stand-in for GitHub's GraphQL API on 127.0.0.1 (random port). It executes each query for
// real with graphql-js against GitHub's published schema (@octokit/graphql-schema), over data the
// test programs, so a query GitHub would reject is rejected here too, and answers have GitHub's
// shape: `{data}` / `{data, errors}` with `type`, rate-limit headers, cursor pagination with
// GitHub's limits. Faults (secondary and primary rate limits, 429, 502) are queued per request.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHash } from 'node:crypto';
import { schema as githubSchema } from '@octokit/graphql-schema';
import {
  buildClientSchema,
  execute,
  GraphQLError,
  parse,
  validate,
  type DocumentNode,
  type GraphQLSchema,
  type IntrospectionQuery,
} from 'graphql';

export type StandinCheck =
  | { kind: 'check_run'; name: string; status: string; conclusion: string | null }
  | { kind: 'status'; context: string; state: string };

export interface StandinPr {
  number: number;
  title?: string;
  /** null: a deleted account. */
  author?: string | null;
  isDraft?: boolean;
  mergeable?: 'MERGEABLE' | 'CONFLICTING' | 'UNKNOWN';
  mergeStateStatus?: string;
  reviewDecision?: string | null;
  state?: 'OPEN' | 'CLOSED' | 'MERGED';
  createdAt?: string;
  updatedAt?: string;
  closedAt?: string | null;
  mergedAt?: string | null;
  mergedBy?: string | null;
  /** The actor of the PR's (last) ClosedEvent. */
  closedBy?: string | null;
  isCrossRepository?: boolean;
  baseRefName?: string;
  headRefName?: string;
  additions?: number;
  deletions?: number;
  changedFiles?: number;
  labels?: string[];
  /** Set (to a time or null) while auto-merge is enabled. */
  autoMergeEnabledAt?: string | null;
  headOid?: string;
  committedDate?: string;
  forcePushedAt?: string[];
  checks?: StandinCheck[];
  rollupState?: string;
  reviews?: { state: string; author: string | null }[];
  /** Every review submitted, oldest first (the `reviews` connection); default none. */
  reviewHistory?: { state: string; author: string | null; submittedAt: string }[];
  /** isResolved of each review thread. */
  threads?: boolean[];
  /** Comments in each review thread (default 1 each). */
  threadComments?: number[];
  /** Conversation comments. */
  comments?: number;
  /** Commits on the PR (default 1). */
  commitCount?: number;
  /** The head against the base (default: commitCount ahead, 0 behind). */
  aheadBy?: number;
  behindBy?: number;
  /**
   * How the follow-up pages of the checks answer: `empty`, no contexts and no next page (GitHub does
   * this when the rollup changed under the cursor); `missing`, no rollup at all. Default: the data.
   */
  checksFollowUp?: 'empty' | 'missing';
}

export interface StandinRepo {
  owner: string;
  name: string;
  pulls: StandinPr[];
}

export type StandinFault =
  /** GitHub's secondary rate limit: 403 (or 429) with retry-after and its message. */
  | { kind: 'secondary'; retryAfterSec?: number; status?: 403 | 429 }
  /** The primary (hourly) budget spent: x-ratelimit-remaining 0 and x-ratelimit-reset; as GraphQL
   *  answers it (200 with a RATE_LIMITED error) or as a 403. */
  | { kind: 'primary'; resetInSec?: number; status?: 200 | 403 }
  /** A bare 429, retry-after optional. */
  | { kind: 'too-many-requests'; retryAfterSec?: number }
  /** A 502 from GitHub's front end. */
  | { kind: 'bad-gateway' };

export interface RecordedRequest {
  at: number;
  method: string;
  path: string;
  status: number;
  operationName: string | null;
  query: string | null;
  variables: Record<string, unknown>;
  fault: StandinFault['kind'] | null;
}

export interface StandinOptions {
  repos?: StandinRepo[];
  /** Require `Authorization: token|bearer <token>`; any token is taken when unset. */
  token?: string;
  /** Delay before each answer (to see overlapping requests). */
  latencyMs?: number;
  rateLimit?: { limit?: number; remaining?: number };
  /** `viewer.login` (harvest doctor asks who the token is). */
  login?: string;
  /** The `x-oauth-scopes` header of a classic token ("repo, read:org"); none when unset. */
  scopes?: string;
}

export interface GithubStandin {
  /** Base URL to use as GITHUB_API_URL (GraphQL at `${url}/graphql`). */
  url: string;
  /** A GitHub Enterprise style base URL (`${origin}/api/v3`; GraphQL at `/api/graphql`). */
  enterpriseUrl: string;
  /** Every request, in arrival order. */
  requests: RecordedRequest[];
  /** The most requests in flight at once so far. */
  maxInFlight(): number;
  setRepos(repos: StandinRepo[]): void;
  setScenario(s: { repos?: StandinRepo[]; faults?: StandinFault[] }): void;
  /** The next requests get these faults, one each, in order. */
  failNext(...faults: StandinFault[]): void;
  /** The next requests of this operation (`CheckContexts`, ...) get these faults, one each; a null
   *  lets that request through. */
  failOperation(operationName: string, ...faults: (StandinFault | null)[]): void;
  /** Points left in the primary budget (each answered query costs 1). */
  setRateLimitRemaining(n: number): void;
  resetRequests(): void;
  close(): Promise<void>;
}

let cachedSchema: GraphQLSchema | null = null;
/** GitHub's schema, built once per process. */
export function githubGraphqlSchema(): GraphQLSchema {
  cachedSchema ??= buildClientSchema(githubSchema.json as unknown as IntrospectionQuery);
  return cachedSchema;
}

// ---------- scenario builders ----------

const BASE_TIME = Date.parse('2025-01-01T00:00:00Z');

export function makePull(number: number, over: Partial<StandinPr> = {}): StandinPr {
  return { number, ...over };
}

/** n open PRs numbered from `from`, each shaped by `each`. */
export function makePulls(n: number, each: (i: number) => Partial<StandinPr> = () => ({}), from = 1): StandinPr[] {
  return Array.from({ length: n }, (_, i) => makePull(from + i, each(i)));
}

/** Check runs: `passing` successes, `failing` failures, `pending` in progress, `statuses` commit statuses (SUCCESS). */
export function makeChecks(c: { passing?: number; failing?: number; pending?: number; statuses?: number }): StandinCheck[] {
  const out: StandinCheck[] = [];
  for (let i = 0; i < (c.passing ?? 0); i++) out.push({ kind: 'check_run', name: `pass-${i}`, status: 'COMPLETED', conclusion: 'SUCCESS' });
  for (let i = 0; i < (c.failing ?? 0); i++) out.push({ kind: 'check_run', name: `fail-${i}`, status: 'COMPLETED', conclusion: 'FAILURE' });
  for (let i = 0; i < (c.pending ?? 0); i++) out.push({ kind: 'check_run', name: `wait-${i}`, status: 'IN_PROGRESS', conclusion: null });
  for (let i = 0; i < (c.statuses ?? 0); i++) out.push({ kind: 'status', context: `ci/status-${i}`, state: 'SUCCESS' });
  return out;
}

// ---------- GraphQL execution over the data ----------

class GithubError extends GraphQLError {
  constructor(message: string, type: string) {
    super(message, { extensions: { type } });
  }
}

const encodeCursor = (i: number): string => Buffer.from(`cursor:v2:${i}`).toString('base64');
function decodeCursor(c: string): number {
  const m = /^cursor:v2:(\d+)$/.exec(Buffer.from(c, 'base64').toString('utf8'));
  if (!m) throw new GithubError(`\`${c}\` does not appear to be a valid cursor.`, 'INVALID_CURSOR_ARGUMENTS');
  return Number(m[1]);
}

interface PageArgs {
  first?: number | null;
  last?: number | null;
  after?: string | null;
  before?: string | null;
}

/** A GitHub connection over `items`, with GitHub's argument rules. */
function connection<T>(items: T[], args: PageArgs, label: string) {
  const { first, last, after, before } = args;
  if (first == null && last == null) {
    throw new GithubError(
      `You must provide a \`first\` or \`last\` value to properly paginate the \`${label}\` connection.`,
      'MISSING_PAGINATION_BOUNDARIES',
    );
  }
  for (const [name, v] of [['first', first], ['last', last]] as const) {
    if (v != null && v > 100) {
      throw new GithubError(
        `Requesting ${v} records on the \`${label}\` connection exceeds the \`${name}\` limit of 100 records.`,
        'EXCESSIVE_PAGINATION',
      );
    }
  }
  const lo = after ? decodeCursor(after) + 1 : 0;
  const hi = before ? decodeCursor(before) : items.length;
  let idx = Array.from({ length: Math.max(0, hi - lo) }, (_, i) => lo + i);
  if (first != null) idx = idx.slice(0, first);
  if (last != null) idx = idx.slice(Math.max(0, idx.length - last));
  const firstIdx = idx[0];
  const lastIdx = idx[idx.length - 1];
  return {
    totalCount: items.length,
    nodes: idx.map((i) => items[i]),
    edges: idx.map((i) => ({ cursor: encodeCursor(i), node: items[i] })),
    pageInfo: {
      hasNextPage: idx.length > 0 ? lastIdx < hi - 1 : false,
      hasPreviousPage: idx.length > 0 ? firstIdx > lo : false,
      startCursor: idx.length > 0 ? encodeCursor(firstIdx) : null,
      endCursor: idx.length > 0 ? encodeCursor(lastIdx) : null,
    },
  };
}

function oidOf(repo: StandinRepo, pr: StandinPr): string {
  return pr.headOid ?? createHash('sha1').update(`${repo.owner}/${repo.name}#${pr.number}`).digest('hex');
}

function rollupStateOf(checks: StandinCheck[]): string {
  const states = checks.map((c) =>
    c.kind === 'status'
      ? c.state
      : c.status !== 'COMPLETED'
        ? 'PENDING'
        : c.conclusion === 'SUCCESS' || c.conclusion === 'NEUTRAL' || c.conclusion === 'SKIPPED'
          ? 'SUCCESS'
          : 'FAILURE',
  );
  if (states.some((s) => s === 'FAILURE' || s === 'ERROR')) return 'FAILURE';
  if (states.some((s) => s === 'PENDING' || s === 'EXPECTED')) return 'PENDING';
  return 'SUCCESS';
}

function commitObject(repo: StandinRepo, pr: StandinPr, followUp = false) {
  const checks = pr.checks ?? [];
  const lost = followUp && pr.checksFollowUp === 'missing';
  return {
    __typename: 'Commit',
    oid: oidOf(repo, pr),
    committedDate: pr.committedDate ?? pr.createdAt ?? new Date(BASE_TIME).toISOString(),
    statusCheckRollup:
      checks.length === 0 || lost
        ? null
        : {
            state: pr.rollupState ?? rollupStateOf(checks),
            contexts: (a: PageArgs) =>
              connection(
                (a.after && pr.checksFollowUp === 'empty' ? [] : checks).map((c) =>
                  c.kind === 'check_run'
                    ? { __typename: 'CheckRun', name: c.name, status: c.status, conclusion: c.conclusion }
                    : { __typename: 'StatusContext', context: c.context, state: c.state },
                ),
                a,
                'contexts',
              ),
          },
  };
}

const user = (login: string | null | undefined) => (login == null ? null : { __typename: 'User', login });

function pullObject(repo: StandinRepo, pr: StandinPr) {
  const created = pr.createdAt ?? new Date(BASE_TIME + pr.number * 60_000).toISOString();
  const state = pr.state ?? 'OPEN';
  return {
    __typename: 'PullRequest',
    id: `PR_${repo.owner}_${repo.name}_${pr.number}`,
    number: pr.number,
    title: pr.title ?? `PR ${pr.number}`,
    author: user(pr.author === undefined ? 'octocat' : pr.author),
    isDraft: pr.isDraft ?? false,
    mergeable: pr.mergeable ?? 'MERGEABLE',
    mergeStateStatus: pr.mergeStateStatus ?? 'CLEAN',
    reviewDecision: pr.reviewDecision === undefined ? null : pr.reviewDecision,
    state,
    merged: state === 'MERGED',
    createdAt: created,
    updatedAt: pr.updatedAt ?? created,
    closedAt: pr.closedAt ?? null,
    mergedAt: pr.mergedAt ?? null,
    mergedBy: user(pr.mergedBy),
    isCrossRepository: pr.isCrossRepository ?? false,
    comments: (a: PageArgs) => connection(Array.from({ length: pr.comments ?? 0 }, (_, i) => ({ id: `c${i}` })), a, 'comments'),
    reviews: (a: PageArgs & { states?: string[] | null }) =>
      connection(
        (pr.reviewHistory ?? [])
          .filter((r) => !a.states || a.states.includes(r.state))
          .map((r) => ({ state: r.state, author: user(r.author), submittedAt: r.submittedAt, createdAt: r.submittedAt })),
        a,
        'reviews',
      ),
    baseRefName: pr.baseRefName ?? 'main',
    headRefName: pr.headRefName ?? `branch-${pr.number}`,
    additions: pr.additions ?? 0,
    deletions: pr.deletions ?? 0,
    changedFiles: pr.changedFiles ?? 0,
    autoMergeRequest: pr.autoMergeEnabledAt === undefined ? null : { enabledAt: pr.autoMergeEnabledAt },
    labels: (a: PageArgs) => connection((pr.labels ?? []).map((name) => ({ name })), a, 'labels'),
    latestReviews: (a: PageArgs) =>
      connection((pr.reviews ?? []).map((r) => ({ state: r.state, author: user(r.author) })), a, 'latestReviews'),
    reviewThreads: (a: PageArgs) =>
      connection(
        (pr.threads ?? []).map((isResolved, i) => ({
          isResolved,
          comments: (c: PageArgs) => connection(Array.from({ length: pr.threadComments?.[i] ?? 1 }, (_, k) => ({ id: `t${i}-${k}` })), c, 'comments'),
        })),
        a,
        'reviewThreads',
      ),
    timelineItems: (a: PageArgs & { itemTypes?: string[] | null }) => {
      const wanted = a.itemTypes ?? null;
      const want = (t: string) => wanted === null || wanted.includes(t);
      const items = [
        ...(want('HEAD_REF_FORCE_PUSHED_EVENT') ? (pr.forcePushedAt ?? []).map((createdAt) => ({ __typename: 'HeadRefForcePushedEvent', createdAt })) : []),
        ...(want('CLOSED_EVENT') && pr.closedAt ? [{ __typename: 'ClosedEvent', createdAt: pr.closedAt, actor: user(pr.closedBy === undefined ? (pr.mergedBy ?? 'octocat') : pr.closedBy) }] : []),
      ];
      return connection(items, a, 'timelineItems');
    },
    commits: (a: PageArgs) => {
      const c = connection([{ commit: commitObject(repo, pr) }], a, 'commits');
      return { ...c, totalCount: pr.commitCount ?? 1 };
    },
  };
}

function repositoryObject(repo: StandinRepo) {
  return {
    __typename: 'Repository',
    nameWithOwner: `${repo.owner}/${repo.name}`,
    name: repo.name,
    pullRequests: (a: PageArgs & { states?: string[] | null; orderBy?: { field: string; direction: string } | null }) => {
      let list = repo.pulls.filter((p) => !a.states || a.states.includes(p.state ?? 'OPEN'));
      if (a.orderBy) {
        const key = a.orderBy.field === 'UPDATED_AT' ? 'updatedAt' : 'createdAt';
        const val = (p: StandinPr) => Date.parse(pullObject(repo, p)[key]);
        list = [...list].sort((x, y) => (val(x) - val(y) || x.number - y.number) * (a.orderBy!.direction === 'DESC' ? -1 : 1));
      }
      return connection(list.map((p) => pullObject(repo, p)), a, 'pullRequests');
    },
    pullRequest: ({ number }: { number: number }) => {
      const pr = repo.pulls.find((p) => p.number === number);
      if (!pr) throw new GithubError(`Could not resolve to a PullRequest with the number of ${number}.`, 'NOT_FOUND');
      return pullObject(repo, pr);
    },
    object: ({ oid }: { oid?: string | null }) => {
      const pr = repo.pulls.find((p) => oidOf(repo, p) === oid);
      return pr ? commitObject(repo, pr, true) : null;
    },
    ref: ({ qualifiedName }: { qualifiedName: string }) => {
      const base = qualifiedName.replace(/^refs\/heads\//, '');
      return {
        __typename: 'Ref',
        name: base,
        compare: ({ headRef }: { headRef: string }) => {
          const pr = repo.pulls.find((p) => (p.baseRefName ?? 'main') === base && (p.headRefName ?? `branch-${p.number}`) === headRef);
          if (!pr) return null;
          return { __typename: 'Comparison', aheadBy: pr.aheadBy ?? pr.commitCount ?? 1, behindBy: pr.behindBy ?? 0, status: 'DIVERGED' };
        },
      };
    },
  };
}

// ---------- the server ----------

const SECONDARY_MESSAGE =
  'You have exceeded a secondary rate limit. Please wait a few minutes before you try again. ' +
  'If you reach out to GitHub Support for help, please include the request ID 0000:0000:0000000:0000000:00000000.';

export async function startGithubStandin(opts: StandinOptions = {}): Promise<GithubStandin> {
  const schema = githubGraphqlSchema();
  let repos: StandinRepo[] = opts.repos ?? [];
  const faults: StandinFault[] = [];
  const operationFaults = new Map<string, (StandinFault | null)[]>();
  const requests: RecordedRequest[] = [];
  const limit = opts.rateLimit?.limit ?? 5000;
  let remaining = opts.rateLimit?.remaining ?? limit;
  const resetAt = () => Math.ceil(Date.now() / 1000 / 3600) * 3600 + 3600;
  let inFlight = 0;
  let maxInFlight = 0;
  let requestSeq = 0;
  const parsed = new Map<string, DocumentNode>();
  const parsedOrNull = (q: string): DocumentNode | null => {
    try {
      return parsed.get(q) ?? parse(q);
    } catch {
      return null;
    }
  };

  const baseHeaders = (): Record<string, string> => ({
    'content-type': 'application/json; charset=utf-8',
    'x-ratelimit-limit': String(limit),
    'x-ratelimit-remaining': String(Math.max(0, remaining)),
    'x-ratelimit-reset': String(resetAt()),
    'x-ratelimit-used': String(limit - Math.max(0, remaining)),
    'x-ratelimit-resource': 'graphql',
    'x-github-request-id': `STANDIN:${++requestSeq}`,
    ...(opts.scopes !== undefined ? { 'x-oauth-scopes': opts.scopes } : {}),
  });

  function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    res.writeHead(status, { ...baseHeaders(), ...headers, 'content-length': String(Buffer.byteLength(text)) });
    res.end(text);
  }

  function answerFault(res: ServerResponse, f: StandinFault): number {
    switch (f.kind) {
      case 'secondary': {
        const status = f.status ?? 403;
        send(
          res,
          status,
          { message: SECONDARY_MESSAGE, documentation_url: 'https://docs.github.com/graphql/overview/rate-limits-and-node-limits-for-the-graphql-api#secondary-rate-limits' },
          { 'retry-after': String(f.retryAfterSec ?? 60) },
        );
        return status;
      }
      case 'primary': {
        const reset = String(Math.floor(Date.now() / 1000) + (f.resetInSec ?? 3600));
        const headers = { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': reset, 'x-ratelimit-used': String(limit) };
        if ((f.status ?? 200) === 200) {
          send(res, 200, { errors: [{ type: 'RATE_LIMITED', code: 'graphql_rate_limit', message: 'API rate limit exceeded for user ID 1.' }] }, headers);
          return 200;
        }
        send(res, 403, { message: 'API rate limit exceeded for user ID 1.', documentation_url: 'https://docs.github.com/graphql/overview/rate-limits-and-node-limits-for-the-graphql-api' }, headers);
        return 403;
      }
      case 'too-many-requests':
        send(res, 429, { message: 'Too Many Requests' }, f.retryAfterSec !== undefined ? { 'retry-after': String(f.retryAfterSec) } : {});
        return 429;
      case 'bad-gateway':
        send(res, 502, '<html><body><h1>502 Bad Gateway</h1></body></html>', { 'content-type': 'text/html' });
        return 502;
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const path = new URL(req.url ?? '/', 'http://standin').pathname;
    const rec: RecordedRequest = { at: Date.now(), method: req.method ?? '', path, status: 0, operationName: null, query: null, variables: {}, fault: null };
    requests.push(rec);
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    try {
      if (opts.latencyMs) await new Promise((r) => setTimeout(r, opts.latencyMs));
      let body: { query?: unknown; variables?: unknown; operationName?: unknown } = {};
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
      } catch {
        body = {};
      }
      rec.query = typeof body.query === 'string' ? body.query : null;
      rec.variables = (body.variables ?? {}) as Record<string, unknown>;
      if (req.method !== 'POST' || (path !== '/graphql' && path !== '/api/graphql')) {
        rec.status = 404;
        return send(res, 404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' });
      }
      const auth = req.headers.authorization ?? '';
      const m = /^(?:token|bearer) (\S+)$/i.exec(auth);
      if (!m || (opts.token !== undefined && m[1] !== opts.token)) {
        rec.status = 401;
        return send(res, 401, { message: 'Bad credentials', documentation_url: 'https://docs.github.com/graphql', status: '401' });
      }
      const opFaults = rec.query ? operationFaults.get(operationNameOf(parsedOrNull(rec.query)) ?? '') : undefined;
      const fault = opFaults?.length ? opFaults.shift() : faults.shift();
      if (fault) {
        rec.fault = fault.kind;
        rec.status = answerFault(res, fault);
        return;
      }
      if (remaining <= 0) {
        rec.fault = 'primary';
        rec.status = answerFault(res, { kind: 'primary', resetInSec: resetAt() - Math.floor(Date.now() / 1000) });
        return;
      }
      if (!rec.query) {
        rec.status = 200;
        return send(res, 200, { errors: [{ message: 'A query attribute must be specified and must be a string.' }] });
      }
      let doc = parsed.get(rec.query);
      if (!doc) {
        try {
          doc = parse(rec.query);
        } catch (e) {
          rec.status = 200;
          return send(res, 200, { errors: [{ message: (e as Error).message, extensions: { code: 'parseError' } }] });
        }
        const problems = validate(schema, doc);
        if (problems.length > 0) {
          rec.status = 200;
          return send(res, 200, {
            errors: problems.map((p) => ({ message: p.message, locations: p.locations, extensions: { code: 'validationError' } })),
          });
        }
        parsed.set(rec.query, doc);
      }
      rec.operationName = typeof body.operationName === 'string' ? body.operationName : operationNameOf(doc);
      remaining -= 1;
      const rootValue = {
        repository: ({ owner, name }: { owner: string; name: string }) => {
          const r = repos.find((x) => x.owner.toLowerCase() === owner.toLowerCase() && x.name.toLowerCase() === name.toLowerCase());
          if (!r) throw new GithubError(`Could not resolve to a Repository with the name '${owner}/${name}'.`, 'NOT_FOUND');
          return repositoryObject(r);
        },
        viewer: () => ({ login: opts.login ?? 'standin-user' }),
        rateLimit: () => ({ cost: 1, limit, remaining: Math.max(0, remaining), used: limit - remaining, resetAt: new Date(resetAt() * 1000).toISOString(), nodeCount: 0 }),
      };
      const result = await execute({ schema, document: doc, rootValue, variableValues: rec.variables });
      const out: Record<string, unknown> = { data: result.data ?? null };
      if (result.errors?.length) {
        out.errors = result.errors.map((e) => ({
          ...(e.extensions?.type ? { type: e.extensions.type } : {}),
          path: e.path,
          locations: e.locations,
          message: e.message,
        }));
      }
      rec.status = 200;
      send(res, 200, out);
    } finally {
      inFlight--;
    }
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err) => {
      if (!res.headersSent) send(res, 500, { message: `stand-in failure: ${(err as Error).message}` });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;

  return {
    url: origin,
    enterpriseUrl: `${origin}/api/v3`,
    requests,
    maxInFlight: () => maxInFlight,
    setRepos(r) {
      repos = r;
    },
    setScenario(s) {
      if (s.repos) repos = s.repos;
      if (s.faults) faults.splice(0, faults.length, ...s.faults);
    },
    failNext(...f) {
      faults.push(...f);
    },
    failOperation(name, ...f) {
      operationFaults.set(name, [...(operationFaults.get(name) ?? []), ...f]);
    },
    setRateLimitRemaining(n) {
      remaining = n;
    },
    resetRequests() {
      requests.length = 0;
      maxInFlight = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function operationNameOf(doc: DocumentNode | null): string | null {
  if (!doc) return null;
  const op = doc.definitions.find((d) => d.kind === 'OperationDefinition');
  return op && op.kind === 'OperationDefinition' ? (op.name?.value ?? null) : null;
}
