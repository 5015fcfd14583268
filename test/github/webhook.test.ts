// The webhook core against GitHub's real example payloads (@octokit/webhooks-examples).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { createRequire } from 'node:module';
import { affectedPullRequests, verifySignature } from '../../src/http/github-webhook.ts';

interface WebhookDefinition {
  name: string;
  examples: Record<string, unknown>[];
}
const definitions = createRequire(import.meta.url)('@octokit/webhooks-examples') as WebhookDefinition[];
const examplesOf = (name: string) => {
  const d = definitions.find((x) => x.name === name);
  assert.ok(d && d.examples.length > 0, `examples for ${name}`);
  return d.examples;
};

const SECRET = 'It\'s a Secret to Everybody';
const sign = (secret: string, body: Buffer) => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

describe('verifySignature', () => {
  test("GitHub's documented example signature", () => {
    // From GitHub's "Validating webhook deliveries" page.
    const body = Buffer.from('Hello, World!');
    const header = 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17';
    assert.equal(verifySignature(SECRET, body, header), true);
  });

  test('every example payload: right secret passes; wrong secret, tampered body and bad headers fail', () => {
    for (const def of definitions.filter((d) => ['pull_request', 'check_run', 'status'].includes(d.name))) {
      for (const ex of def.examples) {
        const body = Buffer.from(JSON.stringify(ex));
        const good = sign(SECRET, body);
        assert.equal(verifySignature(SECRET, body, good), true);
        assert.equal(verifySignature(SECRET, body, good.toUpperCase().replace('SHA256=', 'sha256=')), true, 'hex case does not matter');
        assert.equal(verifySignature('another secret', body, good), false);
        const tampered = Buffer.from(body);
        tampered[tampered.length - 2] ^= 1;
        assert.equal(verifySignature(SECRET, tampered, good), false);
      }
    }
  });

  test('malformed headers are false, never a throw', () => {
    const body = Buffer.from('{}');
    const good = sign(SECRET, body);
    const hex = good.slice('sha256='.length);
    for (const header of [
      undefined,
      null,
      '',
      hex,
      `sha1=${hex}`,
      `sha256=${hex.slice(0, 63)}`,
      `sha256=${hex}00`,
      `sha256=${'z'.repeat(64)}`,
      `sha256= ${hex}`,
      [good],
      [good, good],
    ]) {
      assert.equal(verifySignature(SECRET, body, header as string | undefined), false, String(header));
    }
    assert.equal(verifySignature('', body, sign('', body)), false, 'an empty secret verifies nothing');
  });
});

describe('affectedPullRequests on the example payloads', () => {
  test('pull_request, pull_request_review, pull_request_review_thread: the PR of the payload', () => {
    for (const name of ['pull_request', 'pull_request_review', 'pull_request_review_thread', 'pull_request_review_comment']) {
      for (const ex of examplesOf(name)) {
        const p = ex as { repository: { full_name: string }; pull_request: { number: number } };
        assert.deepEqual(
          affectedPullRequests(name, ex),
          [{ kind: 'pulls', repo: p.repository.full_name, numbers: [p.pull_request.number] }],
          `${name}.${(ex as { action?: string }).action}`,
        );
      }
    }
  });

  test('check_suite and check_run: the numbers in their pull_requests arrays', () => {
    let withPrs = 0;
    let withoutPrs = 0;
    for (const name of ['check_suite', 'check_run'] as const) {
      for (const ex of examplesOf(name)) {
        const holder = (ex as Record<string, { pull_requests: { number: number }[]; head_sha: string }>)[name];
        const repo = (ex as { repository: { full_name: string } }).repository.full_name;
        const got = affectedPullRequests(name, ex)!;
        if (holder.pull_requests.length > 0) {
          withPrs++;
          assert.deepEqual(got, [{ kind: 'pulls', repo, numbers: [...new Set(holder.pull_requests.map((p) => p.number))].sort((a, b) => a - b) }]);
        } else {
          withoutPrs++;
          // Forks: GitHub leaves the list empty, so the commit is all there is to go on.
          assert.deepEqual(got, [{ kind: 'commit', repo, sha: holder.head_sha }]);
        }
      }
    }
    assert.ok(withPrs > 0 && withoutPrs > 0, 'the examples cover both cases');
  });

  test('status: no PR numbers, the repository and commit to re-poll', () => {
    for (const ex of examplesOf('status')) {
      const p = ex as { name: string; sha: string; repository: { full_name: string } };
      assert.deepEqual(affectedPullRequests('status', ex), [{ kind: 'commit', repo: p.repository.full_name, sha: p.sha }]);
    }
  });

  test('unknown events are null; a handled event without usable data touches nothing', () => {
    assert.equal(affectedPullRequests('ping', examplesOf('ping')[0]), null);
    assert.equal(affectedPullRequests('push', examplesOf('push')[0]), null);
    assert.equal(affectedPullRequests('issues', {}), null);
    assert.deepEqual(affectedPullRequests('pull_request', {}), []);
    assert.deepEqual(affectedPullRequests('pull_request', null), []);
    assert.deepEqual(affectedPullRequests('check_run', { repository: { full_name: 'a/b' }, check_run: {} }), []);
  });

  test('PR numbers are grouped under the repository their base lives in', () => {
    const payload = {
      repository: { full_name: 'acme/widgets' },
      check_suite: {
        head_sha: 'abc',
        pull_requests: [
          { number: 3, base: { repo: { url: 'https://api.github.com/repos/acme/widgets' } } },
          { number: 1, base: { repo: { url: 'https://api.github.com/repos/acme/widgets' } } },
          { number: 9, base: { repo: { url: 'https://api.github.com/repos/acme/upstream' } } },
        ],
      },
    };
    assert.deepEqual(affectedPullRequests('check_suite', payload), [
      { kind: 'pulls', repo: 'acme/widgets', numbers: [1, 3] },
      { kind: 'pulls', repo: 'acme/upstream', numbers: [9] },
    ]);
  });
});
