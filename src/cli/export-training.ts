// The training exports, each reading a dataset folder (default HARVEST_OUT) and needing no Redis:
//   harvest export openai --out DIR        {"messages", "tools"} lines (OpenAI fine-tuning; --target trl
//                                          for TRL / axolotl / Unsloth), axolotl.yaml, manifest.json
//   harvest export llamafactory --out DIR  LLaMA-Factory ShareGPT with tools, dataset_info.json
//   harvest export sharegpt --out DIR      lora-forge's ShareGPT, dataset_info.json
//   harvest export dpo --out FILE.jsonl    preference pairs, --format trl|llamafactory|openai
// Each checks every line against its target's rules before it finishes (exit 1 naming the sample
// and the rule). They join the `export` command when it exists (call after registerExportCommand).
import { resolve } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { loadConfig, loadPrivacy } from '../config.ts';
import type { Counts } from '../model/session.ts';
import { dpoPairs, type DpoOptions } from '../pipeline/dpo-pairs.ts';
import { exportShareGpt } from '../pipeline/sharegpt-export.ts';
import { DPO_FORMATS, writeDpoFile, type DpoFormat, type DpoExportResult } from '../exports/dpo.ts';
import { runSftExport, type ExportManifest } from '../exports/export-run.ts';
import { llamaFactoryFormat } from '../exports/llamafactory.ts';
import { openAiFormat, openAiOptions, type ArgumentsMode, type OpenAiTarget, type ReasoningMode } from '../exports/openai.ts';
import { UserError } from '../user-error.ts';
import { exitTwoOnBadArguments } from './record-event.ts';

const dataDir = (o: { data?: string }): string => (o.data ? resolve(o.data) : loadConfig(process.env).outDir);
const unit = (v: string): number => {
  const n = Number(v);
  if (!(n >= 0 && n <= 1)) throw new InvalidArgumentError('expected a number from 0 to 1');
  return n;
};
const choice = (flags: string, description: string, values: readonly string[], def?: string): Option => {
  const o = new Option(flags, description).choices(values);
  return def === undefined ? o : o.default(def);
};

export async function exportDpo(data: string, out: string, opts: DpoOptions & { format?: DpoFormat } = {}): Promise<DpoExportResult> {
  const counts: Counts = {};
  const { format = 'trl', ...selection } = opts;
  // The manifest names the privacy layers, never the values (harvest's own secrets) the options hold.
  const { privacy, ...shown } = selection;
  const options = { ...shown, format, ...(privacy?.layers ? { privacy: privacy.layers } : {}) };
  return writeDpoFile(dpoPairs(data, selection, counts), out, format, { dataset: data, options }, counts);
}

function printManifest(m: ExportManifest, out: string, json: boolean | undefined): void {
  if (json) {
    process.stdout.write(JSON.stringify(m) + '\n');
    return;
  }
  for (const f of m.files) process.stdout.write(`${f.file}: ${f.records} samples, ${f.bytes} bytes\n`);
  const skipped = Object.entries(m.counts).filter(([k]) => k.startsWith('skipped_')).map(([k, v]) => `${k.slice(8)}=${v}`);
  if (skipped.length) process.stdout.write(`left out: ${skipped.join(' ')}\n`);
  process.stdout.write(`${m.rules.length} rules checked on every line; manifest: ${resolve(out, 'manifest.json')}\n`);
}

interface SftFlags {
  out: string;
  data?: string;
  minScore?: number;
  withMetadata?: boolean;
  privacy?: string;
  json?: boolean;
}
const PRIVACY_HELP = 'what to redact beyond secrets: default, publish (every layer), or layers (HARVEST_PRIVACY)';

const sftCommand = (exp: Command, name: string, description: string): Command => exitTwoOnBadArguments(exp
  .command(name)
  .description(description)
  .requiredOption('--out <dir>', 'folder to write the training files into')
  .option('--data <dir>', 'dataset folder (HARVEST_OUT, default ./data)')
  .option('--min-score <x>', 'leave out samples scoring below this', unit)
  .option('--privacy <mode>', PRIVACY_HELP)
  .option('--json', 'print the manifest as JSON on stdout'));

