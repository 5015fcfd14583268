// The board's and the events API's access settings (HARVEST_AUTH, HARVEST_VIEWER_AUTH,
// HARVEST_API_TOKEN), read the way `harvest serve` reads them.
import { loadHttpAuth } from '../../http/auth.ts';
import { check, type CheckResult } from './check.ts';

export function checkBoardAuth(env: NodeJS.ProcessEnv): CheckResult[] {
  let auth;
  try {
    auth = loadHttpAuth(env);
  } catch (e) {
    return [check('board auth', 'fail', (e as Error).message, 'fix the variable it names: HARVEST_AUTH=user:password, HARVEST_API_TOKEN of 16 characters or more')];
  }
  const out: CheckResult[] = [];
  const full = auth.users.find((u) => u.access === 'full');
  const viewer = auth.users.find((u) => u.access === 'read');
  if (!full && !auth.token) {
    out.push(check('board auth', 'warn', 'no HARVEST_AUTH: `harvest serve` listens on 127.0.0.1 only, open to anyone on this machine',
      'to serve beyond loopback, set HARVEST_AUTH=user:password (and HARVEST_VIEWER_AUTH for read-only users)'));
  } else {
    out.push(check('board auth', 'ok', [full ? `full access for ${full.user}` : null, viewer ? `read-only for ${viewer.user}` : null, auth.token ? 'a bearer token' : null].filter(Boolean).join(', ')));
  }
  out.push(auth.token
    ? check('events api', 'ok', 'HARVEST_API_TOKEN set: POST /v1/events takes events with it')
    : check('events api', 'info', 'no HARVEST_API_TOKEN: POST /v1/events refuses every event (503); `harvest record-action` still works', 'set HARVEST_API_TOKEN (16+ characters) for orchestrators that post events'));
  return out;
}
