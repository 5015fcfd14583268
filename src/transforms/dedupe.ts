import { createHash } from 'node:crypto';
import type { Sample, ShareGptMessage } from '../model/sample.ts';

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/**
 * The dedupe key: sha256 of the gpt messages only (human turns are often templated), as a JSON
 * array so no two different lists of values join to the same text. Compute it after scrubbing.
 */
export function gptContentHash(messages: readonly ShareGptMessage[]): string {
  return sha256(JSON.stringify(messages.filter((m) => m.from === 'gpt').map((m) => m.value)));
}

/** sha256 of the whole conversation (every message with its side): same hash, same sample text. */
export function sampleContentHash(sample: Pick<Sample, 'conversations'>): string {
  return sha256(JSON.stringify(sample.conversations.map((m) => [m.from, m.value])));
}
