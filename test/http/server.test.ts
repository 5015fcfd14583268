// The HTTP server against the real Redis: who gets in, what a read-only user may not do (every
// mutating route of the board's API), and listening beyond loopback only with credentials.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import express from 'express';
import { REDIS_URL, uniquePrefix, dropPrefix } from '../support/redis.ts';
import { ConfigError, loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/log.ts';
import { createServer, type HarvestServer, type HttpFeature } from '../../src/http/server.ts';
import { boardMutatingRoutes } from '../../src/http/board.ts';
import type { HttpAuth } from '../../src/http/auth.ts';
import { SESSION_FILE_QUEUE } from '../../queues/session-file.ts';

const prefix = uniquePrefix('server');
const log = createLogger('silent');
const cfg = loadConfig({ REDIS_URL, HARVEST_PREFIX: prefix });
const AUTH: HttpAuth = {
  users: [{ user: 'admin', password: 'pw-admin', access: 'full' }, { user: 'viewer', password: 'pw-viewer', access: 'read' }],
  readOnly: false,
};
const basic = (u: string, p: string) => ({ authorization: `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}` });
const servers: HarvestServer[] = [];
let conn: Redis;
let failedId: string;

async function start(auth: HttpAuth, routes: HttpFeature[] = []): Promise<string> {
  const s = await createServer({ cfg, log, auth, routes });
  servers.push(s);
  return (await s.listen('127.0.0.1', 0)).url;
}

before(async () => {
  conn = new Redis(REDIS_URL);
  const q = new Queue(SESSION_FILE_QUEUE, { connection: conn, prefix });
  const job = await q.add(SESSION_FILE_QUEUE, { path: '/s/a.jsonl', root: '/s', runtime: 'claude-code', size: 1, mtimeMs: 1 }, { attempts: 1 });
  failedId = job.id!;
  const workerConn = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const w = new Worker(SESSION_FILE_QUEUE, async () => {
    throw new Error('boom');
  }, { connection: workerConn, prefix });
  await new Promise((r) => w.once('failed', r));
  await w.close();
  workerConn.disconnect();
  await q.close();
});

after(async () => {
  for (const s of servers) await s.close();
  conn?.disconnect();
  await dropPrefix(prefix);
});

test('the board needs credentials; wrong ones get 401 with a basic-auth challenge', async () => {
  const url = await start(AUTH);
  const none = await fetch(`${url}/board/`);
  assert.equal(none.status, 401);
  assert.match(none.headers.get('www-authenticate') ?? '', /^Basic realm="harvest"/);
  assert.equal((await fetch(`${url}/board/`, { headers: basic('admin', 'wrong') })).status, 401);
  assert.equal((await fetch(`${url}/board/`, { headers: basic('nobody', 'pw-admin') })).status, 401);
  assert.equal((await fetch(`${url}/board/`, { headers: basic('admin', 'pw-admin') })).status, 200);
  assert.equal((await fetch(`${url}/board/api/queues`, { headers: basic('viewer', 'pw-viewer') })).status, 200);
});

function concrete(route: string): string {
  return route
    .replace(':queueName', SESSION_FILE_QUEUE)
    .replace(':jobId', failedId)
    .replace(':queueStatus', 'failed')
    .replace(':schedulerId', 'none');
}

test('a viewer gets 405 for every mutating route of the board API, and nothing changes', async () => {
  const url = await start(AUTH);
  const routes = boardMutatingRoutes();
  assert.ok(routes.some((r) => r.route.endsWith('/:jobId/retry')), 'the retry route is among them');
  for (const r of routes) {
    const res = await fetch(url + concrete(r.route), { method: r.method, headers: { ...basic('viewer', 'pw-viewer'), 'content-type': 'application/json' }, body: '{}' });
    assert.equal(res.status, 405, `${r.method} ${r.route}`);
  }
  const q = new Queue(SESSION_FILE_QUEUE, { connection: conn, prefix });
  assert.equal((await q.getJobCounts('failed')).failed, 1, 'the failed job is still there');
  assert.equal(await q.isPaused(), false);
  await q.close();
});

test('--read-only refuses actions even to the full-access user; without it the admin may act', async () => {
  const ro = await start({ ...AUTH, readOnly: true });
  const retry = `/board/api/queues/${SESSION_FILE_QUEUE}/${failedId}/retry`;
  assert.equal((await fetch(ro + retry, { method: 'PUT', headers: basic('admin', 'pw-admin') })).status, 405);
  const rw = await start(AUTH);
  const pause = await fetch(`${rw}/board/api/queues/${SESSION_FILE_QUEUE}/pause`, { method: 'PUT', headers: basic('admin', 'pw-admin') });
  assert.equal(pause.status, 200);
  const q = new Queue(SESSION_FILE_QUEUE, { connection: conn, prefix });
  assert.equal(await q.isPaused(), true);
  await q.resume();
  await q.close();
});

test('listening beyond loopback without credentials is refused with a clear error', async () => {
  const s = await createServer({ cfg, log, auth: { users: [], readOnly: false } });
  servers.push(s);
  await assert.rejects(s.listen('0.0.0.0', 0), (e: Error) => e instanceof ConfigError && /HARVEST_AUTH/.test(e.message));
  // On loopback it serves, open.
  const { url } = await s.listen('127.0.0.1', 0);
  assert.equal((await fetch(`${url}/board/api/queues`)).status, 200);
});

test('features mount their own routes and may use the server auth', async () => {
  const feature: HttpFeature = {
    name: 'echo',
    mount(app, ctx) {
      app.post('/v1/echo', ctx.authenticate, ctx.requireFullAccess, express.json(), (req, res) => {
        res.json({ got: req.body, queues: ctx.queues.queues.length });
      });
    },
  };
  const url = await start(AUTH, [feature]);
  const post = (h: Record<string, string>) => fetch(`${url}/v1/echo`, { method: 'POST', headers: { ...h, 'content-type': 'application/json' }, body: '{"a":1}' });
  assert.equal((await post({})).status, 401);
  assert.equal((await post(basic('viewer', 'pw-viewer'))).status, 403);
  const ok = await post(basic('admin', 'pw-admin'));
  assert.equal(ok.status, 200);
  assert.deepEqual(((await ok.json()) as { got: unknown }).got, { a: 1 });
  assert.equal((await fetch(`${url}/nothing-here`)).status, 404);
});
