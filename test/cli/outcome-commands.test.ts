// The command files this work adds register on a program as main.ts will wire them: `beads`,
// `export dpo|openai|llamafactory|sharegpt` (joining an existing `export` command) and `report`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { registerBeadsCommand } from '../../src/cli/beads.ts';
import { registerTrainingExportCommands } from '../../src/cli/export-training.ts';
import { registerReportCommand } from '../../src/cli/report.ts';
import { gatherReport } from '../../src/pipeline/dataset-report.ts';
import { renderReportHtml } from '../../src/sinks/report/html.ts';

test('commands register; the training exports join an existing export command', () => {
  const program = new Command('harvest');
  const existing = program.command('export').description('x');
  existing.command('decisions');
  registerBeadsCommand(program);
  const exp = registerTrainingExportCommands(program);
  registerReportCommand(program);
  assert.equal(exp, existing);
  assert.deepEqual(exp.commands.map((c) => c.name()), ['decisions', 'dpo', 'openai', 'llamafactory', 'sharegpt']);
  assert.deepEqual(program.commands.map((c) => c.name()), ['export', 'beads', 'report']);
  assert.deepEqual(program.commands.find((c) => c.name() === 'beads')!.commands.map((c) => c.name()), ['ingest', 'show']);
  const alone = registerTrainingExportCommands(new Command('harvest'));
  assert.equal(alone.name(), 'export');
});

test('report and exports over an empty dataset folder: no crash, charts say no data', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'harvest-empty-'));
  // An empty dataset (a folder with no dataset at all is refused: test/cli/newcomer-errors.test.ts).
  mkdirSync(join(dir, 'samples'));
  const program = new Command('harvest').exitOverride();
  registerTrainingExportCommands(program);
  registerReportCommand(program);
  const writes: string[] = [];
  const orig = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((s: string) => (writes.push(String(s)), true)) as typeof process.stdout.write;
  try {
    await program.parseAsync(['node', 'harvest', 'export', 'dpo', '--data', dir, '--out', join(dir, 'p.jsonl')]);
    await program.parseAsync(['node', 'harvest', 'export', 'sharegpt', '--data', dir, '--out', join(dir, 'train')]);
    await program.parseAsync(['node', 'harvest', 'report', '--out', dir]);
  } finally {
    process.stdout.write = orig;
  }
  assert.match(writes.join(''), /wrote 0 pairs/);
  assert.equal(readFileSync(join(dir, 'p.jsonl'), 'utf8'), '');
  const manifest = JSON.parse(readFileSync(join(dir, 'train', 'manifest.json'), 'utf8'));
  assert.deepEqual(manifest.files.map((f: { file: string }) => f.file), ['gastown_train.jsonl', 'gastown_val.jsonl']);
  const html = readFileSync(join(dir, 'report.html'), 'utf8');
  assert.match(html, /no data/);
  assert.equal((await gatherReport(dir)).samples, 0);
  assert.ok(renderReportHtml(await gatherReport(dir)).startsWith('<!doctype html>'));
});
