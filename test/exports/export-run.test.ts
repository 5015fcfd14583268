// The export frame over a real dataset folder (shards written by the ShardWriter): only the highest
// version of a record, files per role and split with a manifest whose sha256s match, the target's
// extra files, a counted skip for what is not a sample, and a rule break that stops the export with
// exit 1 naming the sample and the rule, leaving no file behind.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ExportRuleError, runSftExport } from '../../src/exports/export-run.ts';
import { writeDpoFile } from '../../src/exports/dpo.ts';
import { llamaFactoryFormat } from '../../src/exports/llamafactory.ts';
import { openAiFormat, openAiOptions } from '../../src/exports/openai.ts';
import { shareGptFormat } from '../../src/exports/sharegpt.ts';
import type { Sample } from '../../src/model/sample.ts';
import { ShardWriter } from '../../src/sinks/shards/shard-writer.ts';
import { contextSample, meta, parallelSample, textPair, toolPair } from './samples.ts';

async function dataset(values: unknown[]): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'harvest-export-'));
  const w = new ShardWriter({ root: join(dir, 'samples'), workerId: 'w1', maxBytes: 1 << 20 });
  for (const [i, v] of values.entries()) {
    const m = (v as { metadata?: { record_id?: string; version?: number } }).metadata ?? {};
    await w.append('train/polecat', [{ json: JSON.stringify(v), entry: { recordId: m.record_id ?? `x${i}`, version: m.version ?? 1, gptHash: `g${i}`, sampleHash: `s${i}` } }]);
  }
  await w.sealAll();
  return dir;
}

const lines = (path: string): Record<string, any>[] => readFileSync(path, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));

function standardSet(): unknown[] {
  const older = contextSample({ version: 1 });
  older.messages[4] = { role: 'assistant', content: 'OLD READ' };
  return [
    parallelSample(),
    older,
    contextSample({ version: 2 }),
    parallelSample({ record_id: 'rec-val', role: 'mayor', split: 'val' }),
    parallelSample({ record_id: 'rec-abandoned', branch: 'abandoned' }),
    { conversations: [{ from: 'system', value: 'old shape' }], metadata: meta({ record_id: 'rec-old' }) },
  ];
}

test('every format: highest version only, role and split files, manifest sha256s, extras, counted skips', async () => {
  const dir = await dataset(standardSet());
  for (const [fmt, extra] of [
    [openAiFormat(openAiOptions('openai')), 'axolotl.yaml'],
    [openAiFormat(openAiOptions('trl')), 'axolotl.yaml'],
    [llamaFactoryFormat(), 'dataset_info.json'],
    [shareGptFormat(), 'dataset_info.json'],
  ] as const) {
    const out = join(dir, `out-${fmt.name}-${fmt.options.target ?? ''}`);
    const m = await runSftExport(dir, out, fmt);
    assert.deepEqual(m.files.map((f) => f.file), ['gastown_train.jsonl', 'gastown_val.jsonl', 'polecat_train.jsonl']);
    assert.deepEqual(m.extras, [extra]);
    assert.deepEqual(m.samples, { train: { polecat: 2 }, val: { mayor: 1 } });
    assert.equal(m.counts.superseded, 1);
    assert.equal(m.counts.skipped_abandoned_branch, 1);
    assert.equal(m.counts.skipped_invalid, 1);
    assert.ok(m.rules.length >= 6);
    for (const f of m.files) {
      const buf = readFileSync(join(out, f.file));
      assert.equal(createHash('sha256').update(buf).digest('hex'), f.sha256);
      assert.equal(buf.length, f.bytes);
      assert.equal(lines(join(out, f.file)).length, f.records);
    }
    const text = readFileSync(join(out, 'gastown_train.jsonl'), 'utf8');
    assert.ok(!text.includes('OLD READ'), 'a superseded version is never exported');
    assert.ok(!readdirSync(out).some((n) => n.includes('.tmp')));
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    assert.equal(manifest.format, fmt.name);
  }
  const info = JSON.parse(readFileSync(join(dir, 'out-llamafactory-', 'dataset_info.json'), 'utf8'));
  assert.deepEqual(info.harvest_gastown_train, {
    file_name: 'gastown_train.jsonl', formatting: 'sharegpt',
    columns: { messages: 'conversations', system: 'system', tools: 'tools' },
    tags: { role_tag: 'from', content_tag: 'value', user_tag: 'human', assistant_tag: 'gpt', system_tag: 'system', observation_tag: 'observation', function_tag: 'function_call' },
  });
  const sg = JSON.parse(readFileSync(join(dir, 'out-sharegpt-', 'dataset_info.json'), 'utf8'));
  assert.deepEqual(sg.harvest_polecat_train.columns, { messages: 'conversations' });
  const yaml = readFileSync(join(dir, 'out-openai-trl', 'axolotl.yaml'), 'utf8');
  assert.match(yaml, /type: chat_template/);
  assert.match(yaml, /message_field_training: weight/);
  assert.match(yaml, /field_thinking: reasoning_content/);
});

