// GitHub webhooks, framework-free: check the signature over the raw body, then say which pull
// requests an event touched so the caller re-observes just those (or the whole repository).
import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * True when `header` (X-Hub-Signature-256) is `sha256=<hex HMAC-SHA256 of rawBody>` under
 * `secret`. False for anything else: missing, repeated, wrong prefix, bad hex, empty secret.
 */
export function verifySignature(secret: string, rawBody: Buffer, header: string | string[] | null | undefined): boolean {
  if (!secret || typeof header !== 'string' || !Buffer.isBuffer(rawBody)) return false;
  const m = /^sha256=([0-9a-fA-F]{64})$/.exec(header.trim());
  if (!m) return false;
  const given = Buffer.from(m[1], 'hex');
  const expected = createHmac('sha256', secret).update(rawBody).digest();
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** What to re-observe after an event. */
export type AffectedPullRequests =
  /** These PRs of `repo` changed. */
  | { kind: 'pulls'; repo: string; numbers: number[] }
  /** A commit's status changed and the event does not say which PRs carry it (status events,
   *  check events from forks): re-poll `repo`. */
  | { kind: 'commit'; repo: string; sha: string };

export const PULL_REQUEST_EVENTS = [
  'pull_request',
  'pull_request_review',
  'pull_request_review_comment',
  'pull_request_review_thread',
] as const;
export const CHECK_EVENTS = ['check_suite', 'check_run'] as const;
export const HANDLED_EVENTS: readonly string[] = [...PULL_REQUEST_EVENTS, ...CHECK_EVENTS, 'status'];

interface RepoRef {
  full_name?: unknown;
}
interface PrRef {
  number?: unknown;
  base?: { repo?: { url?: unknown; name?: unknown } };
}

function fullName(repository: RepoRef | undefined): string | null {
  return typeof repository?.full_name === 'string' && repository.full_name.includes('/') ? repository.full_name : null;
}

/** OWNER/NAME from an API URL like https://api.github.com/repos/OWNER/NAME. */
function repoFromApiUrl(url: unknown): string | null {
  if (typeof url !== 'string') return null;
  const m = /\/repos\/([^/]+)\/([^/]+)\/?$/.exec(url);
  return m ? `${m[1]}/${m[2]}` : null;
}

/**
 * The pull requests an event touched, grouped by repository; [] when it touched none that can be
 * named; null for an event this does not handle (the caller acknowledges and ignores it).
 */
export function affectedPullRequests(eventName: string, payload: unknown): AffectedPullRequests[] | null {
  if (!HANDLED_EVENTS.includes(eventName)) return null;
  const p = (payload ?? {}) as {
    repository?: RepoRef;
    pull_request?: PrRef;
    check_suite?: { head_sha?: unknown; pull_requests?: unknown };
    check_run?: { head_sha?: unknown; pull_requests?: unknown; check_suite?: { head_sha?: unknown } };
    sha?: unknown;
  };
  const repo = fullName(p.repository);
  if (!repo) return [];

  if ((PULL_REQUEST_EVENTS as readonly string[]).includes(eventName)) {
    const n = p.pull_request?.number;
    return typeof n === 'number' && Number.isSafeInteger(n) ? [{ kind: 'pulls', repo, numbers: [n] }] : [];
  }

  if (eventName === 'status') {
    return typeof p.sha === 'string' && p.sha ? [{ kind: 'commit', repo, sha: p.sha }] : [];
  }

  // check_suite, check_run: their pull_requests arrays. A PR is polled where its base lives.
  const holder = eventName === 'check_suite' ? p.check_suite : p.check_run;
  const list = Array.isArray(holder?.pull_requests) ? (holder!.pull_requests as PrRef[]) : [];
  const byRepo = new Map<string, Set<number>>();
  for (const pr of list) {
    if (typeof pr?.number !== 'number' || !Number.isSafeInteger(pr.number)) continue;
    const base = repoFromApiUrl(pr.base?.repo?.url) ?? repo;
    if (!byRepo.has(base)) byRepo.set(base, new Set());
    byRepo.get(base)!.add(pr.number);
  }
  if (byRepo.size > 0) {
    return [...byRepo].map(([r, nums]) => ({ kind: 'pulls', repo: r, numbers: [...nums].sort((a, b) => a - b) }));
  }
  // GitHub leaves pull_requests empty for PRs from forks: fall back to the commit.
  const sha = holder?.head_sha ?? (eventName === 'check_run' ? p.check_run?.check_suite?.head_sha : undefined);
  return typeof sha === 'string' && sha ? [{ kind: 'commit', repo, sha }] : [];
}
