import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, createWriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readJsonLines } from '../../src/sources/jsonl-lines.ts';
import type { Counts } from '../../src/model/session.ts';

const dir = mkdtempSync(join(tmpdir(), 'harvest-jsonl-'));

async function read(content: Buffer | string, opts = {}) {
  const p = join(dir, `f${Math.random()}.jsonl`);
  writeFileSync(p, content);
  const values: unknown[] = [];
  const counts: Counts = {};
  await readJsonLines(p, (v) => values.push(v), counts, opts);
  return { values, counts };
}

test('good lines parse in order; malformed and blank lines are counted, not fatal', async () => {
  const { values, counts } = await read('{"a":1}\nnot json\n\n{"a":2}\n');
  assert.deepEqual(values, [{ a: 1 }, { a: 2 }]);
  assert.equal(counts.malformed_json, 1);
  assert.equal(counts.empty_lines, 1);
  assert.equal(counts.lines, 4);
});

test('a truncated last line (file still being written) is counted apart from malformed', async () => {
  const { values, counts } = await read('{"a":1}\n{"a":2,"b":');
  assert.deepEqual(values, [{ a: 1 }]);
  assert.equal(counts.truncated_last_line, 1);
  assert.equal(counts.malformed_json, undefined);
});

test('a complete last line without a newline is kept', async () => {
  const { values } = await read('{"a":1}\n{"a":2}');
  assert.deepEqual(values, [{ a: 1 }, { a: 2 }]);
});

test('invalid UTF-8 lines are skipped and counted', async () => {
  const bad = Buffer.concat([Buffer.from('{"a":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}\n{"a":3}\n')]);
  const { values, counts } = await read(bad);
  assert.deepEqual(values, [{ a: 3 }]);
  assert.equal(counts.invalid_utf8, 1);
});

test('CRLF line endings and multi-byte characters split across reads survive', async () => {
  const line = JSON.stringify({ t: 'héllo wörld ✓ 日本語'.repeat(50) });
  const { values } = await read(`${line}\r\n${line}\r\n`, { chunkBytes: 7 });
  assert.equal(values.length, 2);
  assert.equal((values[0] as { t: string }).t.slice(0, 5), 'héllo');
});

test('a line over the limit is skipped without being buffered, the next line still read', async () => {
  const big = `{"x":"${'a'.repeat(5000)}"}`;
  const { values, counts } = await read(`{"a":1}\n${big}\n{"a":2}\n${big}`, { maxLineBytes: 1000, chunkBytes: 256 });
  assert.deepEqual(values, [{ a: 1 }, { a: 2 }]);
  assert.equal(counts.oversize_line, 2);
});

test('an empty file yields nothing', async () => {
  const { values, counts } = await read('');
  assert.deepEqual(values, []);
  assert.equal(counts.lines ?? 0, 0);
});

test('a missing file rejects with the path in the message', async () => {
  await assert.rejects(readJsonLines(join(dir, 'nope.jsonl'), () => {}, {}), /nope\.jsonl/);
});

test('memory stays bounded on a file with a 64 MB line', async () => {
  const p = join(dir, 'huge.jsonl');
  const ws = createWriteStream(p);
  const block = 'b'.repeat(1024 * 1024);
  ws.write('{"a":1}\n{"x":"');
  for (let i = 0; i < 64; i++) ws.write(block);
  ws.write('"}\n{"a":2}\n');
  await new Promise((r) => ws.end(r));
  const before = process.memoryUsage().rss;
  const values: unknown[] = [];
  const counts: Counts = {};
  await readJsonLines(p, (v) => values.push(v), counts, { maxLineBytes: 8 * 1024 * 1024 });
  assert.deepEqual(values, [{ a: 1 }, { a: 2 }]);
  assert.equal(counts.oversize_line, 1);
  assert.ok(process.memoryUsage().rss - before < 48 * 1024 * 1024, 'rss grew by less than 48 MB');
});

test('a leading UTF-8 byte order mark is stripped: the first line parses; one later in the file is not', async () => {
  const bom = Buffer.from([0xef, 0xbb, 0xbf]);
  const { values, counts } = await read(Buffer.concat([bom, Buffer.from('{"a":1}\n'), bom, Buffer.from('{"a":2}\n')]));
  assert.deepEqual(values, [{ a: 1 }]);
  assert.equal(counts.malformed_json, 1);
  // A file of only a BOM is blank, not malformed.
  const only = await read(Buffer.concat([bom, Buffer.from('\n')]));
  assert.deepEqual(only.values, []);
  assert.equal(only.counts.empty_lines, 1);
});

test('readFrom: the bytes come from there, not from the path', async () => {
  const p = join(dir, 'named.jsonl');
  const other = join(dir, 'other.jsonl');
  writeFileSync(p, '{"from":"path"}\n');
  writeFileSync(other, '{"from":"readFrom"}\n');
  const values: unknown[] = [];
  await readJsonLines(p, (v) => values.push(v), {}, { readFrom: other });
  assert.deepEqual(values, [{ from: 'readFrom' }]);
});
