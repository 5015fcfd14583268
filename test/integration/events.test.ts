// Every ingress of orchestrator events (CLI, HTTP, client, spool, pi extension) against the real
// Redis and a real InfluxDB 1.x, through the events worker to InfluxDB and the event shards; then
// stats and exports of a hand-made history from both the files and InfluxDB.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { REDIS_URL, uniquePrefix, dropPrefix } from '../support/redis.ts';
import { REPO } from '../support/harvest-cli.ts';
import { startInfluxdb, type InfluxdbHandle } from '../support/influxdb.ts';
import { ACTIONS, OUTCOMES, OBSERVATIONS, EXPECTED_STATS, EXPECTED_DECISIONS, T0, decisionShape, statsShape } from '../support/event-history.ts';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/log.ts';
import { startEventsWorker, type RunningEventsWorker } from '../../workers/events.ts';
import { EVENTS_QUEUE } from '../../queues/events.ts';
import { readEventShards } from '../../src/sources/events/read-shards.ts';
import type { EventRecord } from '../../src/model/event.ts';
import { eventBatchSchema } from '../../src/model/event.ts';
import { HarvestClient } from '../../src/client.ts';
import { createServer, type HarvestServer } from '../../src/http/server.ts';
import { eventsApiFeature, eventsRouter } from '../../src/http/events-api.ts';
import { attemptsBefore } from '../../src/state/pr-actions.ts';
import { LineProtocolFileSink } from '../../src/sinks/line-protocol/file-sink.ts';
import { InfluxV1Sink } from '../../src/sinks/influx/v1.ts';
import harvestSignals, { toolSignal, type PiExtensionApi, type SignalSettings } from '../../extensions/pi/harvest-signals.ts';

const CLI = join(REPO, 'test/support/events-cli.ts');
const TOKEN = 'test-token-0123456789abcdef';
const log = createLogger('silent');
const prefixes: string[] = [];
let influx: InfluxdbHandle;

before(async () => {
  influx = await startInfluxdb({ database: 'events_test' });
});
after(async () => {
  await influx?.close();
  for (const p of prefixes) await dropPrefix(p);
});

interface Setup {
  prefix: string;
  out: string;
  db: string;
  env: NodeJS.ProcessEnv;
  worker: RunningEventsWorker;
  redis: Redis;
  queue: Queue;
}

async function setup(name: string): Promise<Setup> {
  const prefix = uniquePrefix(name);
  prefixes.push(prefix);
  const out = mkdtempSync(join(tmpdir(), `harvest-${name}-`));
  const db = `db_${name.replace(/\W/g, '_')}`;
  await influx.createDatabase(db);
  const env: NodeJS.ProcessEnv = {
    REDIS_URL, HARVEST_PREFIX: prefix, HARVEST_OUT: out, HARVEST_SEAL_IDLE_MS: '500',
    INFLUX_URL: influx.url, INFLUX_DB: db, HARVEST_API_TOKEN: TOKEN, HARVEST_LOG_LEVEL: 'silent',
  };
  const cfg = loadConfig({ ...env, HARVEST_WORKER_ID: `w-${name}` });
  const worker = await startEventsWorker(cfg, log, 4, { env });
  const redis = new Redis(REDIS_URL);
  const queue = new Queue(EVENTS_QUEUE, { connection: redis, prefix });
  return { prefix, out, db, env, worker, redis, queue };
}

async function teardown(s: Setup): Promise<void> {
  await s.worker.close();
  await s.queue.close();
  s.redis.disconnect();
}

