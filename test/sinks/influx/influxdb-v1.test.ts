// Points into a real InfluxDB 1.x (Debian's influxd) and back out with InfluxQL.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { int, type PointRecord } from '../../../src/model/point.ts';
import { blankPrSnapshot, type PrSnapshot } from '../../../src/sources/github/snapshot.ts';
import { createPointSink } from '../../../src/sinks/influx/create-point-sink.ts';
import { PermanentWriteError, TransientWriteError } from '../../../src/sinks/influx/errors.ts';
import { GroupCommitSink } from '../../../src/sinks/influx/group-commit.ts';
import { InfluxV1Sink } from '../../../src/sinks/influx/v1.ts';
import { replayLineProtocolFiles } from '../../../src/sinks/line-protocol/replay.ts';
import { toObservedOutcome, toPrObservation } from '../../../src/transforms/pr-observation.ts';
import { startInfluxdb, type InfluxdbHandle } from '../../support/influxdb.ts';

const NOW = Date.now() - 60_000;

function snapshot(n: number, over: Partial<PrSnapshot> = {}): PrSnapshot {
  return {
    ...blankPrSnapshot('acme/widgets', n),
    repo: 'acme/widgets',
    number: n,
    title: `PR ${n}`,
    author: 'mona',
    isDraft: false,
    mergeable: 'MERGEABLE',
    mergeStateStatus: 'CLEAN',
    reviewDecision: null,
    autoMerge: null,
    createdAt: new Date(NOW - 10 * 3_600_000).toISOString(),
    updatedAt: new Date(NOW - 3_600_000).toISOString(),
    baseRefName: 'main',
    headRefName: `b${n}`,
    additions: 1,
    deletions: 1,
    changedFiles: 1,
    labels: [],
    headCommit: { oid: 'x', committedDate: new Date(NOW - 2 * 3_600_000).toISOString(), rollupState: 'SUCCESS' },
    lastForcePushAt: null,
    checks: [{ kind: 'check_run', name: 'ci', status: 'COMPLETED', conclusion: 'SUCCESS' }],
    reviews: [],
    reviewThreads: [],
    ...over,
  };
}

const count = async (db: InfluxdbHandle, q: string): Promise<number> => {
  const rows = await db.rows(q);
  return rows.length === 0 ? 0 : Number(rows[0].count);
};

