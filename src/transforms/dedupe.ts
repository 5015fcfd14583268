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

/** sha256 of the whole conversation (every message with its side): same hash, same sample text. */
export function sampleContentHash(sample: Pick<Sample, 'conversations'>): string {
  const h = createHash('sha256');
  for (const m of sample.conversations) h.update(`${m.from}:${m.value.length}:`).update(m.value);
  return h.digest('hex');
}
