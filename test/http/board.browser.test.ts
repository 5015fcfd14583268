// Bull Board in a real browser (headless Debian chromium): log in, see every harvest queue and a
// failed job's error with the secrets in its data and error redacted; no credentials -> 401; a
// read-only user cannot retry (405).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { REDIS_URL, uniquePrefix, dropPrefix } from '../support/redis.ts';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/log.ts';
import { createServer, type HarvestServer } from '../../src/http/server.ts';
import { QUEUES } from '../../queues/index.ts';
import { SESSION_FILE_QUEUE } from '../../queues/session-file.ts';

const CHROMIUM = '/usr/bin/chromium';
const skip = existsSync(CHROMIUM) ? false : `no browser at ${CHROMIUM}`;
const prefix = uniquePrefix('board');
// A fake token of GitHub's shape, in the job's data and in its error.
const TOKEN = `ghp_${'Zq8'.repeat(12)}`;
const ADMIN = { username: 'admin', password: 'pw-admin-1' };
const VIEWER = { username: 'viewer', password: 'pw-viewer-1' };
let server: HarvestServer;
let url: string;
let browser: Browser;
let jobId: string;

before(async () => {
  if (skip) return;
  const conn = new Redis(REDIS_URL);
  const q = new Queue(SESSION_FILE_QUEUE, { connection: conn, prefix });
  const job = await q.add(SESSION_FILE_QUEUE, {
    path: '/sessions/p/a.jsonl', root: '/sessions', runtime: 'claude-code', size: 10, mtimeMs: 1,
    githubToken: TOKEN, note: `cloned with https://x-access-token:${TOKEN}@github.com/o/r`,
  }, { attempts: 1 });
  jobId = job.id!;
  const workerConn = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const w = new Worker(SESSION_FILE_QUEUE, async () => {
    throw new Error(`session file unreadable at line 7 (token ${TOKEN} rejected)`);
  }, { connection: workerConn, prefix });
  await new Promise((r) => w.once('failed', r));
  await w.close();
  workerConn.disconnect();
  await q.close();
  conn.disconnect();

  const cfg = loadConfig({ REDIS_URL, HARVEST_PREFIX: prefix });
  server = await createServer({
    cfg, log: createLogger('silent'),
    auth: { users: [{ user: ADMIN.username, password: ADMIN.password, access: 'full' }, { user: VIEWER.username, password: VIEWER.password, access: 'read' }], readOnly: false },
  });
  url = (await server.listen('127.0.0.1', 0)).url;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});

after(async () => {
  await browser?.close();
  await server?.close();
  await dropPrefix(prefix);
});

test('logged in, the board lists every harvest queue with its description', { skip }, async () => {
  const ctx = await browser.newContext({ httpCredentials: ADMIN });
  const page = await ctx.newPage();
  const res = await page.goto(`${url}/board/`);
  assert.equal(res?.status(), 200);
  for (const q of QUEUES) await page.getByText(q.name, { exact: true }).first().waitFor();
  for (const q of QUEUES) {
    await page.goto(`${url}/board/queue/${encodeURIComponent(q.name)}`);
    await page.getByText(q.description, { exact: true }).first().waitFor();
  }
  await ctx.close();
});

test('a failed job shows its error and data with the token redacted', { skip }, async () => {
  const ctx = await browser.newContext({ httpCredentials: ADMIN });
  const page = await ctx.newPage();
  await page.goto(`${url}/board/queue/${SESSION_FILE_QUEUE}?status=failed`);
  await page.getByText('session file unreadable at line 7', { exact: false }).first().waitFor();
  const errorText = await page.innerText('body');
  assert.match(errorText, /token \[REDACTED:github_token\] rejected/);
  await page.getByText('Data', { exact: true }).first().click();
  await page.getByText('[REDACTED', { exact: false }).first().waitFor();
  const body = await page.innerText('body');
  assert.match(body, /githubToken:\s*"\[REDACTED:[a-z_]+\]"/);
  assert.match(body, /x-access-token/);
  assert.ok(!(await page.content()).includes(TOKEN), 'the token appears nowhere in the page');
  // Nor in what the board's API sends the page.
  const api = await page.evaluate(async (u) => (await fetch(u)).text(), `${url}/board/api/queues/${SESSION_FILE_QUEUE}/${jobId}`);
  assert.ok(api.includes('[REDACTED'), 'the API answer is redacted');
  assert.ok(!api.includes(TOKEN), 'the API answer has no token');
  await ctx.close();
});

test('without credentials the board answers 401', { skip }, async () => {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  // Headless chromium turns a basic-auth challenge it cannot answer into a navigation error...
  await assert.rejects(page.goto(`${url}/board/`), /ERR_INVALID_AUTH_CREDENTIALS/);
  // ...so ask from a page of the same origin (the public health check), as the board's own script would.
  const probe = await ctx.newPage();
  assert.equal((await probe.goto(`${url}/healthz`))?.status(), 200);
  for (const path of ['/board/', `/board/api/queues`, '/metrics']) {
    const status = await probe.evaluate(async (u) => (await fetch(u, { credentials: 'omit' })).status, url + path);
    assert.equal(status, 401, path);
  }
  await ctx.close();
});

test('a read-only user sees the failed job but its retry is refused with 405', { skip }, async () => {
  const ctx = await browser.newContext({ httpCredentials: VIEWER });
  const page = await ctx.newPage();
  await page.goto(`${url}/board/queue/${SESSION_FILE_QUEUE}?status=failed`);
  await page.getByText('session file unreadable at line 7', { exact: false }).first().waitFor();
  // The read-only board offers no retry...
  assert.equal(await page.getByRole('button', { name: /^retry/i }).count(), 0);
  // ...and the action itself, sent as the board would, is refused.
  const status = await page.evaluate(async (u) => (await fetch(u, { method: 'PUT' })).status, `${url}/board/api/queues/${SESSION_FILE_QUEUE}/${jobId}/retry`);
  assert.equal(status, 405);
  await ctx.close();

  // The full-access user is offered the retry, and it works.
  const admin = await browser.newContext({ httpCredentials: ADMIN });
  const p2 = await admin.newPage();
  await p2.goto(`${url}/board/queue/${SESSION_FILE_QUEUE}?status=failed`);
  await p2.getByText('session file unreadable at line 7', { exact: false }).first().waitFor();
  assert.ok((await p2.getByRole('button', { name: /^retry/i }).count()) > 0, 'admin is offered retry');
  await admin.close();
});
