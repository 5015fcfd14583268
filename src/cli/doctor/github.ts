// The GitHub token harvest polls with: valid, its scopes, and the rate limit left. One GraphQL
// request (`viewer` and `rateLimit`), the API the poller uses; the token never enters a message.
import { resolveGithubToken } from '../../sources/github/client.ts';
import type { GithubSettings } from '../../config-github.ts';
import { check, failureReason, type CheckResult } from './check.ts';

const DEFAULT_API = 'https://api.github.com';

/** `<api>/graphql`, or `<host>/api/graphql` for a GitHub Enterprise Server `.../api/v3` URL. */
export function graphqlUrl(apiUrl: string): string {
  const base = apiUrl.replace(/\/+$/, '');
  return /\/api\/v3$/.test(base) ? base.replace(/\/v3$/, '/graphql') : `${base}/graphql`;
}

export async function checkGithub(settings: Pick<GithubSettings, 'token' | 'tokenFile' | 'apiUrl'>): Promise<CheckResult[]> {
  if (!settings.token && !settings.tokenFile) {
    return [check('github', 'info', 'no token: PR polling (repos, poll, the pr-poll worker) is off', 'set GITHUB_TOKEN, or GITHUB_TOKEN_FILE to a file holding it')];
  }
  let token: string;
  try {
    token = await resolveGithubToken(settings);
  } catch (e) {
    return [check('github', 'fail', (e as Error).message, 'point GITHUB_TOKEN_FILE at a file holding the token, or set GITHUB_TOKEN')];
  }
  const api = settings.apiUrl || DEFAULT_API;
  let res: Response;
  try {
    res = await fetch(graphqlUrl(api), {
      method: 'POST',
      headers: { authorization: `bearer ${token}`, 'content-type': 'application/json', 'user-agent': 'harvest-doctor' },
      body: JSON.stringify({ query: 'query Doctor { viewer { login } rateLimit { limit remaining resetAt } }' }),
      signal: AbortSignal.timeout(10_000),
    });
  } catch (e) {
    return [check('github', 'fail', `${api} is not reachable (${failureReason(e)})`, 'check the network, or GITHUB_API_URL for GitHub Enterprise (https://HOST/api/v3)')];
  }
  if (res.status === 401) return [check('github', 'fail', `${api} refused the token (401 Bad credentials): it is wrong, expired or revoked`, 'make a new token and set GITHUB_TOKEN (or the file GITHUB_TOKEN_FILE names)')];
  const body = (await res.json().catch(() => ({}))) as { data?: { viewer?: { login?: string }; rateLimit?: { limit: number; remaining: number; resetAt: string } }; errors?: { message: string }[]; message?: string };
  if (!res.ok || !body.data?.viewer) {
    return [check('github', 'fail', `${api} answered ${res.status}: ${body.errors?.[0]?.message ?? body.message ?? 'no viewer'}`, 'check the token and GITHUB_API_URL')];
  }
  const out: CheckResult[] = [check('github', 'ok', `token valid, user ${body.data.viewer.login} at ${api}`, undefined, { login: body.data.viewer.login })];
  const scopes = res.headers.get('x-oauth-scopes');
  if (scopes === null) {
    out.push(check('github scopes', 'info', 'no scopes header: a fine-grained or app token', 'it needs read access to Pull requests, Checks and Metadata of the repositories you poll'));
  } else {
    const list = scopes.split(',').map((x) => x.trim()).filter(Boolean);
    out.push(list.includes('repo')
      ? check('github scopes', 'ok', `scopes: ${list.join(', ')}`, undefined, { scopes: list })
      : check('github scopes', 'warn', `scopes: ${list.join(', ') || 'none'}: public repositories only`, 'for private repositories the token needs the `repo` scope', { scopes: list }));
  }
  const rl = body.data.rateLimit;
  if (rl) {
    const low = rl.remaining < Math.max(50, rl.limit * 0.05);
    out.push(check('github rate limit', low ? 'warn' : 'ok', `${rl.remaining} of ${rl.limit} GraphQL points left, the window resets ${rl.resetAt}`,
      low ? 'poll fewer repositories or less often (`harvest repos add ... --every 30m`) until the window resets' : undefined, { ...rl }));
  }
  return out;
}
