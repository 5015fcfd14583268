// Every GraphQL document the code sends, validated against GitHub's published schema.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { schema, validate as octokitValidate } from '@octokit/graphql-schema';
import { buildSchema, parse, validate, type GraphQLSchema } from 'graphql';
import { createGithubClient, type GithubClient } from '../../src/sources/github/client.ts';
import { fetchPrStates, observePullRequests, observeRepository } from '../../src/sources/github/pull-requests.ts';
import {
  CHECK_CONTEXTS_QUERY,
  COMPARISONS_PER_QUERY,
  OPEN_PULL_REQUESTS_QUERY,
  PRS_BY_NUMBER_PER_QUERY,
  REVIEW_THREADS_QUERY,
  STATES_PER_QUERY,
  branchComparisonsQuery,
  pullRequestStatesQuery,
  pullRequestsByNumberQuery,
} from '../../src/sources/github/queries.ts';
import { makeChecks, makePulls, startGithubStandin, type GithubStandin } from '../support/github-standin.ts';

// The SDL file repeats a few field definitions, which graphql-js' SDL check rejects; the
// definitions themselves are sound, so the check is skipped, not the schema.
let sdlSchema: GraphQLSchema;

function errorsOf(query: string): string[] {
  const fromSdl = validate(sdlSchema, parse(query)).map((e) => `sdl: ${e.message}`);
  const fromIntrospection = octokitValidate(query).map((e) => `json: ${e.message}`);
  return [...fromSdl, ...fromIntrospection];
}

describe('GraphQL queries against GitHub\'s schema', () => {
  let gh: GithubStandin;
  let client: GithubClient;

  before(async () => {
    sdlSchema = buildSchema(schema.idl, { assumeValidSDL: true });
    gh = await startGithubStandin();
    client = createGithubClient({ token: 't', apiUrl: gh.url, minRequestIntervalMs: 0 });
  });
  after(async () => {
    await client.close();
    await gh.close();
  });

  test('the fixed queries validate with zero errors', () => {
    for (const [name, q] of Object.entries({ OPEN_PULL_REQUESTS_QUERY, CHECK_CONTEXTS_QUERY, REVIEW_THREADS_QUERY })) {
      assert.deepEqual(errorsOf(q), [], name);
    }
  });

  test('the aliased state query validates for every size it is built in', () => {
    for (let n = 1; n <= STATES_PER_QUERY; n++) assert.deepEqual(errorsOf(pullRequestStatesQuery(n)), [], `size ${n}`);
    assert.throws(() => pullRequestStatesQuery(0), RangeError);
    assert.throws(() => pullRequestStatesQuery(STATES_PER_QUERY + 1), RangeError);
  });

  test('the aliased by-number and branch comparison queries validate for every size they are built in', () => {
    for (let n = 1; n <= PRS_BY_NUMBER_PER_QUERY; n++) assert.deepEqual(errorsOf(pullRequestsByNumberQuery(n)), [], `by number, size ${n}`);
    for (let n = 1; n <= COMPARISONS_PER_QUERY; n++) assert.deepEqual(errorsOf(branchComparisonsQuery(n)), [], `comparisons, size ${n}`);
    assert.throws(() => branchComparisonsQuery(0), RangeError);
    assert.throws(() => branchComparisonsQuery(COMPARISONS_PER_QUERY + 1), RangeError);
  });

  test('every query actually sent in a full run validates, and each kind was sent', async () => {
    const pulls = makePulls(60, () => ({ checks: makeChecks({ passing: 1 }) }));
    pulls[5].checks = makeChecks({ passing: 150 });
    pulls[6].threads = Array.from({ length: 120 }, () => false);
    gh.setRepos([{ owner: 'acme', name: 'widgets', pulls }]);
    gh.resetRequests();
    await observeRepository(client, 'acme/widgets', { compare: true });
    await observePullRequests(client, 'acme/widgets', [1, 6, 7], { compare: true });
    await fetchPrStates(client, 'acme/widgets', [1, 2, 3, 4000]);
    const sent = gh.requests.map((r) => r.query ?? '');
    assert.ok(sent.length >= 5);
    for (const q of sent) assert.deepEqual(errorsOf(q), [], q.slice(0, 80));
    assert.ok(gh.requests.every((r) => r.status === 200 && r.operationName), 'the stand-in ran every query');
    const ops = new Set(gh.requests.map((r) => r.operationName));
    assert.deepEqual([...ops].sort(), ['BranchComparisons', 'CheckContexts', 'OpenPullRequests', 'PullRequestStates', 'PullRequestsByNumber', 'ReviewThreads']);
  });

  test('the check catches a query GitHub would reject', () => {
    assert.notDeepEqual(errorsOf('query { repository(owner: "a", name: "b") { pullRequests(first: 1) { nodes { noSuchField } } } }'), []);
    // Commit.pushedDate is deprecated, not gone: still valid, but the code does not use it.
    assert.deepEqual(errorsOf('query { repository(owner: "a", name: "b") { object(oid: "x") { ... on Commit { pushedDate } } } }'), []);
    assert.doesNotMatch(OPEN_PULL_REQUESTS_QUERY, /pushedDate/);
  });
});
