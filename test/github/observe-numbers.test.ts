// observePullRequests: chosen PRs by number, open or not, against GitHub's schema and the stand-in.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { validate as octokitValidate } from '@octokit/graphql-schema';
import { createGithubClient, type GithubClient } from '../../src/sources/github/client.ts';
import { observePullRequests } from '../../src/sources/github/pull-requests.ts';
import { PRS_BY_NUMBER_PER_QUERY, pullRequestsByNumberQuery } from '../../src/sources/github/queries.ts';
import { makeChecks, makePulls, startGithubStandin, type GithubStandin } from '../support/github-standin.ts';

describe('observePullRequests', () => {
  let gh: GithubStandin;
  let client: GithubClient;

  before(async () => {
    gh = await startGithubStandin();
    client = createGithubClient({ token: 't', apiUrl: gh.url, minRequestIntervalMs: 0 });
  });
  after(async () => {
    await client.close();
    await gh.close();
  });

  test('the aliased query validates against GitHub\'s schema for every size', () => {
    for (let n = 1; n <= PRS_BY_NUMBER_PER_QUERY; n++) assert.deepEqual(octokitValidate(pullRequestsByNumberQuery(n)).map((e) => e.message), [], `size ${n}`);
    assert.throws(() => pullRequestsByNumberQuery(0), RangeError);
    assert.throws(() => pullRequestsByNumberQuery(PRS_BY_NUMBER_PER_QUERY + 1), RangeError);
  });

  test('open, merged and closed PRs with their states; unknown numbers in missing; 50 per request', async () => {
    const pulls = makePulls(70, () => ({ checks: makeChecks({ passing: 2 }) }));
    pulls[1] = { ...pulls[1], state: 'MERGED', mergedAt: '2025-02-01T00:00:00Z', closedAt: '2025-02-01T00:00:00Z' };
    pulls[2] = { ...pulls[2], state: 'CLOSED', closedAt: '2025-02-02T00:00:00Z' };
    pulls[9] = { ...pulls[9], checks: makeChecks({ passing: 130 }), threads: Array.from({ length: 101 }, () => true) };
    gh.setRepos([{ owner: 'Acme', name: 'Widgets', pulls }]);
    gh.resetRequests();
    const numbers = [...Array.from({ length: 60 }, (_, i) => i + 1), 999, 3, 2];
    const obs = await observePullRequests(client, 'acme/widgets', numbers);
    assert.equal(obs.prs.length, 60);
    assert.deepEqual(obs.missing, [999]);
    assert.equal(obs.prs[0].repo, 'Acme/Widgets', 'canonical name');
    assert.deepEqual(obs.states.find((s) => s.number === 2), { repo: 'Acme/Widgets', number: 2, state: 'MERGED', createdAt: obs.states[1].createdAt, closedAt: '2025-02-01T00:00:00Z', mergedAt: '2025-02-01T00:00:00Z' });
    assert.equal(obs.states.find((s) => s.number === 3)?.state, 'CLOSED');
    assert.equal(obs.prs.find((p) => p.number === 10)?.checks.length, 130);
    assert.equal(obs.prs.find((p) => p.number === 10)?.reviewThreads.length, 101);
    // 61 distinct numbers: 2 aliased requests, then 1 for the checks and 1 for the threads past 100.
    assert.equal(obs.requests, 4);
    assert.deepEqual(gh.requests.map((r) => r.operationName), ['PullRequestsByNumber', 'PullRequestsByNumber', 'CheckContexts', 'ReviewThreads']);
    assert.ok(obs.rateLimit.remaining > 0);
  });
});
