// The rules every sample in a shard keeps: what `harvest validate` checks.
//   shape      the schema below (messages, tools, metadata)
//   task first system, then the user message that holds the task; no other user message
//   no orphan  every tool message answers an open call of the assistant message before it
//   answered   every call is answered inside the sample, except calls of its last message
//   ends       the last message is a trained assistant message (not context)
//   tools      every called tool has its spec in `tools`
//   nonempty   no assistant message without text, reasoning and calls
// The token budget is checked by validate with the tokenizer the sample names.
import { z } from 'zod';

const toolCall = z.object({
  id: z.string().min(1),
  type: z.literal('function'),
  function: z.object({ name: z.string().min(1), arguments: z.string() }),
});

const message = z.discriminatedUnion('role', [
  z.object({ role: z.literal('system'), content: z.string() }),
  z.object({ role: z.literal('user'), content: z.string() }),
  z.object({
    role: z.literal('assistant'),
    content: z.string(),
    reasoning_content: z.string().optional(),
    tool_calls: z.array(toolCall).optional(),
    weight: z.union([z.literal(0), z.literal(1)]).optional(),
  }),
  z.object({ role: z.literal('tool'), content: z.string(), tool_call_id: z.string().min(1), name: z.string().min(1), is_error: z.boolean().optional() }),
]);

const toolSpec = z.object({
  type: z.literal('function'),
  function: z.object({ name: z.string().min(1), description: z.string().optional(), parameters: z.record(z.string(), z.unknown()) }),
});

export const sampleSchema = z.object({
  messages: z.array(message).min(3),
  tools: z.array(toolSpec),
  metadata: z.object({
    schema_version: z.number().int(),
    record_id: z.string().min(1),
    version: z.number(),
    source: z.string().min(1),
    session_id: z.string().min(1),
    role: z.string().min(1),
    split: z.enum(['train', 'val']),
    episode_index: z.number().int().nonnegative(),
    step_start: z.number().int().nonnegative(),
    step_end: z.number().int().positive(),
    token_count: z.number().int().nonnegative(),
    tokenizer: z.string().min(1),
    quality_score: z.number().min(0).max(1),
    quality_components: z.record(z.string(), z.number()),
    gpt_hash: z.string().min(1),
  }).passthrough(),
});

export type ParsedSample = z.infer<typeof sampleSchema>;

/** Problems with one sample, as `rule: detail`; empty when it is valid. */
export function sampleProblems(value: unknown): string[] {
  const parsed = sampleSchema.safeParse(value);
  if (!parsed.success) return parsed.error.issues.slice(0, 3).map((i) => `shape: ${i.path.join('.') || '(root)'}: ${i.message}`);
  return conversationProblems(parsed.data);
}

export function conversationProblems(sample: ParsedSample): string[] {
  const msgs = sample.messages;
  const problems: string[] = [];
  if (msgs[0].role !== 'system') problems.push('task first: message 0 is not system');
  if (msgs[1].role !== 'user') problems.push('task first: message 1 is not the user task');
  const extraUser = msgs.findIndex((m, i) => i > 1 && (m.role === 'user' || m.role === 'system'));
  if (extraUser !== -1) problems.push(`task first: message ${extraUser} is a ${msgs[extraUser].role} message after the task`);

  const specs = new Set(sample.tools.map((t) => t.function.name));
  const lastAssistant = msgs.findLastIndex((m) => m.role === 'assistant');
  let open = new Map<string, string>(); // call id -> tool name, of the latest assistant message
  let openAt = -1;
  const closeOpen = (at: number) => {
    if (open.size && openAt !== lastAssistant) problems.push(`answered: message ${openAt} has ${open.size} call(s) with no result before message ${at}`);
  };
  msgs.forEach((m, i) => {
    if (m.role === 'assistant') {
      closeOpen(i);
      open = new Map();
      openAt = i;
      if (m.content.trim() === '' && !(m.reasoning_content ?? '').trim() && !(m.tool_calls ?? []).length) problems.push(`nonempty: message ${i} is an empty assistant message`);
      for (const c of m.tool_calls ?? []) {
        if (open.has(c.id)) problems.push(`answered: message ${i} repeats call id ${c.id}`);
        open.set(c.id, c.function.name);
        if (!specs.has(c.function.name)) problems.push(`tools: message ${i} calls ${c.function.name}, which has no spec in tools`);
      }
    } else if (m.role === 'tool') {
      const name = open.get(m.tool_call_id);
      if (name === undefined) problems.push(`no orphan: message ${i} answers ${m.tool_call_id}, which is not an open call of the assistant message before it`);
      else {
        if (name !== m.name) problems.push(`no orphan: message ${i} names ${m.name} but answers a call of ${name}`);
        open.delete(m.tool_call_id);
      }
    }
  });
  const last = msgs[msgs.length - 1];
  if (last.role !== 'assistant') problems.push(`ends: the last message is ${last.role}, not assistant`);
  else if (last.weight === 0) problems.push('ends: the last message is context (weight 0), not a target');
  return problems;
}
