import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createInfluxWriter,
  createPointSink,
  pointSinkKind,
  PointSinkConfigError,
} from '../../../src/sinks/influx/create-point-sink.ts';
import { InfluxV1Sink } from '../../../src/sinks/influx/v1.ts';
import { InfluxV2Sink } from '../../../src/sinks/influx/v2.ts';

describe('createPointSink configuration', () => {
  let out: string;
  before(async () => {
    out = await mkdtemp(join(tmpdir(), 'harvest-sinkcfg-'));
  });
  after(async () => {
    await rm(out, { recursive: true, force: true });
  });
  const base = () => ({ outDir: out, writerId: 'w1' });

  test('v2 with URL + token + org + bucket; v1 with URL + database; else files', () => {
    assert.equal(pointSinkKind({ ...base(), influxUrl: 'http://x:8086', influxToken: 't', influxOrg: 'o', influxBucket: 'b' }), 'influx-v2');
    assert.equal(pointSinkKind({ ...base(), influxUrl: 'http://x:8086', influxDb: 'harvest' }), 'influx-v1');
    assert.equal(pointSinkKind({ ...base(), influxUrl: 'http://x:8086', influxDb: 'harvest', influxRp: 'rp', influxUser: 'u', influxPassword: 'p' }), 'influx-v1');
    assert.equal(pointSinkKind(base()), 'line-protocol-files');
    assert.ok(createInfluxWriter({ ...base(), influxUrl: 'http://x:8086', influxToken: 't', influxOrg: 'o', influxBucket: 'b' }) instanceof InfluxV2Sink);
    assert.ok(createInfluxWriter({ ...base(), influxUrl: 'http://x:8086', influxDb: 'd' }) instanceof InfluxV1Sink);
    assert.equal(createInfluxWriter(base()), null);
  });

  test('incomplete settings are refused with the variables to set, never silently files', () => {
    assert.throws(() => pointSinkKind({ ...base(), influxUrl: 'http://x:8086', influxToken: 't' }), /INFLUX_ORG and INFLUX_BUCKET/);
    assert.throws(() => pointSinkKind({ ...base(), influxUrl: 'http://x:8086' }), PointSinkConfigError);
    assert.throws(() => pointSinkKind({ ...base(), influxDb: 'harvest' }), /INFLUX_URL is not set but INFLUX_DB/);
  });

  test('files by default, wrapped in group commit unless turned off', async () => {
    const s = await createPointSink(base());
    assert.equal(s.kind, 'group-commit(line-protocol-files)');
    await s.write([{ measurement: 'm', tags: {}, fields: { v: 1 }, timestamp: 1 }]);
    await s.close();
    assert.deepEqual(await readdir(join(out, 'points')), ['w1-000000.lp']);
    const plain = await createPointSink({ ...base(), groupCommit: false });
    assert.equal(plain.kind, 'line-protocol-files');
    await plain.close();
  });

  test('the password travels as Basic auth, not in the URL', () => {
    const s = new InfluxV1Sink({ url: 'http://127.0.0.1:8086/', database: 'd b', retentionPolicy: 'r', username: 'user', password: 'pa:ss' });
    const internals = s as unknown as { writeUrl: string; headers: Record<string, string> };
    assert.equal(internals.writeUrl, 'http://127.0.0.1:8086/write?db=d+b&rp=r&precision=ms');
    assert.equal(internals.headers.authorization, `Basic ${Buffer.from('user:pa:ss').toString('base64')}`);
  });
});
