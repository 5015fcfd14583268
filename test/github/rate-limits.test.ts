import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { createGithubClient, retryAfterMsFromHeaders, type GithubClient } from '../../src/sources/github/client.ts';
import { GithubRequestError, RateLimitedError } from '../../src/sources/github/errors.ts';
import { observeRepository, PartialObservationError } from '../../src/sources/github/pull-requests.ts';
import { makePulls, startGithubStandin, type GithubStandin } from '../support/github-standin.ts';

const REDIS = { host: '127.0.0.1', port: 6379 };

describe('rate limits and server errors against the GitHub stand-in', () => {
  let gh: GithubStandin;
  let client: GithubClient;

  before(async () => {
    gh = await startGithubStandin({ repos: [{ owner: 'acme', name: 'widgets', pulls: makePulls(3) }] });
    // Waits up to 1.5 s are slept inside the request; longer ones surface.
    client = createGithubClient({ token: 't', apiUrl: gh.url, minRequestIntervalMs: 0, retryBaseMs: 20, maxInlineWaitMs: 1500 });
  });
  after(async () => {
    await client.close();
    await gh.close();
  });
  beforeEach(() => {
    gh.setScenario({ faults: [] });
    gh.resetRequests();
  });

  test('a 502 once is retried inside the request', async () => {
    gh.failNext({ kind: 'bad-gateway' });
    const obs = await observeRepository(client, 'acme/widgets');
    assert.equal(obs.prs.length, 3);
    assert.deepEqual(gh.requests.map((r) => r.status), [502, 200]);
  });

  test('502 on every try: a transient GithubRequestError after a few attempts', async () => {
    gh.failNext({ kind: 'bad-gateway' }, { kind: 'bad-gateway' }, { kind: 'bad-gateway' }, { kind: 'bad-gateway' });
    await assert.rejects(observeRepository(client, 'acme/widgets'), (err: unknown) => {
      assert.ok(err instanceof GithubRequestError);
      assert.equal(err.permanent, false);
      assert.equal(err.status, 502);
      return true;
    });
    assert.equal(gh.requests.length, 3, 'the first try and 2 retries');
  });

  test('secondary limit (403, retry-after 90): RateLimitedError of 90 s, no retry inside', async () => {
    gh.failNext({ kind: 'secondary', retryAfterSec: 90 });
    const t0 = Date.now();
    await assert.rejects(observeRepository(client, 'acme/widgets'), (err: unknown) => {
      assert.ok(err instanceof RateLimitedError);
      assert.equal(err.limit, 'secondary');
      assert.equal(err.retryAfterMs, 90_000);
      return true;
    });
    assert.ok(Date.now() - t0 < 30_000, 'did not sleep the 90 s');
    assert.equal(gh.requests.length, 1);
  });

  test('secondary limit with a short retry-after is waited out once, inside the request', async () => {
    gh.failNext({ kind: 'secondary', retryAfterSec: 1 });
    const t0 = Date.now();
    const obs = await observeRepository(client, 'acme/widgets');
    assert.equal(obs.prs.length, 3);
    assert.ok(Date.now() - t0 >= 900, 'waited the retry-after');
    assert.deepEqual(gh.requests.map((r) => r.status), [403, 200]);
  });

  test('a second short limit in a row surfaces instead of waiting again', async () => {
    gh.failNext({ kind: 'secondary', retryAfterSec: 1 }, { kind: 'secondary', retryAfterSec: 1 });
    await assert.rejects(observeRepository(client, 'acme/widgets'), RateLimitedError);
    assert.equal(gh.requests.length, 2);
  });

  test('secondary limit as a 429 with retry-after', async () => {
    gh.failNext({ kind: 'secondary', status: 429, retryAfterSec: 30 });
    await assert.rejects(observeRepository(client, 'acme/widgets'), (err: unknown) => {
      assert.ok(err instanceof RateLimitedError);
      assert.equal(err.retryAfterMs, 30_000);
      return true;
    });
    assert.equal(gh.requests.length, 1, '429 is not retried blindly');
  });

  test('a bare 429 without retry-after: RateLimitedError with the 60 s fallback', async () => {
    gh.failNext({ kind: 'too-many-requests' });
    await assert.rejects(observeRepository(client, 'acme/widgets'), (err: unknown) => {
      assert.ok(err instanceof RateLimitedError);
      assert.equal(err.retryAfterMs, 60_000);
      return true;
    });
    assert.equal(gh.requests.length, 1);
  });

  test('primary limit as GraphQL answers it (200, RATE_LIMITED, remaining 0): wait until the reset', async () => {
    gh.failNext({ kind: 'primary', resetInSec: 1200 });
    await assert.rejects(observeRepository(client, 'acme/widgets'), (err: unknown) => {
      assert.ok(err instanceof RateLimitedError);
      assert.equal(err.limit, 'primary');
      // reset - now + 1 s, give or take the second the reset is rounded to
      assert.ok(err.retryAfterMs > 1_195_000 && err.retryAfterMs <= 1_202_000, String(err.retryAfterMs));
      return true;
    });
    assert.equal(gh.requests.length, 1);
  });

  test('primary limit as a 403 with x-ratelimit-remaining 0', async () => {
    gh.failNext({ kind: 'primary', status: 403, resetInSec: 600 });
    await assert.rejects(observeRepository(client, 'acme/widgets'), (err: unknown) => {
      assert.ok(err instanceof RateLimitedError);
      assert.equal(err.limit, 'primary');
      assert.ok(err.retryAfterMs > 595_000 && err.retryAfterMs <= 602_000, String(err.retryAfterMs));
      return true;
    });
  });

  test('a limit mid-pagination stops the observation: the error carries the whole first page and the limit', async () => {
    gh.setRepos([{ owner: 'acme', name: 'many', pulls: makePulls(120) }]);
    // One point left in the budget: the first page answers, the second is refused.
    gh.setRateLimitRemaining(1);
    await assert.rejects(observeRepository(client, 'acme/many'), (err: unknown) => {
      assert.ok(err instanceof PartialObservationError);
      assert.ok(err.cause instanceof RateLimitedError);
      assert.deepEqual(err.partial.prs.map((p) => p.number), Array.from({ length: 50 }, (_, i) => i + 1));
      return true;
    });
    assert.deepEqual(gh.requests.map((r) => r.status), [200, 200]);
    assert.deepEqual(gh.requests.map((r) => r.fault), [null, 'primary']);
    gh.setRateLimitRemaining(5000);
    gh.setRepos([{ owner: 'acme', name: 'widgets', pulls: makePulls(3) }]);
  });

  test('retryAfterMsFromHeaders reads seconds', () => {
    const now = 1_700_000_000_000;
    assert.equal(retryAfterMsFromHeaders({ 'retry-after': '5' }, now), 5000);
    assert.equal(retryAfterMsFromHeaders({ 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(now / 1000 + 10) }, now), 11_000);
    assert.equal(retryAfterMsFromHeaders({ 'x-ratelimit-remaining': '12', 'x-ratelimit-reset': String(now / 1000 + 10) }, now), undefined);
    assert.equal(retryAfterMsFromHeaders({}, now), undefined);
  });
});

