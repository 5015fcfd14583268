// POST /webhooks/github on a bare express app, with GitHub's real example payloads
// (@octokit/webhooks-examples), signed as GitHub signs them. The queue side is a recorder here;
// test/integration/pr-poll.test.ts sends deliveries through to InfluxDB.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { createRequire } from 'node:module';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { GITHUB_WEBHOOK_PATH, mountGithubWebhooks, type WebhookPoll } from '../../src/http/github-webhooks-feature.ts';

interface WebhookDefinition {
  name: string;
  examples: Record<string, unknown>[];
}
const definitions = createRequire(import.meta.url)('@octokit/webhooks-examples') as WebhookDefinition[];
const example = (name: string, i = 0): Record<string, unknown> => {
  const d = definitions.find((x) => x.name === name);
  assert.ok(d && d.examples.length > i, `example ${i} of ${name}`);
  return d.examples[i];
};

const SECRET = 'webhook-secret-for-tests';
const signGithub = (secret: string, body: Buffer | string): string =>
  `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

describe('POST /webhooks/github', () => {
  let server: Server;
  let url: string;
  let noSecretUrl: string;
  let noSecretServer: Server;
  const polls: WebhookPoll[] = [];
  let failEnqueue = false;

  const listen = async (app: express.Express): Promise<[Server, string]> => {
    const s = app.listen(0, '127.0.0.1');
    await new Promise((r) => s.once('listening', r));
    return [s, `http://127.0.0.1:${(s.address() as AddressInfo).port}${GITHUB_WEBHOOK_PATH}`];
  };

  before(async () => {
    const app = express();
    mountGithubWebhooks(app, {
      secret: SECRET,
      enqueue: async (p) => {
        if (failEnqueue) throw new Error('redis down');
        polls.push(p);
        return { added: polls.filter((x) => JSON.stringify(x) === JSON.stringify(p)).length === 1 };
      },
    });
    [server, url] = await listen(app);
    const bare = express();
    mountGithubWebhooks(bare, { secret: undefined, enqueue: async () => ({ added: true }) });
    [noSecretServer, noSecretUrl] = await listen(bare);
  });
  after(async () => {
    server.closeAllConnections();
    noSecretServer.closeAllConnections();
    await new Promise((r) => server.close(r));
    await new Promise((r) => noSecretServer.close(r));
  });

  const deliver = (event: string, body: string | Buffer, opts: { sig?: string | null; type?: string; to?: string } = {}) =>
    fetch(opts.to ?? url, {
      method: 'POST',
      headers: {
        'content-type': opts.type ?? 'application/json',
        'x-github-event': event,
        'x-github-delivery': '72d3162e-cc78-11e3-81ab-4c9367dc0958',
        ...(opts.sig === null ? {} : { 'x-hub-signature-256': opts.sig ?? signGithub(SECRET, body) }),
      },
      body,
    });

  test('pull_request, review, review thread: one re-observation of that PR each', async () => {
    polls.length = 0;
    for (const [event, repo, pr] of [
      ['pull_request', 'Codertocat/Hello-World', 2],
      ['pull_request_review', 'Codertocat/Hello-World', 2],
      ['pull_request_review_thread', 'octo-org/octo-repo', 118],
    ] as const) {
      const res = await deliver(event, JSON.stringify(example(event)));
      assert.equal(res.status, 202, event);
      const body = (await res.json()) as { polls: number };
      assert.equal(body.polls, 1, event);
      assert.deepEqual(polls.at(-1), { repo, numbers: [pr] }, event);
    }
  });

  test('check_suite / check_run name their PRs; status names a commit: the repository is polled', async () => {
    polls.length = 0;
    const suite = example('check_suite');
    const res = await deliver('check_suite', JSON.stringify(suite));
    assert.equal(res.status, 202);
    const listed = ((suite.check_suite as { pull_requests: { number: number }[] }).pull_requests ?? []).map((p) => p.number);
    assert.ok(polls.length >= 1);
    if (listed.length) assert.deepEqual(polls[0].numbers, [...new Set(listed)].sort((a, b) => a - b));
    polls.length = 0;
    assert.equal((await deliver('status', JSON.stringify(example('status')))).status, 202);
    assert.deepEqual(polls, [{ repo: 'Codertocat/Hello-World' }]);
    polls.length = 0;
    assert.equal((await deliver('check_run', JSON.stringify(example('check_run')))).status, 202);
    assert.equal(polls.length, 1);
  });

  test('a repeated delivery is reported as merged into the pending poll', async () => {
    polls.length = 0;
    const body = JSON.stringify(example('pull_request', 1));
    const first = (await (await deliver('pull_request', body)).json()) as { queued: number; deduplicated: number };
    const second = (await (await deliver('pull_request', body)).json()) as { queued: number; deduplicated: number };
    assert.deepEqual([first.queued, first.deduplicated, second.queued, second.deduplicated], [1, 0, 0, 1]);
  });

  test('signatures: missing, wrong secret or tampered body -> 401 and nothing queued', async () => {
    polls.length = 0;
    const body = JSON.stringify(example('pull_request'));
    assert.equal((await deliver('pull_request', body, { sig: null })).status, 401);
    assert.equal((await deliver('pull_request', body, { sig: signGithub('another secret', body) })).status, 401);
    assert.equal((await deliver('pull_request', body.replace('"opened"', '"closed"'), { sig: signGithub(SECRET, body) })).status, 401);
    // Re-serialized JSON is not the bytes GitHub signed.
    const reformatted = JSON.stringify(JSON.parse(body), null, 2);
    assert.equal((await deliver('pull_request', reformatted, { sig: signGithub(SECRET, body) })).status, 401);
    assert.equal(polls.length, 0);
  });

  test('ping 200; unknown events 202 ignored; malformed bodies 400', async () => {
    polls.length = 0;
    const ping = await deliver('ping', JSON.stringify(example('ping')));
    assert.equal(ping.status, 200);
    const push = await deliver('push', JSON.stringify(example('push')));
    assert.equal(push.status, 202);
    assert.equal(((await push.json()) as { ignored: boolean }).ignored, true);
    assert.equal((await deliver('pull_request', '{"action": "opened", ')).status, 400);
    assert.equal((await deliver('pull_request', '[1, 2]')).status, 400);
    assert.equal((await deliver('pull_request', '')).status, 400);
    const noEvent = await fetch(url, { method: 'POST', headers: { 'x-hub-signature-256': signGithub(SECRET, '{}') }, body: '{}' });
    assert.equal(noEvent.status, 400);
    assert.equal(polls.length, 0);
  });

  test('form-encoded deliveries (content type application/x-www-form-urlencoded) work too', async () => {
    polls.length = 0;
    const form = new URLSearchParams({ payload: JSON.stringify(example('pull_request')) }).toString();
    const res = await deliver('pull_request', form, { type: 'application/x-www-form-urlencoded' });
    assert.equal(res.status, 202);
    assert.deepEqual(polls, [{ repo: 'Codertocat/Hello-World', numbers: [2] }]);
  });

  test('without a secret every delivery is refused (503); a queue failure is 503', async () => {
    const body = JSON.stringify(example('pull_request'));
    assert.equal((await deliver('pull_request', body, { to: noSecretUrl })).status, 503);
    failEnqueue = true;
    try {
      assert.equal((await deliver('pull_request', body)).status, 503);
    } finally {
      failEnqueue = false;
    }
  });
});
