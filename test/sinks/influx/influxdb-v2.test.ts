// The v2 write path: into a real VictoriaMetrics (numeric fields read back), and its error
// classification against a server that answers as InfluxDB 2.x does when it refuses.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { int } from '../../../src/model/point.ts';
import { blankPrSnapshot, type PrSnapshot } from '../../../src/sources/github/snapshot.ts';
import { createPointSink } from '../../../src/sinks/influx/create-point-sink.ts';
import { PermanentWriteError, TransientWriteError } from '../../../src/sinks/influx/errors.ts';
import { InfluxV2Sink } from '../../../src/sinks/influx/v2.ts';
import { toPrObservation } from '../../../src/transforms/pr-observation.ts';
import { waitFor } from '../../support/free-port.ts';
import { startVictoriaMetrics, type ExportedSeries, type VictoriaMetricsHandle } from '../../support/victoria-metrics.ts';

const NOW = Date.now() - 60_000;

const snapshot = (n: number): PrSnapshot => ({
  ...blankPrSnapshot('acme/widgets', n),
  repo: 'acme/widgets',
  number: n,
  title: 'a title, with "quotes"',
  author: 'mona lisa',
  isDraft: false,
  mergeable: 'MERGEABLE',
  mergeStateStatus: 'CLEAN',
  reviewDecision: 'APPROVED',
  autoMerge: null,
  createdAt: new Date(NOW - 5 * 3_600_000).toISOString(),
  updatedAt: new Date(NOW - 3_600_000).toISOString(),
  baseRefName: 'main',
  headRefName: 'x',
  additions: 10,
  deletions: 2,
  changedFiles: 3,
  labels: [],
  headCommit: { oid: 'x', committedDate: new Date(NOW - 2 * 3_600_000).toISOString(), rollupState: 'FAILURE' },
  lastForcePushAt: null,
  checks: [
    { kind: 'check_run', name: 'a', status: 'COMPLETED', conclusion: 'SUCCESS' },
    { kind: 'check_run', name: 'b', status: 'COMPLETED', conclusion: 'FAILURE' },
    { kind: 'status', context: 'c', state: 'PENDING' },
  ],
  reviews: [{ state: 'APPROVED', author: 'x' }],
  reviewThreads: [{ isResolved: false }],
});

describe('InfluxDB v2 write API into VictoriaMetrics (real)', () => {
  let vm: VictoriaMetricsHandle;
  before(async () => {
    vm = await startVictoriaMetrics();
  });
  after(async () => {
    await vm?.close();
  });

  async function series(selector: string, expected: number): Promise<ExportedSeries[]> {
    let got: ExportedSeries[] = [];
    await waitFor(`${expected} series for ${selector}`, async () => {
      await vm.flush();
      got = await vm.exportSeries(selector);
      return got.length >= expected;
    }, 20_000, 250);
    return got;
  }

  test('pr_observation numeric fields read back per PR', async () => {
    const sink = new InfluxV2Sink({ url: vm.url, token: 'unused-by-vm', org: 'harvest', bucket: 'harvest' });
    await sink.write([toPrObservation(snapshot(1), NOW, { conflict: 2, reviewFix: 0 }), toPrObservation(snapshot(2), NOW)]);
    const got = await series('{__name__=~"pr_observation_(checks_.*|conflict_attempts|pr_age_hours|mergeable|threads_unresolved)", pr="1"}', 8);
    const value = (name: string) => {
      const s = got.find((x) => x.metric.__name__ === `pr_observation_${name}`);
      assert.ok(s, `series ${name}`);
      assert.equal(s.metric.repo, 'acme/widgets');
      assert.equal(s.metric.author, 'mona lisa');
      assert.deepEqual(s.timestamps, [NOW]);
      return s.values[0];
    };
    assert.equal(value('checks_total'), 3);
    assert.equal(value('checks_passing'), 1);
    assert.equal(value('checks_failing'), 1);
    assert.equal(value('checks_pending'), 1);
    assert.equal(value('conflict_attempts'), 2);
    assert.equal(value('pr_age_hours'), 5);
    assert.equal(value('mergeable'), 1, 'a boolean arrives as 1');
    assert.equal(value('threads_unresolved'), 1);
  });

  test('many points through createPointSink (v2 from INFLUX_URL + INFLUX_TOKEN), each once', async () => {
    const sink = await createPointSink({ influxUrl: vm.url, influxToken: 't', influxOrg: 'o', influxBucket: 'b', outDir: '/nonexistent', writerId: 'w' });
    assert.equal(sink.kind, 'group-commit(influx-v2)');
    const points = Array.from({ length: 300 }, (_, i) => ({ measurement: 'bulk', tags: { i: String(i) }, fields: { v: int(i) }, timestamp: NOW }));
    await Promise.all(Array.from({ length: 30 }, (_, k) => sink.write(points.slice(k * 10, k * 10 + 10))));
    await sink.close();
    const got = await series('{__name__="bulk_v"}', 300);
    assert.equal(got.length, 300);
    assert.ok(got.every((s) => s.values.length === 1 && s.values[0] === Number(s.metric.i)));
  });

  test('VictoriaMetrics gone: a transient error', async () => {
    const sink = new InfluxV2Sink({ url: 'http://127.0.0.1:1', token: 't', org: 'o', bucket: 'b', timeoutMs: 2000 });
    await assert.rejects(sink.write([{ measurement: 'm', tags: {}, fields: { v: 1 }, timestamp: NOW }]), TransientWriteError);
  });
});