/** Waits until the queue has nothing left to do. */
async function settle(s: Setup, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const c = await s.queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
    if (Object.values(c).every((n) => n === 0)) return;
    if (Date.now() > deadline) throw new Error(`events queue not idle: ${JSON.stringify(c)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function shardEvents(s: Setup): Promise<EventRecord[]> {
  const out: EventRecord[] = [];
  const counts: Record<string, number> = {};
  for await (const e of readEventShards(join(s.out, 'events'), counts)) out.push(e);
  assert.equal(counts.events_repeated ?? 0, 0, 'no event line twice in the shards');
  return out;
}

function cli(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], { cwd: REPO, env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const t = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`harvest ${args.join(' ')} timed out`));
    }, 60_000);
    child.on('exit', (code) => {
      clearTimeout(t);
      resolve({ code, stdout, stderr });
    });
  });
}

test('CLI: queued once however often sent, bad arguments exit 2, no Redis spools (exit 3) and the next command drains', async () => {
  const s = await setup('cli');
  try {
    const args = ['record-action', '--repo', 'o/r', '--pr', '7', '--action', 'wait', '--reason', 'auto-merge enabled, checks passing', '--key', 'k-7', '--session', 's1'];
    const first = await cli(args, s.env);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /^queued ev-[0-9a-f]{32}\n$/);
    const again = await cli(args, s.env);
    assert.equal(again.code, 0, again.stderr);
    assert.equal(again.stdout, first.stdout, 'the same key is the same event');

    for (const bad of [
      ['record-action', '--repo', 'o/r', '--pr', 'abc', '--action', 'wait'],
      ['record-action', '--repo', 'o/r', '--pr', '7'],
      ['record-action', '--repo', 'not-a-repo', '--pr', '7', '--action', 'wait'],
      ['record-action', '--repo', 'o/r', '--pr', '7', '--action', 'Wait Now'],
      ['record-outcome', '--repo', 'o/r', '--pr', '7', '--result', 'sucess'],
      ['record-outcome', '--repo', 'o/r', '--pr', '7', '--result', 'success', '--resolution-hours', '-1'],
      ['record-outcome', '--repo', 'o/r', '--pr', '7', '--result', 'success', '--at', 'yesterday-ish'],
    ]) {
      const r = await cli(bad, s.env);
      assert.equal(r.code, 2, `${bad.join(' ')}: ${r.stderr}`);
      assert.ok(r.stderr.trim().length > 0, 'says why');
    }

    const down = { ...s.env, REDIS_URL: 'redis://127.0.0.1:1' };
    const spooled = await cli(['record-outcome', '--repo', 'o/r', '--pr', '7', '--result', 'success', '--detail', 'merged via auto-merge', '--resolution-hours', '0.5'], down);
    assert.equal(spooled.code, 3, spooled.stderr);
    assert.match(spooled.stderr, /spool/);
    const spool = join(s.out, 'spool', 'events.jsonl');
    // The worker running beside this test drains the spool on its own tick too ("any worker
    // drains"), so the file may already be gone; the event count below proves nothing was lost.
    if (existsSync(spool)) assert.equal(readFileSync(spool, 'utf8').trim().split('\n').length, 1);

    // The next successful command drains the spool.
    const next = await cli(['record-action', '--repo', 'o/r', '--pr', '7', '--action', 'merge', '--json'], s.env);
    assert.equal(next.code, 0, next.stderr);
    assert.equal(JSON.parse(next.stdout).status, 'queued');
    assert.equal(existsSync(spool), false, 'the spool was drained');
    await settle(s);
    await s.worker.writer.sealAll();

    const events = await shardEvents(s);
    assert.deepEqual(events.map((e) => e.type).sort(), ['action_taken', 'action_taken', 'outcome']);
    const outcome = events.find((e) => e.type === 'outcome');
    assert.equal(outcome?.type === 'outcome' && outcome.resolution_hours, 0.5);
    const rows = await influx.rows('SELECT * FROM action_taken', s.db);
    assert.equal(rows.length, 2);
    assert.deepEqual(rows.map((r) => r.action).sort(), ['merge', 'wait']);
    assert.equal(rows.find((r) => r.action === 'wait')?.reason, 'auto-merge enabled, checks passing');
    assert.equal(rows[0].repo, 'o/r');
    assert.equal(rows[0].pr, '7');
    const outcomes = await influx.rows('SELECT * FROM outcome', s.db);
    assert.deepEqual(outcomes.map((r) => [r.result, r.detail, r.resolution_hours]), [['success', 'merged via auto-merge', 0.5]]);
  } finally {
    await teardown(s);
  }
});

test('HTTP: 202 with ids, retries record once, bad tokens 401 and bad bodies 400 record nothing', async () => {
  const s = await setup('http');
  const cfg = loadConfig(s.env);
  const server: HarvestServer = await createServer({ cfg, log, routes: [eventsApiFeature()], auth: { users: [], token: TOKEN, readOnly: false } });
  const { url } = await server.listen('127.0.0.1', 0);
  const post = (body: unknown, token: string | null = TOKEN, raw?: string) =>
    fetch(`${url}/v1/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token !== null ? { authorization: `Bearer ${token}` } : {}) },
      body: raw ?? JSON.stringify(body),
    });
  try {
    const batch = [
      { type: 'action_taken', repo: 'o/r', pr: 9, action: 'request_review_fix', reason: 'changes requested', key: 'h1' },
      { type: 'outcome', repo: 'o/r', pr: 9, result: 'failed', detail: 'closed', at: '2025-01-01T00:00:00Z' },
    ];
    const r1 = await post(batch);
    assert.equal(r1.status, 202);
    const b1 = (await r1.json()) as { accepted: number; ids: string[] };
    assert.equal(b1.accepted, 2);
    const r2 = await post({ events: batch });
    assert.equal(r2.status, 202);
    assert.deepEqual(((await r2.json()) as { ids: string[] }).ids, b1.ids, 'a retry has the same ids');

    assert.equal((await post(batch, 'wrong-token-0123456789')).status, 401);
    assert.equal((await post(batch, null)).status, 401);
    const bad = await post([{ type: 'action_taken', repo: 'o/r', pr: 'x', action: 'wait' }, { type: 'outcome', repo: 'o/r', pr: 10, result: 'ok' }]);
    assert.equal(bad.status, 400);
    const issues = ((await bad.json()) as { issues: { path: string }[] }).issues.map((i) => i.path);
    assert.ok(issues.includes('0.pr') && issues.includes('1.result'), JSON.stringify(issues));
    assert.equal((await post(null, TOKEN, '{"type": "action_taken", ')).status, 400);
    assert.equal((await post(Array.from({ length: 1001 }, (_, i) => ({ ...batch[0], key: `many-${i}` })))).status, 400);

    await settle(s);
    const events = await shardEvents(s);
    assert.equal(events.length, 2, 'recorded once; nothing from the refused requests');
    assert.deepEqual(events.map((e) => e.id).sort(), [...b1.ids].sort());
    const rows = await influx.rows('SELECT count(action) FROM action_taken', s.db);
    assert.equal(rows[0].count, 1);
    // The attempts an observation would carry.
    assert.deepEqual(await attemptsBefore(s.redis, s.prefix, 'o/r', 9, Date.now() + 1000), { conflict: 0, reviewFix: 1 });
    assert.deepEqual(await attemptsBefore(s.redis, s.prefix, 'o/r', 9, Date.now() - 60_000), { conflict: 0, reviewFix: 0 });
  } finally {
    await server.close();
    await teardown(s);
  }
});

