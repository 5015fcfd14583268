// `harvest export eval` through the command, on a dataset backfilled from the fixtures with bead
// outcomes linked through Redis: lora-forge's eval/prompts layout (one file per role, lines of
// exactly {role, scenario, system, user, expected_behaviors}), the best episodes of each role first,
// patrol cycles and first-try bead closures among them, every expected behavior found (the way
// role_bench matches) in the tool calls of the episode it came from, nothing secret.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REDIS_URL, uniquePrefix, dropPrefix } from '../support/redis.ts';
import { runCli, REPO } from '../support/harvest-cli.ts';
import { behaviorPattern } from '../support/role-bench.ts';
import { readDataset } from '../../src/sinks/shards/dataset-reader.ts';
import type { Sample } from '../../src/model/sample.ts';

const prefix = uniquePrefix('evalx');
const data = mkdtempSync(join(tmpdir(), 'harvest-eval-data-'));
const out = join(mkdtempSync(join(tmpdir(), 'harvest-eval-out-')), 'eval', 'prompts');
const env = { REDIS_URL, HARVEST_PREFIX: prefix };

before(async () => {
  const cli = async (args: string[]) => {
    const r = await runCli(args, env);
    assert.equal(r.code, 0, `harvest ${args.join(' ')}\n${r.stderr}`);
  };
  await cli(['beads', 'ingest', join(REPO, 'fixtures/beads/harvest'), '--inline', '--out', data]);
  await cli(['backfill', '--claude', join(REPO, 'fixtures/beads/sessions/claude'), '--pir', join(REPO, 'fixtures/beads/sessions/pi'), '--out', data, '--inline']);
  await cli(['backfill', '--claude', join(REPO, 'fixtures/claude/projects'), '--pir', join(REPO, 'fixtures/pi/sessions'), '--out', data, '--inline']);
});
after(() => dropPrefix(prefix));

interface Source { role: string; scenario: string; session_id: string; record_ids: string[]; score: number; kind: string; bead_id?: string }

test('scenario files per role in lora-forge\'s layout, from the best episodes, behaviors from their calls', async () => {
  const r = await runCli(['export', 'eval', '--data', data, '--out', out, '--per-role', '3'], env);
  assert.equal(r.code, 0, r.stderr);
  const files = readdirSync(out).filter((f) => f.endsWith('_scenarios.jsonl')).sort();
  for (const role of ['deacon', 'mayor', 'polecat', 'refinery', 'witness']) assert.ok(files.includes(`${role}_scenarios.jsonl`), `${role}: ${files}`);
  const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as { scenarios: Source[]; files: string[] };
  assert.deepEqual([...manifest.files].sort(), files);

  // The calls of every sample, to check each behavior against the episode it came from.
  const calls = new Map<string, string>();
  for await (const rec of readDataset(join(data, 'samples'))) {
    const s = rec.value as unknown as Sample;
    const text = s.messages.flatMap((m) => (m.role === 'assistant' ? (m.tool_calls ?? []) : []))
      .map((c) => `<tool_call>{"name":${JSON.stringify(c.function.name)},"arguments":${c.function.arguments}}</tool_call>`).join('\n');
    calls.set(s.metadata.record_id, text);
  }
  const all = readFileSync(join(out, files[0]), 'utf8') + files.slice(1).map((f) => readFileSync(join(out, f), 'utf8')).join('');
  assert.doesNotMatch(all, /sk-ant-api03-FAKE|ghp_FAKE|AKIAIOSFODNN7EXAMPLE|hunter2/);
  for (const f of files) {
    const role = f.replace('_scenarios.jsonl', '');
    const lines = readFileSync(join(out, f), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    assert.ok(lines.length >= 1 && lines.length <= 3, `${f}: ${lines.length}`);
    const sources = manifest.scenarios.filter((s) => s.role === role);
    assert.equal(sources.length, lines.length);
    for (let i = 1; i < sources.length; i++) assert.ok(sources[i - 1].score >= sources[i].score, `${role}: best first`);
    lines.forEach((l, i) => {
      assert.deepEqual(Object.keys(l), ['role', 'scenario', 'system', 'user', 'expected_behaviors']);
      assert.equal(l.role, role);
      assert.match(l.system, new RegExp(`^\\[GAS TOWN ROLE: ${role}\\]`));
      assert.ok(l.user.length >= 24 && l.scenario.length > 0);
      assert.ok(Array.isArray(l.expected_behaviors) && l.expected_behaviors.length >= 1);
      assert.equal(sources[i].scenario, l.scenario);
      const episodeCalls = sources[i].record_ids.map((id) => calls.get(id) ?? '').join('\n');
      for (const b of l.expected_behaviors) assert.match(episodeCalls, behaviorPattern(b), `${role} "${l.scenario}": ${b}`);
    });
  }
  const deacon = manifest.scenarios.filter((s) => s.role === 'deacon');
  assert.equal(deacon[0].kind, 'patrol', 'the deacon\'s best is a patrol cycle');
  assert.match(deacon[0].scenario, /^Patrol cycle: /);
  const firstTry = manifest.scenarios.filter((s) => s.kind === 'first_try_bead');
  assert.ok(firstTry.some((s) => s.role === 'polecat'), 'a polecat\'s first-try bead closure');
  for (const s of firstTry) assert.match(s.scenario, new RegExp(`^First-try bead ${s.bead_id}: `));
  const refinery = readFileSync(join(out, 'refinery_scenarios.jsonl'), 'utf8');
  assert.match(refinery, /"runs git push"|"runs bd close"|"git merge"/);
});

test('no dataset: exit 2 naming the folder', async () => {
  const r = await runCli(['export', 'eval', '--data', join(data, 'nope'), '--out', out], env);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^harvest: --data .*nope: no such folder/);
});
