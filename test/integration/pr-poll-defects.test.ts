// The poller defects found against the GitHub stand-in, each reproduced here: a short follow-up page
// (flagged, never a silent 100), one failed follow-up among 130 PRs (the rest written, that PR
// retried), an unreachable GitHub (seconds, one line per attempt, one line naming cause and fix),
// errors as one line (no JSON, no stack), no recheck left behind by `poll --once --inline`, and a
// repository typed in another case (polled, tagged and scheduled as GitHub spells it).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { PointRecord, PointSink } from '../../src/model/point.ts';
import type { PrPollResult } from '../../src/pipeline/pr-poll.ts';
import { pollOnce } from '../../src/cli/poll.ts';
import { recordPrAction } from '../../src/state/pr-actions.ts';
import { REVIEW_FIX_ACTION } from '../../src/model/event.ts';
import { enqueuePoll, listRepositorySchedules, scheduleRepository, unscheduleRepository } from '../../queues/pr-poll.ts';
import { makeChecks, makePull, makePulls, startGithubStandin, type GithubStandin } from '../support/github-standin.ts';
import { FAST_JOBS, GITHUB_TOKEN, log, prPollBench, until, waitJob, type PrPollBench } from '../support/pr-poll.ts';
import { REDIS_URL } from '../support/redis.ts';
import { runCli } from '../support/harvest-cli.ts';
import { freePort } from '../support/free-port.ts';

/** Every point the worker writes, in memory. */
function memorySink(): PointSink & { points: PointRecord[] } {
  const points: PointRecord[] = [];
  return { points, write: async (p) => void points.push(...p), close: async () => undefined };
}

const field = (p: PointRecord, k: string) => {
  const v = p.fields[k];
  return typeof v === 'object' ? v.int : v;
};

