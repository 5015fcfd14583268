// The ShareGPT rules every sample in a shard must keep: what `harvest validate` checks.
import { z } from 'zod';

const message = z.object({ from: z.enum(['system', 'human', 'gpt']), value: z.string() });

export const sampleSchema = z.object({
  conversations: z.array(message).min(3),
  metadata: z.object({
    schema_version: z.number().int(),
    record_id: z.string().min(1),
    version: z.number(),
    source: z.string().min(1),
    session_id: z.string().min(1),
    role: z.string().min(1),
    split: z.enum(['train', 'val']),
    chunk_index: z.number().int().nonnegative(),
    chunk_count: z.number().int().positive(),
    quality_score: z.number().min(0).max(1),
    quality_components: z.record(z.string(), z.number()),
    gpt_hash: z.string().min(1),
  }).passthrough(),
});

/** Problems with one sample, empty when it is valid. */
export function sampleProblems(value: unknown): string[] {
  const parsed = sampleSchema.safeParse(value);
  if (!parsed.success) return parsed.error.issues.slice(0, 3).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
  const conv = parsed.data.conversations;
  const problems: string[] = [];
  if (conv[0].from !== 'system') problems.push('first message is not system');
  for (let i = 1; i < conv.length; i++) {
    const want = i % 2 === 1 ? 'human' : 'gpt';
    if (conv[i].from !== want) {
      problems.push(`message ${i} is ${conv[i].from}, expected ${want} (strict alternation)`);
      break;
    }
  }
  if (conv[conv.length - 1].from !== 'gpt') problems.push('does not end on gpt');
  if (conv.some((m, i) => i > 0 && m.value.trim() === '')) problems.push('empty message');
  return problems;
}