describe('InfluxDB 1.x write API (real influxd)', () => {
  let db: InfluxdbHandle;
  let sink: InfluxV1Sink;
  let tmp: string;

  before(async () => {
    db = await startInfluxdb({ database: 'harvest' });
    sink = new InfluxV1Sink({ url: db.url, database: 'harvest', timeoutMs: 5000 });
    tmp = await mkdtemp(join(tmpdir(), 'harvest-v1-'));
  });
  after(async () => {
    await db?.close();
    await rm(tmp, { recursive: true, force: true });
  });

  test('pr_observation points read back with their types: strings, booleans, integers, floats', async () => {
    const pr = snapshot(1, {
      repo: 'Acme Corp/wid,gets',
      title: 'Fix "quotes", commas, = signs\\ and\nnewlines — ünïcode 😀',
      author: 'we ird=name',
      mergeable: 'UNKNOWN',
      mergeStateStatus: 'UNKNOWN',
      isDraft: true,
      autoMerge: { enabledAt: null },
      reviewThreads: [{ isResolved: false }, { isResolved: true }],
    });
    await sink.write([toPrObservation(pr, NOW, { conflict: 3, reviewFix: 1 })]);
    const rows = await db.rows('SELECT * FROM pr_observation WHERE pr = \'1\'');
    assert.equal(rows.length, 1);
    const r = rows[0];
    assert.equal(r.time, NOW);
    assert.equal(r.repo, 'Acme Corp/wid,gets');
    assert.equal(r.author, 'we ird=name');
    assert.equal(r.title, pr.title);
    assert.equal(r.mergeable, false);
    assert.equal(r.mergeable_state, 'UNKNOWN');
    assert.equal(r.merge_state, 'UNKNOWN');
    assert.equal(r.is_draft, true);
    assert.equal(r.auto_merge_enabled, true);
    assert.equal(r.conflict_attempts, 3);
    assert.equal(r.threads_unresolved, 1);
    assert.equal(r.pr_age_hours, 10);
    const types = await db.rows('SHOW FIELD KEYS FROM pr_observation');
    const typeOf = Object.fromEntries(types.map((t) => [t.fieldKey, t.fieldType]));
    assert.equal(typeOf.checks_total, 'integer');
    assert.equal(typeOf.conflict_attempts, 'integer');
    assert.equal(typeOf.pr_age_hours, 'float');
    assert.equal(typeOf.mergeable, 'boolean');
    assert.equal(typeOf.merge_state, 'string');
  });

  test('every escaping case survives the round trip in tags and string fields', async () => {
    const values = ['a b', 'a,b', 'a=b', 'a"b', "it's", 'a\\b', 'a\\ b', 'a\\,b', 'a\\=b', '\\\\x', 'ünïcödé 😀 中文', 'x\ny'];
    const points: PointRecord[] = values.map((v, i) => ({
      measurement: 'escape test',
      tags: { case: String(i), 'the tag': v },
      fields: { 'the field': v, n: int(i) },
      timestamp: NOW + i,
    }));
    await sink.write(points);
    const rows = await db.rows('SELECT * FROM "escape test" ORDER BY time');
    assert.equal(rows.length, values.length);
    for (const [i, v] of values.entries()) {
      const row = rows.find((r) => r.case === String(i))!;
      assert.equal(row['the field'], v, `string field ${JSON.stringify(v)}`);
      // A newline in a tag comes back as the two characters \n (documented in encode.ts).
      assert.equal(row['the tag'], v.replace(/\n/g, '\\n'), `tag ${JSON.stringify(v)}`);
    }
  });

  test('outcome points', async () => {
    const p = toObservedOutcome(
      { repo: 'acme/widgets', number: 9, state: 'MERGED', createdAt: new Date(NOW - 7_200_000).toISOString(), closedAt: null, mergedAt: new Date(NOW).toISOString() },
      NOW,
    )!;
    await sink.write([p, p]);
    const rows = await db.rows('SELECT * FROM outcome');
    assert.deepEqual(rows, [{ time: NOW, pr: '9', repo: 'acme/widgets', result: 'merged', detail: 'observed', resolution_hours: 2 }]);
  });

  test('permanent errors carry the server message: bad line protocol, unknown database, type conflict', async () => {
    await assert.rejects(sink.writeLines(['this is not line protocol']), (err: unknown) => {
      assert.ok(err instanceof PermanentWriteError);
      assert.equal(err.status, 400);
      assert.match(err.serverMessage, /unable to parse/);
      return true;
    });
    const nodb = new InfluxV1Sink({ url: db.url, database: 'no_such_db' });
    await assert.rejects(nodb.write([{ measurement: 'm', tags: {}, fields: { v: 1 }, timestamp: NOW }]), (err: unknown) => {
      assert.ok(err instanceof PermanentWriteError);
      assert.equal(err.status, 404);
      assert.match(err.serverMessage, /database not found/);
      return true;
    });
    await sink.write([{ measurement: 'typed', tags: {}, fields: { v: int(1) }, timestamp: NOW }]);
    await assert.rejects(sink.write([{ measurement: 'typed', tags: {}, fields: { v: 'text' }, timestamp: NOW + 1 }]), (err: unknown) => {
      assert.ok(err instanceof PermanentWriteError);
      assert.match(err.serverMessage, /field type conflict/);
      return true;
    });
  });

  test('a retention policy is honoured', async () => {
    await db.query('CREATE RETENTION POLICY "short" ON "harvest" DURATION 7d REPLICATION 1');
    const rp = new InfluxV1Sink({ url: db.url, database: 'harvest', retentionPolicy: 'short' });
    await rp.write([{ measurement: 'in_rp', tags: {}, fields: { v: 1 }, timestamp: NOW }]);
    assert.equal((await db.rows('SELECT * FROM "short"."in_rp"')).length, 1);
    assert.equal((await db.rows('SELECT * FROM "autogen"."in_rp"')).length, 0);
  });

  test('InfluxDB down for a while: writes fail transiently, then every point lands exactly once', async () => {
    const batches = Array.from({ length: 8 }, (_, b) =>
      Array.from({ length: 25 }, (_, i) => toPrObservation(snapshot(1000 + b * 25 + i), NOW)),
    );
    await sink.write(batches[0]);
    await db.stop();
    let transient = 0;
    const pending = [...batches.slice(1)];
    // The queue's retry, played by hand: each failed batch stays pending and is tried again.
    for (const batch of [...pending]) {
      try {
        await sink.write(batch);
        pending.splice(pending.indexOf(batch), 1);
      } catch (err) {
        assert.ok(err instanceof TransientWriteError, String(err));
        assert.match(err.message, /ECONNREFUSED/);
        transient++;
      }
    }
    assert.equal(transient, 7);
    await db.start();
    for (let attempt = 0; pending.length > 0 && attempt < 50; attempt++) {
      const batch = pending[0];
      try {
        await sink.write(batch);
        pending.shift();
      } catch (err) {
        assert.ok(err instanceof TransientWriteError);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    assert.equal(pending.length, 0);
    // A batch retried after it had in fact landed would be harmless too: same series, same time.
    await sink.write(batches[3]);
    assert.equal(await count(db, 'SELECT COUNT(checks_total) FROM pr_observation WHERE pr =~ /^1[0-9]{3}$/'), 200);
    const prs = await db.rows('SHOW TAG VALUES FROM pr_observation WITH KEY = "pr"');
    assert.equal(prs.filter((r) => /^1\d{3}$/.test(String(r.value))).length, 200);
  });

  test('group commit against the real server: concurrent callers, one request, all rejected while down', async () => {
    const gc = new GroupCommitSink(sink, { maxPoints: 5000, maxDelayMs: 20 });
    const writes = Array.from({ length: 20 }, (_, i) => [toPrObservation(snapshot(3000 + i), NOW)]);
    await Promise.all(writes.map((w) => gc.write(w)));
    assert.equal(gc.batches, 1);
    assert.equal(await count(db, 'SELECT COUNT(checks_total) FROM pr_observation WHERE pr =~ /^30[0-9]{2}$/'), 20);
    await db.stop();
    const results = await Promise.allSettled(writes.map((w) => gc.write(w)));
    assert.ok(results.every((r) => r.status === 'rejected' && r.reason instanceof TransientWriteError));
    await db.start();
    await gc.close();
  });

  test('line-protocol files written without InfluxDB replay into it, idempotently', async () => {
    const files = await createPointSink({ outDir: tmp, writerId: 'worker-1', maxFileBytes: 4096, groupCommit: false });
    assert.equal(files.kind, 'line-protocol-files');
    const points = Array.from({ length: 60 }, (_, i) => toPrObservation(snapshot(5000 + i, { title: `replayed "${i}"\nline two` }), NOW));
    await Promise.all(points.map((p) => files.write([p])));
    await files.close();
    const first = await replayLineProtocolFiles(tmp, sink, { batchLines: 25 });
    assert.equal(first.records, 60);
    assert.ok(first.files > 1);
    const again = await replayLineProtocolFiles(tmp, sink);
    assert.equal(again.records, 60);
    assert.equal(await count(db, 'SELECT COUNT(checks_total) FROM pr_observation WHERE pr =~ /^50[0-9]{2}$/'), 60);
    const r = await db.rows('SELECT title FROM pr_observation WHERE pr = \'5007\'');
    assert.equal(r[0].title, 'replayed "7"\nline two');
  });

  test('createPointSink picks the 1.x API from INFLUX_URL + INFLUX_DB', async () => {
    const s = await createPointSink({ influxUrl: db.url, influxDb: 'harvest', outDir: tmp, writerId: 'w' });
    assert.equal(s.kind, 'group-commit(influx-v1)');
    await s.write([{ measurement: 'via_factory', tags: {}, fields: { ok: true }, timestamp: NOW }]);
    await s.close();
    assert.equal((await db.rows('SELECT * FROM via_factory')).length, 1);
  });
});