test('with --with-metadata the line keeps its metadata; --min-score leaves low samples out', async () => {
  const dir = await dataset([parallelSample({ quality_score: 0.9 }), contextSample({ quality_score: 0.1 })]);
  const m = await runSftExport(dir, join(dir, 'o'), llamaFactoryFormat(), { withMetadata: true, minScore: 0.5 });
  assert.equal(m.counts.skipped_below_min_score, 1);
  assert.equal(lines(join(dir, 'o', 'gastown_train.jsonl'))[0].metadata.record_id, 'rec-1');
});

test('a line that breaks a rule stops the export: exit 1, the sample and the rule named, nothing written', async () => {
  const bad: Sample = parallelSample({ record_id: 'rec-bad' });
  // A valid sample (validate passes it) whose tool name OpenAI's pattern refuses.
  bad.tools[0].function.name = 'mcp:read file';
  (bad.messages[2] as { tool_calls: { function: { name: string } }[] }).tool_calls[0].function.name = 'mcp:read file';
  (bad.messages[3] as { name: string }).name = 'mcp:read file';
  const dir = await dataset([parallelSample(), bad]);
  const out = join(dir, 'out');
  await assert.rejects(runSftExport(dir, out, openAiFormat(openAiOptions('openai'))), (e: unknown) => {
    assert.ok(e instanceof ExportRuleError);
    assert.equal(e.exitCode, 1);
    assert.match(e.message, /sample rec-bad in gastown_train.jsonl breaks rule tools-shape/);
    return true;
  });
  assert.deepEqual(readdirSync(out), [], 'no file left behind');
});

test('an empty or missing dataset writes the empty combined files and a manifest', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'harvest-export-empty-'));
  const m = await runSftExport(dir, join(dir, 'o'), openAiFormat(openAiOptions('openai')));
  assert.deepEqual(m.files.map((f) => [f.file, f.records]), [['gastown_train.jsonl', 0], ['gastown_val.jsonl', 0]]);
});

async function* pairs(...ps: ReturnType<typeof textPair>[]) {
  yield* ps;
}

test('dpo files: checked lines, manifest with the rules, dataset_info.json merged beside an SFT one', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'harvest-dpo-'));
  writeFileSync(join(dir, 'dataset_info.json'), JSON.stringify({ harvest_gastown_train: { file_name: 'gastown_train.jsonl' } }));
  for (const format of ['trl', 'llamafactory', 'openai'] as const) {
    const out = join(dir, `pairs-${format}.jsonl`);
    const counts = {};
    const r = await writeDpoFile(pairs(textPair(), toolPair()), out, format, { dataset: dir, options: {} }, counts);
    assert.equal(r.pairs, format === 'openai' ? 1 : 2);
    assert.equal(lines(out).length, r.pairs);
    const man = JSON.parse(readFileSync(join(dir, `pairs-${format}.manifest.json`), 'utf8'));
    assert.equal(man.sha256, createHash('sha256').update(readFileSync(out)).digest('hex'));
    assert.equal(man.format, `${format}-preference`);
    assert.ok(man.rules.length > 2);
  }
  const info = JSON.parse(readFileSync(join(dir, 'dataset_info.json'), 'utf8'));
  assert.deepEqual(Object.keys(info), ['harvest_gastown_train', 'harvest_pairs-llamafactory']);
  assert.equal(info['harvest_pairs-llamafactory'].ranking, true);
  assert.deepEqual(info['harvest_pairs-llamafactory'].columns, { messages: 'conversations', system: 'system', tools: 'tools', chosen: 'chosen', rejected: 'rejected' });
});
