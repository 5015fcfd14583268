// Training files as trainers expect them, streamed from a dataset folder:
//   <out>/<role>_train.jsonl   the train split of each role
//   <out>/gastown_train.jsonl  every role's train split
//   <out>/gastown_val.jsonl    every role's val split
//   <out>/manifest.json        counts, bytes, sha256 per file, schema version
// The split is the sample's own `metadata.split` (decided per session), never its position.
// Abandoned branches are preference material, not demonstrations: they stay out (counted).
import { join } from 'node:path';
import { SCHEMA_VERSION } from '../model/sample.ts';
import { addCount, type Counts } from '../model/session.ts';
import { readDataset, type DatasetRecord } from '../sinks/shards/dataset-reader.ts';
import { samplesRootOf } from '../sinks/shards/samples-root.ts';
import { writeFileAtomic } from '../sinks/shards/shard-files.ts';
import { JsonlFileWriter, type TrainingFileInfo } from '../sinks/training-files.ts';
import { sampleProblems } from '../model/sample-rules.ts';
import type { SampleMessage } from '../model/sample.ts';
import { toShareGpt } from '../transforms/sharegpt.ts';

export const TRAINING_MANIFEST_SCHEMA_VERSION = 1;

export interface ShareGptExportOptions {
  /** Leave out samples scoring below this (default 0: keep all). */
  minScore?: number;
  /** Keep each sample's metadata in its line (default: conversations only, plus `weight` when set). */
  withMetadata?: boolean;
}

export interface TrainingManifest {
  schema_version: number;
  sample_schema_version: number;
  created_at: string;
  dataset: string;
  split_rule: string;
  files: TrainingFileInfo[];
  samples: { train: Record<string, number>; val: Record<string, number> };
  counts: Counts;
}

async function* empty(): AsyncGenerator<DatasetRecord> {}

export async function exportShareGpt(dataDir: string, outDir: string, opts: ShareGptExportOptions = {}): Promise<TrainingManifest> {
  const root = samplesRootOf(dataDir);
  const counts: Counts = {};
  const writers = new Map<string, JsonlFileWriter>();
  const samples: TrainingManifest['samples'] = { train: {}, val: {} };
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
    for await (const r of root ? readDataset(root, counts) : empty()) {
      const v = r.value as { messages?: SampleMessage[]; metadata?: Record<string, unknown> };
      const m = v.metadata ?? {};
      if (sampleProblems(v).length) {
        addCount(counts, 'skipped_invalid');
        continue;
      }
      if (m.branch === 'abandoned') {
        addCount(counts, 'skipped_abandoned_branch');
        continue;
      }
      const score = Number(m.quality_score);
      if (opts.minScore && !(score >= opts.minScore)) {
        addCount(counts, 'skipped_below_min_score');
        continue;
      }
      const split = m.split === 'val' ? 'val' : m.split === 'train' ? 'train' : null;
      if (!split) {
        addCount(counts, 'skipped_without_split');
        continue;
      }
      const role = typeof m.role === 'string' && /^[a-z]+$/.test(m.role) ? m.role : 'unknown';
      const line: Record<string, unknown> = { conversations: toShareGpt(v.messages ?? []) };
      if (typeof m.weight === 'number') line.weight = m.weight;
      if (opts.withMetadata) line.metadata = m;
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
  const manifest: TrainingManifest = {
    schema_version: TRAINING_MANIFEST_SCHEMA_VERSION,
    sample_schema_version: SCHEMA_VERSION,
    created_at: new Date().toISOString(),
    dataset: dataDir,
    split_rule: 'metadata.split of each sample (per session: a hash of the root session id)',
    files,
    samples,
    counts,
  };
  await writeFileAtomic(join(outDir, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
  return manifest;
}
