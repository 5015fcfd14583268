// `harvest scan` as a person runs it: over a raw session folder that holds a generated credential
// of every kind it finds each (by kind and file:line, never the value) and exits 1; the dataset that
// `backfill --inline` makes of the same folder holds none of them, and the scan exits 0.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { runCli, lastJson } from '../support/harvest-cli.ts';
import { dropPrefix, REDIS_URL, uniquePrefix } from '../support/redis.ts';
import { writeSecretSession } from '../support/secret-session.ts';
import type { ScanResult } from '../../src/pipeline/secret-scan.ts';

const prefixes: string[] = [];
after(async () => {
  for (const p of prefixes) await dropPrefix(p);
});

function textUnder(dir: string): string {
  let out = '';
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    out += statSync(p).isDirectory() ? textUnder(p) : readFileSync(p, 'utf8');
  }
  return out;
}

test('scan finds every kind in the raw session, then nothing in the dataset backfill made of it', async () => {
  const root = mkdtempSync(join(tmpdir(), 'harvest-scan-'));
  const sessions = join(root, 'projects');
  const s = writeSecretSession(sessions);

  const raw = await runCli(['scan', sessions, '--json'], {});
  assert.equal(raw.code, 1, raw.stderr);
  const found = lastJson<ScanResult>(raw.stdout);
  const kinds = new Set(found.findings.filter((f) => f.by === 'harvest').map((f) => f.kind));
  const missing = s.kinds.filter((k) => !kinds.has(k));
  assert.deepEqual(missing, [], `kinds not found in the raw session (found ${[...kinds].join(', ')})`);
  assert.ok(found.findings.every((f) => f.file.endsWith('.jsonl') && f.line > 1));
  for (const secret of s.secrets) assert.ok(!raw.stdout.includes(secret), 'scan never prints a value');
  const text = await runCli(['scan', sessions], {});
  assert.equal(text.code, 1);
  assert.match(text.stdout, /^github_token: \d+\n {2}\S+\.jsonl:\d+/m);
  assert.match(text.stdout, /findings of \d+ kinds in 1 of 1 files/);

  const prefix = uniquePrefix('scan');
  prefixes.push(prefix);
  const out = join(root, 'out');
  const env = { REDIS_URL, HARVEST_PREFIX: prefix, HARVEST_OUT: out, HARVEST_ROOTS: sessions, HARVEST_SEAL_IDLE_MS: '500' };
  const run = await runCli(['backfill', '--inline', '--claude', sessions, '--out', out, '--json'], env);
  assert.equal(run.code, 0, run.stderr);
  const dataset = textUnder(join(out, 'samples'));
  assert.ok(dataset.length > 1000, 'samples were written');
  for (const secret of s.secrets) assert.ok(!dataset.includes(secret) && !dataset.includes(JSON.stringify(secret).slice(1, -1)), `a secret reached the dataset: ${secret.slice(0, 12)}...`);
  for (const kind of ['github_token', 'google_api_key', 'url_credentials', 'jwt']) assert.ok(dataset.includes(`[REDACTED:${kind}]`), `marker of ${kind} in the dataset`);

  const clean = await runCli(['scan', out, '--json'], {});
  assert.equal(clean.code, 0, clean.stdout.slice(0, 2000));
  const r = lastJson<ScanResult>(clean.stdout);
  assert.deepEqual(r.findings, []);
  assert.ok(r.files > 0 && r.lines > 0);
});

test('scan: a missing path is one line and exit 2; an export file and a binary file are handled', async () => {
  const missing = await runCli(['scan', '/nonexistent/harvest-scan'], {});
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /^harvest: \/nonexistent\/harvest-scan: no such file or folder; /);
  const dir = mkdtempSync(join(tmpdir(), 'harvest-scan-files-'));
  mkdirSync(join(dir, 'export'));
  writeFileSync(join(dir, 'export', 'train.jsonl'), JSON.stringify({ messages: [{ role: 'user', content: 'deploy with password=hunter2-prod!' }] }) + '\n');
  writeFileSync(join(dir, 'export', 'blob.bin'), Buffer.from([0, 1, 2, 3, 0]));
  const r = await runCli(['scan', join(dir, 'export'), '--json'], {});
  assert.equal(r.code, 1);
  const res = lastJson<ScanResult>(r.stdout);
  assert.deepEqual(res.findings.map((f) => [f.kind, f.line]), [['secret_assignment', 1]]);
  assert.equal(res.skipped.length, 1);
  assert.ok(!r.stdout.includes('hunter2'));
});
