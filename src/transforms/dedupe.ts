import { createHash } from 'node:crypto';
import type { Sample, SampleMessage } from '../model/sample.ts';

/**
 * The dedupe key: sha256 of the trained assistant messages only (text, reasoning, tool calls;
 * tasks are often templated, context steps are not targets). Compute it after scrubbing.
 */
export function targetHash(messages: readonly SampleMessage[]): string {
  const h = createHash('sha256');
  // Length-prefixed values: no two different lists hash the same text.
  const put = (s: string) => h.update(`${s.length}:`).update(s);
  for (const m of messages) {
    if (m.role !== 'assistant' || m.weight === 0) continue;
    put('a');
    put(m.content);
    put(m.reasoning_content ?? '');
    for (const c of m.tool_calls ?? []) {
      put(c.function.name);
      put(c.function.arguments);
    }
  }
  return h.digest('hex');
}

/**
 * sha256 of the sample's messages and tools as JSON (`{"messages":[...],"tools":[...]`): same hash,
 * same training content. The shard writer takes it from the line's own bytes (`encodeSample`).
 */
export function sampleContentHash(sample: Pick<Sample, 'messages' | 'tools'>): string {
  const json = `{"messages":${JSON.stringify(sample.messages)},"tools":${JSON.stringify(sample.tools)}`;
  return createHash('sha256').update(json, 'utf8').digest('hex');
}
