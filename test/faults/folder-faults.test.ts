// Faults of the folder and of the people running harvest: a reused worker id, a full disk, a
// symlink flipped between a file inside the roots and one outside, two backfills at once into one
// folder, a new or emptied --out. After each, every raw line equals the undisturbed run's, each
// record once (support.ts reads them with plain fs + JSON.parse).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { REDIS_URL, dropPrefix } from '../support/redis.ts';
import { runCli, waitExit } from '../support/harvest-cli.ts';
import { writeClaudeCorpus } from '../support/claude-corpus.ts';
import { FaultBench, committedBy, completed, fleet, mustRun, readRaw, startWorker, until } from './support.ts';

const bench = new FaultBench(40, dropPrefix, REDIS_URL);
before(() => bench.setup((dir, n) => void writeClaudeCorpus(dir, n, 10)));
after(() => bench.teardown());

test('a reused worker id: refused while its lock is held; after a crash it continues its numbering', async () => {
  const t0 = Date.now();
  const { env } = bench.fresh('reuse');
  const fixed = { HARVEST_WORKER_ID: 'fixed' };
  const out = bench.tmp('reuse');
  const f = fleet(REDIS_URL, env.HARVEST_PREFIX!, env);
  bench.onCleanup(() => f.close());
  const first = await startWorker(env, out, fixed);
  bench.onCleanup(() => void (first.child.exitCode === null && first.child.kill('SIGKILL')));
  const twin = await runCli(['worker', '--out', out, '--queues', 'session-file'], { ...env, ...fixed }, 60_000);
  assert.equal(twin.code, 2, twin.stderr);
  const lines = twin.stderr.trim().split('\n');
  assert.equal(lines.length, 1, `one line: ${twin.stderr}`);
  assert.match(lines[0], /worker id fixed is in use by pid \d+ on .*; give each worker process its own HARVEST_WORKER_ID/);
  await mustRun(['backfill', '--claude', bench.corpus], env);
  await until('some of the work done', () => committedBy(out, 'fixed'), 120_000, 5);
  first.child.kill('SIGKILL');
  await waitExit(first.child);
  const second = await startWorker(env, out, fixed);
  bench.onCleanup(() => void (second.child.exitCode === null && second.child.kill('SIGKILL')));
  await bench.drained(f);
  await bench.finish(out, env, [second]);
  bench.verify('reused worker id', out, t0);
});

test('a full disk (a small tmpfs) fails jobs with a clear error; freed, they are retried and nothing is lost', async (t) => {
  const mnt = bench.tmp('tmpfs');
  const m = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=128k', 'tmpfs', mnt], { encoding: 'utf8' });
  if (m.status !== 0) {
    t.skip(`mounting a tmpfs is not permitted here (${(m.stderr || m.error?.message || '').trim()})`);
    return;
  }
  bench.onCleanup(() => void spawnSync('umount', ['-l', mnt]));
  const t0 = Date.now();
  const { env } = bench.fresh('disk-full');
  const out = join(mnt, 'out');
  const f = fleet(REDIS_URL, env.HARVEST_PREFIX!, env);
  bench.onCleanup(() => f.close());
  const w = await startWorker(env, out);
  bench.onCleanup(() => void (w.child.exitCode === null && w.child.kill('SIGKILL')));
  await mustRun(['backfill', '--claude', bench.corpus], env);
  await until('a job to fail on the full disk', () => /no space left on the device of/.test(w.output()), 120_000);
  assert.equal((await completed(f)).failed, 0, 'failed attempts are retried, not failed for good');
  const grow = spawnSync('mount', ['-o', 'remount,size=64m', mnt], { encoding: 'utf8' });
  assert.equal(grow.status, 0, grow.stderr);
  await bench.drained(f);
  await bench.finish(out, env, [w]);
  bench.verify('disk full, then freed', out, t0);
});