test('the router mounts on a bare express app, and is off without a token', async () => {
  const express = (await import('express')).default;
  const got: string[] = [];
  const app = express();
  app.use(eventsRouter({ token: undefined, submit: async (rs) => void got.push(...rs.map((r) => r.id)) }));
  const srv = app.listen(0, '127.0.0.1');
  await new Promise((r) => srv.once('listening', r));
  const port = (srv.address() as { port: number }).port;
  try {
    const r = await fetch(`http://127.0.0.1:${port}/v1/events`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer x' }, body: '{}' });
    assert.equal(r.status, 503);
    assert.equal(got.length, 0);
  } finally {
    await new Promise((r) => srv.close(r));
  }
});

test('client: queues straight into Redis, a key records once, no Redis spools and a worker drains', async () => {
  const s = await setup('client');
  const spool = join(s.out, 'client-spool.jsonl');
  const client = new HarvestClient({ redisUrl: REDIS_URL, prefix: s.prefix, spool });
  const down = new HarvestClient({ redisUrl: 'redis://127.0.0.1:1', prefix: s.prefix, spool, timeoutMs: 1500 });
  try {
    const a = await client.recordAction({ repo: 'o/r', pr: 3, action: 'request_conflict_fix', reason: 'conflict', key: 'c1' });
    const b = await client.recordAction({ repo: 'o/r', pr: 3, action: 'request_conflict_fix', reason: 'conflict', key: 'c1' });
    assert.equal(a.status, 'queued');
    assert.deepEqual(a.ids, b.ids);
    await client.recordOutcome({ repo: 'o/r', pr: 3, result: 'success', detail: 'merged', resolution_hours: 2 });
    await assert.rejects(client.recordAction({ repo: 'o/r', pr: 0, action: 'wait' } as never), /pr/);

    const sp = await down.recordAction({ repo: 'o/r', pr: 3, action: 'wait', reason: 'offline' });
    assert.equal(sp.status, 'spooled');
    assert.ok(existsSync(spool));
    // A worker drains the spool it is pointed at.
    const cfg = loadConfig({ ...s.env, HARVEST_WORKER_ID: 'w-client-2' });
    const w2 = await startEventsWorker(cfg, log, 1, { env: { ...s.env, HARVEST_SPOOL: spool } });
    await w2.close();
    assert.equal(existsSync(spool), false);
    await settle(s);
    const events = await shardEvents(s);
    assert.equal(events.length, 3);
    assert.deepEqual(events.filter((e) => e.type === 'action_taken').map((e) => e.type === 'action_taken' && e.reason).sort(), ['conflict', 'offline']);
    assert.deepEqual(await attemptsBefore(s.redis, s.prefix, 'o/r', 3, Date.now() + 1000), { conflict: 1, reviewFix: 0 });
  } finally {
    await client.close();
    await down.close();
    await teardown(s);
  }
});

test('pi extension: payloads pass the endpoint schema, post on agent_end, and spool when the server is away', async () => {
  const s = await setup('ext');
  const cfg = loadConfig(s.env);
  const server = await createServer({ cfg, log, routes: [eventsApiFeature()], auth: { users: [], token: TOKEN, readOnly: false } });
  const { url } = await server.listen('127.0.0.1', 0);
  const spool = join(s.out, 'spool', 'events.jsonl');
  try {
    const ctx = { cwd: '/work/project', sessionManager: { getSessionId: () => 'sess-42' } };
    const p = toolSignal({ toolName: 'bash', toolCallId: 'call-1', input: { command: 'rm -rf / # secret', timeout: 5 } }, ctx);
    assert.deepEqual(p.arg_keys, ['command', 'timeout']);
    assert.ok(!JSON.stringify(p).includes('rm -rf'), 'argument values never leave');
    assert.equal(eventBatchSchema.safeParse([p, toolSignal({ toolName: 'read', input: undefined }, {})]).success, true);

    const handlers = new Map<string, (e: unknown, c: unknown) => unknown>();
    const pi = { on: (name: string, h: (e: unknown, c: unknown) => unknown) => void handlers.set(name, h) } as unknown as PiExtensionApi;
    const settings: SignalSettings = { url, token: TOKEN, spool, timeoutMs: 15_000 };
    harvestSignals(pi, settings);
    handlers.get('tool_call')!({ toolName: 'bash', toolCallId: 'c1', input: { command: 'ls' } }, ctx);
    handlers.get('tool_call')!({ toolName: 'edit', toolCallId: 'c2', input: { path: 'a', oldText: 'x', newText: 'y' } }, ctx);
    await handlers.get('agent_end')!({}, ctx);
    await handlers.get('agent_end')!({}, ctx);
    assert.equal(existsSync(spool), false, 'posted, nothing spooled');

    // Server away: the signals go to the spool, and the worker drains it.
    const away: SignalSettings = { ...settings, url: 'http://127.0.0.1:1' };
    const pi2Handlers = new Map<string, (e: unknown, c: unknown) => unknown>();
    harvestSignals({ on: (n: string, h: (e: unknown, c: unknown) => unknown) => void pi2Handlers.set(n, h) } as unknown as PiExtensionApi, away);
    pi2Handlers.get('tool_call')!({ toolName: 'read', toolCallId: 'c3', input: { path: 'README.md' } }, ctx);
    await pi2Handlers.get('session_shutdown')!({}, ctx);
    // The worker beside the test drains its spool on a timer, so the file may already be gone.
    if (existsSync(spool)) assert.equal(readFileSync(spool, 'utf8').trim().split('\n').length, 1);
    await s.worker.drain();
    assert.equal(existsSync(spool), false);
    await settle(s);

    const events = await shardEvents(s);
    assert.deepEqual(events.map((e) => e.type === 'tool_signal' && e.tool).sort(), ['bash', 'edit', 'read']);
    const edit = events.find((e) => e.type === 'tool_signal' && e.tool === 'edit');
    assert.deepEqual(edit?.type === 'tool_signal' && [edit.arg_keys, edit.session, edit.cwd], [['path', 'oldText', 'newText'], 'sess-42', '/work/project']);
    const rows = await influx.rows('SELECT * FROM tool_signal', s.db);
    assert.equal(rows.length, 3);
    assert.equal(rows.find((r) => r.tool === 'edit')?.arg_keys, 'path,oldText,newText');
  } finally {
    await server.close();
    await teardown(s);
  }
});

test('stats and the decisions export of a hand-made history, from the files and from InfluxDB', async () => {
  const s = await setup('history');
  const client = new HarvestClient({ redisUrl: REDIS_URL, prefix: s.prefix, spool: false });
  try {
    await client.record([...ACTIONS, ...OUTCOMES]);
    // Observations as the PR poller writes them: line-protocol files and InfluxDB.
    const files = await LineProtocolFileSink.open({ outDir: s.out, writerId: 'poller' });
    await files.write(OBSERVATIONS);
    await files.close();
    await new InfluxV1Sink({ url: influx.url, database: s.db }).write(OBSERVATIONS);
    await settle(s);
    assert.deepEqual(await attemptsBefore(s.redis, s.prefix, 'o/r', 1, T0 + 1.5 * 3_600_000), { conflict: 1, reviewFix: 0 });
    assert.deepEqual(await attemptsBefore(s.redis, s.prefix, 'o/r', 1, T0 + 2 * 3_600_000), { conflict: 1, reviewFix: 0 }, 'strictly before');
    assert.deepEqual(await attemptsBefore(s.redis, s.prefix, 'o/r', 1, T0 + 3 * 3_600_000), { conflict: 2, reviewFix: 0 });

    for (const source of ['files', 'influx']) {
      const st = await cli(['stats', '--source', source, '--json', '--data', s.out], s.env);
      assert.equal(st.code, 0, st.stderr);
      const report = JSON.parse(st.stdout) as { actions: Parameters<typeof statsShape>[0][]; prs_with_actions: number; observations: { repo: string; observations: number; prs: number }[] };
      assert.deepEqual(report.actions.map(statsShape), EXPECTED_STATS, source);
      assert.equal(report.prs_with_actions, 4);
      assert.deepEqual(report.observations.map((o) => [o.repo, o.observations, o.prs]), [['o/r', 4, 2], ['x/y', 1, 1]]);

      const text = await cli(['stats', '--source', source, '--repo', 'x/y', '--data', s.out], s.env);
      assert.equal(text.code, 0, text.stderr);
      assert.match(text.stdout, /wait\s+1\s+0\s+1/);

      const file = join(s.out, `decisions-${source}.jsonl`);
      const ex = await cli(['export', 'decisions', '--out', file, '--source', source, '--data', s.out], s.env);
      assert.equal(ex.code, 0, ex.stderr);
      assert.match(ex.stderr, /wrote 7 decision examples.*left out 1 action\(s\) on 1 PR\(s\) without an outcome/);
      const rows = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
      assert.deepEqual(rows.map(decisionShape), EXPECTED_DECISIONS.map((r) => [...r]), source);

      const obsFile = join(s.out, `observations-${source}.jsonl`);
      const ob = await cli(['export', 'observations', '--out', obsFile, '--source', source, '--data', s.out], s.env);
      assert.equal(ob.code, 0, ob.stderr);
      const obs = readFileSync(obsFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
      assert.equal(obs.length, OBSERVATIONS.length);
      assert.ok(obs.every((o) => typeof o.at === 'string' && typeof o.pr === 'number' && typeof o.conflict_attempts === 'number'));
    }
    const recent = await cli(['export', 'decisions', '--out', '-', '--since', '1d', '--source', 'files', '--data', s.out], s.env);
    assert.equal(recent.code, 0, recent.stderr);
    assert.equal(recent.stdout, '', 'nothing in the last day');
  } finally {
    await client.close();
    await teardown(s);
  }
});
