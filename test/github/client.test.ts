import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGithubClient, resolveGithubToken, toGithubError } from '../../src/sources/github/client.ts';
import { GithubRequestError, RateLimitedError } from '../../src/sources/github/errors.ts';

describe('GitHub token', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'harvest-token-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('from GITHUB_TOKEN, else from GITHUB_TOKEN_FILE (trimmed)', async () => {
    const file = join(dir, 'token');
    await writeFile(file, '  ghp_fromFile123\n');
    assert.equal(await resolveGithubToken({ token: 'ghp_direct', tokenFile: file }), 'ghp_direct');
    assert.equal(await resolveGithubToken({ tokenFile: file }), 'ghp_fromFile123');
    assert.equal(await resolveGithubToken({ token: '', tokenFile: file }), 'ghp_fromFile123');
  });

  test('errors name the file and the variables, never a token', async () => {
    await assert.rejects(resolveGithubToken({}), /GITHUB_TOKEN or GITHUB_TOKEN_FILE/);
    await assert.rejects(resolveGithubToken({ tokenFile: join(dir, 'missing') }), /cannot read GITHUB_TOKEN_FILE .*missing: ENOENT/);
    const empty = join(dir, 'empty');
    await writeFile(empty, '\n');
    await assert.rejects(resolveGithubToken({ tokenFile: empty }), /is empty/);
    assert.throws(() => createGithubClient({ token: '' }), /token is required/);
  });
});

describe('toGithubError', () => {
  const now = 1_700_000_000_000;
  test('GraphQL errors: NOT_FOUND and validation errors are permanent; unexplained ones are not', () => {
    const notFound = toGithubError({ errors: [{ type: 'NOT_FOUND', message: 'Could not resolve' }], data: { repository: null } }, now);
    assert.ok(notFound instanceof GithubRequestError && notFound.permanent);
    assert.deepEqual(notFound.data, { repository: null });
    const invalid = toGithubError({ errors: [{ message: "Field 'x' doesn't exist", extensions: { code: 'undefinedField' } }] }, now);
    assert.ok(invalid instanceof GithubRequestError && invalid.permanent);
    const timeout = toGithubError({ errors: [{ message: 'Something went wrong while executing your query.' }] }, now);
    assert.ok(timeout instanceof GithubRequestError && !timeout.permanent);
  });

  test('network failures are transient', () => {
    const e = toGithubError({ status: 500, message: 'connect ECONNREFUSED 127.0.0.1:1' }, now);
    assert.ok(e instanceof GithubRequestError && !e.permanent);
  });

  test('rate limits from headers alone', () => {
    const e = toGithubError({ status: 403, message: 'API rate limit exceeded', response: { headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(now / 1000 + 60) } } }, now);
    assert.ok(e instanceof RateLimitedError);
    assert.equal(e.retryAfterMs, 61_000);
    assert.equal(e.until.getTime(), now + 61_000);
    const forbidden = toGithubError({ status: 403, message: 'Resource not accessible by integration', response: { headers: {} } }, now);
    assert.ok(forbidden instanceof GithubRequestError && forbidden.permanent, 'a plain 403 is not a rate limit');
  });
});
