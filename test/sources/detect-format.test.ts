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

test('the other harnesses are told apart by their first line or document shape', async () => {
  const codex = '{"timestamp":"2026-06-18T00:57:05.559Z","type":"session_meta","payload":{"id":"x","cwd":"/w"}}\n';
  assert.equal(await detectFormat(file(codex)), 'codex');
  assert.equal(await detectFormat(file('{"id":"old","timestamp":"2025-04-20T10:00:00Z","instructions":""}\n{"type":"message"}\n')), 'codex');
  assert.equal(await detectFormat(file('{"sessionId":"s","projectHash":"h","startTime":"t","kind":"main"}\n{"id":"m","type":"user"}\n')), 'gemini');
  assert.equal(await detectFormat(file('{\n  "sessionId": "s",\n  "projectHash": "h",\n  "messages": []\n}\n')), 'gemini-json');
  assert.equal(await detectFormat(file('{\n  "info": {\n    "id": "ses_1"\n  },\n  "messages": []\n}\n')), 'opencode-export');
  assert.equal(await detectFormat(file('{\n  "id": "ses_1",\n  "projectID": "p",\n  "directory": "/w",\n  "title": "t"\n}\n')), 'opencode-storage');
  assert.equal(await detectFormat(file('{\n  "unrelated": true\n}\n')), 'unknown');
  assert.equal(await detectFormat(file(Buffer.concat([Buffer.from('SQLite format 3\u0000'), Buffer.alloc(100)]))), 'opencode-store');
  // omp's title slot before the pi header.
  assert.equal(await detectFormat(file('{"type":"title","v":1,"title":"t","pad":"   "}\n{"type":"session","version":3,"id":"x"}\n')), 'pi');
});
