// The frame every SFT export shares: stream the current samples of a dataset folder, render each in
// the target's shape, check the line against the target's rules, and write
//   <out>/<role>_train.jsonl   the train split of each role
//   <out>/gastown_train.jsonl  every role's train split
//   <out>/gastown_val.jsonl    every role's val split
//   <out>/<extras>             what the target's loader needs beside them (dataset_info.json, ...)
//   <out>/manifest.json        files, records, bytes, sha256, the rules checked, counts
// Memory is constant in the number of samples: one sample at a time, files written as they stream.
// Every file is written beside its name and renamed into place when complete; a line that breaks a
// rule stops the export (exit 1, naming the sample and the rule) and leaves no file behind.
import { join } from 'node:path';
import { SCHEMA_VERSION, type Sample } from '../model/sample.ts';
import { addCount, type Counts } from '../model/session.ts';
import { readDataset, type DatasetRecord } from '../sinks/shards/dataset-reader.ts';
import { samplesRootOf } from '../sinks/shards/samples-root.ts';
import { writeFileAtomic } from '../sinks/shards/shard-files.ts';
import { JsonlFileWriter, type TrainingFileInfo } from '../sinks/training-files.ts';
import { UserError } from '../user-error.ts';
import { sampleProblems } from '../model/sample-rules.ts';
import type { Rule, RuleBreak } from './rules.ts';
import { scrubDeep, type ScrubOptions } from '../transforms/scrub.ts';

export const EXPORT_MANIFEST_SCHEMA_VERSION = 2;

/** A file written beside the training files (its text is known once they are). */
export interface ExtraFile {
  name: string;
  text: string;
}

export interface SftFormat {
  /** `openai`, `llamafactory`, `sharegpt`: the manifest's `format`. */
  name: string;
  /** The options the lines were rendered with (recorded in the manifest). */
  options: Record<string, unknown>;
  /** One line for a sample, or null when the target cannot express it (counted by the renderer). */
  render(sample: Sample, counts: Counts): Record<string, unknown> | null;
  check(line: unknown): RuleBreak[];
  rules: readonly Rule[];
  extras?(files: TrainingFileInfo[]): ExtraFile[];
}

export interface SampleSelection {
  /** Leave out samples scoring below this (default 0: keep all). */
  minScore?: number;
  /** Keep each sample's metadata in its line (added after the check: the target ignores it). */
  withMetadata?: boolean;
  /** Scrubbed again with these options: a dataset built without `publish` can be exported with it. */
  privacy?: ScrubOptions;
}

export interface ExportManifest {
  schema_version: number;
  format: string;
  sample_schema_version: number;
  created_at: string;
  dataset: string;
  options: Record<string, unknown>;
  split_rule: string;
  files: TrainingFileInfo[];
  extras: string[];
  samples: { train: Record<string, number>; val: Record<string, number> };
  rules: readonly Rule[];
  counts: Counts;
}

/** A line broke a rule of its target: exit 1, naming the sample and the rule. */
export class ExportRuleError extends UserError {
  constructor(format: string, sample: string, file: string, breaks: RuleBreak[]) {
    const first = breaks[0];
    const more = breaks.length > 1 ? ` (and ${breaks.length - 1} more: ${breaks.slice(1).map((b) => b.rule).join(', ')})` : '';
    super(`export ${format}: sample ${sample} in ${file} breaks rule ${first.rule}: ${first.detail}${more}`, 1,
      'nothing was written; this is a bug in the export, please report it with the sample id');
  }
}

/** The canonical shape, as far as rendering needs it; anything else is skipped and counted. */
export function asSample(value: DatasetRecord['value']): Sample | null {
  const v = value as Partial<Sample>;
  if (!Array.isArray(v.messages) || v.messages.length === 0) return null;
  if (!v.messages.every((m) => typeof m === 'object' && m !== null && typeof m.role === 'string')) return null;
  if (v.tools !== undefined && !Array.isArray(v.tools)) return null;
  if (typeof v.metadata !== 'object' || v.metadata === null) return null;
  return { messages: v.messages, tools: v.tools ?? [], metadata: v.metadata };
}

async function* none(): AsyncGenerator<DatasetRecord> {}

