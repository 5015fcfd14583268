// PR polling end to end with real components: BullMQ on the shared Redis, the GitHub stand-in
// (GitHub's schema, rate-limit faults), a real InfluxDB 1.x read back with InfluxQL, and the HTTP
// server's webhook feature with GitHub's own example payloads, signed.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { createRequire } from 'node:module';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { CONFLICT_FIX_ACTION } from '../../src/model/event.ts';
import { recordPrAction } from '../../src/state/pr-actions.ts';
import { githubRateLimitKey } from '../../src/ops/snapshot.ts';
import { createServer, type HarvestServer } from '../../src/http/server.ts';
import { githubWebhooksFeature } from '../../src/http/github-webhooks-feature.ts';
import type { PrPollResult } from '../../src/pipeline/pr-poll.ts';
import { formatPollResult, NoPollWorkerError, pollOnce } from '../../src/cli/poll.ts';
import { replayPoints } from '../../src/cli/points.ts';
import { enqueuePoll, scheduleRepository, unscheduleRepository } from '../../queues/pr-poll.ts';
import { makeChecks, makePull, makePulls, startGithubStandin, type GithubStandin } from '../support/github-standin.ts';
import { startInfluxdb, type InfluxdbHandle } from '../support/influxdb.ts';
import { FAST_JOBS, log, prPollBench, until, waitJob, type PrPollBench } from '../support/pr-poll.ts';

const definitions = createRequire(import.meta.url)('@octokit/webhooks-examples') as { name: string; examples: Record<string, unknown>[] }[];
const example = (name: string) => definitions.find((d) => d.name === name)!.examples[0];
const SECRET = 'the webhook secret';
const sign = (body: string) => `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`;

const TITLE = 'Fix "quotes", commas, = signs\\ and\nnewlines — ünïcode 😀';