describe('pr-poll defects against the GitHub stand-in', () => {
  let gh: GithubStandin;
  const benches: PrPollBench[] = [];
  const bench = async (name: string) => {
    const b = await prPollBench(name, gh, null);
    benches.push(b);
    return b;
  };

  before(async () => {
    gh = await startGithubStandin();
  });
  after(async () => {
    for (const b of benches) await b.close();
    await gh?.close();
  });

  test('120 checks, the follow-up page comes back empty: the observation is flagged incomplete, never a silent 100, and looked at again', async () => {
    const b = await bench('short-page');
    const pulls = [makePull(1, { checks: makeChecks({ passing: 110, failing: 10 }), checksFollowUp: 'empty' }), makePull(2, { checks: makeChecks({ passing: 1 }) })];
    gh.setRepos([{ owner: 'acme', name: 'short', pulls }]);
    const sink = memorySink();
    await b.start('a', { points: sink, settings: { unknownRecheckMs: 300, incompleteRetryMs: 600_000 } });
    const job = await waitJob(b.queue, (await enqueuePoll(b.queue, { repo: 'acme/short', reason: 'once' })).jobId);
    const r = job.returnvalue as PrPollResult;
    assert.deepEqual(r.incomplete, [{ number: 1, parts: ['checks'] }]);
    const p1 = sink.points.find((p) => p.tags.pr === '1')!;
    assert.equal(field(p1, 'complete'), false);
    assert.equal(field(p1, 'incomplete'), 'checks');
    assert.equal(field(p1, 'checks_total'), 120, "GitHub's own total, not the 100 read");
    assert.equal(field(p1, 'checks_unseen'), 20);
    assert.equal(field(p1, 'checks_passing') as number + (field(p1, 'checks_failing') as number) + (field(p1, 'checks_pending') as number), 100);
    assert.equal(field(sink.points.find((p) => p.tags.pr === '2')!, 'complete'), true);

    // The PR is queued for another look; once GitHub answers whole, that observation is complete.
    const [again] = await b.queue.getJobs(['delayed']);
    assert.deepEqual([again.name, again.data.numbers], ['incomplete', [1]]);
    pulls[0] = { ...pulls[0], checksFollowUp: undefined };
    await again.promote();
    const second = (await waitJob(b.queue, again.id!)).returnvalue as PrPollResult;
    assert.deepEqual(second.incomplete, []);
    const last = sink.points.filter((p) => p.tags.pr === '1').at(-1)!;
    assert.deepEqual([field(last, 'complete'), field(last, 'checks_total'), field(last, 'checks_failing')], [true, 120, 10]);
  });

  test('one failed follow-up among 130 PRs: the poll writes all 130 at once and retries only that PR', async () => {
    const b = await bench('one-follow-up');
    const pulls = makePulls(130, () => ({ checks: makeChecks({ passing: 2 }) }));
    pulls[6].checks = makeChecks({ passing: 140, failing: 3 });
    gh.setRepos([{ owner: 'acme', name: 'many', pulls }]);
    const sink = memorySink();
    await b.start('a', { points: sink, settings: { incompleteRetryMs: 600_000 } });
    gh.resetRequests();
    // The client's own retries (2) and the first answer: three 502s, then GitHub would answer again.
    gh.failOperation('CheckContexts', { kind: 'bad-gateway' }, { kind: 'bad-gateway' }, { kind: 'bad-gateway' });
    const job = await waitJob(b.queue, (await enqueuePoll(b.queue, { repo: 'acme/many', reason: 'schedule' }, { jobOptions: FAST_JOBS })).jobId);
    assert.equal(job.attemptsMade, 1, 'no retry of the whole poll');
    const r = job.returnvalue as PrPollResult;
    assert.equal(r.observations, 130);
    assert.deepEqual(r.incomplete, [{ number: 7, parts: ['checks'] }]);
    assert.equal(r.gaps[0].number, 7);
    assert.match(r.gaps[0].message, /502/);
    assert.equal(new Set(sink.points.map((p) => p.tags.pr)).size, 130);
    assert.equal(sink.points.filter((p) => field(p, 'complete') === false).length, 1);
    assert.equal(gh.requests.filter((x) => x.operationName === 'OpenPullRequests').length, 3, 'each page read once');

    const [again] = await b.queue.getJobs(['delayed']);
    assert.deepEqual([again.name, again.data.numbers], ['incomplete', [7]]);
    await again.promote();
    await waitJob(b.queue, again.id!);
    const last = sink.points.filter((p) => p.tags.pr === '7').at(-1)!;
    assert.deepEqual([field(last, 'complete'), field(last, 'checks_total'), field(last, 'checks_failing')], [true, 143, 3]);
  });

  test('a page of PRs that fails still writes the pages before it, then the job retries', async () => {
    const b = await bench('page-fails');
    gh.setRepos([{ owner: 'acme', name: 'paged', pulls: makePulls(120) }]);
    const sink = memorySink();
    const w = await b.start('a', { points: sink });
    const failures: string[] = [];
    w.worker.on('failed', (_j, e) => failures.push(e.message));
    // Page 1 answers; page 2 fails three times (the client's retries), then answers on the job's retry.
    gh.failOperation('OpenPullRequests', null, { kind: 'bad-gateway' }, { kind: 'bad-gateway' }, { kind: 'bad-gateway' });
    const queued = await enqueuePoll(b.queue, { repo: 'acme/paged', reason: 'schedule' }, { jobOptions: FAST_JOBS });
    const job = await waitJob(b.queue, queued.jobId);
    assert.equal(failures.length, 1);
    assert.equal(job.attemptsMade, 2);
    const times = new Set(sink.points.map((p) => p.timestamp));
    assert.equal(times.size, 1, 'the retry observed at the same time: it overwrote, never doubled');
    assert.equal(sink.points.length, 50 + 120, 'page 1 from the failed attempt, then all 120');
  });

  test('poll --once against an unreachable GitHub: a line per attempt, then one line naming cause and fix; nothing left queued', async () => {
    const b = await bench('unreachable');
    // A port that refuses connections.
    const port = await freePort();
    const env = { REDIS_URL, HARVEST_PREFIX: b.prefix, HARVEST_OUT: b.out, GITHUB_TOKEN, GITHUB_API_URL: `http://127.0.0.1:${port}` };
    const r = await runCli(['poll', 'acme/unreachable', '--once', '--inline'], env, 60_000);
    assert.equal(r.code, 1);
    const lines = r.stderr.trim().split('\n');
    assert.deepEqual(lines.map((l) => l.replace(/ \(connect ECONNREFUSED [^)]*\)/, '')), [
      `harvest: poll acme/unreachable: attempt 1 of 3 failed: cannot reach GitHub at http://127.0.0.1:${port}; check GITHUB_API_URL and the network; retrying in 1 s`,
      `harvest: poll acme/unreachable: attempt 2 of 3 failed: cannot reach GitHub at http://127.0.0.1:${port}; check GITHUB_API_URL and the network; retrying in 1 s`,
      `harvest: the poll of acme/unreachable failed: cannot reach GitHub at http://127.0.0.1:${port}; check GITHUB_API_URL and the network`,
    ]);
    assert.equal(r.stdout, '');
    assert.deepEqual([await b.queue.getDelayedCount(), await b.queue.getWaitingCount(), await b.queue.getFailedCount()], [0, 0, 1]);
  });

  test('a missing GITHUB_TOKEN_FILE and no pr-poll worker: one line each, exit 2, no JSON, no stack', async () => {
    const b = await bench('one-line');
    const base = { REDIS_URL, HARVEST_PREFIX: b.prefix, HARVEST_OUT: b.out, GITHUB_TOKEN: '', GITHUB_API_URL: gh.url };
    for (const args of [['poll', 'acme/x', '--once', '--inline'], ['worker', '--queues', 'pr-poll']]) {
      const r = await runCli(args, { ...base, GITHUB_TOKEN_FILE: `${b.out}/no-such-token` }, 60_000);
      assert.equal(r.code, 2, args.join(' '));
      assert.equal(r.stderr, `harvest: cannot read GITHUB_TOKEN_FILE ${b.out}/no-such-token: ENOENT; point GITHUB_TOKEN_FILE at a file holding the token, or set GITHUB_TOKEN\n`);
    }
    const none = await runCli(['poll', 'acme/x', '--once'], { ...base, GITHUB_TOKEN: GITHUB_TOKEN }, 60_000);
    assert.equal(none.code, 2);
    assert.equal(none.stderr, 'harvest: no worker serves pr-poll; start one (harvest worker --queues pr-poll) or poll here with --inline\n');
  });

  test('poll --once --inline leaves no 60 s recheck behind for the next process; its last looks run before it exits', async () => {
    const b = await bench('inline-recheck');
    const pulls = makePulls(3, (i) => ({ mergeable: i === 0 ? 'UNKNOWN' : 'MERGEABLE' }));
    gh.setRepos([{ owner: 'acme', name: 'inline', pulls }]);
    const worker = { env: b.env, github: { minRequestIntervalMs: 0, maxInlineWaitMs: 0 }, followUpJobOptions: FAST_JOBS };
    const first = await pollOnce(b.cfg, log, 'acme/inline', { inline: true, worker });
    assert.deepEqual(first.recheck, [1]);
    assert.deepEqual(first.followUps, [{ reason: 'unknown-mergeable', numbers: [1], delayMs: 60_000, jobId: null }]);
    assert.equal(await b.queue.getDelayedCount(), 0, 'no recheck waits in the queue for another process');

    pulls[2] = { ...pulls[2], state: 'MERGED', mergedAt: '2025-03-01T00:00:00Z', closedAt: '2025-03-01T00:00:00Z', mergedBy: 'mona' };
    const second = await pollOnce(b.cfg, log, 'acme/inline', { inline: true, worker });
    assert.deepEqual(second.left, [3]);
    const lastLook = second.followUps.find((f) => f.reason === 'left-open-set')!;
    assert.equal(await b.queue.getJobState(lastLook.jobId!), 'completed', 'the last look ran before the command returned');
    assert.equal(((await b.queue.getJob(lastLook.jobId!))!.returnvalue as PrPollResult).outcomes, 1);
    assert.deepEqual([await b.queue.getDelayedCount(), await b.queue.getWaitingCount()], [0, 0]);
  });

  test('a repository typed in another case is polled, tagged and scheduled as GitHub spells it', async () => {
    const b = await bench('case');
    gh.setRepos([{ owner: 'acme', name: 'Widgets', pulls: makePulls(2) }]);
    const sink = memorySink();
    await b.start('a', { points: sink });
    // The orchestrator recorded a fix request under yet another spelling.
    await recordPrAction(b.redis, b.prefix, 'ACME/widgets', 1, { id: 'ev-x', action: REVIEW_FIX_ACTION, atMs: Date.now() - 60_000 });
    await scheduleRepository(b.queue, 'ACME/WIDGETS', 3_600_000);
    await until('the renamed schedule', async () => (await listRepositorySchedules(b.queue))[0]?.repo === 'acme/Widgets', 20_000);
    const schedules = await listRepositorySchedules(b.queue);
    assert.equal(schedules.length, 1);
    assert.equal(schedules[0].everyMs, 3_600_000, 'same interval');
    await unscheduleRepository(b.queue, 'acme/widgets');
    assert.ok(sink.points.length >= 2);
    assert.ok(sink.points.every((p) => p.tags.repo === 'acme/Widgets'));
    assert.equal(field(sink.points.find((p) => p.tags.pr === '1')!, 'review_fix_attempts'), 1);

    const r = await pollOnce(b.cfg, log, 'ACME/widgets', {
      inline: true,
      worker: { env: b.env, points: memorySink(), github: { minRequestIntervalMs: 0, maxInlineWaitMs: 0 }, followUpJobOptions: FAST_JOBS },
    });
    assert.equal(r.repo, 'acme/Widgets');
  });
});