/** The samples an SFT export takes, with the counted reasons for the ones it leaves out. */
async function* selectSamples(dataDir: string, sel: SampleSelection, counts: Counts): AsyncGenerator<{ sample: Sample; split: 'train' | 'val'; role: string }> {
  const root = samplesRootOf(dataDir);
  for await (const r of root ? readDataset(root, counts) : none()) {
    // What `harvest validate` calls invalid is no training data; it is counted, never rendered.
    const sample = asSample(r.value);
    if (!sample || sampleProblems(r.value).length) {
      addCount(counts, 'skipped_invalid');
      continue;
    }
    const m = sample.metadata;
    if (m.branch === 'abandoned') {
      addCount(counts, 'skipped_abandoned_branch');
      continue;
    }
    if (sel.minScore && !(Number(m.quality_score) >= sel.minScore)) {
      addCount(counts, 'skipped_below_min_score');
      continue;
    }
    const split = m.split === 'val' ? 'val' : m.split === 'train' ? 'train' : null;
    if (!split) {
      addCount(counts, 'skipped_without_split');
      continue;
    }
    const role = typeof m.role === 'string' && /^[a-z]+$/.test(m.role) ? m.role : 'unknown';
    yield { sample, split, role };
  }
}

export async function runSftExport(dataDir: string, outDir: string, format: SftFormat, sel: SampleSelection = {}): Promise<ExportManifest> {
  const counts: Counts = {};
  const writers = new Map<string, JsonlFileWriter>();
  const samples: ExportManifest['samples'] = { train: {}, val: {} };
  const file = async (name: string): Promise<JsonlFileWriter> => {
    let w = writers.get(name);
    if (!w) {
      w = await JsonlFileWriter.open(join(outDir, name));
      writers.set(name, w);
    }
    return w;
  };
  // The combined files exist even when empty: a trainer config can name them unconditionally.
  await file('gastown_train.jsonl');
  await file('gastown_val.jsonl');
  try {
    for await (const selected of selectSamples(dataDir, sel, counts)) {
      const { split, role } = selected;
      const sample = sel.privacy ? scrubDeep(selected.sample, counts, sel.privacy) : selected.sample;
      const line = format.render(sample, counts);
      if (!line) {
        addCount(counts, 'skipped_not_expressible');
        continue;
      }
      const breaks = format.check(line);
      if (breaks.length) throw new ExportRuleError(format.name, String(sample.metadata.record_id), `gastown_${split}.jsonl`, breaks);
      if (sel.withMetadata) line.metadata = sample.metadata;
      if (split === 'train') await (await file(`${role}_train.jsonl`)).write(line);
      await (await file(`gastown_${split}.jsonl`)).write(line);
      samples[split][role] = (samples[split][role] ?? 0) + 1;
      addCount(counts, `exported_${split}`);
    }
  } catch (e) {
    await Promise.all([...writers.values()].map((w) => w.abort()));
    throw e;
  }
  const files: TrainingFileInfo[] = [];
  for (const [, w] of [...writers].sort(([a], [b]) => a.localeCompare(b))) files.push(await w.close());
  const extras = format.extras?.(files) ?? [];
  for (const x of extras) await writeFileAtomic(join(outDir, x.name), x.text);
  const manifest: ExportManifest = {
    schema_version: EXPORT_MANIFEST_SCHEMA_VERSION,
    format: format.name,
    sample_schema_version: SCHEMA_VERSION,
    created_at: new Date().toISOString(),
    dataset: dataDir,
    options: { ...format.options, ...(sel.minScore ? { min_score: sel.minScore } : {}), ...(sel.withMetadata ? { with_metadata: true } : {}), ...(sel.privacy?.layers ? { privacy: sel.privacy.layers } : {}) },
    split_rule: 'metadata.split of each sample (per session: a hash of the root session id)',
    files,
    extras: extras.map((x) => x.name),
    samples,
    rules: format.rules,
    counts,
  };
  await writeFileAtomic(join(outDir, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
  return manifest;
}

/** The dataset name a trainer config uses for one of the files (`gastown_train.jsonl` -> `harvest_gastown_train`). */
export const datasetName = (file: string): string => `harvest_${file.replace(/\.jsonl$/, '')}`;
