import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createGithubClient, type GithubClient } from '../../src/sources/github/client.ts';
import { GithubRequestError } from '../../src/sources/github/errors.ts';
import { fetchPrStates, observePullRequests, observeRepository } from '../../src/sources/github/pull-requests.ts';
import { countChecks } from '../../src/transforms/pr-observation.ts';
import { makeChecks, makePulls, startGithubStandin, type GithubStandin } from '../support/github-standin.ts';

const TOKEN = 'ghp_standinSecretToken0123456789';

describe('observeRepository against the GitHub stand-in', () => {
  let gh: GithubStandin;
  let client: GithubClient;

  before(async () => {
    gh = await startGithubStandin({ token: TOKEN });
    client = createGithubClient({ token: TOKEN, apiUrl: gh.url, minRequestIntervalMs: 0, retryBaseMs: 10 });
  });
  after(async () => {
    await client.close();
    await gh.close();
  });

  test('120 open PRs, one with 230 checks and 130 threads: complete, in 3 pages + 3 follow-ups', async () => {
    const pulls = makePulls(120, (i) => ({ checks: makeChecks({ passing: 3, failing: 1, pending: 1, statuses: 1 }), threads: [true, false] }));
    pulls[70].checks = makeChecks({ passing: 200, failing: 20, pending: 5, statuses: 5 });
    pulls[70].threads = Array.from({ length: 130 }, (_, k) => k % 3 !== 0);
    // Closed and merged PRs are not part of the open set.
    pulls.push({ number: 500, state: 'CLOSED', closedAt: '2025-02-01T00:00:00Z' }, { number: 501, state: 'MERGED', mergedAt: '2025-02-01T00:00:00Z' });
    gh.setRepos([{ owner: 'acme', name: 'widgets', pulls }]);
    gh.resetRequests();

    const obs = await observeRepository(client, 'acme/widgets');

    assert.equal(obs.prs.length, 120);
    assert.deepEqual(obs.prs.map((p) => p.number), Array.from({ length: 120 }, (_, i) => i + 1));
    const big = obs.prs.find((p) => p.number === 71)!;
    assert.equal(big.checks.length, 230);
    assert.deepEqual(countChecks(big.checks), { total: 230, passing: 205, failing: 20, pending: 5 });
    assert.equal(new Set(big.checks.map((c) => (c.kind === 'check_run' ? c.name : c.context))).size, 230, 'no context twice');
    assert.equal(big.reviewThreads.length, 130);
    assert.equal(big.reviewThreads.filter((t) => !t.isResolved).length, 44);
    const small = obs.prs.find((p) => p.number === 1)!;
    assert.deepEqual(countChecks(small.checks), { total: 6, passing: 4, failing: 1, pending: 1 });
    // 50 + 50 + 20 PRs; contexts 100..199 and 200..229; threads 100..129.
    assert.equal(obs.requests, 6);
    assert.equal(gh.requests.length, 6);
    assert.deepEqual(
      gh.requests.map((r) => r.operationName),
      ['OpenPullRequests', 'OpenPullRequests', 'OpenPullRequests', 'CheckContexts', 'CheckContexts', 'ReviewThreads'],
    );
    assert.equal(obs.rateLimit.cost, 6);
    assert.ok(obs.rateLimit.remaining > 0);
    assert.ok(!Number.isNaN(Date.parse(obs.rateLimit.resetAt)));
  });

  test('a snapshot carries every field GitHub sent', async () => {
    gh.setRepos([
      {
        owner: 'Acme',
        name: 'Gadgets',
        pulls: [
          {
            number: 7,
            title: 'Fix the thing, "quoted"',
            author: 'mona',
            isDraft: true,
            mergeable: 'CONFLICTING',
            mergeStateStatus: 'DIRTY',
            reviewDecision: 'CHANGES_REQUESTED',
            createdAt: '2025-01-01T00:00:00Z',
            updatedAt: '2025-01-02T00:00:00Z',
            committedDate: '2025-01-01T12:00:00Z',
            forcePushedAt: ['2025-01-01T18:00:00Z'],
            autoMergeEnabledAt: '2025-01-01T13:00:00Z',
            labels: ['bug', 'p1'],
            additions: 10,
            deletions: 3,
            changedFiles: 2,
            baseRefName: 'main',
            headRefName: 'fix/thing',
            reviews: [
              { state: 'APPROVED', author: 'a' },
              { state: 'CHANGES_REQUESTED', author: 'b' },
              { state: 'COMMENTED', author: null },
            ],
            checks: [{ kind: 'check_run', name: 'build', status: 'QUEUED', conclusion: null }],
          },
          { number: 8, author: null },
        ],
      },
    ]);
    // The configured name may differ in case; the snapshot uses GitHub's spelling.
    const obs = await observeRepository(client, 'acme/gadgets');
    const pr = obs.prs[0];
    assert.equal(pr.repo, 'Acme/Gadgets');
    assert.equal(pr.title, 'Fix the thing, "quoted"');
    assert.equal(pr.author, 'mona');
    assert.equal(pr.isDraft, true);
    assert.equal(pr.mergeable, 'CONFLICTING');
    assert.equal(pr.mergeStateStatus, 'DIRTY');
    assert.equal(pr.reviewDecision, 'CHANGES_REQUESTED');
    assert.deepEqual(pr.autoMerge, { enabledAt: '2025-01-01T13:00:00Z' });
    assert.equal(pr.lastForcePushAt, '2025-01-01T18:00:00Z');
    assert.equal(pr.headCommit?.committedDate, '2025-01-01T12:00:00Z');
    assert.equal(pr.headCommit?.rollupState, 'PENDING');
    assert.deepEqual(pr.labels, ['bug', 'p1']);
    assert.deepEqual([pr.additions, pr.deletions, pr.changedFiles], [10, 3, 2]);
    assert.deepEqual([pr.baseRefName, pr.headRefName], ['main', 'fix/thing']);
    assert.deepEqual(pr.reviews.map((r) => r.state), ['APPROVED', 'CHANGES_REQUESTED', 'COMMENTED']);
    assert.deepEqual(pr.checks, [{ kind: 'check_run', name: 'build', status: 'QUEUED', conclusion: null }]);
    assert.equal(obs.prs[1].author, null, 'a deleted account');
    assert.equal(obs.prs[1].headCommit?.rollupState, null, 'no checks, no rollup');
    assert.equal(obs.requests, 1);
  });

  test('the fields the OpenTelemetry receiver and DevLake collect: merge, close, counts, head, ahead/behind, first review and approval', async () => {
    gh.setRepos([{
      owner: 'acme',
      name: 'anchors',
      pulls: [
        {
          number: 3,
          author: 'mona',
          createdAt: '2025-01-01T00:00:00Z',
          headOid: 'a'.repeat(40),
          commitCount: 4,
          comments: 5,
          threads: [true, false],
          threadComments: [3, 2],
          aheadBy: 4,
          behindBy: 7,
          reviewHistory: [
            { state: 'COMMENTED', author: 'mona', submittedAt: '2025-01-01T01:00:00Z' },
            { state: 'CHANGES_REQUESTED', author: 'hubot', submittedAt: '2025-01-01T02:30:00Z' },
            { state: 'CHANGES_REQUESTED', author: 'hubot', submittedAt: '2025-01-01T05:00:00Z' },
            { state: 'APPROVED', author: 'hubot', submittedAt: '2025-01-01T08:00:00Z' },
          ],
        },
        { number: 4, isCrossRepository: true },
        { number: 5, state: 'MERGED', createdAt: '2025-01-01T00:00:00Z', mergedAt: '2025-01-02T00:00:00Z', closedAt: '2025-01-02T00:00:00Z', mergedBy: 'octo-merger' },
        { number: 6, state: 'CLOSED', closedAt: '2025-01-03T00:00:00Z', closedBy: 'closer' },
      ],
    }]);
    gh.resetRequests();
    const obs = await observeRepository(client, 'acme/anchors', { compare: true });
    const pr = obs.prs.find((p) => p.number === 3)!;
    assert.equal(pr.state, 'OPEN');
    assert.equal(pr.headCommit?.oid, 'a'.repeat(40));
    assert.deepEqual([pr.commitCount, pr.comments, pr.reviewThreads.reduce((n, t) => n + (t.comments ?? 0), 0)], [4, 5, 5]);
    assert.deepEqual(pr.compare, { aheadBy: 4, behindBy: 7 });
    assert.deepEqual(pr.firstReview, { at: '2025-01-01T02:30:00Z', state: 'CHANGES_REQUESTED', author: 'hubot' }, "the author's own comment is no review");
    assert.deepEqual(pr.firstApproval, { at: '2025-01-01T08:00:00Z', author: 'hubot' });
    assert.deepEqual([pr.approvals, pr.changesRequestedReviews], [1, 2]);
    assert.equal(obs.prs.find((p) => p.number === 4)!.compare, null, 'a fork is not compared');
    assert.deepEqual(gh.requests.map((r) => r.operationName), ['OpenPullRequests', 'BranchComparisons']);
    assert.deepEqual(gh.requests[1].variables, { owner: 'acme', name: 'anchors', b0: 'refs/heads/main', h0: 'branch-3' });

    const closed = await observePullRequests(client, 'acme/anchors', [5, 6]);
    const [merged, shut] = closed.prs;
    assert.deepEqual([merged.state, merged.mergedAt, merged.closedAt, merged.mergedBy], ['MERGED', '2025-01-02T00:00:00Z', '2025-01-02T00:00:00Z', 'octo-merger']);
    assert.deepEqual([shut.state, shut.closedAt, shut.mergedBy, shut.closedBy], ['CLOSED', '2025-01-03T00:00:00Z', null, 'closer']);
  });

  test('an empty repository costs one request', async () => {
    gh.setRepos([{ owner: 'acme', name: 'empty', pulls: [] }]);
    const obs = await observeRepository(client, 'acme/empty');
    assert.deepEqual(obs.prs, []);
    assert.equal(obs.requests, 1);
  });

  test('an unknown repository is a permanent error naming it', async () => {
    await assert.rejects(observeRepository(client, 'acme/nope'), (err: unknown) => {
      assert.ok(err instanceof GithubRequestError);
      assert.equal(err.permanent, true);
      assert.match(err.message, /acme\/nope/);
      assert.equal(err.graphqlErrors[0]?.type, 'NOT_FOUND');
      return true;
    });
  });

  test('a malformed repository name is refused before any request', async () => {
    gh.resetRequests();
    await assert.rejects(observeRepository(client, 'not a repo'), /OWNER\/NAME/);
    assert.equal(gh.requests.length, 0);
  });

  test('fetchPrStates: many numbers in one aliased query, unknown ones reported missing', async () => {
    const pulls = [
      ...makePulls(3),
      { number: 10, state: 'MERGED' as const, createdAt: '2025-01-01T00:00:00Z', closedAt: '2025-01-03T00:00:00Z', mergedAt: '2025-01-03T00:00:00Z' },
      { number: 11, state: 'CLOSED' as const, createdAt: '2025-01-01T00:00:00Z', closedAt: '2025-01-02T00:00:00Z' },
    ];
    gh.setRepos([{ owner: 'acme', name: 'widgets', pulls }]);
    gh.resetRequests();
    const res = await fetchPrStates(client, 'acme/widgets', [10, 11, 999, 10]);
    assert.equal(res.requests, 1);
    assert.equal(gh.requests.length, 1);
    assert.deepEqual(res.missing, [999]);
    assert.deepEqual(res.states, [
      { repo: 'acme/widgets', number: 10, state: 'MERGED', createdAt: '2025-01-01T00:00:00Z', closedAt: '2025-01-03T00:00:00Z', mergedAt: '2025-01-03T00:00:00Z' },
      { repo: 'acme/widgets', number: 11, state: 'CLOSED', createdAt: '2025-01-01T00:00:00Z', closedAt: '2025-01-02T00:00:00Z', mergedAt: null },
    ]);
  });

  test('fetchPrStates: 250 numbers go out as 3 requests', async () => {
    gh.setRepos([{ owner: 'acme', name: 'widgets', pulls: makePulls(250, () => ({ state: 'MERGED', mergedAt: '2025-03-01T00:00:00Z' })) }]);
    gh.resetRequests();
    const res = await fetchPrStates(client, 'acme/widgets', Array.from({ length: 250 }, (_, i) => i + 1));
    assert.equal(res.states.length, 250);
    assert.equal(res.requests, 3);
    assert.equal(gh.requests.length, 3);
    assert.ok(res.states.every((s) => s.state === 'MERGED'));
  });

  test('a GitHub Enterprise /api/v3 URL sends GraphQL to /api/graphql', async () => {
    const ghes = createGithubClient({ token: TOKEN, apiUrl: gh.enterpriseUrl, minRequestIntervalMs: 0 });
    try {
      gh.setRepos([{ owner: 'acme', name: 'widgets', pulls: makePulls(2) }]);
      gh.resetRequests();
      const obs = await observeRepository(ghes, 'acme/widgets');
      assert.equal(obs.prs.length, 2);
      assert.deepEqual(gh.requests.map((r) => r.path), ['/api/graphql']);
    } finally {
      await ghes.close();
    }
  });

  test('a bad token is a permanent 401 whose message does not carry the token', async () => {
    const bad = createGithubClient({ token: 'ghp_wrongTokenValue987654321', apiUrl: gh.url, minRequestIntervalMs: 0 });
    try {
      await assert.rejects(observeRepository(bad, 'acme/widgets'), (err: unknown) => {
        assert.ok(err instanceof GithubRequestError);
        assert.equal(err.status, 401);
        assert.equal(err.permanent, true);
        assert.doesNotMatch(err.message, /wrongTokenValue/);
        assert.doesNotMatch(JSON.stringify(err), /wrongTokenValue/);
        return true;
      });
    } finally {
      await bad.close();
    }
  });
});