describe('InfluxDB v2 error classification', () => {
  let server: Server;
  let url: string;
  let answer: { status: number; body: string; headers?: Record<string, string> } = { status: 204, body: '' };
  const seen: { url: string; auth: string | undefined; body: string }[] = [];

  before(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        seen.push({ url: req.url ?? '', auth: req.headers.authorization, body: Buffer.concat(chunks).toString('utf8') });
        res.writeHead(answer.status, { 'content-type': 'application/json; charset=utf-8', ...(answer.headers ?? {}) });
        res.end(answer.body);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    await new Promise<void>((r) => server.close(() => r()));
  });

  const point = { measurement: 'm', tags: { t: 'x' }, fields: { v: 1 }, timestamp: 1_700_000_000_123 };
  const sink = () => new InfluxV2Sink({ url, token: 'secret-token', org: 'my org', bucket: 'b/1' });

  test('the request: org, bucket, ms precision, token auth, the line', async () => {
    answer = { status: 204, body: '' };
    seen.length = 0;
    await sink().write([point]);
    assert.equal(seen.length, 1);
    assert.equal(seen[0].url, '/api/v2/write?org=my%20org&bucket=b%2F1&precision=ms');
    assert.equal(seen[0].auth, 'Token secret-token');
    assert.equal(seen[0].body, 'm,t=x v=1 1700000000123');
  });

  const cases: [number, string, 'permanent' | 'transient', RegExp][] = [
    [400, '{"code":"invalid","message":"unable to parse \'m v=\': missing field value"}', 'permanent', /unable to parse/],
    [401, '{"code":"unauthorized","message":"unauthorized access"}', 'permanent', /unauthorized access/],
    [403, '{"code":"forbidden","message":"insufficient permissions for write"}', 'permanent', /insufficient permissions/],
    [404, '{"code":"not found","message":"bucket \\"b/1\\" not found"}', 'permanent', /not found/],
    [413, '{"code":"request too large","message":"unable to read data: points batch is too large"}', 'permanent', /too large/],
    [422, '{"code":"unprocessable entity","message":"failure writing points to database: partial write: points beyond retention policy dropped=1"}', 'permanent', /retention/],
    [429, '{"code":"too many requests","message":"org exceeded write limit"}', 'transient', /write limit/],
    [500, '{"code":"internal error","message":"unexpected error writing points to database: timeout"}', 'transient', /timeout/],
    [503, '{"code":"unavailable","message":"service unavailable"}', 'transient', /unavailable/],
  ];
  for (const [status, body, kind, message] of cases) {
    test(`${status} is ${kind}, with the server's message and no retry`, async () => {
      answer = { status, body, headers: status === 429 ? { 'retry-after': '30' } : {} };
      seen.length = 0;
      await assert.rejects(sink().write([point]), (err: unknown) => {
        assert.ok(kind === 'permanent' ? err instanceof PermanentWriteError : err instanceof TransientWriteError, String(err));
        assert.match((err as Error).message, message);
        assert.equal((err as PermanentWriteError).status, status);
        assert.doesNotMatch((err as Error).message, /secret-token/);
        if (status === 429) assert.equal((err as TransientWriteError).retryAfterMs, 30_000, 'Retry-After read as seconds');
        return true;
      });
      assert.equal(seen.length, 1, 'the client did not retry on its own');
    });
  }
});
