import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile, appendFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { int, type PointRecord } from '../../../src/model/point.ts';
import { InvalidPointError, splitLineProtocol, toLineProtocol } from '../../../src/sinks/line-protocol/encode.ts';
import { FILE_HEADER, LineProtocolFileSink } from '../../../src/sinks/line-protocol/file-sink.ts';
import { replayLineProtocolFiles } from '../../../src/sinks/line-protocol/replay.ts';

const T = 1_736_467_200_000;
const pt = (tags: Record<string, string>, fields: PointRecord['fields'], measurement = 'm'): PointRecord => ({ measurement, tags, fields, timestamp: T });

describe('toLineProtocol escaping', () => {
  const cases: [string, string, string, string][] = [
    // name, value, tag as encoded, string field as encoded
    ['space', 'a b', 'a\\ b', '"a b"'],
    ['comma', 'a,b', 'a\\,b', '"a,b"'],
    ['equals', 'a=b', 'a\\=b', '"a=b"'],
    ['double quote', 'a"b', 'a"b', '"a\\"b"'],
    ['backslash', 'a\\b', 'a\\b', '"a\\\\b"'],
    ['newline', 'a\nb', 'a\\nb', '"a\nb"'],
    ['unicode', 'ünï 😀', 'ünï\\ 😀', '"ünï 😀"'],
  ];
  for (const [name, value, tag, str] of cases) {
    test(name, () => {
      assert.equal(toLineProtocol(pt({ t: value }, { s: value })), `m,t=${tag} s=${str} ${T}`);
    });
  }

  test('measurement, tag keys and field keys are escaped too', () => {
    assert.equal(
      toLineProtocol(pt({ 'tag key,=': 'v' }, { 'field key,=': int(1) }, 'my measurement,x')),
      `my\\ measurement\\,x,tag\\ key\\,\\==v field\\ key\\,\\==1i ${T}`,
    );
  });

  test('a trailing backslash (unencodable in line protocol) is dropped from names, kept in strings', () => {
    assert.equal(toLineProtocol(pt({ t: 'end\\' }, { s: 'end\\' })), `m,t=end s="end\\\\" ${T}`);
    assert.equal(toLineProtocol(pt({ t: '\\\\' }, { s: 1 })), `m s=1 ${T}`, 'a tag left empty is left out');
  });

  test('types: float, {int}, boolean, string; keys sorted', () => {
    assert.equal(toLineProtocol(pt({ b: '2', a: '1' }, { z: 1.25, y: int(-3), x: true, w: false, v: '' })), `m,a=1,b=2 v="",w=F,x=T,y=-3i,z=1.25 ${T}`);
  });

  test('invalid points are refused with the reason', () => {
    assert.throws(() => toLineProtocol(pt({}, {})), InvalidPointError);
    assert.throws(() => toLineProtocol(pt({}, { f: Number.NaN })), /not finite/);
    assert.throws(() => toLineProtocol(pt({}, { f: Number.POSITIVE_INFINITY })), /not finite/);
    assert.throws(() => toLineProtocol(pt({}, { f: int(2 ** 60) })), /safe integer/);
    assert.throws(() => toLineProtocol({ ...pt({}, { f: 1 }), timestamp: 1.5 }), /timestamp/);
    assert.throws(() => toLineProtocol(pt({}, { f: 1 }, '')), /measurement/);
    assert.throws(() => toLineProtocol(pt({}, { '': 1 })), /field key/);
  });
});

describe('splitLineProtocol', () => {
  test('splits on newlines outside quoted strings; skips comments and blanks; reports a partial tail', () => {
    const a = toLineProtocol(pt({ t: 'x y' }, { s: 'two\nlines "quoted" \\ and # not a comment' }));
    const b = toLineProtocol(pt({ t: 'a"b' }, { s: 'b' }));
    const c = toLineProtocol(pt({}, { s: 'tail' }));
    const text = `# a comment with a "quote\n\n${a}\n${b}\n${c.slice(0, 10)}`;
    const { records, partial } = splitLineProtocol(text);
    assert.deepEqual(records, [a, b]);
    assert.equal(partial, c.slice(0, 10));
    assert.deepEqual(splitLineProtocol(`${a}\n`), { records: [a], partial: null });
    assert.deepEqual(splitLineProtocol(''), { records: [], partial: null });
  });
});