export function registerTrainingExportCommands(program: Command): Command {
  const exp = program.commands.find((c) => c.name() === 'export')
    ?? program.command('export').description('export training examples and time series as JSONL');

  exitTwoOnBadArguments(exp
    .command('dpo')
    .description('preference pairs from bead and PR outcomes and pi branches, in TRL\'s, LLaMA-Factory\'s or OpenAI\'s preference format')
    .requiredOption('--out <file>', 'the JSONL file to write (a manifest, and for llamafactory dataset_info.json, beside it)')
    .option('--data <dir>', 'dataset folder (HARVEST_OUT, default ./data)')
    .addOption(choice('--format <target>', 'trl: prompt/chosen/rejected messages; llamafactory: ShareGPT ranking; openai: input/preferred_output/non_preferred_output', DPO_FORMATS, 'trl'))
    .addOption(choice('--continuation <mode>', 'turn: one assistant message a side; trajectory: the whole first window', ['turn', 'trajectory'], 'turn'))
    .option('--min-margin <x>', 'least outcome-score gap of a bead pair', unit, 0.2)
    .option('--min-link-confidence <x>', 'least session-to-bead link confidence', unit, 0.5)
    .option('--privacy <mode>', PRIVACY_HELP)
    .option('--json', 'print the counts as JSON on stdout')
    .action(async (o: { out: string; data?: string; format: DpoFormat; continuation: 'turn' | 'trajectory'; minMargin: number; minLinkConfidence: number; privacy?: string; json?: boolean }) => {
      const out = resolve(o.out);
      if (!out.endsWith('.jsonl')) throw new UserError(`--out ${o.out} is not a .jsonl file`, 2, 'name the file to write, e.g. --out pairs.jsonl');
      const r = await exportDpo(dataDir(o), out, { format: o.format, continuation: o.continuation, minMargin: o.minMargin, minLinkConfidence: o.minLinkConfidence, privacy: loadPrivacy(process.env, o.privacy) });
      if (o.json) process.stdout.write(JSON.stringify({ out, format: o.format, ...r }) + '\n');
      else {
        const src = Object.entries(r.bySource).map(([k, v]) => `${k}=${v}`).join(' ') || '-';
        process.stdout.write(`wrote ${r.pairs} pairs to ${out} (${o.format}; ${src})\n`);
      }
    }));

  sftCommand(exp, 'openai', '{"messages", "tools"} lines per role and split for OpenAI fine-tuning (or --target trl: TRL, axolotl, Unsloth), with axolotl.yaml and manifest.json')
    .addOption(choice('--target <name>', 'openai: arguments as JSON strings, no reasoning; trl: arguments as objects, reasoning_content', ['openai', 'trl'], 'openai'))
    .addOption(choice('--arguments <mode>', 'tool-call arguments as a JSON string or an object (default: per target)', ['string', 'object']))
    .addOption(choice('--reasoning <mode>', 'thinking: drop, content (a <think> block) or field (reasoning_content) (default: per target)', ['drop', 'content', 'field']))
    .option('--with-metadata', 'keep each sample\'s metadata in its line (trl only: OpenAI refuses unknown keys)')
    .action(async (o: SftFlags & { target: OpenAiTarget; arguments?: ArgumentsMode; reasoning?: ReasoningMode }) => {
      if (o.target === 'openai' && o.arguments === 'object') throw new UserError('OpenAI fine-tuning needs arguments as JSON strings', 2, 'drop --arguments object, or use --target trl');
      if (o.target === 'openai' && o.reasoning === 'field') throw new UserError('OpenAI\'s chat format has no reasoning field', 2, 'use --reasoning drop or content, or --target trl');
      if (o.target === 'openai' && o.withMetadata) throw new UserError('OpenAI fine-tuning refuses lines with a metadata key', 2, 'drop --with-metadata, or use --target trl');
      const opts = openAiOptions(o.target, { arguments: o.arguments, reasoning: o.reasoning });
      const out = resolve(o.out);
      printManifest(await runSftExport(dataDir(o), out, openAiFormat(opts), { minScore: o.minScore, withMetadata: o.withMetadata, privacy: loadPrivacy(process.env, o.privacy) }), out, o.json);
    });

  sftCommand(exp, 'llamafactory', 'LLaMA-Factory ShareGPT lines (function_call / observation, system and tools columns) per role and split, with dataset_info.json and manifest.json')
    .addOption(choice('--reasoning <mode>', 'think: thinking as a leading <think> block; drop: left out', ['think', 'drop'], 'think'))
    .addOption(choice('--call-text <mode>', 'text an assistant writes before its calls: think (into the thought block) or drop', ['think', 'drop'], 'think'))
    .option('--with-metadata', 'keep each sample\'s metadata in its line')
    .action(async (o: SftFlags & { reasoning: 'think' | 'drop'; callText: 'think' | 'drop' }) => {
      const out = resolve(o.out);
      const fmt = llamaFactoryFormat({ reasoning: o.reasoning, callText: o.callText });
      printManifest(await runSftExport(dataDir(o), out, fmt, { minScore: o.minScore, withMetadata: o.withMetadata, privacy: loadPrivacy(process.env, o.privacy) }), out, o.json);
    });

  sftCommand(exp, 'sharegpt', 'lora-forge ShareGPT: <role>_train.jsonl per role, gastown_train.jsonl, gastown_val.jsonl, dataset_info.json and manifest.json (split per session)')
    .addOption(choice('--thinking <mode>', 'keep: a leading <think> block in gpt messages; drop: left out', ['keep', 'drop'], 'keep'))
    .option('--with-metadata', 'keep each sample\'s metadata in its line')
    .action(async (o: SftFlags & { thinking: 'keep' | 'drop' }) => {
      const out = resolve(o.out);
      printManifest(await exportShareGpt(dataDir(o), out, { minScore: o.minScore, withMetadata: o.withMetadata, thinking: o.thinking, privacy: loadPrivacy(process.env, o.privacy) }), out, o.json);
    });
  return exp;
}
