// Who may use the HTTP server: basic-auth users (full access, or a read-only viewer) and a bearer
// token, compared in constant time. A read-only request may look but not change anything.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { ConfigError } from '../config.ts';

export type Access = 'full' | 'read';

export interface HttpAuth {
  users: { user: string; password: string; access: Access }[];
  /** Bearer token (`Authorization: Bearer ...`), full access. */
  token?: string;
  /** Everyone read-only, whatever credential they bring. */
  readOnly: boolean;
}

export function parseCredential(name: string, value: string | undefined): { user: string; password: string } | undefined {
  if (value === undefined || value === '') return undefined;
  const i = value.indexOf(':');
  if (i <= 0 || i === value.length - 1) throw new ConfigError(`${name} must be user:password (both non-empty)`);
  return { user: value.slice(0, i), password: value.slice(i + 1) };
}

/** Reads HARVEST_AUTH, HARVEST_VIEWER_AUTH and HARVEST_API_TOKEN. */
export function loadHttpAuth(env: NodeJS.ProcessEnv = process.env, opts: { readOnly?: boolean } = {}): HttpAuth {
  const users: HttpAuth['users'] = [];
  const full = parseCredential('HARVEST_AUTH', env.HARVEST_AUTH);
  if (full) users.push({ ...full, access: 'full' });
  const viewer = parseCredential('HARVEST_VIEWER_AUTH', env.HARVEST_VIEWER_AUTH);
  if (viewer) users.push({ ...viewer, access: 'read' });
  const token = env.HARVEST_API_TOKEN || undefined;
  if (token !== undefined && token.length < 16) throw new ConfigError('HARVEST_API_TOKEN must be at least 16 characters');
  return { users, token, readOnly: opts.readOnly === true };
}

export function authConfigured(auth: HttpAuth): boolean {
  return auth.users.length > 0 || auth.token !== undefined;
}

export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127(?:\.\d{1,3}){3}$/.test(h) || h === '::ffff:127.0.0.1';
}

/** Refuses to serve beyond loopback without credentials. */
export function assertSafeListen(host: string, auth: HttpAuth): void {
  if (isLoopback(host) || authConfigured(auth)) return;
  throw new ConfigError(
    `refusing to listen on ${host} without authentication: set HARVEST_AUTH=user:password ` +
      `(and optionally HARVEST_VIEWER_AUTH, HARVEST_API_TOKEN), or listen on 127.0.0.1`,
  );
}

/** Equal strings, in time independent of where they differ (and of their lengths). */
export function safeEqual(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}

/** The access a request's credentials grant, or null when they grant none. */
export function accessOf(auth: HttpAuth, authorization: string | undefined): Access | null {
  if (!authConfigured(auth)) return auth.readOnly ? 'read' : 'full';
  if (!authorization) return null;
  const [scheme, rest = ''] = authorization.split(/\s+/, 2);
  let granted: Access | null = null;
  if (/^basic$/i.test(scheme)) {
    const decoded = Buffer.from(rest, 'base64').toString('utf8');
    const i = decoded.indexOf(':');
    const user = i < 0 ? decoded : decoded.slice(0, i);
    const password = i < 0 ? '' : decoded.slice(i + 1);
    // Every user is compared, so the time taken does not tell which name exists.
    for (const u of auth.users) {
      const ok = Number(safeEqual(user, u.user)) & Number(safeEqual(password, u.password));
      if (ok && granted === null) granted = u.access;
    }
  } else if (/^bearer$/i.test(scheme) && auth.token !== undefined) {
    if (safeEqual(rest.trim(), auth.token)) granted = 'full';
  }
  if (granted && auth.readOnly) return 'read';
  return granted;
}

/** The access `authenticate` granted this request. */
export function requestAccess(res: Response): Access | undefined {
  return res.locals.access as Access | undefined;
}

/** Sets `res.locals.access`, or answers 401 (with a basic-auth challenge for browsers). */
export function authenticate(auth: HttpAuth): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const access = accessOf(auth, req.get('authorization'));
    if (!access) {
      res.set('WWW-Authenticate', 'Basic realm="harvest", charset="UTF-8"');
      res.status(401).json({ error: 'authentication required' });
      return;
    }
    res.locals.access = access;
    next();
  };
}

/** Answers 405 to a read-only request for anything but GET/HEAD/OPTIONS: every API that changes state
 * (the board's retry, clean, pause...) uses another method. */
export function refuseWritesWhenReadOnly(): RequestHandler {
  return (req, res, next) => {
    const safe = req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS';
    if (requestAccess(res) === 'read' && !safe) {
      res.set('Allow', 'GET, HEAD');
      res.status(405).json({ error: 'read-only access: this action would change the queues' });
      return;
    }
    next();
  };
}
