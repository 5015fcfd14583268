// One session file of any harness turned into samples in memory, with no queue, no ledger and no
// dataset folder: the reader the format calls for, then the same sample building a worker does.
// What `harvest convert` prints; what a backfill would also write, less dedupe across files.
import { stat } from 'node:fs/promises';
import type { Sample } from '../model/sample.ts';
import { sampleProblems } from '../model/sample-rules.ts';
import { addCount, mergeCounts, type Counts } from '../model/session.ts';
import { readSessionFile } from '../sources/readers.ts';
import type { DetectedFormat } from '../sources/detect-format.ts';
import { sessionToSamples, type SessionSampleOptions } from './session-samples.ts';

export interface ConvertOptions extends Omit<SessionSampleOptions, 'version'> {
  maxLineBytes?: number;
  maxFieldChars?: number;
}

export interface ConvertedFile {
  path: string;
  format: DetectedFormat;
  /** Samples of the file's sessions' active branches (abandoned branches are preference material). */
  samples: Sample[];
  counts: Counts;
  warnings: string[];
}

export async function convertSessionFile(path: string, opts: ConvertOptions): Promise<ConvertedFile> {
  const st = await stat(path);
  const read = await readSessionFile(path, { maxLineBytes: opts.maxLineBytes, maxFieldChars: opts.maxFieldChars });
  const counts: Counts = {};
  const warnings: string[] = [];
  const samples: Sample[] = [];
  for (const r of read.results) {
    mergeCounts(counts, r.counts);
    warnings.push(...r.warnings);
    if (!r.session) continue;
    const out = sessionToSamples(r.session, { ...opts, version: read.version ?? st.size });
    const { turns: _turns, ...rest } = out.counts;
    mergeCounts(counts, rest);
    for (const s of out.samples) {
      if (s.metadata.branch === 'abandoned') addCount(counts, 'skipped_abandoned_branch');
      // What `harvest validate` would call invalid is no training data, here as in the exports.
      else if (sampleProblems(s).length) addCount(counts, 'skipped_invalid');
      else samples.push(s);
    }
  }
  return { path, format: read.format, samples, counts, warnings };
}
