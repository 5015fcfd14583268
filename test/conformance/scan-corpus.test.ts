// The publishing gate over real sessions (../shared/corpus, see its SOURCES.md): the dataset that
// `backfill --inline` makes of the corpus holds nothing `harvest scan` would flag. Skipped when the
// corpus is absent; the files are read in place.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, test } from 'node:test';
import { lastJson, runCli } from '../support/harvest-cli.ts';
import { dropPrefix, REDIS_URL, uniquePrefix } from '../support/redis.ts';
import type { ScanResult } from '../../src/pipeline/secret-scan.ts';

const CORPUS = fileURLToPath(new URL('../../../shared/corpus', import.meta.url));
const skip = existsSync(CORPUS) ? false : `no corpus at ${CORPUS}`;
const prefix = uniquePrefix('scan-corpus');
after(() => dropPrefix(prefix));

test('scan finds nothing in a dataset made from the corpus (every harness)', { skip }, async () => {
  const claude = [join(CORPUS, 'claude'), join(CORPUS, 'claude-recent')];
  const pi = [join(CORPUS, 'pi')];
  const others = { '--codex': join(CORPUS, 'codex', 'sessions'), '--gemini': join(CORPUS, 'gemini', 'tmp'), '--opencode': join(CORPUS, 'opencode') };
  const out = mkdtempSync(join(tmpdir(), 'harvest-scan-corpus-'));
  const roots = [...claude, ...pi, ...Object.values(others)];
  const env = { REDIS_URL, HARVEST_PREFIX: prefix, HARVEST_OUT: out, HARVEST_ROOTS: roots.join(':'), HARVEST_SEAL_IDLE_MS: '500' };
  const args = ['backfill', '--inline', '--out', out, '--json', ...claude.flatMap((d) => ['--claude', d]), ...pi.flatMap((d) => ['--pir', d]), ...Object.entries(others).flat()];
  const run = await runCli(args, env, 300_000);
  assert.equal(run.code, 0, run.stderr.slice(-2000));
  const scan = await runCli(['scan', join(out, 'samples'), '--json'], {}, 300_000);
  const r = lastJson<ScanResult>(scan.stdout);
  assert.ok(r.lines > 100, `samples were scanned (${r.lines} lines)`);
  assert.deepEqual(r.findings.map((f) => `${f.kind} ${f.file}:${f.line}`), []);
  assert.equal(scan.code, 0);
});
