// Generation through the queue against the real Redis, with a fake generator (a script that writes a
// pi session for the role and prompt it gets): `harvest generate --inline` adds marked samples and
// shrinks the gap; a worker in its own process runs repeats (which make preference pairs), retries a
// failing and a hanging generator with backoff until they fail for good, and refuses a command it was
// not configured with.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { REDIS_URL, uniquePrefix, dropPrefix } from '../support/redis.ts';
import { runCli, startCli, waitExit, lastJson, REPO } from '../support/harvest-cli.ts';
import { processGone, waitFor } from '../support/processes.ts';
import { readDataset } from '../../src/sinks/shards/dataset-reader.ts';
import { sampleProblems } from '../../src/model/sample-rules.ts';
import type { Sample } from '../../src/model/sample.ts';
import type { GapReport } from '../../src/transforms/gaps.ts';
import { syntheticRepeatPairs } from '../../src/pipeline/generate-pairs.ts';
import { dpoPairs } from '../../src/pipeline/dpo-pairs.ts';
import { GENERATE_QUEUE } from '../../queues/generate.ts';

const FAKE = fileURLToPath(new URL('../support/fake-generator.mjs', import.meta.url));
const prefix = uniquePrefix('generate');
const out = mkdtempSync(join(tmpdir(), 'harvest-generate-'));
const fixtureRoots = [join(REPO, 'fixtures/claude/projects'), join(REPO, 'fixtures/pi/sessions')];
const env: NodeJS.ProcessEnv = {
  REDIS_URL, HARVEST_PREFIX: prefix, HARVEST_OUT: out, HARVEST_ROOTS: fixtureRoots.join(':'), HARVEST_SEAL_IDLE_MS: '500',
  // Many runs in a few seconds: the default of 10 a minute would hold them back.
  HARVEST_GENERATE_RATE: '1000',
};
const fakeCommand = (state: string, pids: string): string =>
  `${process.execPath} ${FAKE} --role {role} --cwd {cwd} --sessions {sessions} --state ${state} --pids ${pids} --prompt {prompt}`;

const conn = new Redis(REDIS_URL);
const queue = new Queue(GENERATE_QUEUE, { connection: conn, prefix });

before(async () => {
  const r = await runCli(['backfill', '--claude', fixtureRoots[0], '--pir', fixtureRoots[1], '--inline', '--json'], env);
  assert.equal(r.code, 0, r.stderr);
});

after(async () => {
  await queue.close();
  conn.disconnect();
  await dropPrefix(prefix);
});

async function samples(): Promise<Sample[]> {
  const all: Sample[] = [];
  for await (const r of readDataset(join(out, 'samples'))) all.push(r.value as unknown as Sample);
  return all;
}

async function gaps(): Promise<GapReport> {
  const r = await runCli(['gaps', '--json'], env);
  assert.equal(r.code, 0, r.stderr);
  return lastJson<GapReport>(r.stdout);
}

