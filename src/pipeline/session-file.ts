// One session file's whole path: read (format from content) -> samples -> dedupe claim -> shard
// write (durable) -> ledger commit. Knows nothing of how the job reached it.
import { addCount, mergeCounts, type Counts, type Runtime } from '../model/session.ts';
import { readSessionFile } from '../sources/readers.ts';
import { NotRegularFileError, OutsideRootsError, openInsideRoots, realRootOf, type CheckedFile } from '../sources/checked-file.ts';
import { sessionToSamples } from './session-samples.ts';
import { attachSessionOutcomes, type BeadLookupSource, type PrLookupSource } from './session-outcomes.ts';
import { scrubberFor, type ScrubOptions } from '../transforms/scrub.ts';
import type { Session } from '../model/session.ts';
import type { TokenizerName } from '../transforms/tokens/tokenizer.ts';
import type { Sample } from '../model/sample.ts';
import { encodeSample, type EncodedSample } from '../sinks/shards/sample-line.ts';
import type { RecordLedger, LedgerEntry } from '../state/record-ledger.ts';
import type { ShardWriter, ShardLine } from '../sinks/shards/shard-writer.ts';

export interface SessionFileInput {
  path: string;
  root: string;
  runtime: Runtime;
  /** One session of a file that holds many (an OpenCode store): its id. */
  sessionKey?: string;
  /** Set on every sample's metadata (a generated session's `synthetic` and `generator`). */
  metadata?: Record<string, unknown>;
}

export interface SessionFileOptions {
  /** Folders this process may read; anything else is refused. */
  roots: string[];
  townRoot: string;
  valPercent: number;
  thinking: 'keep' | 'drop';
  minScore: number;
  /** Token budget of a sample (default 4096) and the tokenizer it is counted with (default qwen3). */
  maxTokens?: number;
  tokenizer?: TokenizerName;
  /** Earlier steps repeated as untrained context before a sample's steps (default 0). */
  contextSteps?: number;
  maxLineBytes: number;
  /**
   * Longest text field kept from the reader (head + tail). Tool results end up as head 60% + tail
   * of 2000 chars, so anything above a few KiB only costs memory and scrubbing time.
   */
  maxFieldChars?: number;
  /** What scrubbing redacts beyond secrets (config `privacy`). */
  privacy?: ScrubOptions;
  /** Encoded bytes per claim/write/commit round (default WRITE_BATCH_BYTES). */
  writeBatchBytes?: number;
}

export const DEFAULT_MAX_FIELD_CHARS = 16 * 1024;

/**
 * Encoded bytes held at once: a long session's samples are claimed, written and committed in
 * batches of about this size, so its encoded lines are never all in memory together.
 */
export const WRITE_BATCH_BYTES = 4 * 1024 * 1024;

export interface SessionFileDeps {
  ledger: RecordLedger;
  /** Writes with the same ledger: it records which shard keeps each line. */
  writer: ShardWriter;
  /** Bead lifecycles for outcome-linked scores; without it samples keep the heuristic score. */
  beads?: BeadLookupSource | null;
  /** PR lifecycles for PR outcome scores; without it PR links are still made, unscored. */
  prs?: PrLookupSource | null;
}

/** A job that retrying cannot fix (the worker fails it at once, with this message). */
export class PermanentJobError extends Error {
  override name = 'PermanentJobError';
}

export interface SessionFileResult {
  counts: Counts;
  warnings: string[];
  sessionId: string | null;
}

/**
 * Opens the job's file once and checks that descriptor: a regular file, really inside the job's
 * root, which must be one of this worker's roots. Everything after reads from that descriptor.
 */
async function openSessionFile(input: SessionFileInput, roots: string[]): Promise<CheckedFile> {
  const refused = () => new PermanentJobError(`${input.path}: refused, outside the configured roots (${roots.join(', ')})`);
  const realRoot = await realRootOf(input.root);
  const realRoots = await Promise.all(roots.map(realRootOf));
  if (!realRoot || !realRoots.includes(realRoot)) throw refused();
  try {
    return await openInsideRoots(input.path, [input.root]);
  } catch (e) {
    if (e instanceof OutsideRootsError) throw refused();
    if (e instanceof NotRegularFileError) throw new PermanentJobError(e.message);
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new PermanentJobError(`${input.path}: the file is gone`);
    if (code === 'EACCES' || code === 'EPERM') throw new PermanentJobError(`${input.path}: not readable (${code})`);
    throw e;
  }
}

export async function processSessionFile(
  input: SessionFileInput,
  opts: SessionFileOptions,
  deps: SessionFileDeps,
): Promise<SessionFileResult> {
  const file = await openSessionFile(input, opts.roots);
  try {
    return await processCheckedFile(input, file, opts, deps);
  } finally {
    await file.close();
  }
}