describe('LineProtocolFileSink and replay', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'harvest-lp-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('appends to <out>/points/<writerId>-<seq>.lp, rotates by size, keeps order', async () => {
    const out = join(dir, 'a');
    const sink = await LineProtocolFileSink.open({ outDir: out, writerId: 'w1', maxFileBytes: 400 });
    const points = Array.from({ length: 20 }, (_, i) => ({ ...pt({ i: String(i) }, { n: int(i), s: `multi\nline ${i}` }), timestamp: T + i }));
    // Concurrent callers: each write lands whole, in call order.
    await Promise.all(points.map((p) => sink.write([p])));
    await sink.close();
    const names = (await readdir(join(out, 'points'))).sort();
    assert.ok(names.length > 1, 'rotated');
    assert.ok(names.every((n) => /^w1-\d{6}\.lp$/.test(n)), names.join());
    const records: string[] = [];
    for (const n of names) {
      const text = await readFile(join(out, 'points', n), 'utf8');
      assert.ok(text.startsWith(FILE_HEADER));
      assert.ok(Buffer.byteLength(text) <= 400 || splitLineProtocol(text).records.length === 1);
      records.push(...splitLineProtocol(text).records);
    }
    assert.deepEqual(records, points.map(toLineProtocol));
  });

  test('a reopened writer starts a new file, never appending to an old one', async () => {
    const out = join(dir, 'b');
    const s1 = await LineProtocolFileSink.open({ outDir: out, writerId: 'w-x' });
    await s1.write([pt({}, { n: 1 })]);
    await s1.close();
    const s2 = await LineProtocolFileSink.open({ outDir: out, writerId: 'w-x' });
    await s2.write([pt({}, { n: 2 })]);
    await s2.close();
    assert.deepEqual((await readdir(join(out, 'points'))).sort(), ['w-x-000000.lp', 'w-x-000001.lp']);
    await assert.rejects(LineProtocolFileSink.open({ outDir: out, writerId: '../evil' }), /writerId/);
    await assert.rejects(s2.write([pt({}, { n: 3 })]), /after close/);
  });

  test('an invalid point rejects that write and leaves the file intact', async () => {
    const out = join(dir, 'c');
    const sink = await LineProtocolFileSink.open({ outDir: out, writerId: 'w' });
    await sink.write([pt({}, { n: 1 })]);
    await assert.rejects(sink.write([pt({}, { n: 2 }), pt({}, { n: Number.NaN })]), InvalidPointError);
    await sink.write([pt({}, { n: 3 })]);
    await sink.close();
    const { records } = splitLineProtocol(await readFile(join(out, 'points', 'w-000000.lp'), 'utf8'));
    assert.deepEqual(records, [toLineProtocol(pt({}, { n: 1 })), toLineProtocol(pt({}, { n: 3 }))]);
  });

  test('replay sends every record of every file in order, in batches, skipping a torn tail', async () => {
    const out = join(dir, 'd');
    const sink = await LineProtocolFileSink.open({ outDir: out, writerId: 'w', maxFileBytes: 1000 });
    const points = Array.from({ length: 30 }, (_, i) => ({ ...pt({ i: String(i) }, { n: int(i) }), timestamp: T + i }));
    for (const p of points) await sink.write([p]);
    await sink.close();
    // A writer that died mid-append leaves a line without its newline.
    await writeFile(join(out, 'points', 'dead-000000.lp'), `${FILE_HEADER}${toLineProtocol(points[0])}\nm,torn=1 n=`);
    const got: string[][] = [];
    const files: string[] = [];
    const res = await replayLineProtocolFiles(out, { writeLines: async (l) => void got.push([...l]) }, { batchLines: 7, onFile: (f) => void files.push(f) });
    assert.equal(res.partialSkipped, 1);
    assert.equal(res.records, 31);
    assert.equal(res.files, files.length);
    assert.ok(got.every((b) => b.length <= 7));
    assert.deepEqual(got.flat().slice(1), points.map(toLineProtocol), 'dead-* sorts first, then w-* in write order');
    // The points folder itself works as well.
    const again = await replayLineProtocolFiles(join(out, 'points'), { writeLines: async () => {} });
    assert.equal(again.records, 31);
  });

  test('replay stops at the first failed request and reports it', async () => {
    const out = join(dir, 'e');
    const sink = await LineProtocolFileSink.open({ outDir: out, writerId: 'w' });
    await sink.write([pt({}, { n: 1 }), pt({}, { n: 2 })]);
    await sink.close();
    await appendFile(join(out, 'points', 'w-000000.lp'), '');
    await assert.rejects(
      replayLineProtocolFiles(out, { writeLines: async () => { throw new Error('influx down'); } }),
      /influx down/,
    );
  });
});
