// Several worker hosts share one backfill through one Redis: each host in its own network namespace
// (reaching Redis over a veth pair, as a machine on a LAN would) with its own identity and dataset
// folder. One is killed mid-run (SIGKILL); the others finish its work. Its open shard is sealed
// (`shards recover`), the folders are merged (`shards compact`), and the result equals a single
// worker's undisturbed run: same records, none twice, none missing.
// Where network namespaces are not permitted, the hosts are plain processes (the reason is logged).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readlinkSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { REDIS_URL, uniquePrefix, dropPrefix } from '../support/redis.ts';
import { runCli, waitExit, lastJson, BIN, REPO } from '../support/harvest-cli.ts';
import { writeClaudeCorpus } from '../support/claude-corpus.ts';
import { readDataset, listShards } from '../../src/sinks/shards/dataset-reader.ts';
import { sampleProblems } from '../../src/model/sample-rules.ts';
import { SESSION_FILE_QUEUE } from '../../queues/session-file.ts';

const SESSIONS = 150;
const cleanups: (() => void | Promise<void>)[] = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

const sh = (args: string[]) => spawnSync(args[0], args.slice(1), { encoding: 'utf8' });

function ip(...args: string[]): void {
  const r = sh(['ip', ...args]);
  if (r.status !== 0) throw new Error(`ip ${args.join(' ')}: ${(r.stderr || r.error?.message || '').trim()}`);
}

interface Host {
  id: string;
  /** Network namespace the host's processes run in, or none (plain process). */
  ns?: string;
  /** Address this host reaches Redis at. */
  redisHost: string;
  /** This host's own address as Redis sees it. */
  addr?: string;
}

/** One namespace and veth pair per host; null (with the reason) where the machine does not allow it. */
function setupNetns(ids: string[]): { hosts: Host[]; cleanup: () => void } | { reason: string } {
  if (process.env.HARVEST_TEST_NETNS === '0') return { reason: 'HARVEST_TEST_NETNS=0' };
  if (process.getuid?.() !== 0) return { reason: 'not root' };
  if (sh(['ip', '-V']).status !== 0) return { reason: 'no ip command' };
  const tag = randomBytes(2).toString('hex');
  const used = sh(['ip', '-o', 'addr']).stdout ?? '';
  let base = 20 + Math.floor(Math.random() * 200);
  while (used.includes(`10.231.${base}.`) || used.includes(`10.231.${base + ids.length}.`)) base = (base + 7) % 240 + 10;
  const made: string[] = [];
  const cleanup = () => {
    for (const ns of made) sh(['ip', 'netns', 'del', ns]);
  };
  try {
    const hosts = ids.map((id, i) => {
      const ns = `hv-${tag}-${i}`;
      const vh = `hv${tag}${i}h`;
      const vn = `hv${tag}${i}n`;
      const net = `10.231.${base + i}`;
      ip('netns', 'add', ns);
      made.push(ns);
      ip('link', 'add', vh, 'type', 'veth', 'peer', 'name', vn);
      ip('link', 'set', vn, 'netns', ns);
      ip('addr', 'add', `${net}.1/24`, 'dev', vh);
      ip('link', 'set', vh, 'up');
      ip('netns', 'exec', ns, 'ip', 'addr', 'add', `${net}.2/24`, 'dev', vn);
      ip('netns', 'exec', ns, 'ip', 'link', 'set', vn, 'up');
      ip('netns', 'exec', ns, 'ip', 'link', 'set', 'lo', 'up');
      return { id, ns, redisHost: `${net}.1`, addr: `${net}.2` };
    });
    return { hosts, cleanup };
  } catch (e) {
    cleanup();
    return { reason: (e as Error).message };
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** A private redis-server listening on loopback and on each host's veth address. */
async function startRedis(binds: string[]): Promise<{ port: number; stop: () => Promise<void> }> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'harvest-mh-redis-'));
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', ...binds, '--dir', dir, '--save', '', '--appendonly', 'no', '--protected-mode', 'no', '--maxmemory-policy', 'noeviction'], { stdio: 'ignore' });
  const r = new Redis({ port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  r.on('error', () => undefined);
  for (let i = 0; ; i++) {
    try {
      await r.connect();
      await r.ping();
      break;
    } catch {
      if (i > 50 || child.exitCode !== null) throw new Error('redis-server did not start');
      await new Promise((res) => setTimeout(res, 100));
    }
  }
  r.disconnect();
  return { port, stop: () => new Promise<void>((res) => { child.once('exit', () => res()); child.kill('SIGTERM'); }) };
}

/** `harvest worker` on a host: in its namespace when it has one. Resolves once it is serving. */
function startWorker(host: Host, out: string, env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; output: () => string }> {
  const argv = [process.execPath, BIN, 'worker', '--out', out];
  const [cmd, ...args] = host.ns ? ['ip', 'netns', 'exec', host.ns, ...argv] : argv;
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: REPO, env: { ...process.env, HARVEST_LOG_LEVEL: 'info', ...env, HARVEST_WORKER_ID: host.id } });
    let out_ = '';
    const onData = (d: Buffer) => {
      out_ += d;
      if (out_.includes('worker started')) resolve({ child, output: () => out_ });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => reject(new Error(`worker ${host.id} exited ${code} before ready:\n${out_}`)));
  });
}