async function processCheckedFile(
  input: SessionFileInput,
  file: CheckedFile,
  opts: SessionFileOptions,
  deps: SessionFileDeps,
): Promise<SessionFileResult> {
  const counts: Counts = {};
  // Every reader reads the checked descriptor (`path` stays the name); side files are checked too.
  const read = await readSessionFile(input.path, {
    readFrom: file.readFrom,
    roots: opts.roots,
    runtime: input.runtime,
    maxLineBytes: opts.maxLineBytes,
    maxFieldChars: opts.maxFieldChars ?? DEFAULT_MAX_FIELD_CHARS,
    ...(input.sessionKey ? { sessionKey: input.sessionKey } : {}),
  });
  const warnings: string[] = [];
  const sessions: Session[] = [];
  for (const r of read.results) {
    mergeCounts(counts, r.counts);
    warnings.push(...r.warnings);
    if (r.session) sessions.push(r.session);
  }
  if (read.format === 'empty') return { counts, warnings, sessionId: null };
  if (sessions.length === 0) {
    addCount(counts, 'sessions_empty');
    return { counts, warnings, sessionId: null };
  }

  // A growing file only gets longer: its size orders the reads of one session (a store's session:
  // its last change).
  const version = read.version ?? file.size;
  const samples: Sample[] = [];
  for (const session of sessions) {
    const out = sessionToSamples(session, {
      townRoot: opts.townRoot,
      valPercent: opts.valPercent,
      thinking: opts.thinking,
      version,
      minScore: opts.minScore,
      maxTokens: opts.maxTokens,
      tokenizer: opts.tokenizer,
      contextSteps: opts.contextSteps,
      privacy: opts.privacy,
    });
    // The reader already counted the session's turns; the transforms count theirs under other keys.
    const { turns: _turns, ...transformCounts } = out.counts;
    mergeCounts(counts, transformCounts);
    const scrub = scrubberFor(opts.privacy).forSession(session);
    const outcomes = await attachSessionOutcomes(session, out.samples, deps.beads, { townRoot: opts.townRoot, thinking: opts.thinking, prs: deps.prs });
    mergeCounts(counts, outcomes.counts);
    for (const s of outcomes.samples) {
      // Links and preference pairs are built from the raw session: scrub what they carry.
      if (s.metadata.beads !== undefined) s.metadata.beads = scrub.deep(s.metadata.beads, counts);
      if (s.metadata.prs !== undefined) s.metadata.prs = scrub.deep(s.metadata.prs, counts);
      if (s.metadata.preferences !== undefined) s.metadata.preferences = scrub.deep(s.metadata.preferences, counts);
      if (input.metadata) Object.assign(s.metadata, input.metadata);
      samples.push(s);
    }
  }

  // One record id, one record: a collision would be a bug upstream, and is counted, not written twice.
  const seenIds = new Set<string>();
  const unique = samples.filter((s) => {
    if (!seenIds.has(s.metadata.record_id)) {
      seenIds.add(s.metadata.record_id);
      return true;
    }
    addCount(counts, 'record_id_collisions');
    return false;
  });
  samples.length = 0;
  samples.push(...unique);
  await writeSamples(samples, version, deps, counts, opts.writeBatchBytes ?? WRITE_BATCH_BYTES);
  return { counts, warnings, sessionId: sessions[0].id };
}

/**
 * Claims and writes (durably, recorded in the ledger by the writer) `samples` batch by batch. A
 * crash between batches leaves the earlier ones recorded; the retry finds them unchanged (`same`)
 * and writes only the rest.
 */
async function writeSamples(samples: Sample[], version: number, deps: SessionFileDeps, counts: Counts, batchBytes: number): Promise<void> {
  let next = 0;
  while (next < samples.length) {
    const batch: { sample: Sample; encoded: EncodedSample }[] = [];
    let bytes = 0;
    while (next < samples.length && bytes < batchBytes) {
      const sample = samples[next++];
      const encoded = encodeSample(sample);
      bytes += encoded.bytes.length;
      batch.push({ sample, encoded });
    }
    // Written samples are only needed as bytes from here on; dropping them also frees the encoded
    // bytes cached per message (sample-line.ts), which would otherwise live until the job ends.
    samples.fill(undefined as unknown as Sample, next - batch.length, next);
    const entries: LedgerEntry[] = batch.map(({ sample, encoded }) => ({
      recordId: sample.metadata.record_id,
      version,
      gptHash: sample.metadata.gpt_hash,
      sampleHash: encoded.sampleHash,
    }));
    const decisions = await deps.ledger.claim(entries);
    const groups = new Map<string, { lines: ShardLine[]; split: string; role: string }>();
    decisions.forEach((d, i) => {
      if (d !== 'write') {
        addCount(counts, d === 'duplicate' ? 'duplicates_dropped' : d === 'same' ? 'unchanged_skipped' : 'stale_skipped');
        return;
      }
      const { split, role } = batch[i].sample.metadata;
      const group = `${split}/${role}`;
      const g = groups.get(group) ?? { lines: [], split, role };
      g.lines.push({ json: batch[i].encoded.bytes, entry: entries[i] });
      groups.set(group, g);
    });
    // The writer records each line in the ledger once it is durable; a line another shard already
    // keeps (a worker that died after writing it, a racing one) is left out when its shard is sealed.
    await Promise.all([...groups].map(async ([group, g]) => {
      const kept = await deps.writer.append(group, g.lines);
      for (const k of kept) {
        if (!k) {
          addCount(counts, 'unchanged_skipped');
          continue;
        }
        addCount(counts, `samples.${g.split}.${g.role}`);
        addCount(counts, 'samples_written');
      }
    }));
  }
}