/** Waits until every job is completed or failed; returns them. */
async function settled(ids: string[], timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const jobs = await Promise.all(ids.map((id) => queue.getJob(id)));
    const states = await Promise.all(jobs.map((j) => j?.getState()));
    if (states.every((s) => s === 'completed' || s === 'failed')) return jobs.map((j, i) => ({ job: j!, state: states[i] }));
    if (Date.now() > deadline) throw new Error(`jobs not settled: ${JSON.stringify(states)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const idsOf = (runId: string, n: number): string[] => Array.from({ length: n }, (_, i) => `gen-${runId}-${i + 1}`);

test('harvest generate --role witness --count 3 --command <script> --inline adds marked witness samples and shrinks the gap', async () => {
  const before = (await gaps()).roles.find((r) => r.role === 'witness')!;
  assert.ok(before.missing > 0, 'the fixtures lack witness samples against the default minimum');
  const state = mkdtempSync(join(tmpdir(), 'harvest-fake-state-'));
  const r = await runCli(['generate', '--role', 'witness', '--count', '3', '--command', fakeCommand(state, join(state, 'pids')), '--inline', '--json'], env);
  assert.equal(r.code, 0, r.stderr);
  const summary = lastJson<{ run_id: string; generated: number; failed: number; samples_written: number }>(r.stdout);
  assert.equal(summary.generated, 3);
  assert.equal(summary.failed, 0);

  const synthetic = (await samples()).filter((s) => s.metadata.synthetic === true);
  assert.equal(synthetic.length, summary.samples_written);
  assert.ok(synthetic.length >= 3, `one sample or more per session (${synthetic.length})`);
  const jobs = new Set(idsOf(summary.run_id, 3));
  for (const s of synthetic) {
    assert.deepEqual(sampleProblems(s), []);
    assert.equal(s.metadata.role, 'witness', 'the cwd in the sandbox town gives the role');
    assert.equal(s.metadata.role_signal, 'cwd');
    const g = s.metadata.generator as { command: string; prompt: string; job_id: string; scenario_key: string };
    assert.equal(g.command, 'fake-generator.mjs');
    assert.ok(jobs.has(g.job_id), g.job_id);
    assert.equal(s.messages[1].content, g.prompt, 'the prompt is the episode\'s task');
    assert.match(g.scenario_key, /^[0-9a-f]{24}$/);
  }
  assert.equal(new Set(synthetic.map((s) => (s.metadata.generator as { job_id: string }).job_id)).size, 3, 'every run made samples');

  const after = (await gaps()).roles.find((r) => r.role === 'witness')!;
  assert.equal(after.have, before.have + synthetic.length);
  assert.equal(after.synthetic, synthetic.length);
  assert.equal(after.missing, before.missing - synthetic.length, `the gap is smaller: ${before.missing} -> ${after.missing}`);
  console.log(`witness gap ${before.missing} -> ${after.missing} samples (${before.sessions} -> ${after.sessions} sessions); ${synthetic.length} synthetic samples from 3 runs`);

  // Without a role: the largest gaps first.
  const report = await gaps();
  const largest = report.roles.slice(0, 2).map((r) => r.role).sort();
  const r2 = await runCli(['generate', '--count', '2', '--command', fakeCommand(state, join(state, 'pids')), '--inline', '--json'], env);
  assert.equal(r2.code, 0, r2.stderr);
  const s2 = lastJson<{ by_role: Record<string, number>; generated: number; gap_sessions: number }>(r2.stdout);
  assert.deepEqual(Object.keys(s2.by_role).sort(), largest, `the two largest gaps (${JSON.stringify(report.roles.map((r) => [r.role, r.missing]))})`);
  assert.equal(s2.generated, 2);
  assert.equal(s2.gap_sessions, report.sessions);
});

test('a worker in its own process: repeats make pairs; failing and hanging generators are retried, then fail for good; a foreign command is refused', async () => {
  const state = mkdtempSync(join(tmpdir(), 'harvest-fake-state-'));
  const pids = join(state, 'pids');
  const workerEnv = { ...env, HARVEST_GENERATOR: fakeCommand(state, pids), HARVEST_GENERATE_TIMEOUT_MS: '1500' };
  const worker = await startCli(['worker', '--queues', GENERATE_QUEUE], workerEnv);
  try {
    // Four runs of one scenario: the fake alternates success and failure.
    const rep = await runCli(['generate', '--role', 'deacon', '--count', '4', '--prompt', 'Run gt prime --hook and begin patrol', '--json'], workerEnv);
    assert.equal(rep.code, 0, rep.stderr);
    const repRun = lastJson<{ run_id: string; enqueued: number }>(rep.stdout);
    assert.equal(repRun.enqueued, 4);
    const failing = lastJson<{ run_id: string }>((await runCli(['generate', '--role', 'witness', '--prompt', '[fail] patrol', '--attempts', '3', '--backoff', '100ms', '--json'], workerEnv)).stdout);
    const hanging = lastJson<{ run_id: string }>((await runCli(['generate', '--role', 'witness', '--prompt', '[hang] patrol', '--attempts', '3', '--backoff', '100ms', '--json'], workerEnv)).stdout);
    const foreign = await runCli(['generate', '--role', 'crew', '--prompt', 'hello', '--command', 'node /somewhere/else.mjs {prompt}', '--json'], workerEnv);
    assert.equal(foreign.code, 0, foreign.stderr);

    const reps = await settled(idsOf(repRun.run_id, 4));
    assert.deepEqual(reps.map((r) => r.state), ['completed', 'completed', 'completed', 'completed']);
    const [fail] = await settled(idsOf(failing.run_id, 1));
    const [hang] = await settled(idsOf(hanging.run_id, 1));
    const [refused] = await settled(idsOf(lastJson<{ run_id: string }>(foreign.stdout).run_id, 1));

    assert.equal(fail.state, 'failed');
    assert.equal(fail.job.attemptsMade, 3, 'three attempts, then failed for good');
    assert.match(fail.job.failedReason, /generator exited with code 3; stderr: .*fatal: giving up/s);
    assert.match(fail.job.failedReason, /\[REDACTED:github_token\]/, 'the stderr tail is scrubbed');
    assert.doesNotMatch(fail.job.failedReason, /ghp_abcdef/);
    assert.equal(hang.state, 'failed');
    assert.equal(hang.job.attemptsMade, 3);
    assert.match(hang.job.failedReason, /timed out after 2 s and its process group was killed/);
    const hangPids = readdirSync(pids).flatMap((f) => JSON.parse(readFileSync(join(pids, f), 'utf8')) as number[]);
    assert.equal(hangPids.length, 6, 'each of the three attempts started the generator and its child');
    await waitFor('every process of the hanging generator to be gone', () => hangPids.every(processGone));
    assert.equal(refused.state, 'failed');
    assert.equal(refused.job.attemptsMade, 1, 'refused at once, not retried');
    assert.match(refused.job.failedReason, /refused: the job's command is not the generator this worker runs/);
    const retriesLogged = worker.output().split('\n').filter((l) => l.includes('generate job failed') && l.includes(idsOf(failing.run_id, 1)[0])).length;
    assert.equal(retriesLogged, 3, 'the worker logged every attempt');
    console.log(`failing generator: ${fail.job.attemptsMade} attempts; hanging generator: ${hang.job.attemptsMade} attempts, ${hangPids.length} processes killed`);
  } finally {
    worker.child.kill('SIGTERM');
    assert.equal(await waitExit(worker.child), 0, 'the worker exits cleanly on SIGTERM');
  }

  const deacon = (await samples()).filter((s) => s.metadata.synthetic === true && s.metadata.role === 'deacon');
  assert.equal(new Set(deacon.map((s) => s.metadata.session_id)).size, 4);
  const counts: Record<string, number> = {};
  const pairs = [];
  for await (const p of syntheticRepeatPairs(out, {}, counts)) pairs.push(p);
  assert.equal(pairs.length, 4, `two good runs against two bad ones (${JSON.stringify(counts)})`);
  for (const p of pairs) {
    assert.equal(p.metadata.source, 'synthetic_repeat');
    assert.equal(p.metadata.role, 'deacon');
    assert.deepEqual(p.metadata.scores, { chosen: 1, rejected: 0 }, 'tool success and completion: all against nothing');
    assert.equal(p.prompt.at(-1)?.content, 'Run gt prime --hook and begin patrol');
    assert.equal(p.chosen.at(-1)?.role, 'assistant');
    assert.match(String(p.chosen.at(-1)?.content), /Patrol done/);
    assert.match(String(p.rejected.at(-1)?.content), /could not reach the rig/);
    assert.ok(p.tools.some((t) => t.function.name === 'bash'));
  }
  assert.equal(new Set(pairs.map((p) => p.metadata.pair_id)).size, 4);
  const viaDpo = [];
  for await (const p of dpoPairs(out)) if (p.metadata.source === 'synthetic_repeat') viaDpo.push(p);
  assert.equal(viaDpo.length, 4, 'harvest export dpo includes them');
  assert.ok(!existsSync(join(out, 'generate', 'sessions', 'nothing')));
  console.log(`pairs from repeats: ${pairs.length} from 4 runs of one scenario`);
});

test('the generate worker: concurrency per process, a rate limit across the queue, and unavailable without its generator', async () => {
  const { loadConfig } = await import('../../src/config.ts');
  const { createLogger } = await import('../../src/log.ts');
  const { generatorConfig } = await import('../../src/pipeline/generate-config.ts');
  const { startGenerateWorker } = await import('../../workers/generate.ts');
  const { WorkerUnavailableError } = await import('../../workers/unavailable.ts');
  const cfg = loadConfig({ REDIS_URL, HARVEST_PREFIX: prefix, HARVEST_OUT: out });
  const log = createLogger('silent');
  const gen = generatorConfig(cfg, { PATH: process.env.PATH, HARVEST_GENERATOR: fakeCommand(out, out), HARVEST_GENERATE_RATE: '7' });
  const w = await startGenerateWorker(cfg, log, 2, { generator: gen });
  try {
    assert.equal(w.worker.opts.concurrency, 2);
    assert.deepEqual(w.worker.opts.limiter, { max: 7, duration: 60_000 });
  } finally {
    await w.close();
  }
  const missing = generatorConfig(cfg, { PATH: '/nonexistent' });
  await assert.rejects(startGenerateWorker(cfg, log, 1, { generator: missing }), (e: unknown) => e instanceof WorkerUnavailableError && /pir is not on PATH; install pir or set HARVEST_GENERATOR/.test(e.message));
});

test('a job that runs twice reuses the session of its first run and writes nothing twice', async () => {
  const { loadConfig } = await import('../../src/config.ts');
  const { generatorConfig, generatedSessionsRoot } = await import('../../src/pipeline/generate-config.ts');
  const { runGenerateJob } = await import('../../src/pipeline/generate-job.ts');
  const { RecordLedger } = await import('../../src/state/record-ledger.ts');
  const { ShardWriter } = await import('../../src/sinks/shards/shard-writer.ts');
  const dir = mkdtempSync(join(tmpdir(), 'harvest-generate-twice-'));
  const cfg = loadConfig({ REDIS_URL, HARVEST_PREFIX: prefix, HARVEST_OUT: dir, HARVEST_ROOTS: fixtureRoots.join(':') });
  const state = join(dir, 'state');
  const gen = generatorConfig(cfg, { PATH: process.env.PATH, HARVEST_GENERATOR: fakeCommand(state, join(dir, 'pids')) });
  const writer = new ShardWriter({ root: join(dir, 'samples'), workerId: 'twice', maxBytes: cfg.shardMaxBytes });
  const deps = { ledger: new RecordLedger(conn, prefix), writer };
  const opts = { ...cfg, roots: [...cfg.roots, generatedSessionsRoot(gen)] };
  const input = {
    jobId: 'gen-twice-1', role: 'refinery' as const, prompt: 'Process the merge queue [print]', system: 'S', scenario: 'review', scenarioKey: 'ab'.repeat(12), template: gen.command,
  };
  const first = await runGenerateJob(input, gen, opts, deps);
  const second = await runGenerateJob(input, gen, opts, deps);
  await writer.sealAll();
  assert.equal(first.via, 'stdout', 'the path the generator printed last');
  assert.equal(second.via, 'reused');
  assert.equal(second.sessionPath, first.sessionPath);
  assert.ok((first.counts.samples_written ?? 0) >= 1);
  assert.equal(second.counts.samples_written ?? 0, 0);
  assert.equal(second.counts.unchanged_skipped, first.counts.samples_written);
  assert.equal(readdirSync(state).length, 1, 'the generator ran once');
});
