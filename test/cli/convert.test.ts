// `harvest convert` on a session file of every harness, in each format, with no service running
// (REDIS_URL points at a closed port) and no dataset folder: the lines pass their format's rules,
// as many as the session pipeline makes of each file, secrets scrubbed; --out writes one file;
// a missing file exits 2, a file of no known format exits 1 with the others converted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, REPO } from '../support/harvest-cli.ts';
import { freePort } from '../support/free-port.ts';
import { convertSessionFile } from '../../src/pipeline/convert-session.ts';
import { convertFormat, CONVERT_FORMATS } from '../../src/cli/convert.ts';
import { loadConfig } from '../../src/config.ts';

/** One file per harness (the fixtures' README says what each holds). */
const FILES: Record<string, string> = {
  claude: 'fixtures/claude/projects/-home-agent-gt-harvest-polecats-nux/7a9b1c3d-5e4f-4a6b-8c9d-0e1f2a3b4c56.jsonl',
  pi: 'fixtures/pi/sessions/--home-ubuntu-gt-mayor--/2025-11-20T10-00-00-000Z_7f3c2a10-1b2c-4d5e-8f90-a1b2c3d4e5f6.jsonl',
  omp: 'fixtures/omp/sessions/--home-agent-gt-deacon-dogs-boot--/2026-03-07T08-00-00-000Z_6d7e8f90-a1b2-4c3d-9e4f-5a6b7c8d9e0f.jsonl',
  codex: 'fixtures/codex/sessions/2026/03/05/rollout-2026-03-05T10-00-00-0195b6a2-4c1d-7e3f-9a8b-00000000c0de.jsonl',
  gemini: 'fixtures/gemini/tmp/max/chats/session-2026-03-06T09-00-5a1b2c3d.jsonl',
  opencode: 'fixtures/opencode/opencode.db',
};

async function noServices(): Promise<NodeJS.ProcessEnv> {
  const closed = await freePort();
  return { REDIS_URL: `redis://127.0.0.1:${closed}`, INFLUX_URL: '', HARVEST_OUT: join(mkdtempSync(join(tmpdir(), 'harvest-convert-')), 'never-made') };
}

/** What the pipeline makes of each file, in this process. */
async function expectedCounts(): Promise<Record<string, number>> {
  const cfg = loadConfig({});
  const out: Record<string, number> = {};
  for (const [h, f] of Object.entries(FILES)) {
    const c = await convertSessionFile(join(REPO, f), { townRoot: cfg.townRoot, valPercent: cfg.valPercent, thinking: cfg.thinking, maxTokens: cfg.maxTokens, tokenizer: cfg.tokenizer });
    out[h] = c.samples.length;
  }
  return out;
}

test('every harness, every format: lines that pass the format\'s rules, one per sample, no service needed', async () => {
  const expected = await expectedCounts();
  for (const [h, n] of Object.entries(expected)) assert.ok(n >= 1, `${h}: the fixture makes samples`);
  const env = await noServices();
  for (const format of CONVERT_FORMATS) {
    const r = await runCli(['convert', ...Object.values(FILES), '--format', format], env);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.equal(lines.length, Object.values(expected).reduce((a, b) => a + b, 0), format);
    const fmt = await convertFormat(format, 'keep');
    for (const l of lines) assert.deepEqual(fmt.check(l), [], `${format}: ${JSON.stringify(l).slice(0, 200)}`);
    for (const [h, f] of Object.entries(FILES)) assert.ok(r.stderr.includes(`${expected[h]} from ${f} (`), `${format}/${h}: ${r.stderr}`);
    assert.match(r.stderr, new RegExp(`converted 6 file\\(s\\) into ${lines.length} ${format} sample\\(s\\)`));
    assert.doesNotMatch(r.stdout, /ghp_|sk-ant-api03-|AKIAIOSFODNN7EXAMPLE|hunter2|eyJhbGciOi/, 'secrets scrubbed');
    if (format === 'openai') for (const l of lines) assert.ok(Array.isArray(l.messages) && (l.tools === undefined || Array.isArray(l.tools)));
    if (format !== 'openai') for (const l of lines) assert.ok(Array.isArray(l.conversations));
  }
  assert.equal(existsSync(env.HARVEST_OUT!), false, 'no dataset folder made');
});

test('--out writes one file; --metadata keeps each sample\'s metadata', async () => {
  const env = await noServices();
  const out = join(mkdtempSync(join(tmpdir(), 'harvest-convert-out-')), 'codex.jsonl');
  const r = await runCli(['convert', FILES.codex, '--out', out, '--metadata', '--quiet'], env);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, '');
  assert.equal(r.stderr, '');
  const lines = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.ok(lines.length >= 1);
  for (const l of lines) {
    assert.equal(l.metadata.runtime, 'codex');
    assert.equal(l.metadata.schema_version, 2);
  }
});

test('a missing file exits 2 before anything; a file of no known format exits 1, the others converted', async () => {
  const env = await noServices();
  const missing = await runCli(['convert', FILES.pi, 'no/such/session.jsonl'], env);
  assert.equal(missing.code, 2);
  assert.equal(missing.stdout, '');
  assert.match(missing.stderr, /^harvest: .*no\/such\/session\.jsonl: no such file; /);
  const folder = await runCli(['convert', 'fixtures/pi/sessions'], env);
  assert.equal(folder.code, 2);
  assert.match(folder.stderr, /a folder, not a session file; .*harvest backfill/);
  const mixed = await runCli(['convert', 'package.json', FILES.pi], env);
  assert.equal(mixed.code, 1, mixed.stderr);
  assert.ok(mixed.stdout.trim().split('\n').length >= 1, 'the pi file was converted');
  assert.match(mixed.stderr, /not a session file of any known format: .*package\.json/);
});
