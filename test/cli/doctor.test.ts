// `harvest doctor` through the command, against real services: a Redis started with
// allkeys-lru and no AOF (flagged), a real InfluxDB 1.x missing its database, the GitHub stand-in
// with a token of too few scopes, session folders of the fixtures, and a malformed board setting;
// then everything right, exit 0.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, REPO } from '../support/harvest-cli.ts';
import { startRedisServer, hasRedisServer } from '../support/redis-server.ts';
import { startInfluxdb, INFLUXD_BIN, type InfluxdbHandle } from '../support/influxdb.ts';
import { startGithubStandin, type GithubStandin } from '../support/github-standin.ts';
import { existsSync } from 'node:fs';
import { freePort } from '../support/free-port.ts';
import { discoverSessionFiles } from '../../src/sources/discover-all.ts';

const skip = !hasRedisServer() ? 'no redis-server' : !existsSync(INFLUXD_BIN) ? `no influxd at ${INFLUXD_BIN}` : false;
const TOKEN = 'ghp_doctorDoctorDoctorDoctorDoctor0001';
let lru: Awaited<ReturnType<typeof startRedisServer>>;
let good: Awaited<ReturnType<typeof startRedisServer>>;
let influx: InfluxdbHandle;
let github: GithubStandin;
let narrow: GithubStandin;

before(async () => {
  if (skip) return;
  lru = await startRedisServer(['--maxmemory-policy', 'allkeys-lru', '--appendonly', 'no']);
  good = await startRedisServer(['--maxmemory-policy', 'noeviction', '--appendonly', 'yes']);
  influx = await startInfluxdb({ database: 'harvest_doctor' });
  github = await startGithubStandin({ token: TOKEN, login: 'octo-doctor', scopes: 'repo, read:org', rateLimit: { limit: 5000, remaining: 4321 } });
  narrow = await startGithubStandin({ token: TOKEN, login: 'octo-narrow', scopes: 'read:org', rateLimit: { limit: 5000, remaining: 20 } });
});
after(async () => {
  await lru?.stop();
  await good?.stop();
  await influx?.close();
  await github?.close();
  await narrow?.close();
});

interface Check { name: string; status: string; summary: string; fix?: string; data?: Record<string, unknown> }

async function doctor(env: NodeJS.ProcessEnv): Promise<{ code: number | null; checks: Map<string, Check>; text: string }> {
  const home = mkdtempSync(join(tmpdir(), 'harvest-doctor-home-'));
  const base = { HOME: home, CLAUDE_CONFIG_DIR: join(REPO, 'fixtures/claude'), PI_CODING_AGENT_DIR: join(REPO, 'fixtures/pi'), HARVEST_AUTH: '', HARVEST_VIEWER_AUTH: '', HARVEST_API_TOKEN: '', GITHUB_TOKEN: '', GITHUB_TOKEN_FILE: '', INFLUX_URL: '', INFLUX_DB: '', INFLUX_TOKEN: '' };
  const out = mkdtempSync(join(tmpdir(), 'harvest-doctor-out-'));
  const json = await runCli(['doctor', '--json', '--out', out], { ...base, ...env });
  const text = await runCli(['doctor', '--out', out], { ...base, ...env });
  assert.equal(text.code, json.code, text.stdout);
  const parsed = JSON.parse(json.stdout) as { ok: boolean; checks: Check[] };
  assert.equal(parsed.ok, json.code === 0);
  return { code: json.code, checks: new Map(parsed.checks.map((c) => [c.name, c])), text: text.stdout };
}

async function sessionsIn(kind: 'claude' | 'pir', root: string): Promise<number> {
  let n = 0;
  for await (const _ of discoverSessionFiles({ [kind]: [root] }, { notices: [], missing: [] })) n++;
  return n;
}

