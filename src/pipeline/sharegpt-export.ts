// `harvest export sharegpt`: lora-forge's ShareGPT training files (src/exports/sharegpt.ts renders
// each sample), streamed from a dataset folder into
//   <out>/<role>_train.jsonl, <out>/gastown_train.jsonl, <out>/gastown_val.jsonl,
//   <out>/dataset_info.json (LLaMA-Factory reads the same files), <out>/manifest.json.
// The split is the sample's own `metadata.split` (decided per session), never its position.
// Abandoned branches are preference material, not demonstrations: they stay out (counted).
import { runSftExport, type ExportManifest, type SampleSelection } from '../exports/export-run.ts';
import { shareGptFormat, type ShareGptOptions } from '../exports/sharegpt.ts';

export interface ShareGptExportOptions extends SampleSelection, Partial<ShareGptOptions> {}

export type TrainingManifest = ExportManifest;

export function exportShareGpt(dataDir: string, outDir: string, opts: ShareGptExportOptions = {}): Promise<TrainingManifest> {
  return runSftExport(dataDir, outDir, shareGptFormat({ thinking: opts.thinking ?? 'keep' }), opts);
}