describe('the limiter clustered over Redis', () => {
  let gh: GithubStandin;
  let redis: Redis;
  const limiterId = `harvest-test-gh-${randomUUID().slice(0, 8)}`;
  const clients: GithubClient[] = [];

  before(async () => {
    gh = await startGithubStandin({ repos: [{ owner: 'acme', name: 'widgets', pulls: makePulls(2) }], latencyMs: 30 });
    redis = new Redis(REDIS);
  });
  after(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await gh.close();
    const keys = [...(await redis.keys(`b_${limiterId}*`)), ...(await redis.keys(`${limiterId}*`))];
    if (keys.length) await redis.del(...keys);
    await redis.quit();
  });

  test('two clients (two "workers") share one budget: GraphQL requests never overlap and keep the interval', async () => {
    const a = createGithubClient({ token: 't', apiUrl: gh.url, redis: REDIS, limiterId, minRequestIntervalMs: 100 });
    const b = createGithubClient({ token: 't', apiUrl: gh.url, redis, limiterId, minRequestIntervalMs: 100 });
    clients.push(a, b);
    gh.resetRequests();
    await Promise.all([0, 1, 2].flatMap(() => [observeRepository(a, 'acme/widgets'), observeRepository(b, 'acme/widgets')]));
    assert.equal(gh.requests.length, 6);
    assert.equal(gh.maxInFlight(), 1);
    const at = gh.requests.map((r) => r.at).sort((x, y) => x - y);
    // Arrival times carry the event loop's jitter; the span of six requests 100 ms apart cannot.
    assert.ok(at[5] - at[0] >= 450, `six requests in ${at[5] - at[0]} ms`);
    assert.ok((await redis.keys(`b_${limiterId}*`)).length > 0, 'the limiter state lives in Redis');
  });

  test('a rate limit one client meets stops the others without a request', async () => {
    const a = createGithubClient({ token: 't', apiUrl: gh.url, redis: REDIS, limiterId, minRequestIntervalMs: 0, maxInlineWaitMs: 0 });
    const b = createGithubClient({ token: 't', apiUrl: gh.url, redis: REDIS, limiterId, minRequestIntervalMs: 0, maxInlineWaitMs: 0 });
    clients.push(a, b);
    gh.resetRequests();
    gh.failNext({ kind: 'secondary', retryAfterSec: 120 });
    await assert.rejects(observeRepository(a, 'acme/widgets'), RateLimitedError);
    assert.equal(gh.requests.length, 1);
    await assert.rejects(observeRepository(b, 'acme/widgets'), (err: unknown) => {
      assert.ok(err instanceof RateLimitedError);
      assert.equal(err.limit, 'secondary');
      assert.ok(err.retryAfterMs > 110_000 && err.retryAfterMs <= 120_000, String(err.retryAfterMs));
      return true;
    });
    assert.equal(gh.requests.length, 1, 'the second client did not ask GitHub');
    await redis.del(`${limiterId}:rate-limited-until`);
    const obs = await observeRepository(b, 'acme/widgets');
    assert.equal(obs.prs.length, 2);
  });

  test('a client given an ioredis instance leaves it open on close', async () => {
    const own = new Redis(REDIS);
    const c = createGithubClient({ token: 't', apiUrl: gh.url, redis: own, limiterId, minRequestIntervalMs: 0 });
    await observeRepository(c, 'acme/widgets');
    await c.close();
    assert.equal(await own.ping(), 'PONG');
    await own.quit();
  });
});
