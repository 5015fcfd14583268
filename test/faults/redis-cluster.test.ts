// A backfill against a real Redis Cluster: three masters on loopback, started here, and the
// hash-tagged prefix the README documents (`{harvest}`), reached through a node that does not own
// harvest's slot (so the client must follow the cluster's redirections). The dataset equals a
// single Redis's run, line for line, and a second run finds every file unchanged.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { REDIS_URL, dropPrefix, uniquePrefix } from '../support/redis.ts';
import { freePort } from '../support/free-port.ts';
import { waitExit } from '../support/harvest-cli.ts';
import { writeClaudeCorpus } from '../support/claude-corpus.ts';
import { compare, hasRedisServer, mustRun, printTable, readRaw, removeDirs, table, tmp, until } from './support.ts';

const dirs: string[] = [];
const servers: ChildProcess[] = [];
const prefixes: string[] = [];
after(async () => {
  for (const s of servers) {
    if (s.exitCode === null) {
      s.kill('SIGKILL');
      await waitExit(s);
    }
  }
  for (const p of prefixes) await dropPrefix(p);
  removeDirs(dirs);
  printTable();
});

const cli = (port: number, ...args: string[]) => spawnSync('redis-cli', ['-p', String(port), ...args], { encoding: 'utf8' });

test('a backfill against a three-master Redis Cluster with the {harvest} prefix', { skip: hasRedisServer() ? false : 'no redis-server' }, async () => {
  const t0 = Date.now();
  const ports = [await freePort(), await freePort(), await freePort()];
  for (const port of ports) {
    const dir = tmp(`cluster-${port}`, dirs);
    servers.push(spawn('redis-server', [
      '--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no',
      '--cluster-enabled', 'yes', '--cluster-config-file', `nodes-${port}.conf`, '--cluster-node-timeout', '5000',
    ], { stdio: 'ignore' }));
  }
  for (const port of ports) await until(`node ${port} to answer`, () => cli(port, 'ping').stdout.trim() === 'PONG', 10_000);
  const made = spawnSync('redis-cli', ['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '0', '--cluster-yes'], { encoding: 'utf8' });
  assert.equal(made.status, 0, made.stdout + made.stderr);
  for (const port of ports) await until(`node ${port} to see the cluster ok`, () => /cluster_state:ok/.test(cli(port, 'cluster', 'info').stdout), 20_000);

  // Harvest's slot, and a node that does not serve it: the client starts there.
  const slot = Number(cli(ports[0], 'cluster', 'keyslot', '{harvest}').stdout.trim());
  const owner = cli(ports[0], 'cluster', 'nodes').stdout.split('\n').map((l) => l.split(' ')).filter((f) => f.length > 8).find((f) =>
    f.slice(8).some((range) => {
      const [lo, hi] = range.split('-').map(Number);
      return slot >= lo && slot <= (hi ?? lo);
    }))?.[1].split('@')[0].split(':').map(Number)[1];
  assert.ok(owner, 'a master owns harvest\'s slot');
  const seed = ports.find((p) => p !== owner)!;

  const corpus = tmp('cluster-corpus', dirs);
  writeClaudeCorpus(corpus, 30, 8, 21);
  // The same backfill against the plain Redis, undisturbed.
  const refPrefix = uniquePrefix('fault-cluster-ref');
  prefixes.push(refPrefix);
  const refOut = tmp('cluster-ref', dirs);
  await mustRun(['backfill', '--claude', corpus, '--out', refOut, '--inline'], { REDIS_URL, HARVEST_PREFIX: refPrefix, HARVEST_ROOTS: corpus });
  const ref = readRaw(refOut);

  const env = { REDIS_URL: `redis://127.0.0.1:${seed}/?cluster`, HARVEST_PREFIX: '{harvest}', HARVEST_ROOTS: corpus, HARVEST_SEAL_IDLE_MS: '300' };
  const out = tmp('cluster-out', dirs);
  const first = JSON.parse((await mustRun(['backfill', '--claude', corpus, '--out', out, '--inline', '--json'], env)).stdout.trim().split('\n').pop()!);
  assert.equal(first.files.processed, 30, JSON.stringify(first.files));
  const got = readRaw(out);
  const c = compare(got, ref);
  table.push({ fault: 'Redis Cluster, {harvest} prefix', expected: c.expected, found: c.found, duplicates: c.duplicates, seconds: (Date.now() - t0) / 1000 });
  assert.deepEqual([c.missing, c.extra, c.different, c.duplicates], [[], [], [], 0]);
  assert.equal(got.lines, ref.lines);

  // Every harvest key is in the one slot, on its master.
  assert.ok(Number(cli(owner, 'cluster', 'countkeysinslot', String(slot)).stdout.trim()) > 0, 'harvest\'s keys are in its slot');
  for (const p of ports) if (p !== owner) assert.equal(cli(p, 'dbsize').stdout.trim(), '0', `node ${p} holds no harvest key`);

  const second = JSON.parse((await mustRun(['backfill', '--claude', corpus, '--out', out, '--inline', '--json'], env)).stdout.trim().split('\n').pop()!);
  assert.equal(second.files.unchanged, 30, 'the file ledger works on the cluster too');
});
