// One `harvest backfill` over Claude Code, pi (pir), omp, Codex, Gemini CLI and OpenCode folders
// makes one dataset: every harness's sessions land in it, named by metadata.source; the OpenCode
// store is one job per session; a re-run over the unchanged folders enqueues nothing.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REDIS_URL, uniquePrefix, dropPrefix } from '../support/redis.ts';
import { runCli, lastJson, REPO } from '../support/harvest-cli.ts';
import { readDataset } from '../../src/sinks/shards/dataset-reader.ts';

const prefixes: string[] = [];
after(async () => {
  for (const p of prefixes) await dropPrefix(p);
});

const ROOTS = {
  claude: join(REPO, 'fixtures/claude/projects'),
  pir: join(REPO, 'fixtures/pi/sessions'),
  omp: join(REPO, 'fixtures/omp/sessions'),
  codex: join(REPO, 'fixtures/codex/sessions'),
  gemini: join(REPO, 'fixtures/gemini/tmp'),
  opencode: join(REPO, 'fixtures/opencode'),
};

test('one backfill over every harness makes one dataset; a re-run adds nothing', async () => {
  const prefix = uniquePrefix('harnesses');
  prefixes.push(prefix);
  const out = mkdtempSync(join(tmpdir(), 'harvest-harnesses-'));
  const env = { REDIS_URL, HARVEST_PREFIX: prefix, HARVEST_OUT: out, HARVEST_ROOTS: Object.values(ROOTS).join(':'), HARVEST_SEAL_IDLE_MS: '500' };
  const args = ['backfill', ...Object.entries(ROOTS).flatMap(([k, v]) => [`--${k}`, v]), '--inline', '--json', '--out', out];
  const first = await runCli(args, env);
  assert.equal(first.code, 0, first.stderr);
  const summary = lastJson<{ files: { found: number; enqueued: number; failed: number } }>(first.stdout);
  // 13 Claude + 3 pir + 1 omp + 1 Codex + 2 Gemini files, and the 2 sessions of the OpenCode store.
  assert.equal(summary.files.enqueued, 22, JSON.stringify(summary));
  assert.equal(summary.files.failed, 0, JSON.stringify(summary));

  const sources = new Map<string, number>();
  for await (const r of readDataset(join(out, 'samples'))) {
    const m = r.value.metadata as { source: string };
    sources.set(m.source, (sources.get(m.source) ?? 0) + 1);
  }
  for (const s of ['claude-code', 'pir', 'omp', 'codex', 'gemini', 'opencode']) assert.ok(sources.has(s), `no samples from ${s}: ${JSON.stringify([...sources])}`);

  const again = await runCli(args, env);
  assert.equal(again.code, 0, again.stderr);
  assert.equal(lastJson<{ files: { enqueued: number } }>(again.stdout).files.enqueued, 0);
});