async function records(samplesDir: string) {
  const recs: { id: string; version: number; gpt: string }[] = [];
  for await (const r of readDataset(samplesDir)) {
    assert.deepEqual(sampleProblems(r.value), [], `valid sample in ${r.shard}`);
    const m = r.value.metadata as { record_id: string; version: number; gpt_hash: string };
    recs.push({ id: m.record_id, version: m.version, gpt: m.gpt_hash });
  }
  return recs.sort((a, b) => a.id.localeCompare(b.id));
}

async function committedRecords(out: string): Promise<number> {
  return (await listShards(join(out, 'samples'))).reduce((a, s) => a + s.entries.length, 0);
}

test('hosts share a backfill; one is killed mid-run; the merged dataset equals a single worker\'s', async (t) => {
  const ids = ['host-a', 'host-b', 'host-c'];
  const net = setupNetns(ids);
  let hosts: Host[];
  let redisUrlOf: (h: Host) => string;
  let hostRedis: string;
  const hasRedisServer = sh(['redis-server', '--version']).status === 0;
  if ('reason' in net || !hasRedisServer) {
    const reason = 'reason' in net ? net.reason : 'no redis-server to bind to the veth addresses';
    t.diagnostic(`network namespaces not used (${reason}): the hosts run as plain processes on this machine`);
    console.error(`multi-host: network namespaces not used (${reason}); plain processes instead`);
    if ('cleanup' in net) net.cleanup();
    hosts = ids.map((id) => ({ id, redisHost: '127.0.0.1' }));
    hostRedis = REDIS_URL;
    redisUrlOf = () => REDIS_URL;
  } else {
    cleanups.push(net.cleanup);
    hosts = net.hosts;
    const redis = await startRedis(hosts.map((h) => h.redisHost));
    cleanups.push(redis.stop);
    hostRedis = `redis://127.0.0.1:${redis.port}`;
    redisUrlOf = (h) => `redis://${h.redisHost}:${redis.port}`;
    // Each namespace reaches Redis only over its veth pair.
    for (const h of hosts) {
      const r = sh(['ip', 'netns', 'exec', h.ns!, 'redis-cli', '-h', h.redisHost, '-p', String(redis.port), 'ping']);
      if (r.status === 0) assert.equal(r.stdout.trim(), 'PONG', `${h.id} reaches Redis at ${h.redisHost}`);
    }
  }

  const corpus = mkdtempSync(join(tmpdir(), 'harvest-mh-corpus-'));
  writeClaudeCorpus(corpus, SESSIONS, 30);
  const base = (prefix: string, out: string): NodeJS.ProcessEnv => ({ HARVEST_PREFIX: prefix, HARVEST_OUT: out, HARVEST_ROOTS: corpus, HARVEST_SEAL_IDLE_MS: '500' });

  // Reference: one undisturbed single-worker run.
  const refPrefix = uniquePrefix('mh-ref');
  cleanups.push(() => dropPrefixAt(hostRedis, refPrefix));
  const refOut = mkdtempSync(join(tmpdir(), 'harvest-mh-ref-'));
  const ref = await runCli(['backfill', '--claude', corpus, '--out', refOut, '--inline', '--json'], { ...base(refPrefix, refOut), REDIS_URL: hostRedis });
  assert.equal(ref.code, 0, ref.stderr);
  const expected = await records(join(refOut, 'samples'));
  assert.ok(expected.length >= SESSIONS, `reference wrote samples (${expected.length})`);

  // The fleet: every host serving before the work arrives, so it spreads.
  const prefix = uniquePrefix('mh');
  cleanups.push(() => dropPrefixAt(hostRedis, prefix));
  const outs = Object.fromEntries(hosts.map((h) => [h.id, mkdtempSync(join(tmpdir(), `harvest-mh-${h.id}-`))]));
  const workers = new Map<string, ChildProcess>();
  cleanups.push(() => {
    for (const c of workers.values()) if (c.exitCode === null) c.kill('SIGKILL');
  });
  await Promise.all(hosts.map(async (h) => {
    const w = await startWorker(h, outs[h.id], { ...base(prefix, outs[h.id]), REDIS_URL: redisUrlOf(h), HARVEST_CONCURRENCY: '1' });
    workers.set(h.id, w.child);
  }));
  if (hosts[0].ns) {
    // Really elsewhere: another network namespace, and Redis sees them at their veth addresses.
    const mine = readlinkSync('/proc/self/ns/net');
    for (const h of hosts) assert.notEqual(readlinkSync(`/proc/${workers.get(h.id)!.pid}/ns/net`), mine, `${h.id} in its own namespace`);
    const admin = new Redis(hostRedis);
    const clients = String(await admin.client('LIST'));
    admin.disconnect();
    for (const h of hosts) assert.ok(clients.includes(`addr=${h.addr}:`), `Redis sees ${h.id} at ${h.addr}`);
  }

  const enq = await runCli(['backfill', '--claude', corpus], { ...base(prefix, outs[hosts[0].id]), REDIS_URL: hostRedis });
  assert.equal(enq.code, 0, enq.stderr);

  const conn = new Redis(hostRedis);
  const q = new Queue(SESSION_FILE_QUEUE, { connection: conn, prefix });
  cleanups.push(async () => {
    await q.close();
    conn.disconnect();
  });
  const victim = hosts[0];
  // Kill the first host once it has committed some records and much work remains.
  for (let i = 0; ; i++) {
    const done = (await q.getJobCounts('completed')).completed ?? 0;
    if ((await committedRecords(outs[victim.id])) > 0 && done > 0) break;
    assert.ok(done < SESSIONS && i < 1200, `the victim did some work before the queue was done (${done} done)`);
    await new Promise((r) => setTimeout(r, 25));
  }
  // Paused first, so that however slow this test is to look, work remains when the victim dies.
  await q.pause();
  workers.get(victim.id)!.kill('SIGKILL');
  await waitExit(workers.get(victim.id)!);
  const doneAtKill = (await q.getJobCounts('completed')).completed ?? 0;
  assert.ok(doneAtKill < SESSIONS, `killed mid-run (${doneAtKill} of ${SESSIONS} done)`);
  await q.resume();

  // The others finish everything, the victim's interrupted job included (after its lock expires).
  const deadline = Date.now() + 180_000;
  for (;;) {
    const c = await q.getJobCounts('completed', 'failed');
    assert.equal(c.failed, 0, 'no job failed');
    if (c.completed >= SESSIONS) break;
    assert.ok(Date.now() < deadline, `queue not drained: ${JSON.stringify(c)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  for (const h of hosts.slice(1)) {
    workers.get(h.id)!.kill('SIGTERM');
    assert.equal(await waitExit(workers.get(h.id)!), 0, `${h.id} stops cleanly`);
  }

  // Every host wrote some of the dataset.
  for (const h of hosts) assert.ok((await committedRecords(outs[h.id])) > 0, `${h.id} wrote shards`);

  // The dead host's open shard is sealed now (it cannot do it itself).
  const rec = await runCli(['shards', 'recover', '--out', outs[victim.id], '--dead', victim.id, '--json'], { REDIS_URL: hostRedis, HARVEST_PREFIX: prefix });
  assert.equal(rec.code, 0, rec.stderr);
  for (const s of await listShards(join(outs[victim.id], 'samples'))) assert.ok(s.sealed, `${s.path} sealed`);

  const merged = join(mkdtempSync(join(tmpdir(), 'harvest-mh-merged-')), 'dataset');
  const comp = await runCli(['shards', 'compact', '--in', ...hosts.map((h) => outs[h.id]), '--out', merged, '--json'], {});
  assert.equal(comp.code, 0, comp.stderr);
  const got = await records(join(merged, 'samples'));
  assert.equal(new Set(got.map((r) => r.id)).size, got.length, 'no record twice');
  assert.deepEqual(got, expected);
  const v = await runCli(['validate', merged, '--json'], {});
  assert.equal(v.code, 0, v.stderr);
});

async function dropPrefixAt(url: string, prefix: string): Promise<void> {
  if (url === REDIS_URL) return dropPrefix(prefix);
  // The private Redis goes away with its data; nothing to clean.
}
