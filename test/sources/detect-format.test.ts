// detectFormat lives in src/sources/detect-format.ts; its tests sit here with the Claude reader.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { detectFormat } from '../../src/sources/detect-format.ts';

const dir = mkdtempSync(join(tmpdir(), 'harvest-detect-'));
let n = 0;
function file(content: string | Buffer): string {
  const p = join(dir, `f${n++}.jsonl`);
  writeFileSync(p, content);
  return p;
}

test('a pi session header means pi', async () => {
  assert.equal(await detectFormat(file('{"type":"session","version":3,"id":"x","cwd":"/w"}\n{"type":"message"}\n')), 'pi');
  assert.equal(await detectFormat(file('\n\n{"type":"session","id":"x"}')), 'pi');
});

test('a pi header that is not the first line still routes to the pi reader', async () => {
  assert.equal(await detectFormat(file('garbage line\n{"type":"session","version":3,"id":"x"}\n{"type":"message"}\n')), 'pi');
  assert.equal(await detectFormat(file('{"type":"model_change","provider":"a"}\n{"type":"session","version":3,"id":"x"}\n')), 'pi');
});

test('anything else with content is claude', async () => {
  assert.equal(await detectFormat(file('{"type":"summary","summary":"s"}\n')), 'claude');
  assert.equal(await detectFormat(file('{"parentUuid":null,"type":"user","message":{}}\n')), 'claude');
  assert.equal(await detectFormat(file('not json at all\n')), 'claude');
  assert.equal(await detectFormat(file('{"type":"session"')), 'claude'); // a cut header is not one
});

test('empty or blank files are empty', async () => {
  assert.equal(await detectFormat(file('')), 'empty');
  assert.equal(await detectFormat(file('\n  \n\n')), 'empty');
});

test('only the first 64 KiB are read: a huge first line is claude, not an error', async () => {
  const big = `{"type":"user","message":{"content":"${'x'.repeat(200_000)}"}}\n`;
  assert.equal(await detectFormat(file(big)), 'claude');
});

test('a missing file rejects with its path', async () => {
  await assert.rejects(detectFormat(join(dir, 'gone.jsonl')), /gone\.jsonl/);
});