test('flags an evicting Redis without AOF, a missing InfluxDB database, a narrow token, a malformed board setting', { skip }, async () => {
  const r = await doctor({
    REDIS_URL: lru.url,
    INFLUX_URL: influx.url, INFLUX_DB: 'no_such_db',
    GITHUB_TOKEN: TOKEN, GITHUB_API_URL: narrow.url,
    HARVEST_AUTH: 'admin-without-password',
  });
  assert.equal(r.code, 1, r.text);
  const c = (name: string) => r.checks.get(name) ?? assert.fail(`no check ${name}: ${[...r.checks.keys()]}`);
  assert.equal(c('redis').status, 'ok');
  assert.match(c('redis').summary, /answers, version \d+\.\d+/);
  assert.equal(c('redis policy').status, 'fail');
  assert.match(c('redis policy').summary, /maxmemory-policy is allkeys-lru/);
  assert.match(c('redis policy').fix!, /CONFIG SET maxmemory-policy noeviction/);
  assert.equal(c('redis aof').status, 'warn');
  assert.match(c('redis aof').fix!, /appendonly yes/);
  assert.equal(c('influxdb').status, 'ok');
  assert.equal(c('influxdb database').status, 'fail');
  assert.match(c('influxdb database').summary, /no database no_such_db \(there are: .*harvest_doctor/);
  assert.match(c('influxdb database').fix!, /CREATE DATABASE "no_such_db"/);
  assert.equal(c('github').status, 'ok');
  assert.match(c('github').summary, /user octo-narrow/);
  assert.equal(c('github scopes').status, 'warn');
  assert.match(c('github scopes').fix!, /`repo` scope/);
  assert.equal(c('github rate limit').status, 'warn');
  // The stand-in charges the doctor's own query: 20 before it.
  assert.match(c('github rate limit').summary, /^1\d of 5000 GraphQL points left, the window resets /);
  assert.equal(c('board auth').status, 'fail');
  assert.match(c('board auth').summary, /HARVEST_AUTH must be user:password/);
  // Per harness: the fixtures' folders, counted as a backfill finds them; omp is not here.
  assert.equal(c('sessions claude').data!.sessions, await sessionsIn('claude', join(REPO, 'fixtures/claude/projects')));
  assert.ok((c('sessions claude').data!.sessions as number) >= 8);
  assert.equal(c('sessions pir').data!.sessions, await sessionsIn('pir', join(REPO, 'fixtures/pi/sessions')));
  assert.match(c('sessions omp').summary, /not here/);
  assert.equal(c('disk').status, 'ok');
  assert.match(c('disk').summary, /GiB free|MiB free/);
  // The text form: every failure and warning says how to fix it, on the line below.
  const lines = r.text.split('\n');
  for (const [i, l] of lines.entries()) if (/^(FAIL|warn) /.test(l)) assert.match(lines[i + 1], /^\s+fix: /, l);
  assert.match(r.text, /^FAIL {2}redis policy +maxmemory-policy is allkeys-lru/m);
  assert.match(r.text, /problem\(s\) to fix/);
});

test('a token GitHub refuses, an unreachable InfluxDB, no Redis at REDIS_URL: each a failure with its fix', { skip }, async () => {
  const closed = await freePort();
  const r = await doctor({ REDIS_URL: `redis://127.0.0.1:${closed}`, INFLUX_URL: `http://127.0.0.1:${closed}`, INFLUX_DB: 'x', GITHUB_TOKEN: 'ghp_wrongwrongwrongwrongwrongwrong0000', GITHUB_API_URL: github.url });
  assert.equal(r.code, 1);
  assert.equal(r.checks.get('redis')!.status, 'fail');
  assert.match(r.checks.get('redis')!.fix!, /start it, or fix REDIS_URL/);
  assert.equal(r.checks.get('influxdb')!.status, 'fail');
  assert.match(r.checks.get('influxdb')!.summary, new RegExp(`not reachable at http://127\\.0\\.0\\.1:${closed} \\(ECONNREFUSED\\)`));
  assert.equal(r.checks.get('github')!.status, 'fail');
  assert.match(r.checks.get('github')!.summary, /refused the token \(401/);
  assert.doesNotMatch(r.text, /ghp_wrong/, 'the token is never printed');
});

test('everything right: exit 0', { skip }, async () => {
  const r = await doctor({
    REDIS_URL: good.url, INFLUX_URL: influx.url, INFLUX_DB: 'harvest_doctor',
    GITHUB_TOKEN: TOKEN, GITHUB_API_URL: github.url,
    HARVEST_AUTH: 'admin:pw', HARVEST_VIEWER_AUTH: 'viewer:pw', HARVEST_API_TOKEN: 'a-token-of-sixteen-chars',
  });
  assert.equal(r.code, 0, r.text);
  for (const name of ['redis', 'redis policy', 'redis aof', 'influxdb', 'influxdb auth', 'influxdb database', 'github', 'github scopes', 'github rate limit', 'disk', 'board auth', 'events api']) {
    assert.equal(r.checks.get(name)?.status, 'ok', `${name}: ${JSON.stringify(r.checks.get(name))}`);
  }
  assert.match(r.checks.get('github rate limit')!.summary, /^43[12]\d of 5000/);
  assert.match(r.checks.get('board auth')!.summary, /full access for admin, read-only for viewer, a bearer token/);
  assert.match(r.text, /^no problems/m);
});
