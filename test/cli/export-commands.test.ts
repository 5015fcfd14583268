// The export subcommands as a person runs them: files and a summary on success, one line and exit 2
// for arguments that cannot work, exit 1 naming the sample and the rule when a line breaks one.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ShardWriter } from '../../src/sinks/shards/shard-writer.ts';
import { runCli } from '../support/harvest-cli.ts';
import { contextSample, parallelSample } from '../exports/samples.ts';
import type { Sample } from '../../src/model/sample.ts';

async function dataset(samples: Sample[]): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'harvest-export-cli-'));
  const w = new ShardWriter({ root: join(dir, 'samples'), workerId: 'w1', maxBytes: 1 << 20 });
  for (const [i, s] of samples.entries()) {
    await w.append('train/polecat', [{ json: JSON.stringify(s), entry: { recordId: String(s.metadata.record_id), version: 1, gptHash: `g${i}`, sampleHash: `s${i}` } }]);
  }
  await w.sealAll();
  return dir;
}

const env = { HARVEST_LOG_LEVEL: 'silent' };

test('export openai and llamafactory write files and say so; --json prints the manifest', async () => {
  const dir = await dataset([parallelSample(), contextSample()]);
  const r = await runCli(['export', 'openai', '--data', dir, '--out', join(dir, 'o')], env);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /gastown_train.jsonl: 2 samples/);
  assert.match(r.stdout, /rules checked on every line/);
  assert.ok(existsSync(join(dir, 'o', 'axolotl.yaml')));
  const j = await runCli(['export', 'llamafactory', '--data', dir, '--out', join(dir, 'l'), '--json'], env);
  assert.equal(j.code, 0, j.stderr);
  const m = JSON.parse(j.stdout);
  assert.equal(m.format, 'llamafactory');
  assert.deepEqual(m.extras, ['dataset_info.json']);
});

test('arguments that cannot work: one line, exit 2', async () => {
  const dir = await dataset([]);
  for (const [args, pattern] of [
    [['--target', 'openai', '--reasoning', 'field'], /no reasoning field.*--target trl/],
    [['--target', 'openai', '--arguments', 'object'], /JSON strings/],
    [['--with-metadata'], /metadata/],
    [['--target', 'vllm'], /target/],
  ] as const) {
    const r = await runCli(['export', 'openai', '--data', dir, '--out', join(dir, 'o'), ...args], env);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, pattern);
  }
  const d = await runCli(['export', 'dpo', '--data', dir, '--out', join(dir, 'pairs.txt')], env);
  assert.equal(d.code, 2);
  assert.match(d.stderr, /not a \.jsonl file/);
});

test('a line that breaks its target\'s rule: exit 1 naming the sample and the rule, no files', async () => {
  const bad = parallelSample({ record_id: 'rec-bad-name' });
  bad.tools[1].function.name = 'grep files';
  (bad.messages[2] as { tool_calls: { function: { name: string } }[] }).tool_calls[1].function.name = 'grep files';
  (bad.messages[4] as { name: string }).name = 'grep files';
  const dir = await dataset([bad]);
  const r = await runCli(['export', 'openai', '--data', dir, '--out', join(dir, 'o')], env);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /^harvest: export openai: sample rec-bad-name in gastown_train.jsonl breaks rule tools-shape/);
  assert.equal(r.stderr.trim().split('\n').length, 1, 'one line');
  assert.ok(!existsSync(join(dir, 'o', 'gastown_train.jsonl')));
});
