// pr-poll when things go wrong: InfluxDB down for a while (BullMQ retries, every point lands once),
// InfluxDB refusing the write for good (the job fails with the server's message), no GitHub token
// (the worker refuses; `harvest worker` for all queues skips it with one warning).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PrPollResult } from '../../src/pipeline/pr-poll.ts';
import { enqueuePoll } from '../../queues/pr-poll.ts';
import { startPrPollWorker } from '../../workers/pr-poll.ts';
import { WorkerUnavailableError } from '../../workers/unavailable.ts';
import { makePulls, startGithubStandin, type GithubStandin } from '../support/github-standin.ts';
import { startInfluxdb, type InfluxdbHandle } from '../support/influxdb.ts';
import { FAST_JOBS, log, prPollBench, until, waitJob, type PrPollBench } from '../support/pr-poll.ts';
import { REDIS_URL, dropPrefix, uniquePrefix } from '../support/redis.ts';
import { runCli, startCli, waitExit } from '../support/harvest-cli.ts';

describe('pr-poll failure modes', () => {
  let gh: GithubStandin;
  let influx: InfluxdbHandle;
  const benches: PrPollBench[] = [];

  before(async () => {
    gh = await startGithubStandin();
    influx = await startInfluxdb({ database: 'harvest' });
  });
  after(async () => {
    for (const b of benches) await b.close();
    await gh?.close();
    await influx?.close();
  });

  test('InfluxDB stopped mid-run, then started: the jobs retry and every point arrives once', async () => {
    const b = await prPollBench('outage', gh, influx);
    benches.push(b);
    gh.setRepos([{ owner: 'acme', name: 'outage', pulls: makePulls(3) }]);
    const w = await b.start();
    let failures = 0;
    w.worker.on('failed', () => failures++);
    // One poll at a time, each observed before the next is sent: with two concurrent slots, two polls
    // could otherwise observe in the same millisecond and rightly write the same points.
    const poll = async () => {
      // Attempts enough to outlast a slow restart of InfluxDB.
      const p = await enqueuePoll(b.queue, { repo: 'acme/outage', reason: 'once' }, { jobOptions: { ...FAST_JOBS, attempts: 1000 } });
      await until('the poll to observe', async () => typeof ((await b.queue.getJob(p.jobId))?.progress as { observedAt?: number } | undefined)?.observedAt === 'number', 10_000);
      await new Promise((r) => setTimeout(r, 2));
      return p;
    };

    const before = [await poll(), await poll()];
    for (const p of before) await waitJob(b.queue, p.jobId);
    await influx.stop();
    const during = [await poll(), await poll(), await poll()];
    // The worker fails them in its own time: wait for the failures, not for a moment.
    await until('the writes to fail while InfluxDB is down', () => failures >= 3, 30_000);
    for (const p of during) assert.notEqual(await b.queue.getJobState(p.jobId), 'completed');
    await influx.start();
    const jobs = [];
    for (const p of [...before, ...during]) jobs.push(await waitJob(b.queue, p.jobId, { timeoutMs: 30_000 }));

    const times = new Set(jobs.map((j) => (j.returnvalue as PrPollResult).observedAt));
    assert.equal(times.size, 5);
    const rows = await b.rows('SELECT * FROM pr_observation');
    assert.equal(rows.length, 15, 'five polls of three PRs, each point once');
    assert.deepEqual(new Set(rows.map((r) => r.time)), times);
    assert.ok(jobs.slice(2).every((j) => j.attemptsMade > 1), 'the jobs of the outage were retried');
  });

  test('InfluxDB refuses the write (unknown database): the job fails at once with the server\'s message', async () => {
    const b = await prPollBench('refused', gh, influx, { INFLUX_DB: 'no_such_db' });
    benches.push(b);
    gh.setRepos([{ owner: 'acme', name: 'refused', pulls: makePulls(1) }]);
    await b.start();
    const { jobId } = await enqueuePoll(b.queue, { repo: 'acme/refused', reason: 'once' }, { jobOptions: FAST_JOBS });
    const job = await waitJob(b.queue, jobId, { allowFail: true });
    assert.equal(await job.getState(), 'failed');
    assert.equal(job.attemptsMade, 1, 'not retried');
    assert.match(job.failedReason, /database not found/);
    assert.match(job.failedReason, /HTTP 404/);
  });

  test('an unknown repository fails the job at once (GitHub NOT_FOUND is permanent)', async () => {
    const b = await prPollBench('unknown-repo', gh, influx);
    benches.push(b);
    await b.start();
    const { jobId } = await enqueuePoll(b.queue, { repo: 'acme/nowhere', reason: 'once' }, { jobOptions: FAST_JOBS });
    const job = await waitJob(b.queue, jobId, { allowFail: true });
    assert.equal(job.attemptsMade, 1);
    assert.match(job.failedReason, /NOT_FOUND|not found/);
  });

  test('no GitHub token: the worker refuses to start and says which variable to set', async () => {
    const prefix = uniquePrefix('notoken');
    const out = await mkdtemp(join(tmpdir(), 'harvest-notoken-'));
    try {
      const cfg = { ...(await import('../../src/config.ts')).loadConfig({ REDIS_URL, HARVEST_PREFIX: prefix, HARVEST_OUT: out }) };
      await assert.rejects(startPrPollWorker(cfg, log, 1, { env: {} }), (e: unknown) => {
        assert.ok(e instanceof WorkerUnavailableError);
        assert.match(e.message, /GITHUB_TOKEN or GITHUB_TOKEN_FILE/);
        return true;
      });
      await assert.rejects(startPrPollWorker(cfg, log, 1, { env: { GITHUB_TOKEN_FILE: join(out, 'missing') } }), /cannot read GITHUB_TOKEN_FILE/);

      const env = { REDIS_URL, HARVEST_PREFIX: prefix, HARVEST_OUT: out, GITHUB_TOKEN: '', GITHUB_TOKEN_FILE: '' };
      const named = await runCli(['worker', '--queues', 'pr-poll'], env, 60_000);
      assert.equal(named.code, 2);
      assert.match(named.stderr, /GITHUB_TOKEN or GITHUB_TOKEN_FILE/);

      const all = await startCli(['worker'], env);
      all.child.kill('SIGTERM');
      await waitExit(all.child);
      const warnings = all.output().split('\n').filter((l) => l.includes('not serving pr-poll'));
      assert.equal(warnings.length, 1, all.output());
      assert.match(all.output(), /worker started/);
    } finally {
      await dropPrefix(prefix);
      await rm(out, { recursive: true, force: true });
    }
  });
});
