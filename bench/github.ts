// GitHub and InfluxDB figures of the PR poller, measured here against the GitHub stand-in and a real
// influxd (test support starts both on loopback):
// - requests per poll of a repository with 50 open PRs, against the seed's way (`gh pr list`, then
//   `gh pr view` per PR: 51 requests);
// - points/s through the worker's sink (GroupCommitSink over the 1.x write API, fed as jobs feed it:
//   many concurrent writes of one poll's points each) against one direct batched write of the same
//   points to the same server, in the same run.
import { int, type PointRecord } from '../src/model/point.ts';
import { createGithubClient } from '../src/sources/github/client.ts';
import { observeRepository } from '../src/sources/github/pull-requests.ts';
import { blankPrSnapshot } from '../src/sources/github/snapshot.ts';
import { GroupCommitSink } from '../src/sinks/influx/group-commit.ts';
import { InfluxV1Sink } from '../src/sinks/influx/v1.ts';
import { toPrObservation } from '../src/transforms/pr-observation.ts';
import { makeChecks, makePulls, startGithubStandin } from '../test/support/github-standin.ts';
import { startInfluxdb, type InfluxdbHandle } from '../test/support/influxdb.ts';

const OPEN_PRS = 50;
/** The seed polled with `gh pr list` and then `gh pr view` for each PR. */
const SEED_REQUESTS = 1 + OPEN_PRS;

async function requestsPerPoll(): Promise<{ requests: number; ms: number }> {
  const gh = await startGithubStandin({
    repos: [{
      owner: 'dappcore',
      name: 'core',
      pulls: makePulls(OPEN_PRS, (i) => ({ checks: makeChecks({ passing: 8, failing: i % 5 === 0 ? 1 : 0, pending: 1 }), threads: [true, false], labels: ['bench'] })),
    }],
  });
  const client = createGithubClient({ token: 'bench', apiUrl: gh.url, minRequestIntervalMs: 0 });
  try {
    await observeRepository(client, 'dappcore/core', { compare: true }); // warm-up: schema parse, connections
    gh.resetRequests();
    const t0 = performance.now();
    const obs = await observeRepository(client, 'dappcore/core', { compare: true });
    const ms = performance.now() - t0;
    if (obs.prs.length !== OPEN_PRS) throw new Error(`expected ${OPEN_PRS} PRs, got ${obs.prs.length}`);
    return { requests: gh.requests.length, ms };
  } finally {
    await client.close();
    await gh.close();
  }
}

/** `polls` polls' worth of pr_observation points, 50 PRs each, distinct series and times. */
function pollPoints(polls: number, start: number): PointRecord[][] {
  const base = {
    ...blankPrSnapshot('dappcore/core', 0),
    repo: 'dappcore/core', title: 'bench', author: 'bench', isDraft: false, mergeable: 'MERGEABLE', mergeStateStatus: 'CLEAN',
    reviewDecision: null, autoMerge: null, baseRefName: 'main', headRefName: 'b', additions: 1, deletions: 1, changedFiles: 1,
    labels: ['bench'], lastForcePushAt: null, reviews: [], reviewThreads: [{ isResolved: false }],
    checks: [{ kind: 'check_run' as const, name: 'ci', status: 'COMPLETED', conclusion: 'SUCCESS' }],
  };
  return Array.from({ length: polls }, (_, p) =>
    Array.from({ length: OPEN_PRS }, (_, n) => {
      const at = start + p * 1000;
      const iso = new Date(at - 3_600_000).toISOString();
      const point = toPrObservation({ ...base, number: n + 1, createdAt: iso, updatedAt: iso, headCommit: { oid: 'x', committedDate: iso, rollupState: 'SUCCESS' } }, at);
      point.fields.poll = int(p);
      return point;
    }),
  );
}

async function countPoints(db: InfluxdbHandle, database: string): Promise<number> {
  const rows = await db.rows('SELECT count(checks_total) FROM pr_observation', database);
  return Number(rows[0]?.count ?? 0);
}

async function sinkThroughput(): Promise<{ groupCommit: number; direct: number; perJob: number; points: number }> {
  const db = await startInfluxdb({ database: 'bench_warmup' });
  try {
    const polls = 400; // 20,000 points
    const start = Date.now() - 30 * 86_400_000;
    const batches = pollPoints(polls, start);
    const all = batches.flat();
    const sinkFor = async (database: string) => {
      await db.createDatabase(database);
      return new InfluxV1Sink({ url: db.url, database, timeoutMs: 60_000 });
    };
    await (await sinkFor('bench_warmup')).write(all.slice(0, 500));

    // Direct: the same points as one batched write (the sink splits it into 5000-line requests).
    const direct = await sinkFor('bench_direct');
    let t0 = performance.now();
    await direct.write(all);
    const directMs = performance.now() - t0;

    // The worker's way: each poll writes its 50 points and waits; 16 polls at once, group commit.
    const grouped = new GroupCommitSink(await sinkFor('bench_group'));
    t0 = performance.now();
    await runConcurrently(batches, 16, (b) => grouped.write(b));
    await grouped.close();
    const groupMs = performance.now() - t0;

    // Without group commit: one request per poll, same concurrency (for reference).
    const perJobSink = await sinkFor('bench_per_job');
    t0 = performance.now();
    await runConcurrently(batches, 16, (b) => perJobSink.write(b));
    const perJobMs = performance.now() - t0;

    for (const d of ['bench_direct', 'bench_group', 'bench_per_job']) {
      const n = await countPoints(db, d);
      if (n !== all.length) throw new Error(`${d}: ${n} of ${all.length} points arrived`);
    }
    const rate = (ms: number) => all.length / (ms / 1000);
    return { groupCommit: rate(groupMs), direct: rate(directMs), perJob: rate(perJobMs), points: all.length };
  } finally {
    await db.close();
  }
}

async function runConcurrently<T>(items: T[], width: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < items.length) await fn(items[next++]);
  }));
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

export async function benchGithub(): Promise<string[]> {
  const poll = await requestsPerPoll();
  const sink = await sinkThroughput();
  return [
    `github: requests per poll of ${OPEN_PRS} open PRs: ${poll.requests} (GraphQL, ${poll.ms.toFixed(0)} ms against the stand-in) vs ${SEED_REQUESTS} the seed's way (list + gh pr view each): ${(SEED_REQUESTS / poll.requests).toFixed(1)}x fewer`,
    `influx: ${fmt(sink.points)} pr_observation points to influxd 1.x: group commit (16 concurrent polls of 50) ${fmt(sink.groupCommit)} points/s vs one direct batched write ${fmt(sink.direct)} points/s: ratio ${(sink.groupCommit / sink.direct).toFixed(2)} (without group commit, a request per poll: ${fmt(sink.perJob)} points/s, ${(sink.perJob / sink.direct).toFixed(2)})`,
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const line of await benchGithub()) console.log(line);
}