test('a symlink flipped between a file inside the roots and one outside: nothing from outside is read', async () => {
  const t0 = Date.now();
  const root = bench.tmp('flip-root');
  const outside = bench.tmp('flip-outside');
  const [inside] = writeClaudeCorpus(root, 8, 6, 11);
  // Its own content (more turns): were it read, its samples would be new records, not duplicates.
  const [secret] = writeClaudeCorpus(outside, 1, 9, 99);
  const secretSession = /([0-9a-f-]{36})\.jsonl$/.exec(secret)![1];
  const { env: refEnv } = bench.fresh('flip-ref');
  const { env } = bench.fresh('flip');
  // The undisturbed run of this root, before any link.
  const refOut = bench.tmp('flip-ref');
  await mustRun(['backfill', '--claude', root, '--out', refOut, '--inline'], { ...refEnv, HARVEST_ROOTS: root });
  const flipRef = readRaw(refOut);
  const project = join(root, 'flips');
  mkdirSync(project);
  const links = Array.from({ length: 40 }, (_, i) => join(project, `flip-${i}.jsonl`));
  for (const l of links) symlinkSync(inside, l);
  // Flips every link between the inside file and the outside one, as fast as it can.
  const flipper = spawn(process.execPath, ['-e', `
    const fs = require('node:fs');
    const links = ${JSON.stringify(links)};
    const targets = [${JSON.stringify(inside)}, ${JSON.stringify(secret)}];
    for (let n = 0; ; n++) for (const l of links) {
      fs.symlinkSync(targets[n % 2], l + '.tmp');
      fs.renameSync(l + '.tmp', l);
    }`], { stdio: 'ignore' });
  bench.onCleanup(() => void (flipper.exitCode === null && flipper.kill('SIGKILL')));
  const out = bench.tmp('flip');
  const r = await runCli(['backfill', '--claude', root, '--out', out, '--inline', '--json'], { ...env, HARVEST_ROOTS: root }, 240_000);
  flipper.kill('SIGKILL');
  await waitExit(flipper);
  assert.equal(r.code, 0, r.stderr.slice(-2000));
  const leaked = [...readRaw(out).byRecord.values()].flat().filter((l) => l.includes(secretSession));
  assert.equal(leaked.length, 0, 'no sample of the outside file');
  bench.verify('symlink flip race', out, t0, flipRef);
});

test('two backfills at once into one folder', async () => {
  const t0 = Date.now();
  const { env } = bench.fresh('two-backfills');
  const out = bench.tmp('two-backfills');
  const [a, b] = await Promise.all([
    runCli(['backfill', '--claude', bench.corpus, '--out', out, '--inline', '--json'], env, 240_000),
    runCli(['backfill', '--claude', bench.corpus, '--out', out, '--inline', '--json'], env, 240_000),
  ]);
  assert.equal(a.code, 0, a.stderr.slice(-2000));
  assert.equal(b.code, 0, b.stderr.slice(-2000));
  bench.verify('two backfills at once, one folder', out, t0);
});

test('a new --out, and an emptied one, get everything', async () => {
  const { env } = bench.fresh('new-out');
  const first = bench.tmp('new-out-a');
  await mustRun(['backfill', '--claude', bench.corpus, '--out', first, '--inline'], env);
  let t0 = Date.now();
  const second = bench.tmp('new-out-b');
  await mustRun(['backfill', '--claude', bench.corpus, '--out', second, '--inline'], env);
  bench.verify('a second backfill into a new --out', second, t0);
  t0 = Date.now();
  for (const n of readdirSync(first)) rmSync(join(first, n), { recursive: true, force: true });
  await mustRun(['backfill', '--claude', bench.corpus, '--out', first, '--inline'], env);
  bench.verify('an emptied --out (rm -rf out/*)', first, t0);
});

test('a folder emptied under a running worker: it writes a new dataset there, and a backfill gets everything', async () => {
  const { env } = bench.fresh('emptied-live');
  const out = bench.tmp('emptied-live');
  const f = fleet(REDIS_URL, env.HARVEST_PREFIX!, env);
  bench.onCleanup(() => f.close());
  const w = await startWorker(env, out);
  bench.onCleanup(() => void (w.child.exitCode === null && w.child.kill('SIGKILL')));
  await mustRun(['backfill', '--claude', bench.corpus], env);
  await bench.drained(f);
  const t0 = Date.now();
  // The worker may put its lock back while the folder is being emptied: as with `rm -rf`, try again.
  await until('the folder emptied', () => {
    for (const n of readdirSync(out)) if (n !== 'samples' && n !== 'dataset.json') rmSync(join(out, n), { recursive: true, force: true });
    rmSync(join(out, 'dataset.json'), { force: true });
    rmSync(join(out, 'samples'), { recursive: true, force: true, maxRetries: 3 });
    return true;
  });
  await until('the worker to notice', () => /the dataset folder was emptied or replaced under this worker/.test(w.output()), 60_000);
  // Its heartbeat names the new dataset now: the producer enqueues everything for it.
  const again = JSON.parse((await mustRun(['backfill', '--claude', bench.corpus, '--json'], env)).stdout.trim().split('\n').pop()!);
  assert.equal(again.files.enqueued, bench.sessions, JSON.stringify(again.files));
  await bench.drained(f, 2 * bench.sessions);
  await bench.finish(out, env, [w]);
  bench.verify('a folder emptied under a running worker', out, t0);
});
