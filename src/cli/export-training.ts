// `harvest export dpo --out FILE.jsonl [--data DIR]`: preference pairs (bead outcomes, pi branches)
// in TRL's conversational DPO shape, plus `FILE.manifest.json`.
// `harvest export sharegpt --out DIR [--data DIR]`: per-role and combined ShareGPT training files
// with a manifest. Both read a dataset folder (default HARVEST_OUT) and need no Redis.
// They join the `export` command when it exists (call after registerExportCommand).
import { resolve } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { loadConfig } from '../config.ts';
import type { Counts } from '../model/session.ts';
import { dpoPairs, type DpoOptions } from '../pipeline/dpo-pairs.ts';
import { exportShareGpt } from '../pipeline/sharegpt-export.ts';
import { writeFileAtomic } from '../sinks/shards/shard-files.ts';
import { JsonlFileWriter } from '../sinks/training-files.ts';

const dataDir = (o: { data?: string }): string => (o.data ? resolve(o.data) : loadConfig(process.env).outDir);
const unit = (v: string): number => {
  const n = Number(v);
  if (!(n >= 0 && n <= 1)) throw new InvalidArgumentError('expected a number from 0 to 1');
  return n;
};

export async function exportDpo(data: string, out: string, opts: DpoOptions = {}): Promise<{ pairs: number; bySource: Record<string, number>; counts: Counts; sha256: string; bytes: number }> {
  const counts: Counts = {};
  const w = await JsonlFileWriter.open(out);
  const bySource: Record<string, number> = {};
  try {
    for await (const p of dpoPairs(data, opts, counts)) {
      await w.write(p);
      bySource[p.metadata.source] = (bySource[p.metadata.source] ?? 0) + 1;
    }
  } catch (e) {
    await w.abort();
    throw e;
  }
  const info = await w.close();
  const manifest = {
    schema_version: 1,
    created_at: new Date().toISOString(),
    dataset: data,
    format: 'trl-dpo-conversational',
    file: info.file,
    records: info.records,
    bytes: info.bytes,
    sha256: info.sha256,
    pairs_by_source: bySource,
    options: opts,
    counts,
  };
  await writeFileAtomic(out.replace(/\.jsonl$/, '') + '.manifest.json', JSON.stringify(manifest, null, 2) + '\n');
  return { pairs: info.records, bySource, counts, sha256: info.sha256, bytes: info.bytes };
}

export function registerTrainingExportCommands(program: Command): Command {
  const exp = program.commands.find((c) => c.name() === 'export')
    ?? program.command('export').description('export training examples and time series as JSONL');

  exp
    .command('dpo')
    .description('preference pairs {prompt, chosen, rejected, metadata} (TRL DPOTrainer, conversational) from bead outcomes and pi branches')
    .requiredOption('--out <file>', 'the JSONL file to write')
    .option('--data <dir>', 'dataset folder (HARVEST_OUT, default ./data)')
    .option('--continuation <mode>', 'turn: one assistant message a side; trajectory: the whole first window', 'turn')
    .option('--min-margin <x>', 'least outcome-score gap of a bead pair', unit, 0.2)
    .option('--min-link-confidence <x>', 'least session-to-bead link confidence', unit, 0.5)
    .option('--json', 'print the counts as JSON on stdout')
    .action(async (o: { out: string; data?: string; continuation: string; minMargin: number; minLinkConfidence: number; json?: boolean }) => {
      if (o.continuation !== 'turn' && o.continuation !== 'trajectory') throw new InvalidArgumentError('--continuation takes turn or trajectory');
      const out = resolve(o.out);
      const r = await exportDpo(dataDir(o), out, { continuation: o.continuation, minMargin: o.minMargin, minLinkConfidence: o.minLinkConfidence });
      if (o.json) process.stdout.write(JSON.stringify({ out, ...r }) + '\n');
      else {
        const src = Object.entries(r.bySource).map(([k, v]) => `${k}=${v}`).join(' ') || '-';
        process.stdout.write(`wrote ${r.pairs} pairs to ${out} (${src})\n`);
      }
    });

  exp
    .command('sharegpt')
    .description('<role>_train.jsonl per role, gastown_train.jsonl, gastown_val.jsonl and manifest.json (split per session)')
    .requiredOption('--out <dir>', 'folder to write the training files into')
    .option('--data <dir>', 'dataset folder (HARVEST_OUT, default ./data)')
    .option('--min-score <x>', 'leave out samples scoring below this', unit)
    .option('--with-metadata', 'keep each sample\'s metadata in its line')
    .option('--json', 'print the manifest as JSON on stdout')
    .action(async (o: { out: string; data?: string; minScore?: number; withMetadata?: boolean; json?: boolean }) => {
      const out = resolve(o.out);
      const m = await exportShareGpt(dataDir(o), out, { minScore: o.minScore, withMetadata: o.withMetadata });
      if (o.json) process.stdout.write(JSON.stringify(m) + '\n');
      else {
        for (const f of m.files) process.stdout.write(`${f.file}: ${f.records} samples, ${f.bytes} bytes\n`);
        process.stdout.write(`manifest: ${resolve(out, 'manifest.json')}\n`);
      }
    });
  return exp;
}
