import { createHash } from 'node:crypto';
import type { Sample, ShareGptMessage } from '../model/sample.ts';

/**
 * The dedupe key: sha256 of the gpt messages only (human turns are often templated). Compute it
 * after scrubbing.
 */
export function gptContentHash(messages: readonly ShareGptMessage[]): string {
  const h = createHash('sha256');
  // Length-prefixed values: no two different lists hash the same text.
  for (const m of messages) if (m.from === 'gpt') h.update(`${m.value.length}:`).update(m.value);
  return h.digest('hex');
}

/**
 * sha256 of the whole conversation (every message with its side) as JSON: same hash, same sample
 * text. The shard writer takes it from the line's own bytes (`encodeSample`); this is the same value.
 */
export function sampleContentHash(sample: Pick<Sample, 'conversations'>): string {
  return createHash('sha256').update(JSON.stringify(sample.conversations), 'utf8').digest('hex');
}