describe('pr-poll: GitHub -> BullMQ -> InfluxDB 1.x', () => {
  let gh: GithubStandin;
  let influx: InfluxdbHandle;
  const benches: PrPollBench[] = [];
  const bench = async (name: string, extraEnv: NodeJS.ProcessEnv = {}, withInflux = true) => {
    const b = await prPollBench(name, gh, withInflux ? influx : null, extraEnv);
    benches.push(b);
    return b;
  };

  before(async () => {
    gh = await startGithubStandin();
    influx = await startInfluxdb({ database: 'harvest' });
  });
  after(async () => {
    for (const b of benches) await b.close();
    await gh?.close();
    await influx?.close();
  });

  test('a scheduled poll writes pr_observation points: tags, typed fields, escaped strings, repair attempts', async () => {
    const b = await bench('scheduled');
    gh.setRepos([{
      owner: 'acme',
      name: 'widgets',
      pulls: [
        makePull(1, {
          title: TITLE,
          author: 'we ird=name',
          labels: ['bug', 'good first issue'],
          checks: makeChecks({ passing: 2, failing: 1, pending: 1, statuses: 1 }),
          reviews: [{ state: 'APPROVED', author: 'a' }, { state: 'CHANGES_REQUESTED', author: 'b' }],
          threads: [true, false, false],
          mergeable: 'CONFLICTING',
          mergeStateStatus: 'DIRTY',
          reviewDecision: 'CHANGES_REQUESTED',
          autoMergeEnabledAt: null,
          isDraft: true,
          additions: 10,
          deletions: 3,
          changedFiles: 2,
        }),
        makePull(2, { author: null }),
      ],
    }]);
    await recordPrAction(b.redis, b.prefix, 'acme/widgets', 1, { id: 'ev-1', action: CONFLICT_FIX_ACTION, atMs: Date.now() - 60_000 });
    await b.start();
    gh.resetRequests();
    await scheduleRepository(b.queue, 'acme/widgets', 60_000);
    await until('the first scheduled poll', async () => (await b.queue.getCompletedCount()) >= 1, 20_000);
    await unscheduleRepository(b.queue, 'acme/widgets');

    const [job] = await b.queue.getCompleted();
    assert.equal(job.name, 'schedule');
    const result = job.returnvalue as PrPollResult;
    assert.equal(result.prs, 2);
    assert.equal(result.requests, 2, 'one GraphQL request for 2 open PRs, one for how far each is ahead and behind');
    assert.deepEqual(gh.requests.map((r) => r.operationName), ['OpenPullRequests', 'BranchComparisons']);

    const rows = await b.rows('SELECT * FROM pr_observation ORDER BY time');
    assert.equal(rows.length, 2);
    const r1 = rows.find((r) => r.pr === '1')!;
    assert.equal(r1.time, result.observedAt);
    assert.equal(r1.repo, 'acme/widgets');
    assert.equal(r1.author, 'we ird=name');
    assert.equal(r1.title, TITLE);
    assert.equal(r1.labels, 'bug,good first issue');
    assert.equal(r1.mergeable, false);
    assert.equal(r1.mergeable_state, 'CONFLICTING');
    assert.equal(r1.merge_state, 'DIRTY');
    assert.equal(r1.review_decision, 'CHANGES_REQUESTED');
    assert.equal(r1.is_draft, true);
    assert.equal(r1.auto_merge_enabled, true);
    assert.deepEqual([r1.checks_total, r1.checks_passing, r1.checks_failing, r1.checks_pending], [5, 3, 1, 1]);
    assert.equal(r1.checks_state, 'FAILURE');
    assert.deepEqual([r1.reviews_approved, r1.reviews_changes_requested], [1, 1]);
    assert.deepEqual([r1.threads_total, r1.threads_unresolved], [3, 2]);
    assert.deepEqual([r1.conflict_attempts, r1.review_fix_attempts], [1, 0]);
    assert.deepEqual([r1.additions, r1.deletions, r1.changed_files], [10, 3, 2]);
    assert.equal(typeof r1.pr_age_hours, 'number');
    assert.equal(rows.find((r) => r.pr === '2')!.author, 'ghost');
    const types = Object.fromEntries((await b.rows('SHOW FIELD KEYS FROM pr_observation')).map((t) => [t.fieldKey, t.fieldType]));
    assert.equal(types.checks_total, 'integer');
    assert.equal(types.conflict_attempts, 'integer');
    assert.equal(types.pr_age_hours, 'float');
    assert.equal(types.mergeable, 'boolean');
    assert.equal(types.title, 'string');

    const rl = JSON.parse((await b.redis.get(githubRateLimitKey(b.prefix)))!);
    assert.equal(rl.cost, 2);
    assert.ok(rl.remaining > 0 && !Number.isNaN(Date.parse(rl.resetAt)));
  });

  test('schedules fire once per tick with two workers running', async () => {
    const b = await bench('two-workers');
    gh.setRepos([{ owner: 'acme', name: 'twice', pulls: makePulls(3) }]);
    const w1 = await b.start('one');
    const w2 = await b.start('two');
    const ran: Record<string, string[]> = { one: [], two: [] };
    w1.worker.on('completed', (j) => ran.one.push(j.id!));
    w2.worker.on('completed', (j) => ran.two.push(j.id!));
    gh.resetRequests();
    const t0 = Date.now();
    await scheduleRepository(b.queue, 'acme/twice', 1000);
    // Three ticks done, however slow the machine, then no more.
    await until('three scheduled polls', () => ran.one.length + ran.two.length >= 3, 30_000);
    await unscheduleRepository(b.queue, 'acme/twice');
    const elapsed = Date.now() - t0;
    await until('the queue to drain', async () => (await b.queue.getActiveCount()) + (await b.queue.getWaitingCount()) === 0, 10_000);

    const all = [...ran.one, ...ran.two];
    assert.equal(new Set(all).size, all.length, 'no job ran twice');
    assert.ok(all.length >= 3 && all.length <= Math.ceil(elapsed / 1000) + 1, `${all.length} polls in ${elapsed} ms`);
    const ticks = new Set(all.map((id) => id.split(':').pop()));
    assert.equal(ticks.size, all.length, 'one job per tick');
    assert.equal(gh.requests.filter((r) => r.operationName === 'OpenPullRequests').length, all.length, 'one page request per tick');
    const times = await b.rows('SELECT count(checks_total) FROM pr_observation GROUP BY time(1ms) fill(none)');
    // Two late ticks on the two workers could observe in the same millisecond (and write the same points).
    const observed = new Set(await Promise.all(all.map(async (id) => ((await b.queue.getJob(id))!.returnvalue as PrPollResult).observedAt)));
    assert.equal(times.length, observed.size, 'one observation time per tick');
    assert.ok(times.every((t) => t.count === 3));
  });

  test('a signed webhook delivery re-observes its PR; a burst of 20 makes one job', async () => {
    const b = await bench('webhook');
    const payload = example('pull_request') as { repository: { full_name: string }; pull_request: { number: number } };
    const [owner, name] = payload.repository.full_name.split('/');
    const number = payload.pull_request.number;
    gh.setRepos([{ owner, name, pulls: [makePull(number, { title: 'from a webhook' }), makePull(number + 1)] }]);
    await b.start();
    const server: HarvestServer = await createServer({
      cfg: b.cfg,
      log,
      auth: { users: [], readOnly: false },
      // A settle time no slow machine outlasts; the test promotes the job when it has seen the burst.
      routes: [githubWebhooksFeature({ secret: SECRET, settleMs: 600_000 })],
    });
    try {
      const { url } = await server.listen('127.0.0.1', 0);
      const deliver = (event: string, body: string) =>
        fetch(`${url}/webhooks/github`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-github-event': event, 'x-hub-signature-256': sign(body), 'x-github-delivery': 'd-1' },
          body,
        });

      gh.resetRequests();
      const body = JSON.stringify(payload);
      const one = await deliver('pull_request', body);
      assert.equal(one.status, 202);
      assert.equal(((await one.json()) as { queued: number }).queued, 1);
      // A burst while that poll waits: reviews, threads, the PR again, all for the same PR.
      const review = JSON.stringify({ ...example('pull_request_review'), repository: payload.repository, pull_request: { ...payload.pull_request } });
      const answers = await Promise.all(Array.from({ length: 19 }, (_, i) => deliver(i % 2 ? 'pull_request' : 'pull_request_review', i % 2 ? body : review)));
      assert.ok(answers.every((a) => a.status === 202));
      const counts = await Promise.all(answers.map(async (a) => (await a.json()) as { queued: number; deduplicated: number }));
      assert.equal(counts.reduce((n, c) => n + c.queued, 0), 0, 'the burst queued nothing new');
      assert.equal(counts.reduce((n, c) => n + c.deduplicated, 0), 19);
      assert.equal(await b.queue.getDelayedCount(), 1, 'one pending re-observation');
      await (await b.queue.getDelayed())[0].promote();

      await until('the re-observation', async () => (await b.queue.getCompletedCount()) >= 1, 20_000);
      await new Promise((r) => setTimeout(r, 500));
      const done = await b.queue.getCompleted();
      assert.equal(done.length, 1, 'one job for 20 deliveries');
      assert.equal(done[0].data.reason, 'webhook');
      assert.deepEqual(done[0].data.numbers, [number]);
      assert.deepEqual(gh.requests.map((r) => r.operationName), ['PullRequestsByNumber', 'BranchComparisons']);
      const rows = await b.rows('SELECT * FROM pr_observation');
      assert.equal(rows.length, 1);
      assert.equal(rows[0].pr, String(number));
      assert.equal(rows[0].repo, payload.repository.full_name);
      assert.equal(rows[0].title, 'from a webhook');
    } finally {
      await server.close();
    }
  });

  test('a GitHub rate limit pauses the queue, which resumes by itself and completes the job', async () => {
    const b = await bench('ratelimit');
    gh.setRepos([{ owner: 'acme', name: 'limited', pulls: makePulls(2) }]);
    const w = await b.start();
    const failed: string[] = [];
    w.worker.on('failed', (_j, err) => failed.push(err.message));
    gh.resetRequests();
    gh.failNext({ kind: 'primary', resetInSec: 2 });
    const t0 = Date.now();
    const { jobId } = await enqueuePoll(b.queue, { repo: 'acme/limited', reason: 'once' });
    // The queue's own limiter (1000 jobs a second) shows a TTL from the first job on: wait for GitHub's answer.
    await until('the queue to be rate limited', async () => (await b.redis.get(githubRateLimitKey(b.prefix))) !== null && (await b.queue.getRateLimitTtl()) > 0, 10_000);
    const stored = JSON.parse((await b.redis.get(githubRateLimitKey(b.prefix)))!);
    assert.equal(stored.remaining, 0, 'the rate limit is visible to /metrics');
    // A second job meanwhile waits too, without touching GitHub: no request before the reset.
    const limitedUntil = Date.parse(stored.resetAt);
    const second = await enqueuePoll(b.queue, { repo: 'acme/limited', reason: 'once' });

    const job = await waitJob(b.queue, jobId, { timeoutMs: 40_000 });
    const other = await waitJob(b.queue, second.jobId, { timeoutMs: 40_000 });
    assert.ok(Date.now() - t0 >= 1500, 'it waited for the reset');
    assert.deepEqual(failed, [], 'a rate limit is no failure and uses no attempt');
    assert.ok(job.attemptsMade <= 1);
    assert.equal((job.returnvalue as PrPollResult).observations, 2);
    assert.ok(JSON.parse((await b.redis.get(githubRateLimitKey(b.prefix)))!).remaining > 0);
    const early = gh.requests.slice(1).filter((r) => r.at < limitedUntil);
    assert.deepEqual(early.map((r) => r.at - limitedUntil), [], 'nothing was sent while limited');
    // Two polls that observe in the same millisecond write the same two points.
    const times = new Set([job, other].map((j) => (j.returnvalue as PrPollResult).observedAt));
    assert.equal((await b.rows('SELECT count(checks_total) FROM pr_observation'))[0].count, 2 * times.size);
  });

  test('a PR that left the open set gets a last observation and an observed outcome point', async () => {
    const b = await bench('leaving');
    const pulls = makePulls(3);
    gh.setRepos([{ owner: 'acme', name: 'leaving', pulls }]);
    await b.start();
    const first = await waitJob(b.queue, (await enqueuePoll(b.queue, { repo: 'acme/leaving', reason: 'once' })).jobId);
    assert.deepEqual((first.returnvalue as PrPollResult).left, []);

    pulls[1] = { ...pulls[1], state: 'MERGED', mergedAt: '2025-03-01T00:00:00Z', closedAt: '2025-03-01T00:00:00Z' };
    pulls[2] = { ...pulls[2], state: 'CLOSED', closedAt: '2025-03-02T00:00:00Z' };
    const second = await waitJob(b.queue, (await enqueuePoll(b.queue, { repo: 'acme/leaving', reason: 'once' })).jobId);
    assert.deepEqual((second.returnvalue as PrPollResult).left, [2, 3]);
    await until('the last look', async () => (await b.queue.getJobs(['completed'])).some((j) => j.name === 'left-open-set'), 20_000);
    const last = (await b.queue.getJobs(['completed'])).find((j) => j.name === 'left-open-set')!;
    assert.deepEqual(last.data.numbers, [2, 3]);
    assert.equal((last.returnvalue as PrPollResult).outcomes, 2);

    const outcomes = await b.rows('SELECT * FROM outcome ORDER BY time');
    assert.deepEqual(outcomes.map((o) => [o.pr, o.result, o.detail, o.time]), [
      ['2', 'merged', 'observed', Date.parse('2025-03-01T00:00:00Z')],
      ['3', 'closed', 'observed', Date.parse('2025-03-02T00:00:00Z')],
    ]);
    assert.equal(typeof outcomes[0].resolution_hours, 'number');
    const per = await b.rows('SELECT count(checks_total) FROM pr_observation GROUP BY pr');
    assert.deepEqual(Object.fromEntries(per.map((p) => [p.pr, p.count])), { 1: 2, 2: 2, 3: 2 }, 'PRs 2 and 3: first poll + last look');

    const third = await waitJob(b.queue, (await enqueuePoll(b.queue, { repo: 'acme/leaving', reason: 'once' })).jobId);
    assert.deepEqual((third.returnvalue as PrPollResult).left, [], 'reported once');
  });

  test('mergeable UNKNOWN: a delayed, deduplicated re-observation of that PR', async () => {
    const b = await bench('unknown');
    const pulls = makePulls(2, (i) => ({ mergeable: i === 0 ? 'UNKNOWN' : 'MERGEABLE' }));
    gh.setRepos([{ owner: 'acme', name: 'unknown', pulls }]);
    // The re-check waits until the test promotes it, however slow the machine.
    await b.start('a', { settings: { unknownRecheckMs: 600_000 } });
    const [p1, p2] = await Promise.all([
      enqueuePoll(b.queue, { repo: 'acme/unknown', reason: 'once' }),
      enqueuePoll(b.queue, { repo: 'acme/unknown', reason: 'once' }),
    ]);
    const r1 = (await waitJob(b.queue, p1.jobId)).returnvalue as PrPollResult;
    await waitJob(b.queue, p2.jobId);
    assert.deepEqual(r1.recheck, [1]);
    const pending = await b.queue.getJobs(['delayed']);
    assert.equal(pending.length, 1, 'two polls saw UNKNOWN, one re-observation');
    assert.deepEqual([pending[0].name, pending[0].data.numbers], ['unknown-mergeable', [1]]);
    pulls[0] = { ...pulls[0], mergeable: 'MERGEABLE' };
    await pending[0].promote();
    const recheck = await waitJob(b.queue, pending[0].id!, { timeoutMs: 20_000 });
    assert.deepEqual((recheck.returnvalue as PrPollResult).recheck, []);
    const latest = await b.rows('SELECT last(mergeable_state) AS state FROM pr_observation WHERE pr = \'1\'');
    assert.equal(latest[0].state, 'MERGEABLE');
  });

  test('harvest poll --once (inline) prints the result; without a worker it says how to get one', async () => {
    const b = await bench('once');
    gh.setRepos([{ owner: 'acme', name: 'once', pulls: makePulls(4) }]);
    await assert.rejects(pollOnce(b.cfg, log, 'acme/once'), NoPollWorkerError);
    const r = await pollOnce(b.cfg, log, 'acme/once', {
      inline: true,
      worker: { env: b.env, github: { minRequestIntervalMs: 0, maxInlineWaitMs: 0 }, followUpJobOptions: FAST_JOBS },
    });
    assert.equal(r.observations, 4);
    const text = formatPollResult(r);
    assert.match(text, /^acme\/once: 4 PRs observed at /);
    assert.match(text, /points written: 4 pr_observation, 0 outcome/);
    assert.match(text, /2 GraphQL requests,/);
    assert.equal((await b.rows('SELECT count(checks_total) FROM pr_observation'))[0].count, 4);
  });

  test('with no InfluxDB configured, points go to line-protocol files; points replay sends them', async () => {
    const b = await bench('files', {}, false);
    gh.setRepos([{ owner: 'acme', name: 'files', pulls: makePulls(3, () => ({ title: TITLE })) }]);
    await b.start();
    await waitJob(b.queue, (await enqueuePoll(b.queue, { repo: 'acme/files', reason: 'once' })).jobId);
    const files = (await readdir(join(b.out, 'points'))).filter((f) => f.endsWith('.lp'));
    assert.equal(files.length, 1);
    await influx.createDatabase('replayed');
    const r = await replayPoints(join(b.out, 'points'), { INFLUX_URL: influx.url, INFLUX_DB: 'replayed' });
    assert.deepEqual([r.files, r.records, r.target], [1, 3, 'influx-v1']);
    const rows = await influx.rows('SELECT * FROM pr_observation', 'replayed');
    assert.equal(rows.length, 3);
    assert.ok(rows.every((x) => x.title === TITLE));
  });
});
