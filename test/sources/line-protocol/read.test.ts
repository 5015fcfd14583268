import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { appendFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { int, type PointRecord } from '../../../src/model/point.ts';
import { LineProtocolFileSink } from '../../../src/sinks/line-protocol/file-sink.ts';
import { parseLineProtocol, readLineProtocolDir } from '../../../src/sources/line-protocol/read.ts';
import { toLineProtocol } from '../../../src/sinks/line-protocol/encode.ts';

const tricky: PointRecord = {
  measurement: 'pr obs,x',
  tags: { repo: 'o/r', 'a b': 'c,d=e', pr: '7' },
  fields: { title: 'fix "quotes" \\ and\nnewlines, commas=yes', n: int(-3), f: 1.5, ok: true, no: false, z: 0 },
  timestamp: 1_700_000_000_123,
};

test('parses what the encoder writes, escapes included', () => {
  assert.deepEqual(parseLineProtocol(toLineProtocol(tricky)), tricky);
  assert.equal(parseLineProtocol('m f=1'), null, 'a point without a time is not one of ours');
  assert.equal(parseLineProtocol('m,t=1 f="unterminated 5'), null);
  assert.deepEqual(parseLineProtocol('m,t=a f=2u,g=T 5')?.fields, { f: { int: 2 }, g: true });
});

test('streams files in small chunks: quoted newlines across chunk borders, a torn last record', async () => {
  const out = mkdtempSync(join(tmpdir(), 'harvest-lp-'));
  const sink = await LineProtocolFileSink.open({ outDir: out, writerId: 'w1' });
  const points: PointRecord[] = [];
  for (let i = 0; i < 300; i++) {
    points.push({ ...tricky, fields: { ...tricky.fields, n: int(i), title: `line ${i}\nsecond "part" ${'x'.repeat(i % 37)}` }, timestamp: tricky.timestamp + i });
  }
  await sink.write(points.slice(0, 150));
  await sink.write(points.slice(150));
  await sink.close();
  await appendFile(sink.files[0], 'pr\\ obs\\,x,repo=o/r f="torn');
  const counts = {};
  const got: PointRecord[] = [];
  for await (const p of readLineProtocolDir(out, counts, { chunkBytes: 61 })) got.push(p);
  assert.deepEqual(got, points);
  assert.equal((counts as Record<string, number>).lp_partial_last_record, 1);
  const filtered: PointRecord[] = [];
  for await (const p of readLineProtocolDir(out, {}, { measurements: ['other'] })) filtered.push(p);
  assert.equal(filtered.length, 0);
});
